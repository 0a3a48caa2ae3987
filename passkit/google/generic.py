"""Generic passes (membership and ID cards) -> GenericClass / GenericObject.

Google keeps almost everything of a generic pass on the object: card title, header, logo,
hero image and background colour. The card title is the logo text (or the issuer name); the
header and the small line above it are the value and label of the first primary field, as on
the Apple front (or the pass's title or description when it has no primary field).
"""

from __future__ import annotations

from passkit.google.card_template import class_template
from passkit.google.classinfo import (
    ClassInputs,
    brand_images,
    image_modules,
    logo_json,
    sharing_status,
)
from passkit.google.images import image_json
from passkit.google.json_writing import JsonDict, put
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.model.fields import PassField
from passkit.model.pass_ import Pass


def _roles(p: Pass) -> dict[str, PassField]:
    return {"header": p.primary[0]} if p.primary else {}


def _class_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    return (("card_title", p.logo_text or options.issuer_name or p.organization),)


def _build_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    loc = inputs.localizer()
    images = brand_images(inputs, notices, logo_required_by=None)
    result: JsonDict = {"id": inputs.class_id}
    put(result, "imageModulesData", image_modules(images.modules))
    put(result, "classTemplateInfo", class_template(inputs.rows, inputs.class_modules))
    result["multipleDevicesAndHoldersAllowedStatus"] = sharing_status(inputs.sharing_prohibited)
    shared: JsonDict = {"cardTitle": loc.text(str(inputs.get("card_title")))}
    put(shared, "logo", logo_json(images.square))
    put(shared, "wideLogo", logo_json(images.wide))
    put(shared, "heroImage", image_json(images.hero) if images.hero else None)
    put(shared, "hexBackgroundColor", inputs.background)
    # Kept for passes without a primary field (the header is required).
    shared["header"] = loc.text(inputs.title)
    return result, shared


def _object_parts(ctx: ObjectContext) -> JsonDict:
    parts: JsonDict = {}
    header = ctx.roles.get("header")
    if header is not None:
        parts["header"] = ctx.localized_value(header)
        if header.label:
            parts["subheader"] = ctx.loc.text(header.label)
    return parts


GENERIC = KindCompiler(
    name="generic",
    roles=_roles,
    class_extra=_class_extra,
    build_class=_build_class,
    object_parts=_object_parts,
)
