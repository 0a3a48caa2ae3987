"""What a pass looks like beyond its fields: colours, images, and translations of its texts
and images."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainValidator

from passkit.colors import Color
from passkit.images import ImageSource
from passkit.model.base import Model


def _color(value: object) -> Color:
    return Color.parse(value)


def _image(value: object) -> ImageSource:
    return ImageSource.coerce(value)


# Color.parse gives a checked Color (or refuses): pydantic's own reading of the named tuple,
# channel by channel, would only repeat it for every pass (docs/performance.md).
ColorValue = Annotated[Color, PlainValidator(_color)]
Image = Annotated[ImageSource, BeforeValidator(_image)]


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
