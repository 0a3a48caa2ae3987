"""`load_layout`: read a layout file and the files it extends, check it, and prepare it once.

Every problem is a LayoutError naming the file, the line, the field path and what is expected.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from passkit.errors import ImageError, LayoutError
from passkit.images import ImageSource
from passkit.layout.checks import Loc
from passkit.layout.face_specs import ImageRef
from passkit.layout.google_settings import check_card_rows, google_check, google_options
from passkit.layout.input_values import InputValueError
from passkit.layout.inputs import InputSpec, build_input
from passkit.layout.layout import Layout
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.load_errors import describe_place, located_error, validation_error
from passkit.layout.plan import SLOT_PREFIX
from passkit.layout.plan_builder import (
    EARLY_NAMES,
    LATE_NAMES,
    RESERVED_NAMES,
    PlanBuilder,
    is_early,
)
from passkit.layout.settings_specs import GoogleSpec
from passkit.layout.source import LocatedDict, merge, read_document
from passkit.layout.templating import GLOBAL_NAMES, Template, zone

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
        raise validation_error(exc, document) from None
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
            raise located_error(
                document,
                loc,
                f"'{name}' is not known yet here: the serial number, barcode message and "
                "expiry are worked out first, from the inputs and 'now'",
            )
        close = difflib.get_close_matches(name, sorted(available - GLOBAL_NAMES), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        declared = ", ".join(inputs) or "none"
        raise located_error(
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
            raise located_error(
                document,
                ("inputs", name),
                f"'{name}' is a name passkit gives templates itself; choose another input name",
            )
        try:
            inputs[name] = build_input(name, decl, layout_zone)
        except InputValueError as exc:
            part, _, message = str(exc).partition(": ")
            raise located_error(document, ("inputs", name, part), message) from None
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
            raise located_error(self.document, loc, str(exc)) from None
        source = source.with_url(ref.url or self._url(ref.path, loc))
        self.cache[(ref.path, ref.url)] = source
        self.paths.append(Path(ref.path))
        return source

    def _url(self, path: str, loc: Loc) -> str | None:
        if self.base_url is None:
            return None
        relative = Path(os.path.relpath(path, self.root)).as_posix()
        if relative.startswith("../"):
            raise located_error(
                self.document,
                loc,
                f"{path} is outside the layout's folder, so its URL under "
                f"google.image_base_url is unknown; move it into the folder or give its url",
            )
        return self.base_url.rstrip("/") + "/" + relative


def _prepare(path: Path, document: LocatedDict, spec: LayoutSpec, files: list[Path]) -> Layout:
    """The Layout of a checked spec, every problem found now raised as a LayoutError."""
    name = spec.name or path.stem
    inputs = _build_inputs(spec, document)
    reader = _ImageReader(path.parent, spec.google, document)
    images, needs_late = _check_templates_and_read_images(spec, document, inputs, reader)
    fail = functools.partial(located_error, document)
    plan = PlanBuilder(
        spec,
        name=name,
        images=images,
        describe=functools.partial(describe_place, document),
        fail=fail,
        single_stage=not needs_late,
    ).build()
    options = google_options(spec, name, images, fail)
    check_card_rows(spec, fail)
    return Layout(
        name=name,
        path=path,
        spec=spec,
        inputs=inputs,
        google=options,
        google_check=google_check(spec, images, fail),
        sources=tuple(dict.fromkeys([*files, *reader.paths])),
        plan=plan,
        reload=load_layout,
    )


def _check_templates_and_read_images(
    spec: LayoutSpec, document: LocatedDict, inputs: dict[str, InputSpec], reader: _ImageReader
) -> tuple[dict[Loc, ImageSource], bool]:
    """Each template named by its place and its variables checked, each image read: the images
    by place, and whether any template uses a name known only in the late stage."""
    images: dict[Loc, ImageSource] = {}
    needs_late = False
    for loc, leaf in _walk(spec):
        if isinstance(leaf, Template):
            leaf.where = describe_place(document, loc)
            _check_variables(leaf, loc, inputs, document)
            needs_late = needs_late or bool(leaf.variables & LATE_NAMES)
        else:
            images[loc] = reader.read(leaf, loc)
    return images, needs_late
