"""Rendering through every kind of plan node: good records give passes, bad ones a DataError
naming the part of the layout at fault (and its line), even though a pass is validated as a
whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from passkit.layout import Layout
from tests.support.layout import NOW, layout

EVERY_NODE = """\
kind: event_ticket
organization: "{{ org }}"
description: Show ticket
title: "{{ show }}"
serial_number: "T-{{ id }}"
time_zone: Europe/London
inputs:
  id: string
  org: {type: string, default: Globe}
  show: {type: string, default: Hamlet}
  vip: {type: boolean, default: false}
  flag: {type: string, default: "no"}
  state: {type: string, default: active}
  colour: {type: string, default: white}
  day: {type: date, required: false}
  moment: {type: string, required: false}
  lat: {type: decimal, default: 51.5}
  count: {type: integer, default: 3}
  note: {type: string, required: false}
  code: {type: string, default: "X1"}
colors:
  background: "{{ colour }}"
  foreground: rgb(255, 255, 255)
fields:
  header:
    - {key: count, label: Count, value: "{{ count }}"}
  primary:
    - {key: show, label: "{{ show | upper }}", value: "{{ show }}", alignment: center}
  secondary:
    - {key: day, label: Day, value: "{{ day }}"}
    - {key: naive, label: At, value: "{{ moment }}"}
    - {key: shown, value: "{{ note }}", when: "{{ vip }}"}
    - {key: text_guard, value: "{{ note }}", when: "{{ flag }}{{ '' }}"}
    - {key: dup, value: fixed, when: "{{ flag }}{{ '' }}"}
  auxiliary:
    - {key: empty, value: "{{ note }}"}
    - {key: dup, value: "{{ show }}", when: "{{ vip }}"}
  back:
    - {key: web, label: Site, value: "https://globe.example/{{ id }}", link: web}
    - {key: constant, label: About, value: Plain text}
barcode:
  format: code128
  message: "{{ code }}"
  alt_text: "{{ code }}"
locations:
  - {latitude: 51.508, longitude: -0.097, relevant_text: "At the {{ org }}"}
  - {latitude: "{{ lat }}", longitude: 0, when: "{{ vip }}"}
beacons:
  - {proximity_uuid: E2C56DB5-DFFB-48D2-B060-D0F5A71096E0, major: "{{ count }}"}
relevant_date: "{{ moment }}"
status: "{{ state }}"
sharing_prohibited: "{{ vip }}"
web_service:
  url: https://passes.globe.example/
  authentication_token: "{{ id }}-0123456789abcdef"
nfc:
  message: "N{{ count }}"
user_info:
  "quote's \\"key\\"": "{{ id }}"
  flags: [1, "{{ vip }}", {nested: "{{ org }}"}, [2, "{{ count }}"]]
links:
  - {kind: web, uri: "https://globe.example/{{ id }}", when: "{{ vip }}"}
messages:
  - {header: Welcome, body: "Enjoy {{ show }}"}
  - {key: vip, header: VIP, body: "{{ note }}", when: "{{ vip }}"}
event:
  name: "{{ show }}"
  starts_at: "{{ moment }}"
  doors_open_at: "{{ now }}"
"""

GOOD = [
    {"id": "7"},
    {"id": "7", "vip": True, "note": "Lounge", "day": "2026-06-01", "moment": "2026-06-01T19:30"},
    {"id": "8", "flag": "yes", "note": "n", "moment": "2026-06-01T19:30:00+02:00"},
    {"id": "9", "flag": " False ", "note": "n", "count": 0, "code": ""},
    {"id": "10", "vip": True, "note": "", "lat": "-12.25", "colour": "#102030"},
]

BAD = [
    {"id": "1", "colour": "reddish"},  # a template's colour that is not one
    {"id": "1", "moment": "soon"},  # a moment that is not a date
    {"id": "1", "lat": 91, "vip": True, "note": "n"},  # a location off the globe
    {"id": "1", "vip": True, "flag": "yes", "note": "n"},  # two fields with one key
    {"id": "1", "code": "é"},  # not in Code 128
    {"id": "1", "count": 70000},  # a beacon's major number out of range
    {"id": "1", "state": "lost"},  # not a status
    {"id": "x" * 300},  # a serial number too long
    {"id": "1", "vip": True},  # the VIP message's body comes out empty
]


def outcome(loaded: Layout, record: dict[str, Any]) -> tuple[str, Any]:
    try:
        p = loaded.render(record, now=NOW, record_name="row 2")
    except Exception as exc:
        return type(exc).__name__, (str(exc), getattr(exc, "input", None))
    # Models compare their values and which fields were set (what pass.json writes).
    parts = [(group, field.model_fields_set) for group, field in p.fields()]
    return "pass", (p, p.model_fields_set, parts)


@pytest.fixture(scope="module")
def every_node(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    return layout(tmp_path_factory.mktemp("compiled"), EVERY_NODE)


def test_the_records_reach_every_outcome(every_node: Layout) -> None:
    """Good records render, bad ones fail in the plan."""
    for record in GOOD:
        assert outcome(every_node, record)[0] == "pass"
    messages = [outcome(every_node, record) for record in BAD]
    assert all(kind == "DataError" for kind, _ in messages)
    with_vip = every_node.render(GOOD[1], now=NOW)
    assert [f.key for f in with_vip.secondary] == ["day", "naive", "shown"]
    assert [f.key for f in with_vip.auxiliary] == ["empty", "dup"]
    text_guard = every_node.render(GOOD[2], now=NOW)
    assert [f.key for f in text_guard.secondary] == ["naive", "text_guard", "dup"]
    plain = every_node.render(GOOD[0], now=NOW)
    assert plain.secondary == () and plain.auxiliary == ()
    assert plain.barcode is not None and plain.user_info is not None
    assert every_node.render(GOOD[3], now=NOW).barcode is None  # empty message: no barcode


BARE_AND_EVALUATED = """\
kind: event_ticket
organization: Globe
description: Show ticket
serial_number: "{{ id }}"
time_zone: Europe/London
inputs:
  id: string
  text: {type: string, required: false}
  count: {type: integer, default: 3}
  amount: {type: decimal, default: "2.50"}
  price: {type: money, default: "12.50 EUR"}
  day: {type: date, default: "2026-06-01"}
  moment: {type: datetime, default: "2026-06-01T19:30"}
  flag: {type: boolean, default: true}
  tags: {type: list, items: string, default: [a, b]}
  colour: {type: string, default: navy}
barcode:
  message: "{{ id }}"
expiry:
  after: {days: "{{ count }}"}
colors:
  background: "{{ colour }}"
relevant_date: "{{ moment }}"
sharing_prohibited: "{{ flag }}"
user_info:
  tags: "{{ tags }}"
  now: "{{ now }}"
fields:
  primary:
    - {key: text, value: "{{ text }}"}
  secondary:
    - {key: count, value: "{{ count }}"}
    - {key: amount, value: "{{ amount }}"}
    - {key: price, value: "{{ price }}"}
  auxiliary:
    - {key: day, value: "{{ day }}"}
    - {key: moment, value: "{{ moment }}"}
  back:
    - {key: serial, value: "{{ serial_number }}"}
    - {key: barcode, value: "{{ barcode_value }}"}
    - {key: expires, value: "{{ expires_at }}"}
    - {key: locale, value: "{{ locale }}"}
    - {key: zone, value: "{{ time_zone }}"}
"""


def test_a_bare_name_reads_what_jinja2_would_give(tmp_path: Path) -> None:
    """`{{ name }}` is read from the render context; `{{ (name) }}` goes through jinja2."""
    bare = layout(tmp_path, BARE_AND_EVALUATED, "bare.yaml")
    evaluated_text = BARE_AND_EVALUATED.replace("{{ ", "{{ (").replace(" }}", ") }}")
    evaluated = layout(tmp_path, evaluated_text, "evaluated.yaml")
    assert bare._plan.early._steps == [] and bare._plan.late._steps == []
    assert len(evaluated._plan.early._steps) + len(evaluated._plan.late._steps) == 19
    for record in ({"id": "1"}, {"id": "2", "text": "hi", "tags": "[]", "flag": "no"}):
        first, second = (
            loaded.render(record, now=NOW, record_name="r") for loaded in (bare, evaluated)
        )
        assert first == second and first.user_info == second.user_info
        assert [type(f.value) for _, f in first.fields()] == [
            type(f.value) for _, f in second.fields()
        ]
    for record in ({"id": "3", "colour": "navy-ish"}, {"id": "x" * 300}):
        assert outcome(bare, record)[1][0] == outcome(evaluated, record)[1][0].replace(
            "evaluated.yaml", "bare.yaml"
        ).replace("(layout evaluated)", "(layout bare)")


@pytest.mark.parametrize(
    ("record", "place", "message"),
    [
        ({"id": "1", "lat": 91, "vip": True, "note": "n"}, "locations[1]", "latitude: Input"),
        ({"id": "1", "count": 70000}, "beacons[0]", "major: Input should be less than"),
        ({"id": "1", "vip": True}, "messages[1]", "body: Field required"),
        ({"id": "1", "code": "é"}, "barcode", "barcode.message: Code 128 holds only ASCII"),
    ],
)
def test_an_error_in_a_part_names_the_part_and_its_line(
    every_node: Layout, record: dict[str, Any], place: str, message: str
) -> None:
    """The pass is validated as a whole; what it refuses is told of the innermost part at fault,
    with that part's line in the layout, not as a path inside the pass."""
    kind, (text, _) = outcome(every_node, record)
    line = next(
        number
        for number, source in enumerate(EVERY_NODE.splitlines(), start=1)
        if source.lstrip().startswith(PART_LINES[place])
    )
    assert kind == "DataError"
    assert f"{place} ({every_node.path}:{line}): {message}" in text


# How each part's line in EVERY_NODE begins.
PART_LINES = {
    "locations[1]": '- {latitude: "{{ lat }}"',
    "beacons[0]": "- {proximity_uuid:",
    "messages[1]": "- {key: vip, header: VIP",
    "barcode": "barcode:",
}
