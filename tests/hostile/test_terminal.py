"""User text reaches the terminal with its control characters escaped: serials, names, file
names, record values and the messages quoting them, in every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passkit.cli.text import shown
from passkit.devcerts import DevCertificates
from tests.support.batch import member, signing_args, write_jsonl
from tests.support.cli import passkit
from tests.support.layout import LOYALTY_CARD, write_loyalty_card

# Clear the screen, set the window title, return to the line start, erase a character,
# reverse the text that follows, and the one-byte (C1) form of the escape that starts a colour.
HOSTILE = ["\x1b[2J", "\x1b]0;owned\x07", "\r", "\x08", "\u202e", "\x9b31m"]
RAW = [*HOSTILE, "\x07", "\x9b"]


def assert_escaped(output: str) -> None:
    for raw in RAW:
        assert raw not in output, f"{raw!r} printed raw in {output!r}"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    folder = tmp_path / "layout"
    folder.mkdir()
    path = write_loyalty_card(folder)
    path.write_text(LOYALTY_CARD.replace('"lumen-{{ member_id }}"', '"lumen-{{ member_name }}"'))
    return path


def test_shown_escapes_controls_and_keeps_text() -> None:
    assert shown("Zoë 🎉 \u05e9\u05dc\u05d5\u05dd") == "Zoë 🎉 \u05e9\u05dc\u05d5\u05dd"
    assert shown("a\x1b[31mb\rc\x08d\u202ee\n") == "a\\x1b[31mb\\rc\\x08d\\u202ee\\n"
    assert shown("one\ntwo\x1b", lines=True) == "one\ntwo\\x1b"
    assert shown("\ud800") == "\\ud800"


def test_build_output_escapes_serials_names_and_errors(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates
) -> None:
    records = [member(i, member_name=f"Ada{text}Lovelace") for i, text in enumerate(HOSTILE)]
    records.append(member(9, member_name="Grace", points=f"lots{HOSTILE[1]}"))
    data = write_jsonl(tmp_path / "members\x1b[31m.jsonl", records)
    out = tmp_path / "out"
    result = passkit(
        "build", layout, "--data", data, "--out", out, "--no-progress", *signing_args(dev_certs)
    )
    assert result.returncode == 1, result.stderr
    assert_escaped(result.stdout + result.stderr)
    assert "lumen-Ada\\x1b[2JLovelace: wrote" in result.stdout
    assert "members\\x1b[31m.jsonl line 7" in result.stderr
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert len(failures) == 1
    built = sorted(out.glob("*.pkpass"))
    assert len(built) == len(HOSTILE)
    for path in built:
        shown_pass = passkit("inspect", path)
        assert shown_pass.returncode == 0
        assert_escaped(shown_pass.stdout)
        assert "Lovelace" in shown_pass.stdout
        as_json = passkit("inspect", path, "--json")
        assert_escaped(as_json.stdout)
        checked = passkit("verify", path, "--ca", dev_certs.root)
        assert checked.returncode == 0 and "valid" in checked.stdout
        assert_escaped(checked.stdout)


def test_error_messages_escape_the_names_they_quote(tmp_path: Path) -> None:
    missing = tmp_path / "card\x1b]0;owned\x07\r.yaml"
    result = passkit("lint", missing)
    assert result.returncode == 2
    assert_escaped(result.stderr)
    assert "card\\x1b]0;owned\\x07\\r.yaml" in result.stderr
    not_a_pass = tmp_path / "x\u202e\x08.pkpass"
    not_a_pass.write_text("not a zip")
    result = passkit("verify", not_a_pass)
    assert result.returncode == 2
    assert_escaped(result.stdout + result.stderr)
    assert "x\\u202e\\x08.pkpass" in result.stderr
