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

from passkit.google.json_writing import JsonDict
from passkit.model.pass_ import Pass

TranslationKey = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


class Localizer:
    """Turns texts (or per-language renderings of a value) into Google LocalizedStrings.

    A localizer is shared by every pass with the same language and translation tables
    (`Localizer.of`), so it is never changed once made.
    """

    __slots__ = ("_key", "_tables", "_translations", "language", "tables")

    def __init__(self, language: str, tables: Mapping[str, Mapping[str, str]]) -> None:
        self.language = language
        self.tables = {lang: table for lang, table in tables.items() if lang != language}
        self._tables = tuple(self.tables.items())
        # For each text some table turns into another text, those (language, translation):
        # worked out once, where most texts of a pass are in no table at all.
        translations: dict[str, list[tuple[str, str]]] = {}
        for lang, table in self._tables:
            for text, value in table.items():
                if value != text:
                    translations.setdefault(text, []).append((lang, value))
        self._translations = {text: tuple(pairs) for text, pairs in translations.items()}
        self._key: TranslationKey | None = None

    @classmethod
    def of(cls, p: Pass) -> Localizer:
        """The localizer of `p`'s language and translation tables, made once per distinct
        content (every pass of a layout has the same) rather than once per pass."""
        try:
            key = (
                p.language,
                tuple((lang, tuple(t.strings.items())) for lang, t in p.translations.items()),
            )
            found = _LOCALIZERS.get(key)
        except TypeError:  # an unhashable table, in a pass made without validation
            return cls(p.language, {lang: t.strings for lang, t in p.translations.items()})
        if found is None:
            if len(_LOCALIZERS) >= _MAX_LOCALIZERS:
                _LOCALIZERS.clear()
            # Made from the key's copy of the tables: a cached localizer never sees a change
            # made to a pass's tables after the fact.
            found = _LOCALIZERS[key] = cls(key[0], {lang: dict(items) for lang, items in key[1]})
        return found

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

    def translated_values(self, text: str) -> list[JsonDict]:
        """Google's translatedValues of one of the pass's own texts: the languages whose
        table changes it."""
        pairs = self._translations.get(text, ())
        return [{"language": language, "value": value} for language, value in pairs]

    def text(self, text: str) -> JsonDict:
        """The LocalizedString of one of the pass's own texts."""
        result: JsonDict = {"defaultValue": {"language": self.language, "value": text}}
        translated = self.translated_values(text)
        if translated:
            result["translatedValues"] = translated
        return result

    def rendered(self, default: str, render: Callable[[str], str]) -> JsonDict:
        """The LocalizedString of a value rendered per language (`render(language)`)."""
        result: JsonDict = {"defaultValue": {"language": self.language, "value": default}}
        translated = []
        for language, _ in self._tables:
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
            self.put_text(target, plain, localized, text, plain_required=plain_required)

    def put_text(
        self,
        target: JsonDict,
        plain: str,
        localized: str,
        text: str,
        *,
        plain_required: bool = False,
    ) -> None:
        """`set_text`, empty text included."""
        pairs = self._translations.get(text)
        if pairs is not None:
            target[localized] = {
                "defaultValue": {"language": self.language, "value": text},
                "translatedValues": [{"language": lang, "value": value} for lang, value in pairs],
            }
            if not plain_required:
                return
        target[plain] = text

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
        if self._tables:
            value = self.rendered(default, render)
            if "translatedValues" in value:
                target[localized] = value
                if not plain_required:
                    return
        target[plain] = default


_LOCALIZERS: dict[tuple[str, Any], Localizer] = {}
_MAX_LOCALIZERS = 64
