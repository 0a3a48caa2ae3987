"""Google's LocalizedString, built from a pass's language and its translation tables.

A pass is written in one language (`Pass.language`); each entry of `Pass.translations` maps the
pass's own texts to another language. Google wants `{defaultValue: {language, value},
translatedValues: [...]}`. Only languages whose text differs from the default are listed, and a
text no table translates stays a plain string: both keep save links short without changing what
any reader sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from passkit.model import Pass

JsonDict = dict[str, Any]
TranslationKey = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


class Localizer:
    """Turns texts (or per-language renderings of a value) into Google LocalizedStrings."""

    __slots__ = ("_key", "language", "tables")

    def __init__(self, language: str, tables: Mapping[str, Mapping[str, str]]) -> None:
        self.language = language
        self.tables = {lang: table for lang, table in tables.items() if lang != language}
        self._key: TranslationKey | None = None

    @classmethod
    def of(cls, p: Pass) -> Localizer:
        return cls(p.language, {lang: t.strings for lang, t in p.translations.items()})

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.tables)

    @property
    def key(self) -> TranslationKey:
        """A hashable summary of the tables, so that caches can key on them."""
        if self._key is None:
            self._key = tuple(
                (lang, tuple(sorted(table.items()))) for lang, table in sorted(self.tables.items())
            )
        return self._key

    def translate(self, text: str, language: str) -> str:
        table = self.tables.get(language)
        return table.get(text, text) if table else text

    def text(self, text: str) -> JsonDict:
        """The LocalizedString of one of the pass's own texts."""
        return self.rendered(text, lambda language: self.translate(text, language))

    def rendered(self, default: str, render: Callable[[str], str]) -> JsonDict:
        """The LocalizedString of a value rendered per language (`render(language)`)."""
        result: JsonDict = {"defaultValue": {"language": self.language, "value": default}}
        translated = []
        for language in self.tables:
            value = render(language)
            if value != default:
                translated.append({"language": language, "value": value})
        if translated:
            result["translatedValues"] = translated
        return result

    def set_text(
        self,
        target: JsonDict,
        plain: str,
        localized: str,
        text: str | None,
        *,
        plain_required: bool = False,
    ) -> None:
        """Put `text` at `target[plain]`, or at `target[localized]` when a translation differs.

        Google reads the localized form when there is one and ignores the plain one (for text
        modules it may even show both), so the plain form is kept beside a localized one only
        where Google requires it (`plain_required`).
        """
        if text:
            self.set_rendered(
                target,
                plain,
                localized,
                text,
                lambda language: self.translate(text, language),
                plain_required=plain_required,
            )

    def set_rendered(
        self,
        target: JsonDict,
        plain: str,
        localized: str,
        default: str,
        render: Callable[[str], str],
        *,
        plain_required: bool = False,
    ) -> None:
        """`set_text` for a value rendered per language (`render(language)`)."""
        if self.tables:
            value = self.rendered(default, render)
            if "translatedValues" in value:
                target[localized] = value
                if not plain_required:
                    return
        target[plain] = default
