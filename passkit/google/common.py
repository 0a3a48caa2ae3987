"""The parts every Google Wallet class or object shares: barcode, state, validity, text, link,
image and message modules, locations, grouping, sharing rule, and the card-front template.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from passkit.errors import WalletRuleError
from passkit.google.credentials import plain_float
from passkit.google.held import HELD_LINKS, HELD_LOCATIONS, HELD_MESSAGES
from passkit.google.ids import safe_module_id
from passkit.google.images import image_json
from passkit.google.localize import JsonDict, Localizer
from passkit.google.uris import link_uri
from passkit.google.values import format_field_value, google_datetime
from passkit.images import ImageSource
from passkit.model.choices import BarcodeFormat, Status
from passkit.model.fields import FIELD_GROUPS, PassField
from passkit.model.pass_ import Pass

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
    # What the class holds instead of the object: keys of fixed fields, and HELD_LINKS,
    # HELD_LOCATIONS or HELD_MESSAGES when those are the same for every pass.
    in_class: frozenset[str] = frozenset()

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
        if type(f.value) is str:  # a text: translated by the tables, like the pass's own texts
            return self.loc.text(f.value)
        return self.loc.rendered(self.value_text(f), lambda lang: self.render(f, lang))

    def render(self, f: PassField, language: str) -> str:
        return format_field_value(f, language, self.loc.tables.get(language))

    def set_value(self, target: JsonDict, plain: str, localized: str, f: PassField) -> None:
        if type(f.value) is str:
            self.loc.put_text(target, plain, localized, f.value)
            return
        self.loc.set_rendered(
            target, plain, localized, self.value_text(f), lambda lang: self.render(f, lang)
        )

    def role_text(self, role: str) -> str | None:
        f = self.roles.get(role)
        return self.value_text(f) if f is not None else None


def normalized_key(key: str) -> str:
    return key.lower().replace("-", "_").replace(".", "_")


class PassFields(NamedTuple):
    """Every field of a pass in display order, their keys, and how many each group holds."""

    fields: tuple[PassField, ...]
    keys: tuple[str, ...]
    sizes: tuple[int, ...]  # per FIELD_GROUPS


_GROUPS = attrgetter(*FIELD_GROUPS)
_last: tuple[Pass | None, PassFields] = (None, PassFields((), (), ()))


def pass_fields(p: Pass) -> PassFields:
    """The `PassFields` of `p`. Those of the last pass asked for are kept: several steps of a
    compilation ask for them (a pass and its tuples of fields cannot change)."""
    global _last
    last = _last  # read once: another thread may replace it meanwhile
    if last[0] is p:
        return last[1]
    groups = _GROUPS(p)
    fields: tuple[PassField, ...] = sum(groups, ())
    found = PassFields(fields, tuple([f.key for f in fields]), tuple(map(len, groups)))
    _last = (p, found)
    return found


def match_roles(p: Pass, role_keys: dict[str, tuple[str, ...]]) -> dict[str, PassField]:
    """For each role, the first field whose key is one of the role's candidate keys.

    Keys compare case-insensitively with '-' and '.' read as '_'; a field fills one role.
    """
    fields, keys, _ = pass_fields(p)
    positions = _role_positions(keys, tuple(role_keys.items()))
    return {role: fields[index] for role, index in positions}


@lru_cache(maxsize=512)
def _role_positions(
    keys: tuple[str, ...], role_keys: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[str, int], ...]:
    """`match_roles` on the keys alone (the same for every pass of a layout): (role, position
    of its field)."""
    by_key: dict[str, int] = {}
    for index, key in enumerate(keys):
        by_key.setdefault(normalized_key(key), index)
    roles: list[tuple[str, int]] = []
    used: set[str] = set()
    for role, candidates in role_keys:
        for candidate in candidates:
            found = by_key.get(candidate)
            if found is not None and keys[found] not in used:
                roles.append((role, found))
                used.add(keys[found])
                break
    return tuple(roles)


def fields_showing(p: Pass, values: Sequence[object]) -> dict[str, PassField]:
    """The fields whose value is one of `values` (a moment or a text Google shows in a place of
    its own), as roles named after their keys: they are not repeated as text modules."""
    wanted = [(type(value), value) for value in values if value is not None]
    shown: dict[str, PassField] = {}
    if not wanted:
        return shown
    for f in pass_fields(p).fields:
        value = f.value
        for kind, candidate in wanted:
            if type(value) is kind and value == candidate:
                shown[f"shown:{f.key}"] = f
                break
    return shown


# --- object parts ---------------------------------------------------------------------------


def barcode_json(p: Pass) -> JsonDict | None:
    if p.barcode is None:
        return None
    result: JsonDict = {"type": BARCODE_TYPES[p.barcode.format], "value": p.barcode.message}
    # Google shows the value under the barcode unless told another text: the same text again
    # would only make the save link longer.
    if p.barcode.alt_text and p.barcode.alt_text != p.barcode.message:
        result["alternateText"] = p.barcode.alt_text
    # Google renders UTF-8 only for QR codes; other symbologies choose their own encoding.
    if p.barcode.format is BarcodeFormat.QR and _is_utf8(p.barcode.encoding):
        result["renderEncoding"] = "UTF_8"
    return result


@lru_cache(maxsize=64, typed=True)
def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def valid_time_interval(p: Pass) -> JsonDict | None:
    # Only the end: a start taken from the issue time would make a pass "not yet valid" on a
    # device whose clock runs a few seconds behind the server's.
    end = p.expiration_date
    if end is None:
        return None
    if end.timetz().replace(tzinfo=None) == time(0):
        # Google Wallet shows the end's date: a pass that lasts through 6 January ends at the
        # midnight that starts 7 January, which would read as 7 January. Its last second keeps
        # the day it is valid through.
        end -= timedelta(seconds=1)
    return {"end": {"date": google_datetime(end)}}


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


def common_object_parts(ctx: ObjectContext) -> JsonDict:
    """State, barcode, validity, grouping, and the modules, messages and locations that are
    not the class's (`ctx.in_class`)."""
    p = ctx.p
    parts: JsonDict = {"state": STATES[p.status]}
    barcode = barcode_json(p)
    if barcode is not None:
        parts["barcode"] = barcode
    interval = valid_time_interval(p)
    if interval is not None:
        parts["validTimeInterval"] = interval
    parts.update(shared_parts(ctx, in_class=False))
    if p.grouping_id:
        parts["groupingInfo"] = {"groupingId": p.grouping_id}
    return parts


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


# --- class parts ----------------------------------------------------------------------------


def sharing_status(sharing_prohibited: bool) -> str:
    return "ONE_USER_ONE_DEVICE" if sharing_prohibited else "MULTIPLE_HOLDERS"


def image_modules(images: Sequence[tuple[str, ImageSource]]) -> list[JsonDict]:
    return [{"id": role, "mainImage": image_json(source)} for role, source in images]


def card_rows(
    p: Pass, consumed: set[str], chosen: Sequence[Sequence[str]] | None, notices: list[str]
) -> tuple[tuple[str, ...], ...]:
    """The text-module ids of each row of the card front (at most 3 rows of 1 to 3)."""
    _, keys, sizes = pass_fields(p)
    frozen_chosen = None if chosen is None else tuple(tuple(row) for row in chosen)
    rows, row_notices = _card_rows(keys, sizes, frozenset(consumed), frozen_chosen)
    notices.extend(row_notices)
    return rows


# The same for every pass of a layout: worked out once from the keys.
@lru_cache(maxsize=512)
def _card_rows(
    keys: tuple[str, ...],
    sizes: tuple[int, ...],
    consumed: frozenset[str],
    chosen: tuple[tuple[str, ...], ...] | None,
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """(rows, notices) of `card_rows`, from the field keys and the size of each group."""
    notices: list[str] = []
    if chosen is not None:
        known = set(keys)
        rows = []
        for row in chosen:
            kept = []
            for key in row:
                if key not in known or key in consumed:
                    reason = (
                        "is not a field of the pass"
                        if key not in known
                        else "has its own Google place"
                    )
                    notices.append(f"google.card_rows: field {key!r} {reason}; it is left out")
                else:
                    kept.append(safe_module_id(key))
            if kept:
                rows.append(tuple(kept))
        return tuple(rows), tuple(notices)
    groups = [
        [safe_module_id(key) for key in group_keys if key not in consumed]
        for group_keys in _split(keys, sizes)[: len(FRONT_GROUPS)]
    ]
    per_group = [tuple(g[i : i + 3]) for g in groups for i in range(0, len(g), 3)]
    if len(per_group) <= 3:
        return tuple(per_group), ()
    flat = [key for g in groups for key in g]
    packed = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    if len(packed) > 3:
        notices.append(
            f"the pass has {len(flat)} front fields; the Google card front shows 9 (3 rows of "
            "3), the others appear in the details"
        )
    return tuple(packed[:3]), tuple(notices)


def _split(keys: tuple[str, ...], sizes: tuple[int, ...]) -> list[tuple[str, ...]]:
    """The keys of each group, from all the keys and the size of each group."""
    groups = []
    start = 0
    for size in sizes:
        groups.append(keys[start : start + size])
        start += size
    return groups


def _template_item(module_id: str, class_modules: Sequence[str]) -> JsonDict:
    holder = "class" if module_id in class_modules else "object"
    path = f"{holder}.textModulesData['{module_id}']"
    return {"firstValue": {"fields": [{"fieldPath": path}]}}


def class_template(
    rows: Sequence[Sequence[str]], class_modules: Sequence[str] = ()
) -> JsonDict | None:
    """The card rows, each text module read from the class when the class holds it."""
    infos: list[JsonDict] = []
    for row in rows:
        items = [_template_item(module_id, class_modules) for module_id in row]
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
