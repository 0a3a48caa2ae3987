"""The parts every Google Wallet class or object shares: barcode, state, validity, text, link,
image and message modules, locations, grouping, sharing rule, and the card-front template.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from passkit.errors import WalletRuleError
from passkit.google.credentials import plain_float
from passkit.google.ids import safe_module_id
from passkit.google.images import image_json
from passkit.google.localize import JsonDict, Localizer
from passkit.google.values import format_field_value, google_datetime
from passkit.images import ImageSource
from passkit.model import (
    FIELD_GROUPS,
    BarcodeFormat,
    LinkKind,
    Pass,
    PassField,
    Status,
)

FRONT_GROUPS = FIELD_GROUPS[:4]
MAX_TEXT_MODULES_SHOWN = 10

BARCODE_TYPES = {
    BarcodeFormat.QR: "QR_CODE",
    BarcodeFormat.PDF417: "PDF_417",
    BarcodeFormat.AZTEC: "AZTEC",
    BarcodeFormat.CODE128: "CODE_128",
}
STATES = {
    Status.ACTIVE: "ACTIVE",
    Status.REDEEMED: "COMPLETED",
    Status.EXPIRED: "EXPIRED",
    Status.VOIDED: "INACTIVE",
}


@dataclass
class ObjectContext:
    """What the object builders of one pass share: the pass, its localizer, the fields that
    went to dedicated Google places (roles), and the notices collected on the way."""

    p: Pass
    loc: Localizer
    roles: dict[str, PassField]
    notices: list[str] = field(default_factory=list)
    # False once a float json and orjson write differently goes into the object.
    plain_floats: bool = True

    def json_float(self, value: float) -> float:
        """`value`, to be put in the object; every float of the object passes through here."""
        if self.plain_floats and not plain_float(value):
            self.plain_floats = False
        return value

    @property
    def consumed(self) -> set[str]:
        return {f.key for f in self.roles.values()}

    def value_text(self, f: PassField) -> str:
        return format_field_value(f, self.p.language, None)

    def localized_value(self, f: PassField) -> JsonDict:
        return self.loc.rendered(self.value_text(f), lambda lang: self.render(f, lang))

    def render(self, f: PassField, language: str) -> str:
        return format_field_value(f, language, self.loc.tables.get(language))

    def set_value(self, target: JsonDict, plain: str, localized: str, f: PassField) -> None:
        self.loc.set_rendered(
            target, plain, localized, self.value_text(f), lambda lang: self.render(f, lang)
        )

    def role_text(self, role: str) -> str | None:
        f = self.roles.get(role)
        return self.value_text(f) if f is not None else None


def normalized_key(key: str) -> str:
    return key.lower().replace("-", "_").replace(".", "_")


def match_roles(p: Pass, role_keys: dict[str, tuple[str, ...]]) -> dict[str, PassField]:
    """For each role, the first field whose key is one of the role's candidate keys.

    Keys compare case-insensitively with '-' and '.' read as '_'; a field fills one role.
    """
    by_key: dict[str, PassField] = {}
    for _, f in p.fields():
        by_key.setdefault(normalized_key(f.key), f)
    roles: dict[str, PassField] = {}
    used: set[str] = set()
    for role, keys in role_keys.items():
        for key in keys:
            found = by_key.get(key)
            if found is not None and found.key not in used:
                roles[role] = found
                used.add(found.key)
                break
    return roles


# --- object parts ---------------------------------------------------------------------------


def barcode_json(p: Pass) -> JsonDict | None:
    if p.barcode is None:
        return None
    result: JsonDict = {"type": BARCODE_TYPES[p.barcode.format], "value": p.barcode.message}
    if p.barcode.alt_text:
        result["alternateText"] = p.barcode.alt_text
    # Google renders UTF-8 only for QR codes; other symbologies choose their own encoding.
    if p.barcode.format is BarcodeFormat.QR and codecs.lookup(p.barcode.encoding).name == "utf-8":
        result["renderEncoding"] = "UTF_8"
    return result


def valid_time_interval(p: Pass) -> JsonDict | None:
    # Only the end: a start taken from the issue time would make a pass "not yet valid" on a
    # device whose clock runs a few seconds behind the server's.
    if p.expiration_date is None:
        return None
    return {"end": {"date": google_datetime(p.expiration_date)}}


def text_module(ctx: ObjectContext, f: PassField) -> JsonDict:
    module: JsonDict = {"id": safe_module_id(f.key)}
    if f.label:
        ctx.loc.set_text(module, "header", "localizedHeader", f.label)
    ctx.set_value(module, "body", "localizedBody", f)
    return module


_WEB = re.compile(r"(?:https?://)?[^\s/@]+\.[^\s]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?:mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+", re.IGNORECASE)
_PHONE = re.compile(r"(?:tel:)?\+?[0-9 ()./\-]*[0-9][0-9 ()./\-]*", re.IGNORECASE)


def link_uri(kind: LinkKind, target: str) -> str | None:
    """A Google links-module URI (web address, mailto:, tel: or geo:), or None when `target`
    is not a link of that kind (a sentence with an address in it, say)."""
    target = target.strip()
    lowered = target.lower()
    if kind is LinkKind.EMAIL:
        if not _EMAIL.fullmatch(target):
            return None
        return target if lowered.startswith("mailto:") else f"mailto:{target}"
    if kind is LinkKind.PHONE:
        if not _PHONE.fullmatch(target) or sum(c.isdigit() for c in target) < 3:
            return None
        return "tel:" + "".join(c for c in target.removeprefix("tel:") if c.isdigit() or c == "+")
    if kind is LinkKind.ADDRESS:
        if lowered.startswith(("geo:", "https://", "http://")):
            return target if " " not in target else None
        return f"geo:0,0?q={quote_plus(target)}" if target else None
    if not _WEB.fullmatch(target):
        return None
    # Google requires a scheme; a bare host name is a web site.
    return target if lowered.startswith(("http://", "https://")) else f"https://{target}"


def links_module(ctx: ObjectContext, link_fields: Sequence[PassField]) -> JsonDict | None:
    uris: list[JsonDict] = []
    for index, link in enumerate(ctx.p.links):
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
    for f in link_fields:
        assert f.link is not None
        text = ctx.value_text(f)
        uri = {"uri": link_uri(f.link, text), "id": safe_module_id(f.key)}
        ctx.loc.set_text(uri, "description", "localizedDescription", f.label or text)
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


def common_object_parts(ctx: ObjectContext) -> JsonDict:
    """State, barcode, validity, text/link modules, messages, locations and grouping."""
    p = ctx.p
    parts: JsonDict = {"state": STATES[p.status]}
    barcode = barcode_json(p)
    if barcode is not None:
        parts["barcode"] = barcode
    interval = valid_time_interval(p)
    if interval is not None:
        parts["validTimeInterval"] = interval
    consumed = ctx.consumed
    modules = []
    link_fields = []
    for group, f in p.fields():
        if f.key in consumed:
            continue
        if (
            group == "back"
            and f.link is not None
            and isinstance(f.value, str)
            and link_uri(f.link, f.value) is not None
        ):
            link_fields.append(f)
        else:
            modules.append(text_module(ctx, f))
    if modules:
        parts["textModulesData"] = modules
        if len(modules) > MAX_TEXT_MODULES_SHOWN:
            ctx.notices.append(
                f"the pass has {len(modules)} text fields; Google Wallet shows the first "
                f"{MAX_TEXT_MODULES_SHOWN} of an object (front fields come first)"
            )
    links = links_module(ctx, link_fields)
    if links is not None:
        parts["linksModuleData"] = links
    messages = messages_json(ctx)
    if messages:
        parts["messages"] = messages
    if p.locations:
        parts["merchantLocations"] = [
            {"latitude": ctx.json_float(loc.latitude), "longitude": ctx.json_float(loc.longitude)}
            for loc in p.locations
        ]
    if p.grouping_id:
        parts["groupingInfo"] = {"groupingId": p.grouping_id}
    return parts


# --- class parts ----------------------------------------------------------------------------


def sharing_status(sharing_prohibited: bool) -> str:
    return "ONE_USER_ONE_DEVICE" if sharing_prohibited else "MULTIPLE_HOLDERS"


def image_modules(images: Sequence[tuple[str, ImageSource]]) -> list[JsonDict]:
    return [{"id": role, "mainImage": image_json(source)} for role, source in images]


def card_rows(
    p: Pass, consumed: set[str], chosen: Sequence[Sequence[str]] | None, notices: list[str]
) -> tuple[tuple[str, ...], ...]:
    """The text-module ids of each row of the card front (at most 3 rows of 1 to 3)."""
    if chosen is not None:
        rows = []
        for row in chosen:
            kept = []
            for key in row:
                f = p.field(key)
                if f is None or f.key in consumed:
                    reason = (
                        "is not a field of the pass" if f is None else "has its own Google place"
                    )
                    notices.append(f"google.card_rows: field {key!r} {reason}; it is left out")
                else:
                    kept.append(safe_module_id(key))
            if kept:
                rows.append(tuple(kept))
        return tuple(rows)
    groups = [
        [safe_module_id(f.key) for f in getattr(p, group) if f.key not in consumed]
        for group in FRONT_GROUPS
    ]
    per_group = [tuple(g[i : i + 3]) for g in groups for i in range(0, len(g), 3)]
    if len(per_group) <= 3:
        return tuple(per_group)
    flat = [key for g in groups for key in g]
    packed = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    if len(packed) > 3:
        notices.append(
            f"the pass has {len(flat)} front fields; the Google card front shows 9 (3 rows of "
            "3), the others appear in the details"
        )
    return tuple(packed[:3])


def _template_item(module_id: str) -> JsonDict:
    path = f"object.textModulesData['{module_id}']"
    return {"firstValue": {"fields": [{"fieldPath": path}]}}


def class_template(rows: Sequence[Sequence[str]]) -> JsonDict | None:
    infos: list[JsonDict] = []
    for row in rows:
        items = [_template_item(module_id) for module_id in row]
        if len(items) == 1:
            infos.append({"oneItem": {"item": items[0]}})
        elif len(items) == 2:
            infos.append({"twoItems": {"startItem": items[0], "endItem": items[1]}})
        else:
            infos.append(
                {"threeItems": {"startItem": items[0], "middleItem": items[1], "endItem": items[2]}}
            )
    if not infos:
        return None
    return {"cardTemplateOverride": {"cardRowTemplateInfos": infos}}


def put(target: JsonDict, key: str, value: Any) -> None:
    """Set `key` only when there is something to set (Google treats absent and empty alike,
    but empty values make save links longer)."""
    if value is not None and value != [] and value != {}:
        target[key] = value
