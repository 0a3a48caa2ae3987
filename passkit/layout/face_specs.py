"""The parts of a layout that make what a pass shows: its colours, images, fields and barcode,
and their translations.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from passkit.layout.spec_base import (
    CurrencyCode,
    FieldValue,
    Key,
    Spec,
    TemplatedBool,
    TemplatedColor,
    Text,
)
from passkit.model.choices import Alignment, BarcodeFormat, DateStyle, LinkKind, NumberStyle


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


class TranslationSpec(Spec):
    strings: dict[str, str] = Field(
        default_factory=dict, description="the pass's own texts (labels, values) -> translation"
    )
    images: ImagesSpec = Field(default_factory=ImagesSpec)
