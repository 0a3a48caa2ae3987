"""What the live preview server knows: the layouts it serves, the version the file watcher
bumps, and each layout drawn with its sample record (cached per version), or its error as the
page shows it (file, line, field)."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from passkit.errors import LayoutError, PasskitError
from passkit.languages import matching_language
from passkit.layout import Layout, load_layout
from passkit.preview.compose import faces
from passkit.preview.html import preview_fragment
from passkit.preview.sample import Sample, sample_of
from passkit.preview.served_layouts import discover_layouts
from passkit.preview.server_pages import language_picker
from passkit.preview.warnings import layout_warnings


def describe_error(exc: Exception) -> str:
    """An error as the page shows it: file, line and field on their own lines when known."""
    if isinstance(exc, LayoutError):
        lines = []
        if exc.file:
            lines.append(f"File:  {exc.file}")
        if exc.line:
            lines.append(f"Line:  {exc.line}")
        if exc.field:
            lines.append(f"Field: {exc.field}")
        lines.append(f"Error: {exc.detail}")
        return "\n".join(lines)
    if isinstance(exc, PasskitError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


@dataclass
class Rendered:
    html: str
    ok: bool


@dataclass
class PreviewState:
    """The layouts served, the version the watcher bumps, and drawings cached per version."""

    target: Path
    data: Path | None = None
    version: int = 0
    cache: dict[tuple[str, str, str, int], Rendered] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def layouts(self) -> dict[str, Path]:
        return {path.stem: path for path in discover_layouts(self.target)}

    def watch_roots(self) -> list[Path]:
        roots = {self.target if self.target.is_dir() else self.target.parent}
        if self.data is not None:
            roots.add(self.data.parent)
        for name in self.layouts():
            with contextlib.suppress(Exception):  # a broken layout is watched by its folder
                roots.update(source.parent for source in self.load(name).sources)
        resolved = sorted({root.resolve() for root in roots})
        # watchfiles watches folders recursively: keep only the outermost ones.
        return [r for r in resolved if not any(o != r and o in r.parents for o in resolved)]

    def bump(self) -> None:
        with self.lock:
            self.version += 1
            self.cache.clear()

    def load(self, name: str) -> Layout:
        path = self.layouts().get(name)
        if path is None:
            raise LayoutError("no such layout here", file=name)
        return load_layout(path)

    def sample(self, name: str) -> Sample:
        """The named layout, loaded afresh, with the record it is drawn with."""
        return sample_of(self.load(name), self.data)

    def render(self, name: str, language: str | None, wallet: str) -> Rendered:
        key = (name, language or "", wallet, self.version)
        with self.lock:
            found = self.cache.get(key)
            if found is not None:
                return found
            try:
                sample = self.sample(name)
                layout, p = sample.layout, sample.render()
                languages = [p.language, *p.translations]
                matched = matching_language(languages, language) if language else None
                chosen = matched or p.language
                drawn = faces(p, wallet=wallet, language=chosen, google=layout.google)  # type: ignore[arg-type]
                warnings = layout_warnings(layout, p)
                body = language_picker(languages, chosen) + preview_fragment(
                    drawn, p, chosen, warnings
                )
                result = Rendered(body, True)
            except Exception as exc:  # shown in the page; the server keeps serving
                message = escape(describe_error(exc))
                result = Rendered(f'<div class="error" role="alert">{message}</div>', False)
            self.cache[key] = result
            return result
