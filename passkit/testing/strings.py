"""Parsing Apple `.strings` files (the translations inside `xx.lproj/pass.strings`).

The format is the old-style property-list dictionary: ``"key" = "value";`` pairs, C and C++
comments, backslash escapes (``\\n``, ``\\"``, ``\\U00E9``, octal), optional quotes around plain
words, and ``"key";`` as a short form of ``"key" = "key";``. Files are UTF-16 with a byte-order
mark (what Apple's tools write) or UTF-8.
"""

from __future__ import annotations

import codecs

from passkit.errors import BundleError

_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
# Characters allowed in an unquoted word, as in old-style property lists.
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$+/:.-")


def decode_strings(data: bytes, name: str) -> str:
    """The text of a .strings file, whatever of its usual encodings it uses."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding, name)
    if len(data) >= 2 and len(data) % 2 == 0 and b"\x00" in data:
        # UTF-16 without a byte-order mark: ASCII text leaves a zero in every other byte.
        encoding = "utf-16-le" if data[1] == 0 else "utf-16-be"
        return _decode(data, encoding, name)
    return _decode(data, "utf-8", name)


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise BundleError(
            f"{name}: not valid {encoding.upper()} text at byte {exc.start}; "
            "save .strings files as UTF-16 (with a byte-order mark) or UTF-8"
        ) from None


def parse_strings(data: bytes, name: str = "pass.strings") -> dict[str, str]:
    """The key/value table of a .strings file; a malformed file raises `BundleError`."""
    return _Parser(decode_strings(data, name), name).parse()


class _Parser:
    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.pos = 0

    def error(self, message: str) -> BundleError:
        line = self.text.count("\n", 0, self.pos) + 1
        return BundleError(f"{self.name}:{line}: {message}")

    def parse(self) -> dict[str, str]:
        table: dict[str, str] = {}
        # Some files are written as a full property list, wrapped in braces.
        self.skip_blank()
        braced = self.peek() == "{"
        if braced:
            self.pos += 1
        while True:
            self.skip_blank()
            if self.pos >= len(self.text):
                if braced:
                    raise self.error("missing the closing '}'")
                return table
            if braced and self.peek() == "}":
                self.pos += 1
                self.skip_blank()
                if self.pos < len(self.text):
                    raise self.error("unexpected text after the closing '}'")
                return table
            key = self.string()
            self.skip_blank()
            if self.peek() == ";":
                value = key
            else:
                self.expect("=")
                self.skip_blank()
                value = self.string()
                self.skip_blank()
            self.expect(";")
            table[key] = value

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.peek()) if self.peek() else "the end of the file"
            raise self.error(f"expected {char!r} but found {found}")
        self.pos += 1

    def skip_blank(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace() or char == "\ufeff":
                self.pos += 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("a /* comment is never closed")
                self.pos = end + 2
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                return

    def string(self) -> str:
        if self.peek() == '"':
            return self.quoted()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _WORD_CHARS:
            self.pos += 1
        if self.pos == start:
            found = repr(self.peek()) if self.peek() else "the end of the file"
            raise self.error(f'expected a "quoted string" but found {found}')
        return self.text[start : self.pos]

    def quoted(self) -> str:
        text = self.text
        self.pos += 1
        out: list[str] = []
        while True:
            end = self.pos
            while end < len(text) and text[end] not in '"\\':
                end += 1
            out.append(text[self.pos : end])
            self.pos = end
            if end >= len(text):
                raise self.error("a quoted string is never closed")
            if text[end] == '"':
                self.pos += 1
                return "".join(out)
            out.append(self.escape())

    def escape(self) -> str:
        text = self.text
        self.pos += 1  # the backslash
        if self.pos >= len(text):
            raise self.error("a backslash ends the file")
        char = text[self.pos]
        if char in _SIMPLE_ESCAPES:
            self.pos += 1
            return _SIMPLE_ESCAPES[char]
        if char in "Uu":
            digits = text[self.pos + 1 : self.pos + 5]
            if not _is_escaped_unit("\\U" + digits):
                raise self.error(f"\\{char} must be followed by four hexadecimal digits")
            self.pos += 5
            unit = int(digits, 16)
            # Characters beyond the BMP are written as two escaped UTF-16 surrogates.
            if 0xD800 <= unit < 0xDC00:
                follow = text[self.pos : self.pos + 6]
                if _is_escaped_unit(follow) and 0xDC00 <= int(follow[2:], 16) < 0xE000:
                    self.pos += 6
                    return chr(0x10000 + ((unit - 0xD800) << 10) + (int(follow[2:], 16) - 0xDC00))
            if 0xD800 <= unit < 0xE000:
                raise self.error(f"\\{char}{digits} is half of a surrogate pair")
            return chr(unit)
        if char in "01234567":
            end = self.pos
            while end < len(text) and end - self.pos < 3 and text[end] in "01234567":
                end += 1
            value = int(text[self.pos : end], 8)
            self.pos = end
            return chr(value)
        # Unknown escapes keep the character, as Apple's parser does.
        self.pos += 1
        return char


def _is_escaped_unit(text: str) -> bool:
    """Whether `text` is exactly a backslash, U or u, and four hexadecimal digits."""
    return (
        len(text) == 6
        and text[0] == "\\"
        and text[1] in "Uu"
        and all(c in "0123456789abcdefABCDEF" for c in text[2:])
    )
