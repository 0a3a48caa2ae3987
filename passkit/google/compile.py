"""`compile_google`: a `Pass` -> one Google Wallet class and one object (a `GooglePass`).

Which Google type a pass becomes: loyalty -> loyalty, gift card -> gift card, generic ->
generic, coupon -> offer, event ticket -> event ticket, boarding pass -> flight (air, with a
complete trip) or transit.

Ids: the class is `<issuer id>.<class suffix>` (plus an event or flight part for the types whose
class describes one event or one flight); the object is `<issuer id>.<class suffix>.<serial>`,
the serial made safe when it holds characters Google does not allow. The class suffix is the
`class_suffix` argument, else the layout's `google.class_suffix`, else
`<organisation>.<pass kind>` in lower case.

The class depends only on the layout, so it is built once per distinct `ClassInputs` and
memoised (found first by a cheaper key, see `_class_of`); each call then builds the object
alone (and copies the memoised class, so that a caller may change what it gets).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import orjson

from passkit.google.boarding import FLIGHT, TRANSIT, flight_plan
from passkit.google.classinfo import ClassInputs
from passkit.google.common import (
    ObjectContext,
    card_rows,
    common_object_parts,
    fields_showing,
    pass_fields,
    shared_parts,
)
from passkit.google.credentials import compact_json, compact_json_plain
from passkit.google.event_ticket import EVENT_TICKET
from passkit.google.generic import GENERIC
from passkit.google.gift_card import GIFT_CARD
from passkit.google.held import HELD_LINKS, HELD_LOCATIONS, HELD_MESSAGES, held_in_class
from passkit.google.ids import check_issuer_id, check_suffix, make_id, safe_suffix, slug
from passkit.google.kindbase import KindCompiler
from passkit.google.kinds import GoogleKind, google_kind
from passkit.google.localize import JsonDict, Localizer
from passkit.google.loyalty import LOYALTY
from passkit.google.offer import OFFER
from passkit.google.options import GoogleOptions
from passkit.model.choices import Kind, TransitType
from passkit.model.pass_ import Pass

COMPILERS: dict[str, KindCompiler] = {
    c.name: c for c in (LOYALTY, GIFT_CARD, GENERIC, OFFER, EVENT_TICKET, FLIGHT, TRANSIT)
}
_BY_PASS_KIND: dict[Kind, KindCompiler] = {
    Kind.LOYALTY: LOYALTY,
    Kind.GIFT_CARD: GIFT_CARD,
    Kind.GENERIC: GENERIC,
    Kind.COUPON: OFFER,
    Kind.EVENT_TICKET: EVENT_TICKET,
}
_DEFAULT_OPTIONS = GoogleOptions()


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times faster than deepcopy."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def _plain_tree(value: Any) -> bool:
    """Whether `value` is made of dicts with text keys, lists, text, integers, booleans and
    None alone: what orjson parses back from its own text as an equal value of the same types."""
    if type(value) is dict:
        return all(type(key) is str and _plain_tree(item) for key, item in value.items())
    if type(value) is list:
        return all(map(_plain_tree, value))
    return value is None or type(value) in (str, int, bool)


def parse_source(value: JsonDict) -> bytes | None:
    """orjson's text of `value`, to parse into fresh copies of it, or None when parsing would
    not give it back as it is (a float, another type, an integer or text orjson refuses)."""
    if not _plain_tree(value):
        return None
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return None


@dataclass(frozen=True)
class CompiledClass:
    """A memoised class: its JSON (shared, never handed out to be changed), its compact JSON
    text (spliced into save links as is), the object fields it implies, and its notices."""

    json: JsonDict
    text: bytes
    shared_object_fields: JsonDict
    notices: tuple[str, ...]
    # `shared_object_fields` as text to parse into a fresh copy for each object (faster than
    # json_copy, docs/performance.md), or None (see `parse_source`).
    shared_object_source: bytes | None = None

    def shared_object_copy(self) -> JsonDict:
        """A fresh copy of `shared_object_fields`, for one object to own."""
        if self.shared_object_source is not None:
            copied: JsonDict = orjson.loads(self.shared_object_source)
            return copied
        copied = json_copy(self.shared_object_fields)
        return copied


@dataclass(frozen=True)
class PayloadFrame:
    """The compact JSON around the class and the object in a save-link payload of one type."""

    full_head: bytes  # {"loyaltyClasses":[
    full_middle: bytes  # ],"loyaltyObjects":[
    object_head: bytes  # {"loyaltyObjects":[
    tail: bytes = b"]}"


@lru_cache(maxsize=32)
def payload_frame(kind: str) -> PayloadFrame:
    google = google_kind(kind)
    class_key = google.class_payload_key.encode("ascii")
    object_key = google.object_payload_key.encode("ascii")
    return PayloadFrame(
        full_head=b'{"' + class_key + b'":[',
        full_middle=b'],"' + object_key + b'":[',
        object_head=b'{"' + object_key + b'":[',
    )


@dataclass(frozen=True)
class GooglePass:
    """A pass compiled for Google Wallet: its class and object, ready to sign or insert.

    `class_json` is a fresh copy on every access (the class itself is shared by every pass of
    the layout); `object_json` belongs to this pass alone.
    """

    kind: str  # "loyalty", "giftCard", "generic", "offer", "eventTicket", "flight", "transit"
    class_id: str
    object_id: str
    compiled_class: CompiledClass = field(repr=False)
    object_json: JsonDict
    notices: tuple[str, ...] = ()  # what was left out or changed, for a person to read
    origins: tuple[str, ...] = ()  # the layout's google.origins, used by save links by default
    # True when every float `compile_google` put in `object_json` is one that json and orjson
    # write alike (`plain_float`), so that the object may be written by orjson.
    plain_floats: bool = field(default=False, repr=False, compare=False)

    @property
    def class_json(self) -> JsonDict:
        copied: JsonDict = json_copy(self.compiled_class.json)
        return copied

    @property
    def class_text(self) -> bytes:
        """The class as compact UTF-8 JSON, computed once per class."""
        return self.compiled_class.text

    @property
    def object_text(self) -> bytes:
        """`object_json` as compact UTF-8 JSON, written again on every call (the dict is the
        caller's to change).

        For an object `compile_google` made, orjson writes it (docs/performance.md): the bytes of
        the json module for everything a JSON object holds, floats included as long as they
        are `plain_float`. A caller who adds a float outside that range, NaN, or a value the
        json module refuses but orjson writes (an enum, a UUID) gets orjson's spelling
        (0.00001 for 1e-05, null for NaN) instead of json's text or error.
        """
        if self.plain_floats:
            return compact_json_plain(self.object_json)
        return compact_json(self.object_json)

    @property
    def google_kind(self) -> GoogleKind:
        return google_kind(self.kind)

    @property
    def class_payload_key(self) -> str:
        return self.google_kind.class_payload_key

    @property
    def object_payload_key(self) -> str:
        return self.google_kind.object_payload_key

    def payload(self) -> JsonDict:
        """The save-link JWT payload carrying the class and the object in full."""
        return {
            self.class_payload_key: [self.class_json],
            self.object_payload_key: [self.object_json],
        }

    def payload_text(self) -> bytes:
        """`payload()` as compact JSON, without serialising the shared class again."""
        frame = payload_frame(self.kind)
        return b"".join(
            (
                frame.full_head,
                self.compiled_class.text,
                frame.full_middle,
                self.object_text,
                frame.tail,
            )
        )

    def object_payload_text(self) -> bytes:
        """The payload of a link whose class Google holds already: the object alone."""
        frame = payload_frame(self.kind)
        return b"".join((frame.object_head, self.object_text, frame.tail))

    def skinny_payload(self) -> JsonDict:
        """The payload of a link to a class and object inserted beforehand: ids only."""
        return {self.object_payload_key: [{"id": self.object_id, "classId": self.class_id}]}

    def skinny_payload_text(self) -> bytes:
        """`skinny_payload()` as compact JSON."""
        if type(self.object_id) is str and type(self.class_id) is str:
            # Text alone: orjson writes json's bytes (or refuses, and json decides).
            return compact_json_plain(self.skinny_payload())
        return compact_json(self.skinny_payload())


def compiler_for(p: Pass) -> tuple[KindCompiler, str | None]:
    """The compiler of the pass's Google type, and a notice when the choice needs explaining."""
    if p.kind is not Kind.BOARDING_PASS:
        return _BY_PASS_KIND[p.kind], None
    plan = flight_plan(p)
    if isinstance(plan, str):
        notice = None
        if p.transit_type is TransitType.AIR:
            notice = f"the air boarding pass is a Google transit ticket, not a flight: {plan}"
        return TRANSIT, notice
    return FLIGHT, None


def base_class_suffix(p: Pass, options: GoogleOptions, class_suffix: str | None) -> str:
    if class_suffix is not None:
        return check_suffix(class_suffix, what="class suffix")
    if options.class_suffix is not None:
        return check_suffix(options.class_suffix, what="google.class_suffix")
    return f"{slug(p.organization)}.{p.kind.value}"


def compile_google(
    p: Pass,
    *,
    issuer_id: str,
    options: GoogleOptions | None = None,
    class_suffix: str | None = None,
) -> GooglePass:
    """The Google class and object of `p`; WalletRuleError when a Google rule cannot be met."""
    issuer = check_issuer_id(issuer_id)
    options = options or _DEFAULT_OPTIONS
    base = base_class_suffix(p, options, class_suffix)
    compiler, kind_notice = compiler_for(p)
    part = compiler.class_suffix_part(p)
    class_id = make_id(issuer, f"{base}.{part}" if part else base)
    object_id = make_id(issuer, f"{base}.{safe_suffix(p.serial_number)}")

    loc = Localizer.of(p)
    roles = compiler.roles(p)
    if p.barcode is not None and p.barcode.alt_text:
        # Google shows the barcode's text under it: a field saying the same is not repeated.
        roles = {**fields_showing(p, (p.barcode.alt_text,)), **roles}
    ctx = ObjectContext(p=p, loc=loc, roles=roles, in_class=held_in_class(options))
    if kind_notice:
        ctx.notices.append(kind_notice)
    rows = card_rows(p, ctx.consumed, options.card_rows, ctx.notices)
    compiled = _class_of(compiler, options, class_id, rows, ctx)

    object_json: JsonDict = {"id": object_id, "classId": class_id}
    object_json.update(compiled.shared_object_copy())
    object_json.update(common_object_parts(ctx))
    object_json.update(compiler.object_parts(ctx))
    return GooglePass(
        kind=compiler.name,
        class_id=class_id,
        object_id=object_id,
        compiled_class=compiled,
        object_json=object_json,
        notices=(*compiled.notices, *ctx.notices),
        origins=tuple(options.origins),
        plain_floats=ctx.plain_floats,
    )


def _held_content(ctx: ObjectContext) -> tuple[object, ...]:
    """The parts of the pass that `ctx.in_class` puts in the class: the layout's constants,
    the same objects in every pass of it, so that the class cache may know them by identity."""
    held, p = ctx.in_class, ctx.p
    if not held:
        return ()
    fields = [f for f in pass_fields(p).fields if f.key in held]
    return (
        *fields,
        p.links if HELD_LINKS in held else None,
        p.locations if HELD_LOCATIONS in held else None,
        p.messages if HELD_MESSAGES in held else None,
    )


def _class_of(
    compiler: KindCompiler,
    options: GoogleOptions,
    class_id: str,
    rows: tuple[tuple[str, ...], ...],
    ctx: ObjectContext,
) -> CompiledClass:
    """The class of the pass of `ctx`, built once for every pass of a layout.

    A first cache is keyed by what the class depends on, with the sources and what the class
    holds for every pass by identity (the passes of a layout share these objects, and hashing
    them by content costs about as much as the rest of the key; docs/performance.md). Each
    entry keeps those objects, so that no other can take their ids while it lives. Past that
    cache, `_build_class` is keyed by `ClassInputs` and content.
    """
    p, loc, roles = ctx.p, ctx.loc, ctx.roles
    held = _held_content(ctx)
    images = p.images
    sources = (
        options.program_logo,
        images.icon,
        images.logo,
        options.hero_image,
        images.strip,
        images.thumbnail,
        images.footer,
    )
    issuer_name = options.issuer_name or p.organization
    title = p.title or p.description
    color = p.background_color  # a tuple of ints: cheaper to key by than its text
    labels = tuple((role, f.label) for role, f in roles.items() if f.label)
    extra = compiler.class_extra(p, options, roles)
    key = (
        compiler.name,
        class_id,
        loc,  # one object per language and tables (`Localizer.of`), compared by identity
        issuer_name,
        title,
        color,
        tuple(map(id, sources)),
        p.sharing_prohibited,
        rows,
        labels,
        extra,
        ctx.in_class,
        tuple(map(id, held)),
    )
    entry = _CLASSES.get(key)
    if entry is not None:
        return entry[0]
    program_logo, icon, logo, hero, strip, thumbnail, footer = sources
    # Made from this pass once for all: its notices are the class's, its floats the class's.
    class_ctx = replace(ctx, notices=[])
    shared = shared_parts(class_ctx, in_class=True)
    compiled = _build_class(
        ClassInputs(
            kind=compiler.name,
            class_id=class_id,
            language=loc.language,
            translations=loc.key,
            issuer_name=issuer_name,
            title=title,
            background=color.hex if color else None,
            square_logos=(("google.program_logo", program_logo), ("icon", icon), ("logo", logo)),
            wide_logo=(("logo", logo),),
            hero=(("google.hero_image", hero), ("strip", strip)),
            image_modules=tuple(
                (role, source)
                for role, source in (("thumbnail", thumbnail), ("footer", footer))
                if source is not None
            ),
            sharing_prohibited=p.sharing_prohibited,
            rows=rows,
            labels=labels,
            extra=extra,
            shared=compact_json(shared) if shared else b"",
            class_modules=tuple(m["id"] for m in shared.get("textModulesData", ())),
            shared_notices=tuple(class_ctx.notices),
        )
    )
    if len(_CLASSES) >= _MAX_CLASSES:
        _CLASSES.clear()
    _CLASSES[key] = (compiled, (*sources, *held))
    return compiled


_CLASSES: dict[tuple[Any, ...], tuple[CompiledClass, tuple[object, ...]]] = {}
_MAX_CLASSES = 512


@lru_cache(maxsize=512)
def _build_class(inputs: ClassInputs) -> CompiledClass:
    notices: list[str] = list(inputs.shared_notices)
    class_json, shared = COMPILERS[inputs.kind].build_class(inputs, notices)
    if inputs.shared:
        # What every pass of the layout shows alike, made from its first pass.
        class_json.update(json.loads(inputs.shared))
    return CompiledClass(
        class_json, compact_json(class_json), shared, tuple(notices), parse_source(shared)
    )


def clear_class_cache() -> None:
    """Forget memoised classes (tests, or a long-running process reloading its layouts)."""
    _CLASSES.clear()
    _build_class.cache_clear()
