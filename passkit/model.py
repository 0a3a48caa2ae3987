"""The `Pass`: what a pass means, in the words of the people who issue passes.

Nothing here is Apple or Google vocabulary. Each wallet compiler (`passkit.apple`,
`passkit.google`) maps a `Pass` to its own JSON and enforces its own wallet's rules; this
module enforces only what is true of a pass whatever wallet shows it.

Every model is immutable. Invalid values raise `WalletRuleError` naming the field path
(for example ``locations[3].latitude``) rather than pydantic's `ValidationError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from passkit import apple_rules
from passkit.colors import Color
from passkit.currency import money_problem
from passkit.errors import WalletRuleError
from passkit.images import ImageSource
from passkit.web_service import token_problem, url_problem

# The limits live in the table of Apple's rules; the names stay here for the layout checks.
MAX_LOCATIONS = apple_rules.MAX_LOCATIONS
MAX_BEACONS = apple_rules.MAX_BEACONS
FIELD_GROUPS = ("header", "primary", "secondary", "auxiliary", "back")


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Turn pydantic's error list into lines like ``locations[3].latitude: must be <= 90``."""
    lines = []
    for item in error.errors():
        path = prefix
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path += f".{part}" if path else str(part)
        message = item["msg"]
        if item["type"] == "value_error":
            message = str(item.get("ctx", {}).get("error", message))
        elif "input" in item and item["type"] not in ("missing", "extra_forbidden"):
            shown = repr(item["input"])
            message += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
        if item["type"] == "extra_forbidden":
            message = "unknown field; check its spelling"
        lines.append(f"{path or '(pass)'}: {message}")
    return "; ".join(lines)


if TYPE_CHECKING:
    _ModelBase = BaseModel
else:

    class _ModelType(type(BaseModel)):
        """pydantic's type of models, turning a refusal into a WalletRuleError: `Pass(...)`
        raises one. pydantic validates nested parts without calling their model, so a nested
        error reaches the outermost call as one ValidationError holding the whole field path."""

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().__call__(*args, **kwargs)
            except ValidationError as exc:
                raise WalletRuleError(describe_validation_error(exc)) from None

    class _ModelBase(BaseModel, metaclass=_ModelType):
        pass


class Model(_ModelBase):
    """Base of every part of a pass: immutable, strict about unknown fields, clear errors."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, str_strip_whitespace=False
    )

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise WalletRuleError(describe_validation_error(exc)) from None


def _color(value: object) -> Color:
    return Color.parse(value)


def _image(value: object) -> ImageSource:
    return ImageSource.coerce(value)


# Color.parse gives a checked Color (or refuses): pydantic's own reading of the named tuple,
# channel by channel, would only repeat it for every pass (docs/performance.md).
ColorValue = Annotated[Color, PlainValidator(_color)]
Image = Annotated[ImageSource, BeforeValidator(_image)]


class Kind(StrEnum):
    LOYALTY = "loyalty"
    GIFT_CARD = "gift_card"
    GENERIC = "generic"
    COUPON = "coupon"
    EVENT_TICKET = "event_ticket"
    BOARDING_PASS = "boarding_pass"


class TransitType(StrEnum):
    AIR = "air"
    TRAIN = "train"
    BUS = "bus"
    BOAT = "boat"
    GENERIC = "generic"


class Status(StrEnum):
    """Where the pass is in its life; wallets grey out or hide passes that are not active."""

    ACTIVE = "active"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"


class DateStyle(StrEnum):
    NONE = "none"
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"
    FULL = "full"


class NumberStyle(StrEnum):
    DECIMAL = "decimal"
    PERCENT = "percent"
    SCIENTIFIC = "scientific"
    SPELL_OUT = "spell_out"


class Alignment(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    NATURAL = "natural"


class LinkKind(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


class BarcodeFormat(StrEnum):
    QR = "qr"
    PDF417 = "pdf417"
    AZTEC = "aztec"
    CODE128 = "code128"


class Money(Model):
    """An amount in a currency (ISO 4217 code, e.g. EUR)."""

    amount: Decimal
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

    @field_validator("amount", mode="before")
    @classmethod
    def _no_binary_floats(cls, value: Any) -> Any:
        # A float like 0.1 has no exact decimal value; go through its shortest repr instead.
        return str(value) if isinstance(value, float) else value

    @model_validator(mode="after")
    def _shown_as_given(self) -> Self:
        # A known currency, and no more decimals than the wallets will show.
        problem = money_problem(self.amount, self.currency)
        if problem is not None:
            raise ValueError(problem)
        return self

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


FieldValue = str | int | Decimal | Money | AwareDatetime


class PassField(Model):
    """One label/value pair shown on the pass, in one of the groups of `Pass`."""

    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)]
    label: str | None = None
    value: FieldValue
    date_style: DateStyle | None = None
    time_style: DateStyle | None = None
    relative: bool = False
    ignores_time_zone: bool = False
    number_style: NumberStyle | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    alignment: Alignment | None = None
    change_message: str | None = None
    link: LinkKind | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a field value is text, a number, money or a date, not true/false")
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("a date/time value needs a time zone (e.g. 2026-12-01T09:00+01:00)")
        return value

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, datetime)


class Barcode(Model):
    format: BarcodeFormat = BarcodeFormat.QR
    message: Annotated[str, Field(min_length=1)]
    encoding: str = "iso-8859-1"
    alt_text: str | None = None

    @model_validator(mode="after")
    def _encodable(self) -> Self:
        try:
            "".encode(self.encoding)
        except LookupError:
            raise apple_rules.rule("apple.barcode.encoding").error(
                where="barcode.encoding", encoding=self.encoding
            ) from None
        try:
            self.message.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = self.message[exc.start : exc.end]
            raise apple_rules.rule("apple.barcode.encodable").error(
                where="barcode.message", text=bad, encoding=self.encoding
            ) from None
        if self.format is BarcodeFormat.CODE128 and not self.message.isascii():
            raise apple_rules.rule("apple.barcode.code128-ascii").error(where="barcode.message")
        return self


class Location(Model):
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    altitude: float | None = None
    relevant_text: str | None = None


class Beacon(Model):
    proximity_uuid: UUID
    major: Annotated[int, Field(ge=0, le=65535)] | None = None
    minor: Annotated[int, Field(ge=0, le=65535)] | None = None
    relevant_text: str | None = None

    @field_validator("proximity_uuid", mode="before")
    @classmethod
    def _uuid(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a UUID; use the form E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"
                ) from None
        return value

    @model_validator(mode="after")
    def _minor_needs_major(self) -> Self:
        if self.minor is not None and self.major is None:
            raise ValueError("a beacon with a minor number needs a major number too")
        return self


class WebService(Model):
    """Where the wallet asks for updates of the pass, and the secret it proves itself with."""

    url: str
    authentication_token: str

    @field_validator("url", "authentication_token")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        # An https:// address (http:// only on this machine), and a token long enough.
        problem = (url_problem if info.field_name == "url" else token_problem)(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class Nfc(Model):
    message: Annotated[str, Field(min_length=1)]
    encryption_public_key: str | None = None
    requires_authentication: bool = False

    @field_validator("message")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value.encode("utf-8")) > 64:
            raise ValueError("an NFC message holds at most 64 bytes")
        return value


class Link(Model):
    """A link shown with the pass: a web page, an e-mail address, a phone number or a place."""

    kind: LinkKind = LinkKind.WEB
    uri: Annotated[str, Field(min_length=1)]
    label: str | None = None
    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")] | None = None


class Message(Model):
    """A message shown to the holder (on the back of an Apple pass, in Google's message list)."""

    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")]
    header: str
    body: str


class Event(Model):
    name: str
    venue_name: str | None = None
    venue_address: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    doors_open_at: AwareDatetime | None = None


class Place(Model):
    code: str | None = None
    name: str | None = None


class Trip(Model):
    """The journey of a boarding pass, for wallets that show it in a structured way."""

    origin: Place
    destination: Place
    departs_at: AwareDatetime | None = None
    arrives_at: AwareDatetime | None = None
    carrier: str | None = None
    number: str | None = None
    passenger: str | None = None
    seat: str | None = None
    gate: str | None = None
    platform: str | None = None


class Images(Model):
    """The images of a pass. Which ones a wallet shows depends on the kind of pass."""

    icon: Image | None = None
    logo: Image | None = None
    strip: Image | None = None
    thumbnail: Image | None = None
    background: Image | None = None
    footer: Image | None = None

    def items(self) -> Iterator[tuple[str, ImageSource]]:
        for role in type(self).model_fields:
            source = getattr(self, role)
            if source is not None:
                yield role, source


IMAGE_ROLES: tuple[str, ...] = tuple(Images.model_fields)


class Translation(Model):
    """One language: a table from the pass's own texts to their translation, and its images."""

    strings: dict[str, str] = Field(default_factory=dict)
    images: Images = Field(default_factory=Images)


class StringsEncoding(StrEnum):
    UTF8 = "utf-8"
    UTF16 = "utf-16"


class BundleOptions(Model):
    """How an Apple bundle is written, beyond what the pass says.

    `image_quality` (1-100) reduces each image to a palette of at most 256 colours at that
    quality (smaller, no longer pixel-identical); None, the default, keeps every pixel.
    `strings_encoding` is that of each `pass.strings`: UTF-8, which every tool reads, or
    UTF-16 with a byte-order mark.
    """

    image_quality: Annotated[int, Field(ge=1, le=100)] | None = None
    strings_encoding: StringsEncoding = StringsEncoding.UTF8


class Pass(Model):
    """A pass, complete and final: every value is known, nothing is left to a template."""

    kind: Kind
    serial_number: Annotated[str, Field(min_length=1, max_length=256)]
    organization: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    title: str | None = None
    language: str = "en"
    pass_type_id: str | None = None
    team_id: str | None = None

    background_color: ColorValue | None = None
    foreground_color: ColorValue | None = None
    label_color: ColorValue | None = None
    logo_text: str | None = None
    images: Images = Field(default_factory=Images)

    header: tuple[PassField, ...] = ()
    primary: tuple[PassField, ...] = ()
    secondary: tuple[PassField, ...] = ()
    auxiliary: tuple[PassField, ...] = ()
    back: tuple[PassField, ...] = ()

    barcode: Barcode | None = None
    locations: tuple[Location, ...] = ()
    max_distance: Annotated[float, Field(gt=0)] | None = None
    beacons: tuple[Beacon, ...] = ()

    issued_at: AwareDatetime | None = None
    relevant_date: AwareDatetime | None = None
    expiration_date: AwareDatetime | None = None
    status: Status = Status.ACTIVE
    sharing_prohibited: bool = False
    grouping_id: str | None = None

    web_service: WebService | None = None
    nfc: Nfc | None = None
    user_info: dict[str, Any] | None = None
    app_launch_url: str | None = None
    associated_store_ids: tuple[int, ...] = ()

    links: tuple[Link, ...] = ()
    messages: tuple[Message, ...] = ()
    translations: dict[str, Translation] = Field(default_factory=dict)
    bundle: BundleOptions = Field(default_factory=BundleOptions)

    transit_type: TransitType | None = None
    event: Event | None = None
    trip: Trip | None = None

    @field_validator("locations", mode="before")
    @classmethod
    def _at_most_ten_locations(cls, value: Any) -> Any:
        if isinstance(value, list | tuple) and len(value) > MAX_LOCATIONS:
            raise apple_rules.rule("apple.locations.max").error(where="locations", count=len(value))
        return value

    @field_validator("beacons", mode="before")
    @classmethod
    def _at_most_ten_beacons(cls, value: Any) -> Any:
        if isinstance(value, list | tuple) and len(value) > MAX_BEACONS:
            raise apple_rules.rule("apple.beacons.max").error(where="beacons", count=len(value))
        return value

    @field_validator("translations")
    @classmethod
    def _language_tags(cls, value: dict[str, Translation]) -> dict[str, Translation]:
        for tag in value:
            if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
                raise ValueError(
                    f"{tag!r} is not a language tag; use forms like 'fr', 'pt-BR' or 'zh-Hans'"
                )
        return value

    @model_validator(mode="before")
    @classmethod
    def _generic_transit(cls, data: Any) -> Any:
        # A boarding pass that names no transit type is a generic one.
        if (
            isinstance(data, dict)
            and data.get("kind") == Kind.BOARDING_PASS
            and data.get("transit_type") is None
        ):
            return {**data, "transit_type": TransitType.GENERIC}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # Run for every pass built: the keys are counted first, and the repeat looked for only
        # when there is one (docs/performance.md). The groups of FIELD_GROUPS, written out.
        fields = self.header + self.primary + self.secondary + self.auxiliary + self.back
        if len({field.key for field in fields}) != len(fields):
            self._refuse_repeated_key()
        return self

    def _refuse_repeated_key(self) -> None:
        seen: dict[str, str] = {}
        for group, field in self.fields():
            if field.key in seen:
                raise apple_rules.rule("apple.fields.unique-key").error(
                    where=group, key=field.key, other=seen[field.key]
                )
            seen[field.key] = group

    def fields(self) -> Iterator[tuple[str, PassField]]:
        """Every field with the name of its group, in display order."""
        for group in FIELD_GROUPS:
            for field in getattr(self, group):
                yield group, field

    def field(self, key: str) -> PassField | None:
        return next((f for _, f in self.fields() if f.key == key), None)

    def localized(self, text: str, language: str) -> str:
        """The translation of one of the pass's texts, or the text itself."""
        translation = self.translations.get(language)
        return translation.strings.get(text, text) if translation else text
