"""The `Pass` itself, complete and final, with how its Apple bundle is written
(`BundleOptions`); its parts are in the other modules of `passkit.model`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator

from passkit import apple_rules
from passkit.apple_rules import MAX_BEACONS, MAX_LOCATIONS
from passkit.model.base import Model
from passkit.model.choices import Kind, Status, StringsEncoding, TransitType
from passkit.model.fields import FIELD_GROUPS, PassField
from passkit.model.looks import ColorValue, Images, Translation
from passkit.model.parts import (
    Barcode,
    Beacon,
    Event,
    Link,
    Location,
    Message,
    Nfc,
    Trip,
    WebService,
)

REQUIRED_TEXT, COLOR_FORM, TIME_ZONE = (
    "apple.pass.required-text",
    "apple.color.form",
    "apple.date.time-zone",
)


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

    field_rules: ClassVar[Mapping[str, str]] = {
        **dict.fromkeys(("serial_number", "organization", "description"), REQUIRED_TEXT),
        **dict.fromkeys(("background_color", "foreground_color", "label_color"), COLOR_FORM),
        **dict.fromkeys(("issued_at", "relevant_date", "expiration_date"), TIME_ZONE),
    }

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
