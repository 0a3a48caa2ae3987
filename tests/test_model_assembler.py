"""`Assembler`: building a model from fixed and varying arguments gives what the model gives.

Same instances (values, field order, fields set), same errors word for word, no container shared
between instances, and no assembler where the model could not be built this way.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pydantic import ValidationError, field_validator, model_validator

from passkit.errors import WalletRuleError
from passkit.model import (
    PASS_FIELD_UNCHANGED,
    Assembler,
    Barcode,
    Location,
    Model,
    Money,
    Pass,
    PassField,
    TransitType,
    Translation,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def icon() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (29, 29), "red").save(buffer, format="PNG")
    return buffer.getvalue()


FIXED: dict[str, Any] = {
    "kind": "loyalty",
    "organization": "Lumen Coffee",
    "description": "Loyalty card",
    "background_color": "#2b1a12",
    "foreground_color": "white",
    "images": {"icon": icon()},
    "back": (PassField(key="terms", value="Fair use"),),
    "locations": (Location(latitude=48.85, longitude=2.35),),
    "translations": {"fr": Translation(strings={"Points": "Points"})},
    "user_info": {"tier": ["gold"]},
}
VARYING = ("serial_number", "primary", "barcode", "issued_at", "expiration_date", "title")


def good(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "serial_number": "M-1",
        "primary": (PassField(key="points", value=1280),),
        "barcode": Barcode(message="M-1"),
        "issued_at": NOW,
    }
    values.update(changes)
    return values


@pytest.fixture(scope="module")
def assembler() -> Assembler[Pass]:
    made = Assembler.make(Pass, FIXED, VARYING)
    assert made is not None
    return made


def reference(varying: dict[str, Any], fixed: dict[str, Any] = FIXED) -> Any:
    """What the model's own validation gives: the instance, or the error's type and text."""
    try:
        return Pass.__pydantic_validator__.validate_python({**fixed, **varying})
    except (ValidationError, WalletRuleError) as exc:
        return type(exc), str(exc)


def assembled(assembler: Assembler[Pass], varying: dict[str, Any]) -> Any:
    try:
        return assembler(varying)
    except (ValidationError, WalletRuleError) as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize(
    "varying",
    [
        good(),
        good(title="Rewards", expiration_date=datetime(2027, 1, 1, tzinfo=UTC)),
        {"serial_number": "only"},
        good(primary=()),
    ],
)
def test_the_same_pass_as_the_model_builds(
    assembler: Assembler[Pass], varying: dict[str, Any]
) -> None:
    made = assembler(varying)
    expected = reference(varying)
    assert made == expected and repr(made) == repr(expected)
    assert made.model_fields_set == expected.model_fields_set
    assert list(made.__dict__) == list(expected.__dict__)
    assert made.model_dump() == expected.model_dump()


@pytest.mark.parametrize(
    "varying",
    [
        good(serial_number=""),
        good(serial_number="x" * 257),
        good(serial_number=12),
        good(primary=(PassField(key="terms", value=1),)),  # the key of a fixed back field
        good(primary=[{"key": "a b", "value": 1}]),
        good(barcode={"message": "é", "format": "code128"}),
        good(issued_at=datetime(2026, 1, 1)),  # no time zone
        good(title=["not", "text"], issued_at="yesterday"),  # two errors, in field order
        good(unknown=1),
        {},
    ],
)
def test_the_same_errors_as_the_model_raises(
    assembler: Assembler[Pass], varying: dict[str, Any]
) -> None:
    expected = reference(varying)
    assert isinstance(expected, tuple)  # every case here is refused
    assert assembled(assembler, varying) == expected


def test_field_validators_run_on_varying_arguments() -> None:
    fixed = {k: v for k, v in FIXED.items() if k != "locations"}
    assembler = Assembler.make(Pass, fixed, (*VARYING, "locations"))
    assert assembler is not None
    many = good(locations=[Location(latitude=1, longitude=1)] * 11)
    assert assembled(assembler, many) == reference(many, fixed)
    assert "at most 10 locations" in str(reference(many, fixed))
    assert assembler(good(locations=[{"latitude": 1, "longitude": 2}])).locations == (
        Location(latitude=1, longitude=2),
    )


def test_an_argument_is_fixed_or_varying_not_both() -> None:
    assert Assembler.make(Pass, FIXED, (*VARYING, "locations")) is None


def test_no_container_is_shared_between_passes(assembler: Assembler[Pass]) -> None:
    first, second = assembler(good()), assembler(good())
    assert first.translations == second.translations and first.user_info == second.user_info
    assert first.translations is not second.translations
    assert first.user_info is not second.user_info
    # as the model does: a new container, the same items
    assert first.user_info is not None and second.user_info is not None
    assert first.user_info["tier"] is second.user_info["tier"]
    assert first.translations is not FIXED["translations"]


def test_no_default_container_is_shared_between_passes() -> None:
    fixed = {"kind": "loyalty", "organization": "Lumen Coffee", "description": "Card"}
    assembler = Assembler.make(Pass, fixed, ["serial_number"])
    assert assembler is not None
    first, second = assembler({"serial_number": "1"}), assembler({"serial_number": "2"})
    assert first.translations == second.translations == {}
    assert first.translations is not second.translations
    assert "translations" not in first.model_fields_set


def test_model_validators_run_on_every_instance() -> None:
    fixed = {"kind": "boarding_pass", "organization": "Rail", "description": "Ticket"}
    assembler = Assembler.make(Pass, fixed, ["serial_number"])
    assert assembler is not None
    assert assembler({"serial_number": "1"}).transit_type is TransitType.GENERIC


def test_fixed_arguments_that_do_not_validate_leave_it_to_the_model() -> None:
    assert Assembler.make(Pass, {**FIXED, "organization": ""}, VARYING) is None
    assert Assembler.make(Pass, {**FIXED, "colour": "red"}, VARYING) is None
    assert Assembler.make(Pass, FIXED, [*VARYING, "no_such_field"]) is None


class ReadsOtherFields(Model):
    low: int
    high: int

    @field_validator("high")
    @classmethod
    def _above_low(cls, value: int, info: Any) -> int:
        if value < info.data.get("low", 0):
            raise ValueError("high must not be below low")
        return value


class AfterWithInfo(Model):
    value: int

    @model_validator(mode="after")
    def _check(self, info: Any) -> AfterWithInfo:
        return self


class Before(Model):
    value: int

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        return data


@pytest.mark.parametrize(
    ("model", "fixed", "varying"),
    [
        (ReadsOtherFields, {"low": 5}, ["high"]),
        (AfterWithInfo, {}, ["value"]),
        (Before, {}, ["value"]),
    ],
)
def test_no_assembler_for_validators_it_cannot_run_alone(
    model: type[Model], fixed: dict[str, Any], varying: list[str]
) -> None:
    assert Assembler.make(model, fixed, varying) is None


def test_small_models_can_be_assembled_too() -> None:
    fixed = {"key": "points", "label": "Points"}
    assembler = Assembler.make(PassField, fixed, ["value"])
    assert assembler is not None
    assert assembler({"value": 3}) == PassField(key="points", label="Points", value=3)
    with pytest.raises(ValidationError, match="not true/false"):
        assembler({"value": True})


@pytest.mark.parametrize("broken", [{}, {"type": "model"}, None])
def test_a_core_schema_of_an_unknown_shape_means_no_assembler(
    monkeypatch: pytest.MonkeyPatch, broken: Any
) -> None:
    # pydantic's core schema is not a public format: another version may shape it otherwise,
    # and the model is then built the ordinary way rather than failing.
    monkeypatch.setattr(PassField, "__pydantic_core_schema__", broken)
    assert Assembler.make(PassField, {"key": "points"}, ["value"]) is None


class FullValidation:
    """Stands in for a model's validator, to show an assembler does not call it."""

    def validate_python(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model's full validation ran")


def test_a_good_pass_is_built_without_the_full_validation(
    assembler: Assembler[Pass], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = assembler(good())
    monkeypatch.setattr(Pass, "__pydantic_validator__", FullValidation())
    assert assembler(good()) == expected
    with pytest.raises(AssertionError, match="full validation"):
        assembler(good(serial_number=""))  # errors are the full validation's


@settings(max_examples=200, deadline=None)
@given(
    label=st.text(),
    value=st.one_of(st.text(), st.integers(), st.integers(min_value=2**63, max_value=2**200)),
    change_message=st.text(),
)
def test_plain_field_values_come_out_of_validation_unchanged(
    label: str, value: str | int, change_message: str
) -> None:
    """What PASS_FIELD_UNCHANGED claims, and what `unvalidated` builds on it."""
    varying = {"label": label, "value": value, "change_message": change_message}
    for name, item in varying.items():
        assert type(item) in PASS_FIELD_UNCHANGED[name]
    fixed = {"key": "points", "number_style": "decimal"}
    validated = PassField(**fixed, **varying)
    assert {name: getattr(validated, name) for name in varying} == varying
    assert {name: type(getattr(validated, name)) for name in varying} == {
        name: type(item) for name, item in varying.items()
    }
    assembler = Assembler.make(PassField, fixed, list(varying))
    assert assembler is not None
    built = assembler.unvalidated(varying)
    assert built == validated and list(built.__dict__) == list(validated.__dict__)
    assert built.model_fields_set == validated.model_fields_set
    assert type(built.model_fields_set) is set


def test_what_is_not_plain_is_not_claimed_unchanged() -> None:
    # bool is an int, float and Decimal become Decimals, subclasses of str are not str
    for value in (True, 1.5, Decimal("2"), Money(amount=Decimal(1), currency="EUR")):
        assert type(value) not in PASS_FIELD_UNCHANGED["value"]
    with pytest.raises(WalletRuleError):
        PassField(key="a", value=True)
    assert type(PassField(key="a", value=1.5).value) is Decimal
