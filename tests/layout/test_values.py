"""What templates produce arrives in the pass exactly: types kept, text untouched, JSON unbroken."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passkit.apple.bundle import bundle_files
from passkit.colors import Color
from passkit.errors import DataError
from passkit.layout import Layout
from passkit.model import BarcodeFormat, LinkKind, Money, Status
from tests.support.layout import NOW, WITH_ID, layout, render, value, with_inputs

HOSTILE = [
    '", "x": "',
    "back\\slash \\u0000 \\n",
    "line one\nline two\r\nthree\ttab",
    "emoji 🎟️👩🏽‍💻 and flags 🇫🇷",
    "עברית מימין לשמאל",  # right-to-left
    "العربية \u200f mixed RTL/LTR",
    "{{ not a template }} {% neither %}",
    "</script><b>html</b> & 'quotes'",
    "\u0000\u001f control",
    "  leading and trailing spaces  ",
]

# Every place a text can go, each filled with the one `text` input.
TEXT_PLACES = """\
images:
  icon: icon.png
fields:
  primary:
    - key: raw
      label: "{{ text }}"
      value: "{{ text }}"
  secondary:
    - key: mixed
      value: "<{{ text }}>"
barcode:
  format: qr
  encoding: utf-8
  message: "{{ text }}"
  alt_text: "{{ text }}"
"""


@pytest.fixture(scope="module")
def text_layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    from PIL import Image

    directory = tmp_path_factory.mktemp("values")
    Image.new("RGB", (87, 87), (200, 30, 30)).save(directory / "icon.png")
    return with_inputs(directory, "text: string\n", TEXT_PLACES)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_comes_through_exactly(text_layout: Layout, text: str) -> None:
    p = render(text_layout, {"id": "1", "text": text})
    raw = p.field("raw")
    assert raw is not None and raw.value == text and raw.label == text
    assert value(p, "mixed") == f"<{text}>"
    assert p.barcode is not None and p.barcode.message == text and p.barcode.alt_text == text
    # and through Apple's pass.json, which must still be one valid JSON document
    files = dict(bundle_files(p, pass_type_id="pass.example.test", team_id="ABCDE12345"))
    document = json.loads(files["pass.json"])
    assert document["generic"]["primaryFields"][0]["value"] == text
    assert document["barcodes"][0]["message"] == text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=40))
def test_any_text_comes_through_exactly(text_layout: Layout, text: str) -> None:
    # (hypothesis reuses the module fixture: the layout is loaded once)
    record = {"id": "1", "text": text}
    if not text:
        p = render(text_layout, record)
        assert p.barcode is None  # an empty barcode message leaves the barcode out
        return
    p = render(text_layout, record)
    assert value(p, "raw") == text


def test_single_expressions_keep_their_type(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "n: integer\nd: decimal\nm: money\nt: datetime\n",
        """\
        fields:
          primary:
            - {key: n, value: "{{ n }}"}
            - {key: d, value: "{{ d }}"}
            - {key: m, value: "{{ m }}"}
            - {key: t, value: "{{ t }}"}
            - {key: sum, value: "{{ n + 1 }}"}
            - {key: text, value: "{{ n }} pts"}
            - {key: spaced, value: "  {{ n }}  "}
            - {key: literal, value: 7}
            - {key: literal_decimal, value: 7.25}
            - {key: literal_money, value: {amount: 5, currency: USD}}
        """,
    )
    p = render(
        loaded,
        {"id": "1", "n": 41, "d": "2.50", "m": "9.99 EUR", "t": "2026-05-01T10:00:00+02:00"},
    )
    assert value(p, "n") == 41
    assert value(p, "d") == Decimal("2.50")
    assert value(p, "m") == Money(amount=Decimal("9.99"), currency="EUR")
    assert value(p, "t") == datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert value(p, "sum") == 42
    assert value(p, "text") == "41 pts"
    assert value(p, "spaced") == 41
    assert value(p, "literal") == 7
    assert value(p, "literal_decimal") == Decimal("7.25")
    assert value(p, "literal_money") == Money(amount=5, currency="USD")


def test_a_date_value_shows_as_a_date(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "on: date\n",
        "time_zone: Europe/Paris\n"
        + "fields:\n  back:\n    - {key: on, value: '{{ on }}'}\n"
        + "    - {key: long, value: '{{ on }}', date_style: long}\n",
    )
    p = render(loaded, {"id": "1", "on": "2026-07-14"})
    field = p.field("on")
    assert field is not None
    assert field.value == datetime(2026, 7, 13, 22, tzinfo=UTC)  # midnight in Paris
    assert field.ignores_time_zone and field.date_style == "medium" and field.time_style == "none"
    assert p.field("long").date_style == "long"  # type: ignore[union-attr]


def test_fields_with_when_and_empty_values_are_left_out(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "show: {type: list, items: string, default: [a]}\n"
        + "note: {type: string, required: false}\n",
        """\
        fields:
          secondary:
            - {key: a, value: A, when: "{{ 'a' in show }}"}
            - {key: b, value: "{{ missing_is_fine_here.x }}", when: "{{ 'b' in show }}"}
            - {key: c, value: "{{ note }}"}
            - {key: d, value: D, when: false}
            - {key: e, value: E, when: "{% if 'e' in show %}yes{% endif %}"}
        """.replace("missing_is_fine_here", "note"),
    )
    p = render(loaded, {"id": "1"})
    assert [f.key for f in p.secondary] == ["a"]
    p = render(loaded, {"id": "1", "show": ["e"], "note": "n"})
    assert [f.key for f in p.secondary] == ["c", "e"]
    # a field shown under a condition is evaluated only then: 'b' would fail if shown
    with pytest.raises(DataError, match=r"fields\.secondary\[1\]\.value"):
        render(loaded, {"id": "1", "show": ["b"], "note": "n"})


def test_everything_in_the_pass_can_be_set(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    from PIL import Image

    for name, size in (("icon", (87, 87)), ("logo", (480, 150)), ("strip", (1125, 294))):
        Image.new("RGB", size, (10, 20, 30)).save(tmp_path / "img" / f"{name}.png")
    loaded = layout(
        tmp_path,
        """\
kind: event_ticket
organization: "{{ org }}"
description: Show ticket
title: "{{ show }}"
serial_number: "T-{{ id }}"
logo_text: "{{ org | upper }}"
language: en
time_zone: Europe/London
inputs:
  id: string
  org: {type: string, default: Globe}
  show: {type: string, default: Hamlet}
  vip: {type: boolean, default: false}
  state: {type: string, default: active}
  token: {type: string, default: 0123456789abcdef0123}
colors:
  background: "{{ '#000080' if vip else 'white' }}"
  foreground: rgb(255, 255, 255)
  label: "#ffcc00"
images:
  icon: img/icon.png
  logo: img/logo.png
  strip: img/strip.png
fields:
  primary:
    - {key: show, label: Show, value: "{{ show }}", alignment: center}
  back:
    - {key: web, label: Site, value: "https://globe.example/{{ id }}", link: web}
barcode:
  format: pdf417
  message: "{{ id }}"
locations:
  - {latitude: 51.508, longitude: -0.097, altitude: 10, relevant_text: "At the {{ org }}"}
  - {latitude: "{{ 51.5 }}", longitude: 0, when: "{{ vip }}"}
max_distance: 250
beacons:
  - {proximity_uuid: E2C56DB5-DFFB-48D2-B060-D0F5A71096E0, major: 1, minor: 2}
relevant_date: "2026-06-01T19:30:00"
status: "{{ state }}"
sharing_prohibited: "{{ vip }}"
grouping_id: "{{ org }}-shows"
web_service:
  url: https://passes.globe.example/
  authentication_token: "{{ token }}"
nfc:
  message: "{{ id }}"
  encryption_public_key: MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgAC
user_info:
  member: "{{ id }}"
  flags: [1, "{{ vip }}", {nested: "{{ org }}"}]
app_launch_url: "globe://ticket/{{ id }}"
associated_store_ids: [123456789]
links:
  - {kind: email, uri: "mailto:box@globe.example", label: Box office}
messages:
  - {header: Welcome, body: "Enjoy {{ show }}"}
  - {key: vip, header: VIP, body: Lounge open, when: "{{ vip }}"}
translations:
  fr:
    strings: {Show: Spectacle}
event:
  name: "{{ show }}"
  venue_name: "{{ org }}"
  starts_at: "2026-06-01T19:30:00"
  doors_open_at: "{{ now }}"
""",
    )
    p = render(loaded, {"id": "7", "vip": True, "state": "redeemed"})
    assert p.organization == "Globe" and p.title == "Hamlet" and p.logo_text == "GLOBE"
    assert p.serial_number == "T-7"
    assert p.background_color == Color(0, 0, 128) and p.label_color == Color(255, 204, 0)
    assert p.images.strip is not None and p.images.thumbnail is None
    assert p.primary[0].alignment == "center" and p.back[0].link is LinkKind.WEB
    assert p.barcode is not None and p.barcode.format is BarcodeFormat.PDF417
    assert [(loc.latitude, loc.altitude) for loc in p.locations] == [(51.508, 10), (51.5, None)]
    assert p.locations[0].relevant_text == "At the Globe"
    assert p.max_distance == 250 and p.beacons[0].minor == 2
    assert p.relevant_date == datetime(2026, 6, 1, 18, 30, tzinfo=UTC)  # London summer time
    assert p.status is Status.REDEEMED and p.sharing_prohibited is True
    assert p.grouping_id == "Globe-shows"
    assert p.web_service is not None and p.web_service.authentication_token.startswith("0123")
    assert p.nfc is not None and p.nfc.message == "7"
    assert p.user_info == {"member": "7", "flags": (1, True, {"nested": "Globe"})}
    assert p.app_launch_url == "globe://ticket/7" and p.associated_store_ids == (123456789,)
    assert p.links[0].kind is LinkKind.EMAIL
    assert [m.key for m in p.messages] == ["message-1", "vip"]
    assert p.messages[0].body == "Enjoy Hamlet"
    assert p.localized("Show", "fr") == "Spectacle"
    assert p.event is not None and p.event.venue_name == "Globe"
    assert p.event.doors_open_at == NOW and p.issued_at == NOW
    plain = render(loaded, {"id": "8"})
    assert len(plain.locations) == 1 and [m.key for m in plain.messages] == ["message-1"]
    assert plain.background_color == Color(255, 255, 255) and plain.status is Status.ACTIVE


def test_render_is_deterministic_and_takes_its_clock(text_layout: Layout) -> None:
    record = {"id": "1", "text": "same"}
    assert render(text_layout, record) == render(text_layout, record)
    later = render(text_layout, record, now=NOW + timedelta(days=1))
    assert later.issued_at == NOW + timedelta(days=1)
    with pytest.raises(ValueError, match="time zone"):
        text_layout.render(record, now=datetime(2026, 1, 1))


def test_a_pass_rule_broken_by_a_record_is_a_data_error(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "lat: decimal\ncolour: string\n",
        """\
        locations:
          - latitude: "{{ lat }}"
            longitude: 2
        colors:
          background: "{{ colour }}"
        """,
    )
    with pytest.raises(DataError) as caught:
        render(loaded, {"id": "1", "lat": 91, "colour": "red"}, record_name="row 4")
    message = str(caught.value)
    assert "locations[0]" in message and "layout.yaml:10" in message and "row 4" in message
    with pytest.raises(DataError, match=r"colors\.background.*not a colour"):
        render(loaded, {"id": "1", "lat": 1, "colour": "reddish"})


def test_empty_serial_is_a_data_error(tmp_path: Path) -> None:
    loaded = layout(tmp_path, WITH_ID)
    with pytest.raises(DataError, match="serial number came out empty"):
        render(loaded, {"id": ""})


def test_render_reads_no_file_and_compiles_no_template(
    text_layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything that does not depend on the record was done when the layout loaded."""
    import jinja2

    from passkit.images import ImageSource

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("render must not read images or compile templates")

    monkeypatch.setattr(ImageSource, "from_path", forbidden)
    monkeypatch.setattr(jinja2.Environment, "from_string", forbidden)
    monkeypatch.setattr(jinja2.Environment, "compile_expression", forbidden)
    monkeypatch.setattr(jinja2.Environment, "compile", forbidden)
    monkeypatch.setattr(Path, "read_bytes", forbidden)
    monkeypatch.setattr(Path, "read_text", forbidden)
    p = render(text_layout, {"id": "1", "text": "hello"})
    assert value(p, "raw") == "hello" and p.images.icon is not None
