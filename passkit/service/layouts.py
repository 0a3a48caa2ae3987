"""The layouts a registry issues passes from, by name, each loaded once per process.

A registry is given a folder (a layout is named by its file's stem: `layouts/loyalty.yaml` is
"loyalty"), or a list of layout files and names of shipped layouts, or nothing (the shipped
layouts). A layout's content hash (of its file and the files it extends) is stored with each
pass, so that a process whose copy is older than the one a pass was rendered with loads the
file again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from passkit.errors import LayoutError
from passkit.files import LAYOUT_LIMIT, read_limited
from passkit.layout import Layout, load_layout, shipped_layouts
from passkit.layout.library import LAYOUT_SUFFIXES, find_layout

LayoutSource = str | Path | Sequence[str | Path] | None


@dataclass(frozen=True)
class LoadedLayout:
    name: str
    layout: Layout
    content_hash: str


def layout_hash(layout: Layout) -> str:
    """A hash of the files a layout was read from, in order."""
    digest = hashlib.sha256()
    for source in layout.sources:
        data = read_limited(source, LAYOUT_LIMIT, "layout", LayoutError)
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


class LayoutSet:
    """Layouts by name (see the module), loaded on first use and kept."""

    def __init__(self, source: LayoutSource = None) -> None:
        self._folder: Path | None = None
        self._files: dict[str, Path] = {}
        if isinstance(source, str | Path) and Path(source).is_dir():
            self._folder = Path(source)
        elif source is not None:
            entries = [source] if isinstance(source, str | Path) else list(source)
            for entry in entries:
                path = _resolve(entry)
                self._files[path.stem] = path
        self._loaded: dict[str, LoadedLayout] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self._folder or ", ".join(self._files) or "the shipped layouts"
        return f"<LayoutSet {where}>"

    def path(self, name: str) -> Path:
        """The file of the layout called `name`; LayoutError naming the choices if none."""
        if name in self._files:
            return self._files[name]
        if self._folder is not None and name and "/" not in name and "\\" not in name:
            for suffix in LAYOUT_SUFFIXES:
                candidate = self._folder / f"{name}{suffix}"
                if candidate.is_file():
                    return candidate
        if self._folder is None and not self._files:
            return _resolve(name)
        known = ", ".join(self.names()) or "none"
        raise LayoutError(f"no layout called {name!r} here; the layouts are: {known}")

    def names(self) -> list[str]:
        if self._folder is not None:
            return sorted(
                path.stem for path in self._folder.iterdir() if path.suffix in LAYOUT_SUFFIXES
            )
        if self._files:
            return sorted(self._files)
        return [path.stem for path in shipped_layouts()]

    def get(self, name: str, *, content_hash: str | None = None) -> LoadedLayout:
        """The layout `name`; loaded again when `content_hash` (a pass's) is not the kept one's."""
        loaded = self._loaded.get(name)
        if loaded is None or (content_hash is not None and content_hash != loaded.content_hash):
            loaded = self.reload(name)
        return loaded

    def reload(self, name: str) -> LoadedLayout:
        """The layout `name` read from its file now (what a refresh renders with)."""
        path = self.path(name)
        layout = load_layout(path)
        loaded = LoadedLayout(name, layout, layout_hash(layout))
        with self._lock:
            self._loaded[name] = loaded
        return loaded


def _resolve(entry: str | Path) -> Path:
    """A layout file's path, or the file of a shipped layout named like "loyalty"."""
    return find_layout(entry)
