"""The content a pass shows in its details on Google: text modules (its fields), the links
module, messages and merchant locations, on the object, or on the class when every pass of a
layout shows them alike (`ObjectContext.in_class`).
"""

from __future__ import annotations

from collections.abc import Sequence

from passkit.errors import WalletRuleError
from passkit.google.field_roles import FRONT_GROUPS
from passkit.google.held import HELD_LINKS, HELD_LOCATIONS, HELD_MESSAGES
from passkit.google.ids import safe_module_id
from passkit.google.json_writing import JsonDict, put
from passkit.google.object_context import ObjectContext
from passkit.google.uris import link_uri
from passkit.model.fields import PassField

MAX_TEXT_MODULES_SHOWN = 10


def text_module(ctx: ObjectContext, f: PassField) -> JsonDict:
    module: JsonDict = {"id": safe_module_id(f.key)}
    if f.label:
        ctx.loc.set_text(module, "header", "localizedHeader", f.label)
    ctx.set_value(module, "body", "localizedBody", f)
    return module


def links_module(
    ctx: ObjectContext, link_fields: Sequence[tuple[PassField, str]], *, pass_links: bool = True
) -> JsonDict | None:
    """The pass's links (unless not `pass_links`), then its back fields that are links."""
    uris: list[JsonDict] = []
    for index, link in enumerate(ctx.p.links if pass_links else ()):
        target = link_uri(link.kind, link.uri)
        if target is None:
            raise WalletRuleError(
                f"links[{index}].uri: {link.uri!r} is not a valid {link.kind.value} link; give a "
                "web address, an e-mail address, a phone number or a postal address as its "
                "kind says"
            )
        uri: JsonDict = {"uri": target}
        if link.label:
            ctx.loc.set_text(uri, "description", "localizedDescription", link.label)
        if link.key:
            uri["id"] = safe_module_id(link.key)
        uris.append(uri)
    for f, target in link_fields:
        uri = {"uri": target, "id": safe_module_id(f.key)}
        ctx.loc.set_text(uri, "description", "localizedDescription", f.label or ctx.value_text(f))
        uris.append(uri)
    return {"uris": uris} if uris else None


def messages_json(ctx: ObjectContext) -> list[JsonDict]:
    result = []
    for message in ctx.p.messages:
        item: JsonDict = {"id": safe_module_id(message.key), "messageType": "TEXT"}
        ctx.loc.set_text(item, "header", "localizedHeader", message.header)
        ctx.loc.set_text(item, "body", "localizedBody", message.body)
        result.append(item)
    return result


def back_link(f: PassField) -> str | None:
    """The URI of a back field that is a link (its kind set, its text a link of that kind)."""
    if f.link is not None and isinstance(f.value, str):
        return link_uri(f.link, f.value)
    return None


def shared_parts(ctx: ObjectContext, *, in_class: bool) -> JsonDict:
    """Text and link modules, messages and locations: those the class holds (the same for
    every pass of a layout, `ctx.in_class`) when `in_class`, else the object's own."""
    p = ctx.p
    consumed = ctx.consumed
    held = ctx.in_class

    def mine(key: str) -> bool:
        return key not in consumed and (key in held) == in_class

    modules = [
        text_module(ctx, f) for group in FRONT_GROUPS for f in getattr(p, group) if mine(f.key)
    ]
    link_fields = []
    for f in p.back:
        if not mine(f.key):
            continue
        target = back_link(f)
        if target is not None:
            link_fields.append((f, target))
        else:
            modules.append(text_module(ctx, f))
    parts: JsonDict = {}
    if modules:
        parts["textModulesData"] = modules
        if len(modules) > MAX_TEXT_MODULES_SHOWN:
            ctx.notices.append(
                f"the pass has {len(modules)} text fields on its "
                f"{'class' if in_class else 'object'}; Google Wallet shows the first "
                f"{MAX_TEXT_MODULES_SHOWN} of each (front fields come first)"
            )
    links = links_module(ctx, link_fields, pass_links=(HELD_LINKS in held) == in_class)
    if links is not None:
        parts["linksModuleData"] = links
    if (HELD_MESSAGES in held) == in_class:
        put(parts, "messages", messages_json(ctx))
    if p.locations and (HELD_LOCATIONS in held) == in_class:
        parts["merchantLocations"] = [
            {"latitude": ctx.json_float(loc.latitude), "longitude": ctx.json_float(loc.longitude)}
            for loc in p.locations
        ]
    return parts
