"""The parts of a layout that set how its passes are made rather than what they show: how the
Apple bundle is written, what Google Wallet needs beyond the rest, and what `passkit lint` is
told of deliberate choices.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from passkit.layout.face_specs import ImageValue
from passkit.layout.spec_base import Key, Spec
from passkit.model.choices import StringsEncoding


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
