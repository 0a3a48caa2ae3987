"""Finding a pass's language from a tag someone asked for: `de-AT` finds `de`, `pt_br` finds
`pt-BR`, as a device falls back from a regional language to its base."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

V = TypeVar("V")


def _norm(tag: str) -> str:
    return tag.replace("_", "-").casefold()


def matching_language(tags: Iterable[str], wanted: str) -> str | None:
    """The tag of `tags` for `wanted`: the exact tag, then any spelling of it (``pt_BR``,
    ``pt-br``), then its base language (``de`` for ``de-AT``); None when none matches."""
    choices = list(tags)
    if wanted in choices:
        return wanted
    norm = _norm(wanted)
    for base in (norm, norm.split("-")[0]):
        for tag in choices:
            if _norm(tag) == base:
                return tag
    return None


def lookup_language(table: Mapping[str, V], language: str) -> V | None:
    """The entry of `table` for `language`, found as `matching_language` finds it.

    Apple folders are named ``pt-BR.lproj`` or ``pt_BR.lproj``; Google says ``pt-BR``; a test
    asking for ``pt-br`` or ``pt`` should find either.
    """
    tag = matching_language(table, language)
    return None if tag is None else table[tag]
