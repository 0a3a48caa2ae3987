"""What compile_google keeps from one pass to the next (the class of a layout, the localizer of a
language and its tables, roles and card rows worked out from the keys, module ids, link URIs)
must never show through: every pass compiles, with the caches warm from other passes, exactly
as it does in a fresh process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passkit.errors import PasskitError, WalletRuleError
from passkit.google import GoogleOptions, GooglePass, common, compile_google, ids, localize
from passkit.google import compile as google_compile
from passkit.images import ImageSource
from passkit.layout import fixture_for, load_layout, shipped_layouts
from passkit.model import Pass, PassField
from tests.support.google import (
    CET,
    ISSUER_ID,
    KIND_DATA,
    TRAIN,
    full_images,
    hosted_image,
    sample_pass,
)

Compile = Callable[[], GooglePass]
PARIS = ZoneInfo("Europe/Paris")


def forget_everything() -> None:
    """Every cache of the compiler emptied, as in a fresh process."""
    google_compile.clear_class_cache()
    google_compile.payload_frame.cache_clear()
    localize._LOCALIZERS.clear()
    common._role_positions.cache_clear()
    common._card_rows.cache_clear()
    common.link_uri.cache_clear()
    common._is_utf8.cache_clear()
    ids.safe_module_id.cache_clear()
    common._last = (None, common.PassFields((), (), ()))


def outcome(make: Compile) -> Any:
    """Everything a compilation gives (or the error it raises), comparable with ==."""
    try:
        gp = make()
    except WalletRuleError as exc:
        return f"WalletRuleError: {exc}"
    return (
        gp.kind,
        gp.class_id,
        gp.object_id,
        json.dumps(gp.payload()),
        gp.payload_text(),
        gp.class_text,
        gp.notices,
        gp.origins,
        gp.plain_floats,
    )


def assert_warm_equals_cold(cases: list[Compile]) -> None:
    """Compile every case with the caches warm from all the others, twice over and in both
    orders, and compare each with a compilation from empty caches."""
    cold = []
    for make in cases:
        forget_everything()
        cold.append(outcome(make))
    forget_everything()
    for order in (cases, cases[::-1], cases):
        warm = [outcome(make) for make in order]
        assert warm == (cold if order is cases else cold[::-1])


def compiled(p: Pass, **kwargs: Any) -> Compile:
    return lambda: compile_google(p, **{"issuer_id": ISSUER_ID, **kwargs})


def other_image(name: str) -> ImageSource:
    """The same image as the sample's, at another address."""
    source = full_images()[name]
    return ImageSource.from_bytes(source.data, name=source.name, url=f"{source.url}?v=2")


def variants(kind: str) -> Iterator[Pass]:
    """The sample pass of `kind`, and passes that differ from it in one thing a class, a
    localizer, the roles or the card rows depend on."""
    yield sample_pass(kind)
    yield sample_pass(kind, serial_number="another-serial")
    yield sample_pass(kind, organization="Other Coffee")
    yield sample_pass(kind, title="Other title", description="Other description")
    yield sample_pass(kind, logo_text="Other logo text")
    yield sample_pass(kind, background_color="#00ff00")
    yield sample_pass(kind, sharing_prohibited=True)
    yield sample_pass(kind, language="de")
    yield sample_pass(kind, translations={})
    yield sample_pass(kind, translations={"fr": {"strings": {"Points": "Pts", "Tier": "Rang"}}})
    yield sample_pass(
        kind,
        translations={"fr": {"strings": {"Welcome": "Salut"}}, "de": {"strings": {}}},
    )
    for name in ("icon", "logo", "strip", "thumbnail", "footer"):
        yield sample_pass(kind, images={**full_images(), name: other_image(name)})
        same = full_images()[name]
        copy = ImageSource.from_bytes(same.data, name=same.name, url=same.url)
        yield sample_pass(kind, images={**full_images(), name: copy})
    base = sample_pass(kind)
    for group in ("header", "primary", "secondary", "auxiliary", "back"):
        fields = getattr(base, group)
        if not fields:
            continue
        first = fields[0]
        relabelled = first.model_copy(update={"label": f"{first.label} (new)"})
        rekeyed = first.model_copy(update={"key": f"{first.key}_renamed"})
        yield base.model_copy(update={group: (relabelled, *fields[1:])})
        yield base.model_copy(update={group: (rekeyed, *fields[1:])})
        yield base.model_copy(update={group: fields[1:]})
        yield base.model_copy(update={group: (*fields, *(f for f in base.back if f not in fields))})


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_passes_that_differ_in_one_thing_compile_as_in_a_fresh_process(kind: str) -> None:
    cases = [compiled(p) for p in variants(kind)]
    assert_warm_equals_cold(cases)


def test_options_and_ids_compile_as_in_a_fresh_process() -> None:
    p = sample_pass("loyalty")
    options = [
        GoogleOptions(),
        GoogleOptions(issuer_name="Acme Issuer"),
        GoogleOptions(program_logo=hosted_image("program")),
        GoogleOptions(program_logo=other_image("icon")),
        GoogleOptions(hero_image=hosted_image("hero", (1032, 336))),
        GoogleOptions(card_rows=(("tier",), ("valid", "member_id"))),
        GoogleOptions(card_rows=(("tier", "unknown"), ("points",))),
        GoogleOptions(class_suffix="acme.rewards"),
        GoogleOptions(origins=("https://shop.example",)),
    ]
    cases = [compiled(p, options=o) for o in options]
    cases += [compiled(p, issuer_id="1234"), compiled(p, class_suffix="other.suffix")]
    coupon = sample_pass("coupon")
    cases += [
        compiled(coupon, options=GoogleOptions(redemption_channel=channel))
        for channel in ("BOTH", "ONLINE")
    ]
    assert_warm_equals_cold(cases)


def test_values_that_decide_roles_compile_as_in_a_fresh_process() -> None:
    money = {"amount": "25.50", "currency": "EUR"}
    gift = [
        sample_pass("gift_card", primary=[{"key": "balance", "label": "Balance", "value": value}])
        for value in (money, "ten coffees", 30, {"amount": "7", "currency": "USD"})
    ]
    event = sample_pass("event_ticket")
    assert event.event is not None
    events = [
        event,
        event.model_copy(update={"event": event.event.model_copy(update={"name": "Other"})}),
        *(
            event.model_copy(update={"event": event.event.model_copy(update={"starts_at": at})})
            for at in (
                datetime(2026, 5, 2, 19, 30, tzinfo=CET),
                datetime(2026, 5, 2, 18, 30, tzinfo=UTC),  # the same instant, read otherwise
                datetime(2026, 10, 25, 2, 30, tzinfo=PARIS),
                datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),  # an hour later
                None,
            )
        ),
    ]
    boarding = sample_pass("boarding_pass")
    assert boarding.trip is not None
    trips = [
        boarding,
        sample_pass("boarding_pass", **TRAIN),
        boarding.model_copy(update={"trip": boarding.trip.model_copy(update={"number": "LX 15"})}),
        boarding.model_copy(update={"trip": boarding.trip.model_copy(update={"carrier": "??"})}),
        boarding.model_copy(update={"trip": boarding.trip.model_copy(update={"seat": None})}),
    ]
    loyalty = [
        sample_pass("loyalty", header=[{"key": "points", "label": "Points", "value": value}])
        for value in (1250, Decimal("2.5"), Decimal("1e-7"), "many")
    ]
    assert_warm_equals_cold([compiled(p) for p in [*gift, *events, *trips, *loyalty]])


def test_a_translation_table_changed_in_place_is_seen() -> None:
    p = sample_pass("loyalty")
    before = outcome(compiled(p))
    p.translations["de"].strings["Points"] = "Pünktchen"  # a dict inside a frozen model
    after = outcome(compiled(p))
    assert after != before
    forget_everything()
    assert outcome(compiled(p)) == after
    p.translations["de"].strings["Points"] = "Punkte"
    assert outcome(compiled(p)) == before


def test_errors_are_raised_for_every_pass_not_remembered() -> None:
    unhosted = ImageSource.from_bytes(full_images()["logo"].data, name="logo.png")
    bad = sample_pass("loyalty", images={"logo": unhosted})
    good = sample_pass("loyalty")
    for _ in range(2):
        with pytest.raises(WalletRuleError, match="no public URL"):
            compile_google(bad, issuer_id=ISSUER_ID)
        compile_google(good, issuer_id=ISSUER_ID)


def test_fields_of_the_last_pass_are_not_those_of_another() -> None:
    a = sample_pass("loyalty")
    b = sample_pass("loyalty", back=[{"key": "only", "label": "Only", "value": "one"}])
    for p in (a, b, a, b):
        assert common.pass_fields(p).fields == tuple(f for _, f in p.fields())
        assert common.pass_fields(p).keys == tuple(f.key for _, f in p.fields())


@pytest.mark.parametrize("path", shipped_layouts(), ids=lambda path: path.stem)
def test_every_shipped_layout_compiles_as_in_a_fresh_process(path: Any) -> None:
    layout = load_layout(path)
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    passes = [layout.render(record)]
    for key, value in record.items():  # another record: one text input changed
        if isinstance(value, str) and value:
            try:
                passes.append(layout.render({**record, key: value[:-1] + next_char(value[-1])}))
            except PasskitError:
                continue
    assert len(passes) > 1
    assert_warm_equals_cold([compiled(p, options=layout.google) for p in passes])


def next_char(char: str) -> str:
    """Another character of the same kind (digit, capital, small letter)."""
    for first, count in (("0", 10), ("A", 26), ("a", 26)):
        offset = ord(char) - ord(first)
        if 0 <= offset < count:
            return chr(ord(first) + (offset + 1) % count)
    return char


keys = st.sampled_from(["points", "tier", "member", "member_id", "name", "a.b", "x-y", "note"])
labels = st.sampled_from([None, "Points", "Tier", "Member", "Note", "Punkte"])
texts = st.sampled_from(["Points", "Tier", "Member", "Gold", "Note", "Welcome"])
tables = st.dictionaries(texts, st.sampled_from(["Punkte", "Stufe", "Gold", "Mitglied", "Hi"]))


@st.composite
def loyalty_passes(draw: st.DrawFn) -> Pass:
    chosen = draw(st.lists(keys, unique=True, max_size=6))
    fields = [
        PassField(key=key, label=draw(labels), value=draw(texts | st.integers(0, 99)))
        for key in chosen
    ]
    split = draw(st.integers(0, len(fields)))
    languages = draw(st.lists(st.sampled_from(["de", "fr", "en"]), unique=True, max_size=2))
    return sample_pass(
        "loyalty",
        language=draw(st.sampled_from(["en", "de"])),
        header=[],
        primary=fields[:split],
        secondary=[],
        auxiliary=[],
        back=fields[split:],
        translations={lang: {"strings": draw(tables)} for lang in languages},
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(loyalty_passes(), min_size=2, max_size=4))
def test_generated_passes_compile_as_in_a_fresh_process(passes: list[Pass]) -> None:
    assert_warm_equals_cold([compiled(p) for p in passes])


def reference_translations(
    language: str, tables: dict[str, dict[str, str]], text: str
) -> list[dict[str, str]]:
    """translatedValues the plain way: every other language whose table changes the text."""
    return [
        {"language": lang, "value": table.get(text, text)}
        for lang, table in tables.items()
        if lang != language and table.get(text, text) != text
    ]


words = st.sampled_from(["Points", "Punkte", "Tier", "Stufe", "Gold", "", "Ünïcödé"])


@settings(max_examples=200, deadline=None)
@given(
    language=st.sampled_from(["en", "de", "fr"]),
    tables=st.dictionaries(
        st.sampled_from(["en", "de", "fr", "pt-BR"]), st.dictionaries(words, words)
    ),
    text=words,
    plain_required=st.booleans(),
)
def test_localizer_gives_the_translations_of_the_plain_way(
    language: str, tables: dict[str, dict[str, str]], text: str, plain_required: bool
) -> None:
    loc = localize.Localizer(language, tables)
    expected = reference_translations(language, tables, text)
    assert loc.translated_values(text) == expected
    default = {"language": language, "value": text}
    assert loc.text(text) == (
        {"defaultValue": default, "translatedValues": expected}
        if expected
        else {"defaultValue": default}
    )
    target: dict[str, Any] = {}
    loc.put_text(target, "plain", "localized", text, plain_required=plain_required)
    if expected:
        assert target.pop("localized") == {"defaultValue": default, "translatedValues": expected}
    if not expected or plain_required:
        assert target.pop("plain") == text
    assert target == {}


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_shared_object_fields_are_copied_fresh_and_equal(kind: str) -> None:
    gp = compile_google(sample_pass(kind), issuer_id=ISSUER_ID)
    compiled_class = gp.compiled_class
    first, second = compiled_class.shared_object_copy(), compiled_class.shared_object_copy()
    assert first == second == compiled_class.shared_object_fields
    assert json.dumps(first) == json.dumps(compiled_class.shared_object_fields)
    first["changed"] = {"by": "the caller"}
    for value in first.values():
        if isinstance(value, dict):
            value.clear()
    assert compiled_class.shared_object_copy() == compiled_class.shared_object_fields
    assert "changed" not in compiled_class.shared_object_fields
    if kind == "generic":  # the one type whose class puts fields on every object
        assert compiled_class.shared_object_source is not None
        assert set(first) >= {"cardTitle", "header"}


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1.5},
        {"a": [1, 2**70]},
        {"a": "\ud800"},
        {"a": (1, 2)},
        {1: "a"},
        {"a": type("Text", (str,), {})("x")},
        {"a": True, "b": None, "c": [{"d": "é"}], "e": -(2**63)},
    ],
)
def test_shared_fields_are_parsed_only_when_parsing_gives_them_back(value: Any) -> None:
    source = google_compile.parse_source(value)
    if source is None:
        return
    parsed = orjson.loads(source)
    assert parsed == value
    assert json.dumps(parsed) == json.dumps(value)
    assert [type(v) for v in parsed.values()] == [type(v) for v in value.values()]


def test_which_shared_fields_are_parsed() -> None:
    assert google_compile.parse_source({"a": True, "b": None, "c": [{"d": "é"}]}) is not None
    for value in ({"a": 1.5}, {"a": 2**70}, {"a": "\ud800"}, {"a": (1,)}, {1: "a"}):
        assert google_compile.parse_source(value) is None
