"""The class of a layout, built once: `class_of` finds the `CompiledClass` of a pass, and builds
it from the first pass that needs it.

The class depends only on the layout. A first cache is keyed by what the class depends on
(`ClassKey`), with the image sources and what the class holds for every pass by identity (the
passes of a layout share these objects, and hashing them by content costs about as much as the
rest of the key; docs/performance.md). Each entry keeps those objects, so that no other can
take their ids while it lives. Past that cache, `_build_class` is keyed by `ClassInputs` and
content.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

from passkit.colors import Color
from passkit.google.classinfo import ClassInputs
from passkit.google.compilers import COMPILERS
from passkit.google.content_modules import shared_parts
from passkit.google.field_roles import pass_fields
from passkit.google.google_pass import CompiledClass
from passkit.google.held import HELD_LINKS, HELD_LOCATIONS, HELD_MESSAGES
from passkit.google.json_writing import compact_json, parse_source
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.localize import Localizer
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.model.pass_ import Pass

# program logo, icon, logo, hero image, strip, thumbnail, footer
ImageSources = tuple[ImageSource | None, ...]


class ClassKey(NamedTuple):
    """What the class of a pass depends on; images and held parts by identity."""

    kind: str
    class_id: str
    loc: Localizer  # one object per language and tables (`Localizer.of`), compared by identity
    issuer_name: str
    title: str
    color: Color | None  # a tuple of ints: cheaper to key by than its text
    source_ids: tuple[int, ...]
    sharing_prohibited: bool
    rows: tuple[tuple[str, ...], ...]
    labels: tuple[tuple[str, str], ...]
    extra: Extra
    in_class: frozenset[str]
    held_ids: tuple[int, ...]


_CLASSES: dict[ClassKey, tuple[CompiledClass, tuple[object, ...]]] = {}
_MAX_CLASSES = 512


def class_of(
    compiler: KindCompiler,
    options: GoogleOptions,
    class_id: str,
    rows: tuple[tuple[str, ...], ...],
    ctx: ObjectContext,
) -> CompiledClass:
    """The class of the pass of `ctx`, built once for every pass of a layout."""
    sources = _image_sources(ctx.p, options)
    held = _held_content(ctx)
    key = _class_key(compiler, options, class_id, rows, ctx, sources, held)
    entry = _CLASSES.get(key)
    if entry is not None:
        return entry[0]
    compiled = _build_class(_class_inputs(key, sources, ctx))
    if len(_CLASSES) >= _MAX_CLASSES:
        _CLASSES.clear()
    _CLASSES[key] = (compiled, (*sources, *held))
    return compiled


def _image_sources(p: Pass, options: GoogleOptions) -> ImageSources:
    images = p.images
    return (
        options.program_logo,
        images.icon,
        images.logo,
        options.hero_image,
        images.strip,
        images.thumbnail,
        images.footer,
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


def _class_key(
    compiler: KindCompiler,
    options: GoogleOptions,
    class_id: str,
    rows: tuple[tuple[str, ...], ...],
    ctx: ObjectContext,
    sources: ImageSources,
    held: tuple[object, ...],
) -> ClassKey:
    p, roles = ctx.p, ctx.roles
    return ClassKey(
        compiler.name,
        class_id,
        ctx.loc,
        options.issuer_name or p.organization,
        p.title or p.description,
        p.background_color,
        tuple(map(id, sources)),
        p.sharing_prohibited,
        rows,
        tuple((role, f.label) for role, f in roles.items() if f.label),
        compiler.class_extra(p, options, roles),
        ctx.in_class,
        tuple(map(id, held)),
    )


def _class_inputs(key: ClassKey, sources: ImageSources, ctx: ObjectContext) -> ClassInputs:
    """What `_build_class` needs, from the key and the pass it was made from."""
    program_logo, icon, logo, hero, strip, thumbnail, footer = sources
    # Made from this pass once for all: its notices are the class's, its floats the class's.
    class_ctx = replace(ctx, notices=[])
    shared = shared_parts(class_ctx, in_class=True)
    return ClassInputs(
        kind=key.kind,
        class_id=key.class_id,
        language=key.loc.language,
        translations=key.loc.key,
        issuer_name=key.issuer_name,
        title=key.title,
        background=key.color.hex if key.color else None,
        square_logos=(("google.program_logo", program_logo), ("icon", icon), ("logo", logo)),
        wide_logo=(("logo", logo),),
        hero=(("google.hero_image", hero), ("strip", strip)),
        image_modules=tuple(
            (role, source)
            for role, source in (("thumbnail", thumbnail), ("footer", footer))
            if source is not None
        ),
        sharing_prohibited=key.sharing_prohibited,
        rows=key.rows,
        labels=key.labels,
        extra=key.extra,
        shared=compact_json(shared) if shared else b"",
        class_modules=tuple(m["id"] for m in shared.get("textModulesData", ())),
        shared_notices=tuple(class_ctx.notices),
    )


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
