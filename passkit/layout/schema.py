"""The layout file format, as pydantic models: what each key means and which values it takes.

These models check one layout file after `extends` merging; `passkit schema` prints their JSON
Schema for editors. Values that may vary per pass accept a jinja2 template (``"{{ points }}"``);
such strings are compiled here, once, into `Template` objects. Unknown keys are refused with a
suggestion of the key that was probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from passkit.colors import Color
from passkit.currency import currency_problem
from passkit.layout.templating import Template, TemplateError, compile_template, is_template, zone
from passkit.model.choices import (
    Alignment,
    BarcodeFormat,
    DateStyle,
    Kind,
    LinkKind,
    NumberStyle,
    Status,
    StringsEncoding,
    TransitType,
)
from passkit.model.fields import Money

KEY_PATTERN = r"^[A-Za-z0-9_.\-]+$"
INPUT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"

_TEMPLATE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"\{[{%#]",
    "description": "a jinja2 template, e.g. '{{ points }}'",
}


def _with_template(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _TEMPLATE_SCHEMA]}


def _compile(text: str) -> Template:
    try:
        return compile_template(text)
    except TemplateError as exc:
        raise ValueError(str(exc)) from None


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _templated(convert: Callable[[Any], Any], expected: str) -> Callable[[Any], Any]:
    """A validator taking a template, or a literal that `convert` accepts (else: `expected`)."""

    def validate(value: Any) -> Any:
        if isinstance(value, str) and is_template(value):
            return _compile(value)
        try:
            return convert(value)
        except (ValueError, TypeError) as exc:
            detail = str(exc)
            reason = f": {detail}" if detail and not detail.startswith("expected") else ""
            raise ValueError(
                f"expected {expected} or a {{{{ template }}}}, got {_shown(value)}{reason}"
            ) from None

    return validate


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError("expected")


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError("expected")


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError("expected")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError("expected")


def _status(value: Any) -> Status:
    return Status(value)


def _color(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected")
    Color.parse(value)
    return value


def _moment(value: Any) -> datetime | date:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    raise TypeError("expected")


def _field_value(value: Any) -> str | int | Decimal | Money:
    if isinstance(value, bool):
        raise TypeError("a field value is text, a number or money, not true/false")
    if isinstance(value, str | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return Money(amount=value["amount"], currency=value["currency"])
    raise TypeError("expected")


def _any(value: Any) -> Any:
    """Free data (user info): strings may be templates, containers are walked."""
    if isinstance(value, str):
        return _compile(value) if is_template(value) else value
    if isinstance(value, dict):
        return {str(key): _any(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_any(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"expected JSON data, got {_shown(value)}")


def _known_zone(name: str) -> str:
    zone(name)  # an unknown name raises ValueError, saying what to write instead
    return name


Text = Annotated[
    str | Template,
    PlainValidator(_templated(_text, "text (in quotes)")),
    WithJsonSchema({"type": "string"}),
]
TemplatedInt = Annotated[
    int | Template,
    PlainValidator(_templated(_integer, "a whole number")),
    WithJsonSchema(_with_template({"type": "integer"})),
]
TemplatedFloat = Annotated[
    float | Template,
    PlainValidator(_templated(_float, "a number")),
    WithJsonSchema(_with_template({"type": "number"})),
]
TemplatedBool = Annotated[
    bool | Template,
    PlainValidator(_templated(_boolean, "true or false")),
    WithJsonSchema(_with_template({"type": "boolean"})),
]
TemplatedStatus = Annotated[
    Status | Template,
    PlainValidator(_templated(_status, "one of " + ", ".join(s.value for s in Status))),
    WithJsonSchema(_with_template({"enum": [s.value for s in Status]})),
]
TemplatedColor = Annotated[
    str | Template,
    PlainValidator(_templated(_color, "a colour (#rrggbb, rgb(r, g, b) or a CSS name)")),
    WithJsonSchema({"type": "string", "description": "#rrggbb, rgb(r, g, b) or a CSS name"}),
]
TemplatedMoment = Annotated[
    datetime | date | Template,
    PlainValidator(
        _templated(_moment, "an ISO 8601 date or date-time (2026-12-01 or 2026-12-01T20:00+01:00)")
    ),
    WithJsonSchema({"type": "string", "description": "ISO 8601 date or date-time, or template"}),
]
FieldValue = Annotated[
    str | int | Decimal | Money | Template,
    PlainValidator(_templated(_field_value, "text, a number or {amount, currency}")),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {
                    "type": "object",
                    "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
                    "required": ["amount", "currency"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
FreeData = Annotated[
    dict[str, Any],
    PlainValidator(lambda value: _any(value) if isinstance(value, dict) else _mapping_error(value)),
    WithJsonSchema({"type": "object"}),
]


def _known_currency(code: str) -> str:
    problem = currency_problem(code)
    if problem is not None:
        raise ValueError(problem)
    return code


Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=64)]
ZoneName = Annotated[str, AfterValidator(_known_zone)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]


def _mapping_error(value: Any) -> Any:
    raise ValueError(f"expected a mapping of keys to values, got {_shown(value)}")


class Spec(BaseModel):
    """Base of every part of the format: immutable, unknown keys refused with a suggestion."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint} (allowed here: {allowed})",
                        {"key": key, "hint": hint, "allowed": ", ".join(sorted(known))},
                    )
        elif not isinstance(data, BaseModel):
            raise PydanticCustomError(
                "not_a_mapping",
                "expected a mapping of keys ({allowed}), got {got}",
                {"allowed": ", ".join(cls.model_fields), "got": _shown(data)},
            )
        return data


# --------------------------------------------------------------------------------------------
# Inputs


class InputType(StrEnum):
    """The type an input of a layout declares; its values are read and checked in inputs.py."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATETIME = "datetime"
    DATE = "date"
    BOOLEAN = "boolean"
    LIST = "list"


class InputDecl(Spec):
    """One variable a record provides. Written in full, or as just its type: ``points: integer``."""

    type: InputType = Field(
        description="string, integer, decimal, money, datetime, date, boolean or list"
    )
    description: str | None = None
    required: bool | None = Field(
        default=None, description="default: required unless a default is given"
    )
    default: Any = Field(default=None, description="the value used when the record has none")
    choices: list[Any] | None = Field(default=None, description="the only values allowed")
    min: Decimal | None = Field(default=None, description="smallest number (or amount) allowed")
    max: Decimal | None = Field(default=None, description="largest number (or amount) allowed")
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = Field(default=None, description="a regular expression text must match")
    currency: CurrencyCode | None = Field(
        default=None, description="money: the currency of plain amounts, and the only one allowed"
    )
    time_zone: ZoneName | None = Field(
        default=None, description="datetime: the zone of times given without one"
    )
    items: InputType | None = Field(default=None, description="list: the type of every item")
    max_items: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.items is InputType.LIST:
            raise ValueError("items: a list of lists is not supported; use a list of values")
        if self.items is not None and self.type is not InputType.LIST:
            raise ValueError("items: only a list input has items")
        if self.required and "default" in self.model_fields_set:
            raise ValueError("an input with a default is not required; remove one of the two")
        return self


# --------------------------------------------------------------------------------------------
# Looks


class ColorsSpec(Spec):
    background: TemplatedColor | None = None
    foreground: TemplatedColor | None = Field(default=None, description="colour of values")
    label: TemplatedColor | None = Field(default=None, description="colour of labels")


class ImageRef(Spec):
    """An image file (relative to the layout file that names it) and, optionally, its URL."""

    path: str
    url: Annotated[str, Field(pattern=r"^https?://")] | None = Field(
        default=None, description="where the same image is hosted (Google Wallet needs it)"
    )


ImageValue = Annotated[
    ImageRef,
    BeforeValidator(lambda value: {"path": value} if isinstance(value, str) else value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "path relative to this layout file"},
                {
                    "type": "object",
                    "properties": {"path": {"type": "string"}, "url": {"type": "string"}},
                    "required": ["path"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class ImagesSpec(Spec):
    icon: ImageValue | None = None
    logo: ImageValue | None = None
    strip: ImageValue | None = None
    thumbnail: ImageValue | None = None
    background: ImageValue | None = None
    footer: ImageValue | None = None


class BundleSpec(Spec):
    """How the Apple bundle is written (`passkit.model.BundleOptions`)."""

    image_quality: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="1-100: images in at most 256 colours at this quality (lossy, smaller); "
        "default: every pixel kept (lossless)",
    )
    strings_encoding: StringsEncoding = Field(
        default=StringsEncoding.UTF8,
        description="encoding of pass.strings: utf-8 (default, read by every tool) or utf-16",
    )


# --------------------------------------------------------------------------------------------
# Fields


class FieldSpec(Spec):
    """One label and value on the pass."""

    key: Key = Field(description="unique among the pass's fields; letters, digits, . _ -")
    label: Text | None = None
    value: FieldValue = Field(description="text, a number, money or a date; usually a template")
    when: TemplatedBool | None = Field(
        default=None, description="show the field only when this is true"
    )
    date_style: DateStyle | None = None
    time_style: DateStyle | None = None
    relative: bool = False
    ignores_time_zone: bool = False
    number_style: NumberStyle | None = None
    currency: CurrencyCode | None = None
    alignment: Alignment | None = None
    change_message: Text | None = Field(
        default=None, description="notification on change; %@ stands for the new value"
    )
    link: LinkKind | None = Field(default=None, description="make the value a tappable link")


class FieldsSpec(Spec):
    header: list[FieldSpec] = Field(default_factory=list)
    primary: list[FieldSpec] = Field(default_factory=list)
    secondary: list[FieldSpec] = Field(default_factory=list)
    auxiliary: list[FieldSpec] = Field(default_factory=list)
    back: list[FieldSpec] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Barcode, places, dates


class GeneratedCodeSpec(Spec):
    """A barcode value passkit makes up: from the serial number (stable) or at random."""

    characters: Literal["numeric", "alphabetic", "alphanumeric"] = "numeric"
    length: int = Field(ge=4, le=100)
    mode: Literal["from_serial", "random"] = Field(
        default="from_serial",
        description="from_serial: the same serial always gets the same code; random: a new one",
    )
    secret_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = Field(
        default=None,
        description="environment variable holding a secret key, so codes cannot be guessed",
    )


class BarcodeSpec(Spec):
    format: BarcodeFormat = BarcodeFormat.QR
    message: Text | None = Field(default=None, description="what the barcode holds")
    generate: GeneratedCodeSpec | None = None
    encoding: str = "iso-8859-1"
    alt_text: Text | None = Field(
        default=None, description="text under the barcode; '{{ barcode_value }}' shows the code"
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.message is None) == (self.generate is None):
            raise ValueError("a barcode has either a message or generate, not both or neither")
        return self


class LocationSpec(Spec):
    latitude: TemplatedFloat
    longitude: TemplatedFloat
    altitude: TemplatedFloat | None = None
    relevant_text: Text | None = None
    when: TemplatedBool | None = None


class BeaconSpec(Spec):
    proximity_uuid: Text
    major: TemplatedInt | None = None
    minor: TemplatedInt | None = None
    relevant_text: Text | None = None
    when: TemplatedBool | None = None


class DurationSpec(Spec):
    days: TemplatedInt | None = None
    hours: TemplatedInt | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.days is None and self.hours is None:
            raise ValueError("give days, hours or both")
        return self


class ExpirySpec(Spec):
    """When the pass expires: a fixed moment (`at`) or some time after it is issued (`after`)."""

    at: TemplatedMoment | None = Field(
        default=None, description="a date (the pass lasts through that day) or date-time"
    )
    after: DurationSpec | None = None
    round_to_midnight: bool = Field(
        default=False, description="move the expiry forward to the next midnight in time_zone"
    )
    time_zone: ZoneName | None = Field(default=None, description="default: the layout's time_zone")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"at": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if (self.at is None) == (self.after is None):
            raise ValueError("an expiry has either 'at' or 'after', not both or neither")
        return self


# --------------------------------------------------------------------------------------------
# Services, links, messages, translations, trips


class WebServiceSpec(Spec):
    url: Text
    authentication_token: Text


class NfcSpec(Spec):
    message: Text
    encryption_public_key: Text | None = None
    requires_authentication: bool = False


class LinkSpec(Spec):
    kind: LinkKind = LinkKind.WEB
    uri: Text
    label: Text | None = None
    key: Key | None = None
    when: TemplatedBool | None = None


class MessageSpec(Spec):
    key: Key | None = Field(default=None, description="default: message-1, message-2, ...")
    header: Text
    body: Text
    when: TemplatedBool | None = None


class TranslationSpec(Spec):
    strings: dict[str, str] = Field(
        default_factory=dict, description="the pass's own texts (labels, values) -> translation"
    )
    images: ImagesSpec = Field(default_factory=ImagesSpec)


class EventSpec(Spec):
    name: Text
    venue_name: Text | None = None
    venue_address: Text | None = None
    starts_at: TemplatedMoment | None = None
    ends_at: TemplatedMoment | None = None
    doors_open_at: TemplatedMoment | None = None


class PlaceSpec(Spec):
    code: Text | None = None
    name: Text | None = None


class TripSpec(Spec):
    origin: PlaceSpec
    destination: PlaceSpec
    departs_at: TemplatedMoment | None = None
    arrives_at: TemplatedMoment | None = None
    carrier: Text | None = None
    number: Text | None = None
    passenger: Text | None = None
    seat: Text | None = None
    gate: Text | None = None
    platform: Text | None = None


class LintSpec(Spec):
    """What `passkit lint` is told of the layout's deliberate choices."""

    accept: list[str] = Field(
        default_factory=list,
        description="design warnings accepted on purpose, each by its code (one-wallet-only) "
        "or its place (images.thumbnail), as passkit lint prints them",
    )


class GoogleSpec(Spec):
    """Only what Google Wallet needs beyond the rest of the layout."""

    class_suffix: Annotated[str, Field(pattern=r"^[A-Za-z0-9._\-]+$")] | None = Field(
        default=None, description="the class id is <issuer id>.<class_suffix>; default: the name"
    )
    issuer_name: str | None = Field(default=None, description="default: the organization")
    program_logo: ImageValue | None = Field(
        default=None, description="square logo Google shows in a circle; default: the logo"
    )
    hero_image: ImageValue | None = Field(
        default=None, description="wide image across the card; default: the strip image"
    )
    origins: list[str] = Field(default_factory=list)
    card_rows: list[list[Key]] | None = Field(
        default=None,
        description="rows of the Google card front as field keys (up to 3 rows of 1 to 3); "
        "default: the Apple front",
    )
    redemption_channel: Literal["INSTORE", "ONLINE", "BOTH", "TEMPORARY_PRICE_REDUCTION"] = Field(
        default="BOTH", description="offers: where the offer can be used"
    )
    image_base_url: Annotated[str, Field(pattern=r"^https?://")] | None = Field(
        default=None,
        description="where this layout's folder is published: image URLs are this + their path",
    )


# --------------------------------------------------------------------------------------------
# The layout


class LayoutSpec(Spec):
    """A pass layout. Keys starting with 'x-' are ignored (use them for YAML anchors)."""

    extends: str | None = Field(
        default=None, description="a base layout (path relative to this file) to build on"
    )
    abstract: bool = Field(
        default=False, description="true for a base layout that is only extended, never built"
    )
    name: str | None = Field(default=None, description="default: the file name without suffix")

    kind: Kind
    transit_type: TransitType | None = Field(default=None, description="boarding passes")
    language: str = Field(default="en", description="language of the pass's own texts")
    locale: str | None = Field(
        default=None, description="how filters format numbers and dates; default: language"
    )
    time_zone: ZoneName = Field(
        default="UTC", description="zone of dates and of times given without a zone"
    )
    inputs: dict[Annotated[str, Field(pattern=INPUT_NAME_PATTERN)], InputDecl] = Field(
        default_factory=dict
    )

    serial_number: Text = Field(description="unique per pass, e.g. '{{ member_id }}'")
    organization: Text
    description: Text = Field(description="what the pass is, for accessibility")
    title: Text | None = None
    logo_text: Text | None = None
    colors: ColorsSpec = Field(default_factory=ColorsSpec)
    images: ImagesSpec = Field(default_factory=ImagesSpec)
    bundle: BundleSpec = Field(default_factory=BundleSpec)
    fields: FieldsSpec = Field(default_factory=FieldsSpec)

    barcode: BarcodeSpec | None = None
    locations: list[LocationSpec] = Field(default_factory=list)
    max_distance: TemplatedFloat | None = None
    beacons: list[BeaconSpec] = Field(default_factory=list)

    relevant_date: TemplatedMoment | None = None
    expiry: ExpirySpec | None = Field(
        default=None, description="a date, '{{ template }}', or {at: ...} / {after: ...}"
    )
    status: TemplatedStatus | None = None
    sharing_prohibited: TemplatedBool | None = None
    grouping_id: Text | None = None

    web_service: WebServiceSpec | None = None
    nfc: NfcSpec | None = None
    user_info: FreeData | None = None
    app_launch_url: Text | None = None
    associated_store_ids: list[int] = Field(default_factory=list)
    pass_type_id: str | None = Field(
        default=None, description="normally left out: taken from the signing certificate"
    )
    team_id: str | None = Field(
        default=None, description="normally left out: taken from the signing certificate"
    )

    links: list[LinkSpec] = Field(default_factory=list)
    messages: list[MessageSpec] = Field(default_factory=list)
    translations: dict[str, TranslationSpec] = Field(default_factory=dict)

    event: EventSpec | None = None
    trip: TripSpec | None = None
    google: GoogleSpec = Field(default_factory=GoogleSpec)
    lint: LintSpec = Field(default_factory=LintSpec)

    @model_validator(mode="before")
    @classmethod
    def _drop_extension_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: value
                for key, value in data.items()
                if not (isinstance(key, str) and (key.startswith("x-") or key == "$schema"))
            }
        return data

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError("not a language tag; use forms like 'en', 'fr', 'pt-BR'")
        return value


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one layout file (a base layout or one that extends needs fewer keys)."""
    schema = LayoutSpec.model_json_schema()
    required = schema.pop("required", [])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "passkit layout"
    schema["patternProperties"] = {"^x-": {}}
    schema["properties"]["$schema"] = {"type": "string"}
    schema["additionalProperties"] = False
    schema["if"] = {
        "not": {
            "anyOf": [
                {"required": ["extends"]},
                {"required": ["abstract"], "properties": {"abstract": {"const": True}}},
            ]
        }
    }
    schema["then"] = {"required": required}
    inputs = schema["properties"]["inputs"]
    inputs["patternProperties"] = {
        INPUT_NAME_PATTERN: {
            "anyOf": [{"$ref": "#/$defs/InputDecl"}, {"$ref": "#/$defs/InputType"}]
        }
    }
    inputs["additionalProperties"] = False
    expiry = schema["properties"]["expiry"]
    expiry["anyOf"] = [{"$ref": "#/$defs/ExpirySpec"}, {"type": "string"}, {"type": "null"}]
    return schema
