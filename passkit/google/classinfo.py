"""What a Google class is made of, gathered from a pass into one hashable value.

A class is the part of a Google pass shared by every holder: issuer name, logos, colours, the
card-front template. `ClassInputs` holds everything a class builder may read and nothing else,
so a class can be memoised by its inputs: every pass of a layout yields equal inputs, and the
class JSON is built once per process however many passes are compiled.

Beside it, what the class builders of the pass types share: the brand images picked from the
inputs, logos and image modules as Google JSON, the sharing status, and `standard_class`, the
fields of every class but the generic one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from passkit.google.card_template import class_template
from passkit.google.images import image_json, pick_image
from passkit.google.json_writing import JsonDict, put
from passkit.google.localize import Localizer, TranslationKey
from passkit.images import ImageSource

ImageCandidates = tuple[tuple[str, ImageSource | None], ...]


@dataclass(frozen=True)
class ClassInputs:
    kind: str
    class_id: str
    language: str
    translations: TranslationKey
    issuer_name: str
    title: str  # program name, offer title, event name when the pass has no event, ...
    background: str | None  # "#rrggbb"
    square_logos: ImageCandidates  # in order of preference; Google shows them in a circle
    wide_logo: ImageCandidates
    hero: ImageCandidates
    image_modules: ImageCandidates
    sharing_prohibited: bool
    rows: tuple[tuple[str, ...], ...]  # text-module ids per card row
    labels: tuple[tuple[str, str], ...]  # role -> label of fields with their own Google place
    extra: tuple[tuple[str, Hashable], ...] = ()  # what one pass type alone needs
    # The text and link modules, messages and locations every pass shows alike, as compact
    # JSON; the ids of those text modules; the notices made while writing them.
    shared: bytes = b""
    class_modules: tuple[str, ...] = ()
    shared_notices: tuple[str, ...] = ()

    def localizer(self) -> Localizer:
        return Localizer(self.language, {lang: dict(table) for lang, table in self.translations})

    def label(self, role: str) -> str | None:
        return dict(self.labels).get(role)

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.extra).get(name, default)


@dataclass(frozen=True)
class BrandImages:
    """The images of a class, each with a public URL (or None when it has none)."""

    square: ImageSource | None
    wide: ImageSource | None
    hero: ImageSource | None
    modules: tuple[tuple[str, ImageSource], ...]


def brand_images(
    inputs: ClassInputs, notices: list[str], *, logo_required_by: str | None
) -> BrandImages:
    square = pick_image(
        inputs.square_logos, role="logo", required_by=logo_required_by, notices=notices
    )
    wide = pick_image(inputs.wide_logo, role="wide logo", required_by=None, notices=notices)
    if wide is not None and wide == square:
        wide = None
    hero = pick_image(inputs.hero, role="hero image", required_by=None, notices=notices)
    modules = []
    for role, source in inputs.image_modules:
        picked = pick_image(
            ((role, source),), role=f"{role} image", required_by=None, notices=notices
        )
        if picked is not None:
            modules.append((role, picked))
    return BrandImages(square, wide, hero, tuple(modules))


def sharing_status(sharing_prohibited: bool) -> str:
    return "ONE_USER_ONE_DEVICE" if sharing_prohibited else "MULTIPLE_HOLDERS"


def image_modules(images: Sequence[tuple[str, ImageSource]]) -> list[JsonDict]:
    return [{"id": role, "mainImage": image_json(source)} for role, source in images]


def logo_json(source: ImageSource | None) -> JsonDict | None:
    # No contentDescription: it would add a hundred characters per logo to every save link,
    # and Google reads the issuer name beside the logo anyway.
    return None if source is None else image_json(source)


def standard_class(
    inputs: ClassInputs,
    notices: list[str],
    *,
    logo_fields: tuple[str, str] | None,
    logo_required_by: str | None = None,
) -> tuple[JsonDict, Localizer, BrandImages]:
    """The fields every class but the generic one has: id, issuer, review status, colour,
    logos (under the names `logo_fields` of this type), hero, image modules, template, sharing.
    """
    loc = inputs.localizer()
    images = brand_images(inputs, notices, logo_required_by=logo_required_by)
    result: JsonDict = {"id": inputs.class_id}
    loc.set_text(
        result, "issuerName", "localizedIssuerName", inputs.issuer_name, plain_required=True
    )
    result["reviewStatus"] = "UNDER_REVIEW"
    put(result, "hexBackgroundColor", inputs.background)
    if logo_fields is not None:
        square_field, wide_field = logo_fields
        put(result, square_field, logo_json(images.square))
        put(result, wide_field, logo_json(images.wide))
    put(result, "heroImage", image_json(images.hero) if images.hero else None)
    put(result, "imageModulesData", image_modules(images.modules))
    put(result, "classTemplateInfo", class_template(inputs.rows, inputs.class_modules))
    result["multipleDevicesAndHoldersAllowedStatus"] = sharing_status(inputs.sharing_prohibited)
    return result, loc, images
