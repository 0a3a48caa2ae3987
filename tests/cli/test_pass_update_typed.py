"""`passkit pass update SERIAL --set NAME=VALUE`: each value is read by the layout's input of
that name and stored as that typed value; a value the input does not take is refused, naming
the input and what it expects, and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from passkit.devcerts import DevCertificates
from tests.service.support import use_service_settings
from tests.support.cli import exit_status
from tests.support.layout import write

SERIAL = "typed-1"
# One input of every type, each shown on the pass.
TYPED_LAYOUT = """\
kind: generic
organization: Test Org
description: Test pass
serial_number: "typed-{{ id }}"
images:
  icon: icon.png
inputs:
  id: string
  points: {type: integer, min: 0}
  rate: {type: decimal, required: false}
  balance: {type: money, currency: EUR}
  member_since: {type: date, required: false}
  doors: {type: datetime, time_zone: Europe/Paris, required: false}
  vip: {type: boolean, default: false}
  tags: {type: list, items: integer, required: false}
  tier: {type: string, choices: [Green, Gold], default: Green}
fields:
  primary:
    - {key: points, label: Points, value: "{{ points }}"}
  secondary:
    - {key: balance, label: Balance, value: "{{ balance }}"}
  back:
    - {key: rate, label: Rate, value: "{{ rate }}"}
    - {key: since, label: Since, value: "{{ member_since }}"}
    - {key: doors, label: Doors, value: "{{ doors }}"}
    - {key: vip, label: VIP, value: "{{ 'yes' if vip else 'no' }}"}
    - {key: tags, label: Tags, value: "{{ tags | join(',') if tags else '-' }}"}
    - {key: tier, label: Tier, value: "{{ tier }}"}
"""


@pytest.fixture
def issued(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    """A pass of TYPED_LAYOUT issued into passkit.db in the working directory `tmp_path`."""
    monkeypatch.chdir(tmp_path)
    use_service_settings(monkeypatch, dev_certs, "https://passes.example.com/passes")
    layouts = tmp_path / "layouts"
    layout = write(layouts, TYPED_LAYOUT, "typed.yaml")
    Image.new("RGB", (87, 87), (43, 26, 18)).save(layouts / "icon.png")
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"id": "1", "points": 10, "balance": "5 EUR"}))
    assert exit_status("pass", "issue", str(layout), "--data", str(record), "--out", "out") == 0
    capsys.readouterr()
    return tmp_path


def update(*values: str) -> int:
    options = [part for value in values for part in ("--set", value)]
    return exit_status("pass", "update", SERIAL, "--layouts", "layouts", *options)


def shown(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """What `passkit pass show` prints about the pass."""
    capsys.readouterr()
    assert exit_status("pass", "show", SERIAL) == 0
    summary: dict[str, Any] = json.loads(capsys.readouterr().out)
    return summary


def test_each_value_is_stored_as_its_input_reads_it(
    issued: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = (
        "points=1250",
        "rate=0.1",
        "balance=12.50 EUR",
        "member_since=2022-01-05",
        "doors=2026-12-01T20:00",
        "vip=yes",
        'tags=[1, "2"]',
        "tier=Gold",
    )
    assert update(*values) == 0
    assert capsys.readouterr().out == f"{SERIAL}: updated\n"
    record = shown(capsys)["record"]
    assert record == {
        "id": "1",
        "points": 1250,
        "rate": 0.1,
        "balance": {"amount": "12.50", "currency": "EUR"},
        "member_since": "2022-01-05",
        "doors": "2026-12-01T20:00:00+01:00",  # the input's time zone, written out
        "vip": True,
        "tags": [1, 2],
        "tier": "Gold",
    }
    # What is stored renders as what was given: the same values again change nothing.
    tag = shown(capsys)["tag"]
    assert update(*values) == 0
    assert capsys.readouterr().out == f"{SERIAL}: unchanged\n"
    assert shown(capsys)["tag"] == tag


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("7", 7),
        ("-2.5", -2.5),
        # Digits a JSON number would lose (its trailing zero, or more than a float holds)
        # stay text, which the input reads back digit for digit.
        ("12.50", "12.50"),
        ("0.10000000000000000555", "0.10000000000000000555"),
    ],
)
def test_a_decimal_is_stored_so_that_its_input_reads_back_the_same_digits(
    issued: Path, capsys: pytest.CaptureFixture[str], given: str, stored: object
) -> None:
    assert update(f"rate={given}") == 0
    assert shown(capsys)["record"]["rate"] == stored


def test_empty_text_clears_an_input_that_is_not_required(
    issued: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert update("member_since=2022-01-05") == 0
    assert update("member_since=") == 0
    assert shown(capsys)["record"]["member_since"] is None


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        ("points=lots", "points", "expected a whole number, got 'lots'"),
        ("points=-1", "points", "expected at least 0, got -1"),
        ("points=", "points", "missing: this integer input is required"),
        ("member_since=yesterday", "member_since", "expected a date such as 2026-12-01"),
        ("balance=12 USD", "balance", "expected an amount in EUR"),
        ("doors=8pm", "doors", "expected an ISO 8601 date-time"),
        ("vip=perhaps", "vip", "expected true or false, got 'perhaps'"),
        ("tags=[1, 2.5]", "tags", "item 2: expected a whole number"),
        ("tier=Platinum", "tier", "expected one of 'Green', 'Gold', got 'Platinum'"),
        ("pionts=3", "pionts", "the layout has no input called 'pionts'; did you mean 'points'?"),
    ],
)
def test_a_value_its_input_does_not_take_is_refused_and_nothing_is_stored(
    issued: Path, capsys: pytest.CaptureFixture[str], value: str, name: str, expected: str
) -> None:
    before = shown(capsys)
    # A good value beside the bad one is not stored either.
    assert update("points=99", value) == 2

    err = capsys.readouterr().err
    [line] = err.splitlines()
    assert line.startswith(f"error: pass {SERIAL} (layout typed), input '{name}': ")
    assert expected in line
    assert shown(capsys) == before
