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

from passkit.errors import BundleError
from passkit.model import StringsEncoding

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


def decode_strings(data: bytes) -> dict[str, str]:
    """Read a strings file (UTF-16 with BOM, or UTF-8); the inverse of `encode_strings`."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BundleError(
                "pass.strings: neither UTF-16 with a byte-order mark nor UTF-8"
            ) from None
    return _StringsParser(text).parse()


_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v"}  # fmt: skip


class _StringsParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def parse(self) -> dict[str, str]:
        table: dict[str, str] = {}
        while self._skip_space():
            key = self._quoted()
            self._skip_space()
            self._expect("=")
            self._skip_space()
            table[key] = self._quoted()
            self._skip_space()
            self._expect(";")
        return table

    def _fail(self, what: str) -> BundleError:
        line = self.text.count("\n", 0, self.at) + 1
        return BundleError(f"pass.strings line {line}: {what}")

    def _skip_space(self) -> bool:
        """Skip blanks and comments; False at the end of the text."""
        text = self.text
        while self.at < len(text):
            if text[self.at].isspace():
                self.at += 1
            elif text.startswith("/*", self.at):
                end = text.find("*/", self.at + 2)
                if end < 0:
                    raise self._fail("a comment is not closed")
                self.at = end + 2
            elif text.startswith("//", self.at):
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end + 1
            else:
                return True
        return False

    def _expect(self, char: str) -> None:
        if not self.text.startswith(char, self.at):
            raise self._fail(f"expected {char!r}")
        self.at += 1

    def _quoted(self) -> str:
        self._expect('"')
        text = self.text
        parts: list[str] = []
        while True:
            if self.at >= len(text):
                raise self._fail("a quoted string is not closed")
            char = text[self.at]
            self.at += 1
            if char == '"':
                # \U escapes may spell a surrogate pair: join it into one character.
                joined = "".join(parts)
                return joined.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            if char != "\\":
                parts.append(char)
                continue
            if self.at >= len(text):
                raise self._fail("a backslash ends the file")
            code = text[self.at]
            self.at += 1
            if code in _ESCAPED:
                parts.append(_ESCAPED[code])
            elif code == "U":
                digits = text[self.at : self.at + 4]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise self._fail("\\U needs four hexadecimal digits")
                parts.append(chr(int(digits, 16)))
                self.at += 4
            else:
                raise self._fail(f"unknown escape \\{code}")
