"""Package names imported on first use, so that importing a package stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any


class LazyExports:
    """The public names of a package, each with the module that defines it.

    Nothing is cached in the package: the defining module in `sys.modules` stays the one source
    of truth, even for test runners that unload and re-import modules between runs.
    """

    def __init__(self, package: str, exports: Mapping[str, str]) -> None:
        self.package = package
        self.exports = dict(exports)
        self.all = sorted(self.exports)

    def get(self, name: str) -> Any:
        module = self.exports.get(name)
        if module is None:
            raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def dir(self, defined: Iterable[str]) -> list[str]:
        return sorted({*defined, *self.exports})
