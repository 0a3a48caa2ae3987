"""`LayoutSpec`: one layout file as a whole, after `extends` merging, and the expiry rule of
its passes.

`LayoutSpec.model_validate` checks a layout file; the parts it is made of are in
`face_specs.py`, `part_specs.py`, `settings_specs.py` and `input_decl.py`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator

from passkit.layout.face_specs import (
    BarcodeSpec,
    ColorsSpec,
    FieldsSpec,
    ImagesSpec,
    TranslationSpec,
)
from passkit.layout.input_decl import INPUT_NAME_PATTERN, InputDecl
from passkit.layout.part_specs import (
    BeaconSpec,
    EventSpec,
    LinkSpec,
    LocationSpec,
    MessageSpec,
    NfcSpec,
    TripSpec,
    WebServiceSpec,
)
from passkit.layout.settings_specs import BundleSpec, GoogleSpec, LintSpec
from passkit.layout.spec_base import (
    FreeData,
    Spec,
    TemplatedBool,
    TemplatedFloat,
    TemplatedInt,
    TemplatedMoment,
    TemplatedStatus,
    Text,
    ZoneName,
)
from passkit.model.choices import Kind, TransitType


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
