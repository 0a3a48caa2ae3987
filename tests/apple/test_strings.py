"""pass.strings: escaping that round-trips, read back by passkit.testing's reader and by
openstep-plist."""

from __future__ import annotations

import codecs

import openstep_plist
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passkit.apple.strings import encode_strings, escape
from passkit.model import StringsEncoding
from passkit.testing.strings import parse_strings

TRICKY = {
    'She said "hi"': 'Elle a dit "salut"',
    "C:\\path\\to": "C:\\chemin\\vers",
    "two\nlines": "deux\nlignes",
    "tab\there": "tab\tici",
    "carriage\r\nreturn": "retour\r\nchariot",
    "emoji 🎉": "émoji 🎉🇫🇷",
    "Name": "الاسم",  # right-to-left
    "mixed עברית and English": "\u202bעברית\u202c",
    "control \x01 \x1f \x7f": "ok",
    "ends with backslash \\": 'ends with quote "',
    "": "empty key",
    "semicolon; = equals": "/* not a comment */ // nor this",
}


def openstep(data: bytes) -> dict[str, str]:
    """A second, independent reader of the strings-file format (UTF-8, or UTF-16 with BOM)."""
    text = data.decode("utf-16") if data.startswith(codecs.BOM_UTF16_LE) else data.decode()
    # A strings file is the inside of an old-style property-list dictionary.
    parsed = openstep_plist.loads("{" + text + "}")
    assert isinstance(parsed, dict)
    return {str(k): str(v) for k, v in parsed.items()}


@pytest.mark.parametrize("encoding", list(StringsEncoding))
def test_tricky_texts_round_trip(encoding: StringsEncoding) -> None:
    data = encode_strings(TRICKY, encoding)
    assert parse_strings(data) == TRICKY
    assert openstep(data) == TRICKY


def test_the_file_is_utf8_without_a_byte_order_mark_by_default() -> None:
    data = encode_strings({"Balance": "Solde", "emoji": "🎉"})
    assert data == '"Balance" = "Solde";\n"emoji" = "🎉";\n'.encode()


def test_the_file_is_utf16_with_a_byte_order_mark_on_request() -> None:
    data = encode_strings({"Balance": "Solde", "emoji": "🎉"}, StringsEncoding.UTF16)
    assert data.startswith(codecs.BOM_UTF16_LE)
    text = data[2:].decode("utf-16-le")
    assert text == '"Balance" = "Solde";\n"emoji" = "🎉";\n'
    assert "🎉".encode("utf-16-le") in data  # a surrogate pair, as UTF-16 writes it


def test_entries_are_sorted_for_equal_bytes() -> None:
    assert encode_strings({"b": "2", "a": "1"}) == encode_strings({"a": "1", "b": "2"})


def test_escapes() -> None:
    assert escape('a"b\\c\nd\te\rf') == 'a\\"b\\\\c\\nd\\te\\rf'
    assert escape("\x00\x1b\x7f") == "\\U0000\\U001b\\U007f"
    assert escape("é 🎉 \u200f") == "é 🎉 \u200f"


def test_empty_table() -> None:
    assert encode_strings({}) == b""
    assert encode_strings({}, StringsEncoding.UTF16) == codecs.BOM_UTF16_LE
    assert parse_strings(encode_strings({})) == {}
    assert parse_strings(encode_strings({}, StringsEncoding.UTF16)) == {}


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=40), st.text(max_size=80), max_size=8),
    st.sampled_from(list(StringsEncoding)),
)
def test_any_table_round_trips(table: dict[str, str], encoding: StringsEncoding) -> None:
    data = encode_strings(table, encoding)
    assert parse_strings(data) == table
    assert openstep(data) == table
