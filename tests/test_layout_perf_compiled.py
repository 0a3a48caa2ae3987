"""The compiled render plan gives what walking the plan's nodes gives: same passes, same errors.

`Layout.render` runs Python generated from the plan once per layout (`plan.compile_node`); the
nodes' own `evaluate` is the reference it is checked against, on every shipped layout and on a
layout using every kind of node, with good and bad records.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from layout_support import NOW, layout

from passkit.layout import LAYOUTS_DIR, Layout, fixture_for, load_layout, shipped_layouts
from passkit.layout.codegen import FunctionWriter
from passkit.layout.plan import OMIT, Const, Guarded, ListNode, Slot, compile_node

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


def interpreted(loaded: Layout) -> Layout:
    """The same layout rendering by walking its plan's nodes instead of the compiled code."""
    twin = copy.copy(loaded)
    plan = loaded._plan
    twin._plan = dataclasses.replace(plan, make_pass=plan.pass_node.evaluate)
    return twin


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


@pytest.mark.parametrize("record", GOOD + BAD)
def test_compiled_plan_agrees_with_the_nodes(every_node: Layout, record: dict[str, Any]) -> None:
    assert outcome(every_node, record) == outcome(interpreted(every_node), record)


def test_the_records_reach_every_outcome(every_node: Layout) -> None:
    """The cases above are worth comparing: good ones render, bad ones fail in the plan."""
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


def shipped_cases() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in shipped_layouts():
        record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
        yield path, record
        for name, value in record.items():
            if isinstance(value, str):
                yield path, {**record, name: value * 40}  # long: a serial number too long
                yield path, {**record, name: "漢字"}  # not in the barcode's encoding
            yield path, {key: item for key, item in record.items() if key != name}


@pytest.mark.parametrize("layout_path", shipped_layouts(), ids=lambda path: path.stem)
def test_shipped_layouts_render_alike_compiled(layout_path: Path) -> None:
    loaded = load_layout(layout_path)
    twin = interpreted(loaded)
    for path, record in shipped_cases():
        if path == layout_path:
            assert outcome(loaded, record) == outcome(twin, record)


def test_a_list_writes_a_tuple_and_leaves_out_omitted_items() -> None:
    node = ListNode(
        [
            Const("a"),
            Const(OMIT),
            Guarded("g", True, Slot("v", "here")),
            Slot("w", "there"),
        ]
    )
    function = compile_node(node, "<test>")
    values = {"g": 0, "v": "b", "w": "c"}
    assert function(values) == node.evaluate(values) == ("a", "c")
    values["g"] = 1
    assert function(values) == node.evaluate(values) == ("a", "b", "c")
    assert compile_node(ListNode([]), "<test>")({}) == ()


def test_generated_source_holds_no_layout_text() -> None:
    """Values reach the generated function as bound objects, never as source text."""
    code = FunctionWriter()
    hostile = "'); import os; os.system('false') #"
    result = Const({hostile: hostile}).emit(code)
    source = code.source("evaluate", result)
    assert "import" not in source and hostile not in source
    assert code.compile("evaluate", result, "<test>")({}) == {hostile: hostile}


class FullValidation:
    """Stands in for the Pass's validator, to show rendering does not call it."""

    def validate_python(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the Pass's full validation ran")


@pytest.mark.parametrize("layout_path", shipped_layouts(), ids=lambda path: path.stem)
def test_shipped_layouts_validate_only_the_varying_parts_of_a_pass(
    layout_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from passkit.model import Pass

    loaded = load_layout(layout_path)
    record = json.loads(fixture_for(layout_path).read_text(encoding="utf-8"))
    expected = loaded.render(record, now=NOW)
    monkeypatch.setattr(Pass, "__pydantic_validator__", FullValidation())
    assert loaded.render(record, now=NOW) == expected


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


def test_a_traceback_through_generated_code_shows_its_lines(every_node: Layout) -> None:
    import traceback

    function = compile_node(ListNode([Slot("missing", "here")]), "<passkit layout test>")
    with pytest.raises(KeyError) as caught:
        function({})
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert frame.filename == "<passkit layout test>"
    assert frame.line == "t2 = values['missing']"
    generated = every_node._plan.make_pass.__code__.co_filename
    assert generated == f"<passkit layout {every_node.path.absolute()}>"


class CountingValidator:
    """A model's validator that counts its calls."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def validate_python(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.inner.validate_python(*args, **kwargs)


def test_fields_of_plain_text_and_numbers_are_not_validated_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from passkit.model import PassField

    counting = CountingValidator(PassField.__pydantic_validator__)
    monkeypatch.setattr(PassField, "__pydantic_validator__", counting)
    path = LAYOUTS_DIR / "loyalty.yaml"
    loaded = load_layout(path)
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    counting.calls = 0
    p = loaded.render(record, now=NOW)
    # tier, points, member and member_id are text or a number; member_since is a date
    assert counting.calls == 1
    assert [type(f.value) for _, f in p.fields()][:5] == [str, int, str, str, datetime]
    monkeypatch.undo()
    assert outcome(loaded, record) == outcome(interpreted(loaded), record)
