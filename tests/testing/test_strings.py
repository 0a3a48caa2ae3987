"""Parsing Apple .strings files: escapes, comments, encodings, errors."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passkit.errors import BundleError
from passkit.testing.strings import parse_strings

SAMPLE = """\
/* Loyalty card, French */
"Points" = "Points fidélité";
// a line comment
"Member" = "Membre \\"VIP\\"";
"Terms" = "Ligne 1\\nLigne 2\\tTab \\\\ fin";
"Smile" = "\\UD83D\\UDE00 \\U00E9";
"Octal" = "\\101\\102";
Unquoted = word_1.2;
"Same";
"""

EXPECTED = {
    "Points": "Points fidélité",
    "Member": 'Membre "VIP"',
    "Terms": "Ligne 1\nLigne 2\tTab \\ fin",
    "Smile": "😀 é",
    "Octal": "AB",
    "Unquoted": "word_1.2",
    "Same": "Same",
}


@pytest.mark.parametrize(
    "encoded",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with the machine's byte-order mark
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-16-le"),  # no mark: recognised by its zero bytes
        SAMPLE.encode("utf-16-be"),
    ],
)
def test_every_usual_encoding_parses_the_same(encoded: bytes) -> None:
    assert parse_strings(encoded) == EXPECTED


def test_a_braced_property_list_is_accepted() -> None:
    assert parse_strings(b'{ "a" = "b"; "c" = "d"; }') == {"a": "b", "c": "d"}


def test_an_empty_file_is_an_empty_table() -> None:
    assert parse_strings(b"") == {}
    assert parse_strings(b"/* nothing */\n") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"a" = "b"\n"c" = "d";', r"fr\.lproj/pass\.strings:2: expected ';' but found '\"'"),
        ('"a" = "b;', "never closed"),
        ('"a" "b";', "expected '='"),
        ('"a" = ;', "expected a \"quoted string\" but found ';'"),
        ("/* open", "never closed"),
        ('"a" = "\\U12";', "four hexadecimal digits"),
        ('"a" = "\\UD83D";', "half of a surrogate pair"),
        ('{ "a" = "b";', "closing '}'"),
    ],
)
def test_malformed_files_name_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        parse_strings(text.encode(), "fr.lproj/pass.strings")


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(BundleError, match="not valid UTF-8 text at byte 7"):
        parse_strings(b'"a" = "\xff";', "x.strings")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)


@given(st.dictionaries(_TEXT, _TEXT, max_size=8), st.sampled_from(["utf-8", "utf-16"]))
def test_what_is_written_with_escapes_reads_back(table: dict[str, str], encoding: str) -> None:
    text = "".join(f'"{_escape(k)}" = "{_escape(v)}";\n' for k, v in table.items())
    assert parse_strings(text.encode(encoding)) == table
