"""Generated barcode values: alphabet, length, stable per serial, keyed, or random."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from passkit.errors import LayoutError
from passkit.layout import Layout
from passkit.layout.barcodes import ALPHABETS, CodeGenerator
from tests.support.layout import MINIMAL, WITH_ID, layout, render, value


def generated(tmp_path: Path, generate: str, extra: str = "", name: str = "layout.yaml") -> Layout:
    text = (
        WITH_ID
        + "barcode:\n  format: code128\n  alt_text: '{{ barcode_value }}'\n  generate:\n"
        + "".join(f"    {line}\n" for line in generate.strip().splitlines())
        + extra
    )
    return layout(tmp_path, text, name)


@pytest.mark.parametrize(
    ("characters", "pattern"),
    [("numeric", r"[0-9]+"), ("alphabetic", r"[A-Z]+"), ("alphanumeric", r"[0-9A-Z]+")],
)
@pytest.mark.parametrize("length", [4, 12, 37, 100])
def test_alphabet_and_length(tmp_path: Path, characters: str, pattern: str, length: int) -> None:
    loaded = generated(tmp_path, f"characters: {characters}\nlength: {length}")
    for serial in ("a", "b", "member-0001"):
        p = render(loaded, {"id": serial})
        assert p.barcode is not None
        code = p.barcode.message
        assert len(code) == length and re.fullmatch(pattern, code)
        assert p.barcode.alt_text == code  # templates see the generated value


def test_from_serial_is_stable_per_serial_and_differs_between_serials(tmp_path: Path) -> None:
    loaded = generated(tmp_path, "characters: alphanumeric\nlength: 16")
    first = render(loaded, {"id": "A-1"}).barcode
    again = load_again(tmp_path).render({"id": "A-1"}).barcode
    assert first is not None and again is not None and first.message == again.message
    codes = {render(loaded, {"id": f"A-{i}"}).barcode.message for i in range(300)}  # type: ignore[union-attr]
    assert len(codes) == 300


def load_again(tmp_path: Path) -> Layout:
    from passkit.layout import load_layout

    return load_layout(tmp_path / "layout.yaml")


def test_the_secret_key_changes_the_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_BARCODE_SECRET", "one secret")
    keyed = generated(tmp_path, "length: 20\nsecret_env: TEST_BARCODE_SECRET", name="a.yaml")
    monkeypatch.setenv("TEST_BARCODE_SECRET", "another secret")
    other = generated(tmp_path, "length: 20\nsecret_env: TEST_BARCODE_SECRET", name="b.yaml")
    plain = generated(tmp_path, "length: 20", name="c.yaml")
    codes = {render(x, {"id": "42"}).barcode.message for x in (keyed, other, plain)}  # type: ignore[union-attr]
    assert len(codes) == 3


def test_a_missing_secret_is_a_layout_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SECRET_FOR_TESTS", raising=False)
    with pytest.raises(LayoutError) as caught:
        generated(tmp_path, "length: 10\nsecret_env: NO_SUCH_SECRET_FOR_TESTS")
    assert caught.value.field == "barcode.generate.secret_env" and caught.value.line == 12
    assert "NO_SUCH_SECRET_FOR_TESTS is not set" in str(caught.value)


def test_random_codes_differ(tmp_path: Path) -> None:
    loaded = generated(tmp_path, "characters: numeric\nlength: 18\nmode: random")
    codes = {render(loaded, {"id": "same"}).barcode.message for _ in range(50)}  # type: ignore[union-attr]
    assert len(codes) == 50
    assert all(len(code) == 18 and code.isdigit() for code in codes)


def test_derived_characters_are_evenly_spread() -> None:
    generator = CodeGenerator(characters="alphanumeric", length=100, mode="from_serial", key=b"k")
    counts: dict[str, int] = {}
    for i in range(400):
        for char in generator.generate(f"serial-{i}"):
            counts[char] = counts.get(char, 0) + 1
    assert set(counts) == set(ALPHABETS["alphanumeric"])
    expected = 400 * 100 / 36
    assert all(abs(count - expected) < expected * 0.15 for count in counts.values())


def test_a_code_can_be_shown_in_a_field(tmp_path: Path) -> None:
    loaded = generated(
        tmp_path,
        "length: 8",
        "fields:\n  back:\n    - {key: code, label: Code, value: '{{ barcode_value }}'}\n",
    )
    p = render(loaded, {"id": "x"})
    assert p.barcode is not None and value(p, "code") == p.barcode.message


@pytest.mark.parametrize(
    ("generate", "words"),
    [
        ("length: 3", "greater than or equal to 4"),
        ("length: 101", "less than or equal to 100"),
        ("length: 10\ncharacters: hex", "'numeric', 'alphabetic' or 'alphanumeric'"),
        ("length: 10\nmode: sometimes", "'from_serial' or 'random'"),
    ],
)
def test_bad_generation_settings(tmp_path: Path, generate: str, words: str) -> None:
    with pytest.raises(LayoutError, match=words):
        generated(tmp_path, generate)


def test_message_and_generate_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="either a message or generate") as caught:
        layout(
            tmp_path,
            MINIMAL + "inputs: {id: string}\nbarcode:\n  message: x\n  generate: {length: 8}\n",
        )
    assert caught.value.field == "barcode" and caught.value.line == 6
