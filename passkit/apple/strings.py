"""`pass.strings`: the translation table of one language, in Apple's strings-file format.

Each line is `"text on the pass" = "its translation";`. Inside the quotes a backslash, a double
quote, a newline, a carriage return and a tab are written `\\\\`, `\\"`, `\\n`, `\\r`, `\\t`;
any other control character as `\\Uxxxx`. Everything else is written as is.

The file is UTF-8 by default, without a byte-order mark: Wallet reads UTF-8 strings files,
and so do the other tools a bundle passes through (converters to other wallets, pass
libraries), some of which read nothing else, so translations in UTF-16 silently disappear
there. UTF-8 is also about half the size for Latin text. UTF-16 (little-endian, with a
byte-order mark), which Apple's Resource Programming Guide once recommended for strings files,
is written on request (`BundleOptions.strings_encoding`); emoji and other characters beyond the
Basic Multilingual Plane then become surrogate pairs, as in any UTF-16 text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from passkit.model.choices import StringsEncoding

_BOM = codecs.BOM_UTF16_LE
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """`text` as it goes between the double quotes of a strings file."""
    return _NEEDS_ESCAPE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    return _SIMPLE_ESCAPES.get(char) or f"\\U{ord(char):04x}"


def encode_strings(
    table: Mapping[str, str], encoding: StringsEncoding = StringsEncoding.UTF8
) -> bytes:
    """The bytes of a `pass.strings` file, entries sorted by key: equal tables, equal bytes."""
    text = "".join(f'"{escape(key)}" = "{escape(table[key])}";\n' for key in sorted(table))
    if encoding is StringsEncoding.UTF16:
        return _BOM + text.encode("utf-16-le")
    return text.encode("utf-8")
