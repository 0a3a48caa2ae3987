"""User text on the terminal, with its control characters escaped.

Serials, names, file names, record values and the messages that quote them come from records,
layouts, archives and links that passkit does not control. Printed raw, an escape sequence in
a member's name could rewrite the terminal's title, hide the lines before it (carriage return,
backspace) or reorder what follows (bidirectional overrides). `shown` writes every such
character the way Python writes it in a string literal (``\\x1b``, ``\\u202e``), so that what
is printed is what the data holds.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROLS = (
    "\x00-\x09\x0b-\x1f\x7f-\x9f"  # C0 but the line feed, DEL, C1 (the C1 CSI is an escape too)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates: not text, and not encodable for the terminal
)
_IN_LINES = re.compile(f"[{_CONTROLS}]")
_IN_ONE_LINE = re.compile(f"[\n{_CONTROLS}]")


def _escape(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]


def shown(text: Any, *, lines: bool = False) -> str:
    """`text` (made a str) with control characters escaped; line feeds are escaped too unless
    `lines` is true (for messages passkit writes over several lines)."""
    value = text if isinstance(text, str) else str(text)
    return (_IN_LINES if lines else _IN_ONE_LINE).sub(_escape, value)


class Styled(str):
    """A line already escaped and styled (`heading`): printed as it is."""


def heading(text: Any, suffix: str = "", **style: Any) -> Styled:
    """`text` escaped, then styled (bold unless `style` says otherwise), then `suffix` (which
    the caller has escaped or wrote itself)."""
    import click

    return Styled(click.style(shown(text), **(style or {"bold": True})) + suffix)


def line(text: str) -> str:
    """A line as printed: escaped, unless it is `Styled`."""
    return text if isinstance(text, Styled) else shown(text, lines=True)
