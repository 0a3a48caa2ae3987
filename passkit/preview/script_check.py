"""Which texts of a pass the preview would draw as empty boxes, and the package that draws them.

The preview draws Arabic, Hebrew, Thai, Chinese, Japanese, Korean and emoji from Debian's Noto
font packages (passkit/preview/scripts.py). Where one is not installed, `passkit lint` says so
and names the package, once per script, at the first text that needs it.
"""

from __future__ import annotations

from collections.abc import Iterator

from passkit.model.pass_ import Pass
from passkit.preview import fonts
from passkit.preview.scripts import ScriptFont
from passkit.preview.values import field_label, field_value

FIELD_GROUPS = ("header", "primary", "secondary", "auxiliary", "back")


def shown_texts(p: Pass, language: str) -> Iterator[tuple[str, str]]:
    """Each text the previews show in `language`, with where it comes from."""
    for where in ("organization", "description", "title", "logo_text"):
        text = getattr(p, where)
        if text:
            yield where, p.localized(text, language)
    for group in FIELD_GROUPS:
        for index, field in enumerate(getattr(p, group)):
            yield f"{group}[{index}].label", field_label(p, field, language)
            yield f"{group}[{index}].value", field_value(p, field, language)
    if p.barcode is not None and p.barcode.alt_text:
        yield "barcode.alt_text", p.localized(p.barcode.alt_text, language)


def without_font(p: Pass, languages: list[str]) -> Iterator[tuple[str, str, ScriptFont]]:
    """(where, text, the font it needs) for the first text of each script whose font is not
    installed."""
    reported: set[ScriptFont] = set()
    for language in languages:
        for where, text in shown_texts(p, language):
            for script_font in fonts.missing_fonts(text):
                if script_font not in reported:
                    reported.add(script_font)
                    yield where, text, script_font
