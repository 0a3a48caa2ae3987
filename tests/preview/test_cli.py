"""`passkit preview` and `passkit lint` on shipped layouts, on a card of our own, on bad input."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from passkit.cli import cli
from passkit.errors import DataError, LayoutError, PasskitError
from passkit.layout import fixture_for, load_layout, shipped_layouts
from passkit.preview import lint_layout
from passkit.preview.sample import load_sample
from passkit.preview.server import bind
from tests.preview.support import CARD_LAYOUT, decode_all, write_card, write_record
from tests.support.cli import passkit


@pytest.mark.parametrize("layout", shipped_layouts(), ids=lambda path: path.stem)
def test_every_shipped_layout_preview_has_a_barcode_that_decodes(
    layout: Path, tmp_path: Path
) -> None:
    out = tmp_path / f"{layout.stem}.png"
    result = CliRunner().invoke(cli, ["preview", str(layout), "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads(fixture_for(layout).read_text(encoding="utf-8"))
    p = load_layout(layout).render(record)
    assert p.barcode is not None
    found = decode_all(out.read_bytes())
    assert [text for _, text in found] == [p.barcode.message] * 2


def test_preview_writes_html_in_a_language(tmp_path: Path) -> None:
    layout, record = write_card(tmp_path), write_record(tmp_path / "card.json")
    out = tmp_path / "card.html"
    drawn = ["preview", str(layout), "--data", str(record), "--out", str(out)]
    result = CliRunner().invoke(cli, [*drawn, "--lang", "fr", "--wallet", "google"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and page.count("<figure") == 1
    assert not re.search(r"""src=["']https?://""", page)


def test_a_regional_language_falls_back_to_its_base(tmp_path: Path) -> None:
    layout, record = write_card(tmp_path), write_record(tmp_path / "card.json")
    out = tmp_path / "card.html"
    drawn = ["preview", str(layout), "--data", str(record), "--out", str(out)]
    result = passkit(*drawn, "--lang", "fr-CA", "--wallet", "google")
    assert result.returncode == 0, result.stderr
    assert "drawing the 'fr' translation for 'fr-CA'" in result.stderr
    assert '<html lang="fr">' in out.read_text(encoding="utf-8")


def test_preview_refuses_unknown_output_and_language(tmp_path: Path) -> None:
    result = passkit("preview", "loyalty", "--out", str(tmp_path / "x.gif"))
    assert result.returncode == 2 and ".png or .html" in result.stderr
    result = passkit("preview", "loyalty", "--out", str(tmp_path / "x.png"), "--lang", "xx")
    assert result.returncode == 2 and "no 'xx' translation" in result.stderr
    assert not list(tmp_path.iterdir())


def test_unknown_layout_is_a_clear_error(tmp_path: Path) -> None:
    result = passkit("preview", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "no such layout" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(LayoutError, match="shipped layout"):
        load_sample("no-such-layout")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON (line 1"),
        ('"just text"', "a record is a JSON object"),
        (None, "file not found"),
    ],
)
def test_unreadable_record_is_a_clear_error(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    record = tmp_path / "record.json"
    if content is not None:
        record.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(reason)):
        load_sample("loyalty", record)
    result = passkit("lint", "loyalty", "--data", str(record))
    assert result.returncode == 2 and reason in result.stderr and "record.json" in result.stderr


def test_record_that_does_not_fit_the_layout(tmp_path: Path) -> None:
    layout = write_card(tmp_path)
    record = tmp_path / "member.json"
    record.write_text(json.dumps({"number": "12"}), encoding="utf-8")  # no balance, no holder
    result = passkit("preview", layout, "--data", record, "--out", tmp_path / "x.png")
    assert result.returncode == 2 and "member.json" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_lint_exit_status_follows_the_warnings(tmp_path: Path) -> None:
    layout = write_card(tmp_path)
    # A name far longer than the secondary field's slot: Wallet cuts it.
    record = write_record(tmp_path / "long.json", holder="Maximilian Alexander Ferdinand " * 3)
    noisy = passkit("lint", layout, "--data", record)
    assert noisy.returncode == 1
    assert "(truncated)" in noisy.stdout and "design warning" in noisy.stderr
    sample = load_sample(layout, record)
    # One line per warning, each naming the layout; then the images (bytes, savings).
    warned = [line for line in noisy.stdout.splitlines() if line.startswith(str(layout))]
    assert len(lint_layout(sample.layout, sample.record)) == len(warned)
    assert "images: " in noisy.stdout


def test_lint_is_clean_for_a_well_made_layout(tmp_path: Path) -> None:
    record = write_record(tmp_path / "card.json")
    # The well-made card, plus a change message: only Apple Wallet sends it.
    noted = CARD_LAYOUT.replace(
        '      value: "{{ balance }}"\n',
        '      value: "{{ balance }}"\n      change_message: "Your balance is now %@"\n',
    )
    assert noted != CARD_LAYOUT
    sample = load_sample(write_card(tmp_path / "noted", noted), record)
    assert [w.code for w in lint_layout(sample.layout, sample.record)] == ["one-wallet-only"]
    # Take away what the warning points at (the Apple-only change message): exit 0.
    target = write_card(tmp_path / "clean")
    result = passkit("lint", target, "--data", record)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no design warnings" in result.stdout


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PasskitError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind("127.0.0.1", port)
        result = passkit("serve", "loyalty", "--port", str(port))
    assert result.returncode == 2 and "already in use" in result.stderr


def test_serve_refuses_unknown_layout_and_record(tmp_path: Path) -> None:
    result = passkit("serve", str(tmp_path / "missing"), "--port", "0")
    assert result.returncode == 2 and "no such layout file or folder" in result.stderr
    result = passkit("serve", str(tmp_path), "--port", "0")
    assert result.returncode == 2 and "holds no layout" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[", encoding="utf-8")
    layout = shipped_layouts()[0]
    result = passkit("serve", str(layout), "--data", str(bad), "--port", "0")
    assert (
        result.returncode == 2 and "bad.json" in result.stderr and "not valid JSON" in result.stderr
    )


@pytest.mark.parametrize("name", [path.stem for path in shipped_layouts()])
def test_every_shipped_layout_passes_its_own_lint(name: str) -> None:
    """The shipped layouts are examples: lint finds nothing in them, beyond what each accepts
    on purpose in its lint.accept."""
    result = passkit("lint", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("no design warnings")


def test_a_layout_accepts_warnings_by_code_or_place(tmp_path: Path) -> None:
    layout, record = write_card(tmp_path), write_record(tmp_path / "card.json")
    text = layout.read_text(encoding="utf-8")
    layout.write_text(
        text + "beacons:\n  - {proximity_uuid: E2C56DB5-DFFB-48D2-B060-D0F5A71096E0}\n"
    )
    found = passkit("lint", layout, "--data", record)
    assert found.returncode == 1 and "beacons: iBeacons wake the pass" in found.stdout
    for accepted in ("beacons", "one-wallet-only"):
        layout.write_text(
            text
            + "beacons:\n  - {proximity_uuid: E2C56DB5-DFFB-48D2-B060-D0F5A71096E0}\n"
            + f"lint:\n  accept: [{accepted}]\n"
        )
        quiet = passkit("lint", layout, "--data", record)
        assert "beacons" not in quiet.stdout, (accepted, quiet.stdout)
