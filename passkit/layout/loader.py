"""`load_layout`: read a layout file and the files it extends, check it, and prepare it once.

Every problem is a LayoutError naming the file, the line, the field path and what is expected.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from passkit.errors import ImageError, LayoutError, WalletRuleError
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.layout.checks import Loc
from passkit.layout.inputs import InputSpec, InputValueError, build_input
from passkit.layout.layout import Layout
from passkit.layout.plan import SLOT_PREFIX
from passkit.layout.plan_builder import (
    EARLY_NAMES,
    LATE_NAMES,
    RESERVED_NAMES,
    PlanBuilder,
    is_early,
)
from passkit.layout.schema import GoogleSpec, ImageRef, LayoutSpec
from passkit.layout.source import LocatedDict, Mark, format_path, locate, merge, read_document
from passkit.layout.templating import GLOBAL_NAMES, Template, zone
from passkit.model.fields import FIELD_GROUPS

# Keys a child layout does not inherit from the layout it extends.
_NOT_INHERITED = ("extends", "name", "abstract")


def load_layout(path: str | Path) -> Layout:
    """Load, check and prepare the layout at `path` (YAML or JSON)."""
    path = Path(path)
    document, files = _read_with_bases(path, ())
    if document.get("abstract") is True:
        raise LayoutError(
            "this is a base layout (abstract: true), made to be extended; "
            "load a layout that names it in 'extends:'",
            file=str(path),
            line=document.marks["abstract"].line,
            field="abstract",
        )
    try:
        spec = LayoutSpec.model_validate(document)
    except ValidationError as exc:
        raise _validation_error(exc, document) from None
    return _prepare(path, document, spec, files)


def _read_with_bases(path: Path, chain: tuple[Path, ...]) -> tuple[LocatedDict, list[Path]]:
    document = read_document(path)
    _resolve_image_paths(document, path.parent)
    files = [path]
    extends = document.get("extends")
    if extends is None:
        return document, files
    mark = document.marks["extends"]
    if not isinstance(extends, str) or not extends.strip():
        raise LayoutError(
            "expected the path of a base layout, relative to this file",
            file=str(path),
            line=mark.line,
            field="extends",
        )
    base_path = path.parent / extends
    resolved = base_path.resolve()
    here = path.resolve()
    if resolved == here or resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, here, resolved))
        raise LayoutError(
            f"layouts extend each other in a cycle ({cycle}); one of them must not extend",
            file=str(path),
            line=mark.line,
            field="extends",
        )
    if not base_path.is_file():
        raise LayoutError(
            f"the base layout {base_path} does not exist; the path is relative to this file",
            file=str(path),
            line=mark.line,
            field="extends",
        )
    base, base_files = _read_with_bases(base_path, (*chain, here))
    for key in _NOT_INHERITED:
        base.pop(key, None)
        base.marks.pop(key, None)
    merged = merge(base, document)
    assert isinstance(merged, LocatedDict)
    return merged, files + base_files


def _image_slots(document: LocatedDict) -> Iterator[tuple[LocatedDict, str]]:
    """The places in one file's data where an image path is written."""
    images = document.get("images")
    if isinstance(images, LocatedDict):
        yield from ((images, role) for role in images)
    translations = document.get("translations")
    if isinstance(translations, LocatedDict):
        for translation in translations.values():
            if isinstance(translation, LocatedDict):
                localized = translation.get("images")
                if isinstance(localized, LocatedDict):
                    yield from ((localized, role) for role in localized)
    google = document.get("google")
    if isinstance(google, LocatedDict):
        yield from ((google, key) for key in ("program_logo", "hero_image") if key in google)


def _resolve_image_paths(document: LocatedDict, directory: Path) -> None:
    """Make image paths relative to the layout file independent of it (before merging)."""
    for container, key in _image_slots(document):
        value = container[key]
        if isinstance(value, str) and value:
            container[key] = os.path.normpath(directory / value)
        elif isinstance(value, LocatedDict) and isinstance(value.get("path"), str):
            value["path"] = os.path.normpath(directory / value["path"])


# ---------------------------------------------------------------------------------------------
# Errors


def _fail(document: LocatedDict, loc: Loc, message: str) -> LayoutError:
    mark, _ = locate(document, loc)
    return LayoutError(
        message,
        file=str(mark.file) if mark else None,
        line=mark.line if mark else None,
        field=format_path(loc) or None,
    )


def _describe_error(item: Any) -> str:
    kind = item["type"]
    message = str(item["msg"])
    if kind == "missing":
        return "required, but missing"
    if kind == "value_error":
        error = item.get("ctx", {}).get("error")
        return str(error) if error is not None else message.removeprefix("Value error, ")
    if kind in ("unknown_key", "not_a_mapping"):
        return message
    shown = repr(item.get("input"))
    return f"{message} (got {shown[:60]}{'...' if len(shown) > 60 else ''})"


def _error_loc(item: Any) -> Loc:
    loc = tuple(part for part in item["loc"] if part != "[key]")
    if item["type"] == "unknown_key":
        loc = (*loc, item["ctx"]["key"])
    return loc


def _validation_error(exc: ValidationError, document: LocatedDict) -> LayoutError:
    errors = exc.errors()
    first = errors[0]
    error = _fail(document, _error_loc(first), _describe_error(first))
    if len(errors) > 1:
        others = []
        for item in errors[1:4]:
            loc = _error_loc(item)
            mark, _ = locate(document, loc)
            line = f" (line {mark.line})" if mark and mark.line else ""
            others.append(f"{format_path(loc)}{line}: {_describe_error(item)}")
        more = f"; and {len(errors) - 4} more" if len(errors) > 4 else ""
        detail = f"{error.detail}; also {'; '.join(others)}{more}"
        error = LayoutError(detail, file=error.file, line=error.line, field=error.field)
    return error


# ---------------------------------------------------------------------------------------------
# Preparation


def _walk(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """Every template and image reference in the checked layout, with its path."""
    if isinstance(value, Template | ImageRef):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), (*loc, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*loc, index))


def _check_variables(
    template: Template, loc: Loc, inputs: dict[str, InputSpec], document: LocatedDict
) -> None:
    early = is_early(loc)
    available = set(inputs) | EARLY_NAMES | GLOBAL_NAMES
    if not early:
        available |= LATE_NAMES
    for name in sorted(template.variables - available):
        if early and name in LATE_NAMES:
            raise _fail(
                document,
                loc,
                f"'{name}' is not known yet here: the serial number, barcode message and "
                "expiry are worked out first, from the inputs and 'now'",
            )
        close = difflib.get_close_matches(name, sorted(available - GLOBAL_NAMES), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        declared = ", ".join(inputs) or "none"
        raise _fail(
            document,
            loc,
            f"the template uses '{name}', which is not an input; {hint}"
            f"declare it under 'inputs:' (inputs: {declared}; also available: "
            f"{', '.join(sorted(RESERVED_NAMES if not early else EARLY_NAMES))})",
        )


def _build_inputs(spec: LayoutSpec, document: LocatedDict) -> dict[str, InputSpec]:
    layout_zone = zone(spec.time_zone)
    inputs: dict[str, InputSpec] = {}
    for name, decl in spec.inputs.items():
        if name in RESERVED_NAMES or name in GLOBAL_NAMES or name.startswith(SLOT_PREFIX):
            raise _fail(
                document,
                ("inputs", name),
                f"'{name}' is a name passkit gives templates itself; choose another input name",
            )
        try:
            inputs[name] = build_input(name, decl, layout_zone)
        except InputValueError as exc:
            part, _, message = str(exc).partition(": ")
            raise _fail(document, ("inputs", name, part), message) from None
    return inputs


class _ImageReader:
    """Reads each image once and gives it its public URL."""

    def __init__(self, root: Path, google: GoogleSpec, document: LocatedDict) -> None:
        self.root = root
        self.base_url = google.image_base_url
        self.document = document
        self.cache: dict[tuple[str, str | None], ImageSource] = {}
        self.paths: list[Path] = []

    def read(self, ref: ImageRef, loc: Loc) -> ImageSource:
        cached = self.cache.get((ref.path, ref.url))
        if cached is not None:
            return cached
        try:
            source = ImageSource.from_path(ref.path)
            source.check()
        except ImageError as exc:
            raise _fail(self.document, loc, str(exc)) from None
        source = source.with_url(ref.url or self._url(ref.path, loc))
        self.cache[(ref.path, ref.url)] = source
        self.paths.append(Path(ref.path))
        return source

    def _url(self, path: str, loc: Loc) -> str | None:
        if self.base_url is None:
            return None
        relative = Path(os.path.relpath(path, self.root)).as_posix()
        if relative.startswith("../"):
            raise _fail(
                self.document,
                loc,
                f"{path} is outside the layout's folder, so its URL under "
                f"google.image_base_url is unknown; move it into the folder or give its url",
            )
        return self.base_url.rstrip("/") + "/" + relative


def _prepare(path: Path, document: LocatedDict, spec: LayoutSpec, files: list[Path]) -> Layout:
    name = spec.name or path.stem
    inputs = _build_inputs(spec, document)
    reader = _ImageReader(path.parent, spec.google, document)
    images: dict[Loc, ImageSource] = {}
    needs_late = False
    for loc, leaf in _walk(spec):
        if isinstance(leaf, Template):
            mark, _ = locate(document, loc)
            leaf.where = f"{format_path(loc)} ({mark})" if mark else format_path(loc)
            _check_variables(leaf, loc, inputs, document)
            needs_late = needs_late or bool(leaf.variables & LATE_NAMES)
        else:
            images[loc] = reader.read(leaf, loc)

    def fail(loc: Loc, message: str) -> LayoutError:
        return _fail(document, loc, message)

    def describe(loc: Loc) -> str:
        mark: Mark | None
        mark, _ = locate(document, loc)
        return f"{format_path(loc)} ({mark})" if mark else format_path(loc)

    plan = PlanBuilder(
        spec,
        name=name,
        images=images,
        describe=describe,
        fail=fail,
        single_stage=not needs_late,
    ).build()
    google = spec.google
    try:
        options = GoogleOptions(
            class_suffix=google.class_suffix or _safe_suffix(name),
            issuer_name=google.issuer_name,
            program_logo=images.get(("google", "program_logo")),
            hero_image=images.get(("google", "hero_image")),
            origins=tuple(google.origins),
            card_rows=(
                tuple(tuple(row) for row in google.card_rows)
                if google.card_rows is not None
                else None
            ),
            redemption_channel=google.redemption_channel,
            **_fixed_parts(spec),
        )
    except WalletRuleError as exc:
        head, _, rest = str(exc).partition(": ")
        raise fail(("google", head), rest or str(exc)) from None
    _check_card_rows(spec, fail)
    fixed_links = [
        (index, link.kind, link.uri)
        for index, link in enumerate(spec.links)
        if isinstance(link.uri, str)
    ]

    def google_problems() -> tuple[LayoutError, ...]:
        # Imported when asked (by a build of save links): an Apple-only build reads no more
        # of passkit.google than the options.
        from passkit.google.layoutcheck import layout_problems

        return layout_problems(spec.kind, spec.transit_type, fixed_links, images, fail)

    sources = tuple(dict.fromkeys([*files, *reader.paths]))
    return Layout(
        name=name,
        path=path,
        spec=spec,
        inputs=inputs,
        google=options,
        google_check=google_problems,
        sources=sources,
        plan=plan,
        reload=load_layout,
    )


def _check_card_rows(spec: LayoutSpec, fail: Callable[[Loc, str], LayoutError]) -> None:
    if spec.google.card_rows is None:
        return
    keys = {field.key for group in FIELD_GROUPS for field in getattr(spec.fields, group)}
    for row_index, row in enumerate(spec.google.card_rows):
        for index, key in enumerate(row):
            if key not in keys:
                close = difflib.get_close_matches(key, sorted(keys), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise fail(
                    ("google", "card_rows", row_index, index),
                    f"no field has the key {key!r}{hint}",
                )


def _fixed(item: Any, *names: str) -> bool:
    """Whether `item` (a field, link, location or message) is shown on every pass and its
    parts `names` are written out rather than templates."""
    if item.when not in (None, True):
        return False
    return not any(isinstance(getattr(item, name), Template) for name in names)


def _fixed_parts(spec: LayoutSpec) -> dict[str, Any]:
    """What every pass of the layout shows alike (see `GoogleOptions.class_fields`)."""
    fields = [
        field.key
        for group in FIELD_GROUPS
        for field in getattr(spec.fields, group)
        if field.value is not None and _fixed(field, "label", "value")
    ]
    carrier = spec.trip.carrier if spec.trip is not None else None
    return {
        "class_fields": tuple(fields),
        "class_links": all(_fixed(link, "uri", "label") for link in spec.links),
        "class_locations": all(
            _fixed(location, "latitude", "longitude") for location in spec.locations
        ),
        "class_messages": all(_fixed(message, "header", "body") for message in spec.messages),
        "class_carrier": isinstance(carrier, str),
    }


def _safe_suffix(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
