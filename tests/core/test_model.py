"""The Pass model: what it accepts, and the clear error for everything a caller can get wrong."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageColor

from passkit.colors import Color
from passkit.errors import ImageError, WalletRuleError
from passkit.images import ImageSource
from passkit.model import (
    FIELD_GROUPS,
    Barcode,
    Kind,
    Money,
    Pass,
    PassField,
    Status,
    TransitType,
)

BEACON_UUID = "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"


def make(**changes: Any) -> Pass:
    values: dict[str, Any] = {
        "kind": "loyalty",
        "serial_number": "M-1",
        "organization": "Lumen Coffee",
        "description": "Loyalty card",
    }
    values.update(changes)
    return Pass(**values)


def png(size: tuple[int, int] = (40, 30), color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def refused(message: str, **changes: Any) -> None:
    with pytest.raises(WalletRuleError, match=re.escape(message)):
        make(**changes)


def test_a_minimal_pass_has_sensible_defaults() -> None:
    p = make()
    assert p.kind is Kind.LOYALTY and p.status is Status.ACTIVE and p.language == "en"
    assert p.locations == () and p.translations == {} and p.barcode is None


def test_boarding_pass_defaults_to_a_generic_transit_type() -> None:
    assert make(kind="boarding_pass").transit_type is TransitType.GENERIC
    assert make(kind="boarding_pass", transit_type="train").transit_type is TransitType.TRAIN


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("#2b1a12", (43, 26, 18)),
        ("#fff", (255, 255, 255)),
        ("rgb(10, 20, 30)", (10, 20, 30)),
        ("rebeccapurple", (102, 51, 153)),
        ((1, 2, 3), (1, 2, 3)),
    ],
)
def test_colours_in_every_usual_form(given: Any, expected: tuple[int, int, int]) -> None:
    color = make(background_color=given).background_color
    assert color == Color(*expected)
    assert color is not None and color.css_rgb == "rgb({}, {}, {})".format(*expected)


@given(st.integers(0, 0xFFFFFF), st.booleans(), st.booleans())
def test_hex_colours_read_as_pillow_reads_them(value: int, short: bool, upper: bool) -> None:
    text = f"#{value:06x}"
    if short:
        text = "#" + text[1] + text[3] + text[5]
    if upper:
        text = text.upper()
    assert Color.parse(f" {text} ") == Color(*ImageColor.getrgb(text)[:3])


@pytest.mark.parametrize("bad", ["blurple", "#12345", "rgb(300, 0, 0)", (1, 2), 7])
def test_a_colour_that_is_not_a_colour(bad: Any) -> None:
    refused("background_color: ", background_color=bad)
    refused("is not a colour: use #rrggbb, rgb(r, g, b) or a CSS colour name", label_color=bad)


def test_images_from_a_path_bytes_or_a_pil_image(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(png())
    p = make(images={"logo": path, "icon": png(), "strip": Image.new("RGB", (10, 10))})
    assert p.images.logo is not None and p.images.logo.name == str(path)
    assert p.images.icon is not None and p.images.icon.open().size == (40, 30)
    assert p.images.strip is not None and p.images.strip.open().size == (10, 10)
    assert [role for role, _ in p.images.items()] == ["icon", "logo", "strip"]


def test_equal_images_are_equal_sources_whatever_they_came_from(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png())
    assert ImageSource.from_path(path) == ImageSource.from_bytes(png())
    assert ImageSource.from_path(path) != ImageSource.from_bytes(png(color="blue"))


def test_a_missing_or_unreadable_image_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        ImageError, match=re.escape(f"{tmp_path / 'nope.png'}: image file not found")
    ):
        make(images={"icon": tmp_path / "nope.png"})
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not an image")
    source = make(images={"icon": garbage}).images.icon
    assert source is not None
    with pytest.raises(ImageError, match=re.escape(f"{garbage}: not an image that can be read")):
        source.open()
    with pytest.raises(ImageError, match="not downloaded"):
        make(images={"icon": "https://example.com/icon.png"})


def test_field_values_keep_their_type() -> None:
    when = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    p = make(
        primary=[{"key": "points", "value": 120}],
        secondary=[{"key": "rate", "value": 1.5}, {"key": "since", "value": when}],
        auxiliary=[{"key": "balance", "value": {"amount": "12.50", "currency": "EUR"}}],
    )
    assert p.primary[0].value == 120
    assert p.secondary[0].value == Decimal("1.5")
    assert p.secondary[1].value == when and p.secondary[1].is_date
    assert p.auxiliary[0].value == Money(amount=Decimal("12.50"), currency="EUR")
    assert [group for group, _ in p.fields()] == ["primary", "secondary", "secondary", "auxiliary"]
    assert p.field("rate") is p.secondary[0] and p.field("absent") is None


def test_a_date_without_time_zone_is_refused() -> None:
    refused(
        "needs a time zone",
        primary=[{"key": "when", "value": datetime(2026, 12, 1, 9, 0)}],
    )
    refused(
        "expiration_date: Input should have timezone info", expiration_date=datetime(2026, 1, 1)
    )


def test_true_or_false_is_not_a_field_value() -> None:
    refused(
        "primary[0].value: a field value is text, a number, money or a date",
        primary=[{"key": "member", "value": True}],
    )


def test_money_needs_a_currency_code() -> None:
    with pytest.raises(WalletRuleError, match=r"currency: String should match pattern"):
        Money(amount=Decimal(1), currency="euro")


def test_field_keys_are_unique_across_groups() -> None:
    refused(
        "secondary: the field key 'points' is already used in primary",
        primary=[PassField(key="points", value=1)],
        secondary=[{"key": "points", "value": 2}],
    )


@pytest.mark.parametrize("second", FIELD_GROUPS)
@pytest.mark.parametrize("first", FIELD_GROUPS)
def test_a_key_is_used_once_in_all_groups(first: str, second: str) -> None:
    later, earlier = sorted((first, second), key=FIELD_GROUPS.index, reverse=True)
    fields = {group: [PassField(key=f"only-{group}", value=1)] for group in FIELD_GROUPS}
    fields[earlier] = [*fields[earlier], PassField(key="twice", value=1)]
    fields[later] = [*fields[later], PassField(key="twice", value=2)]
    refused(f"{later}: the field key 'twice' is already used in {earlier}", **fields)
    del fields[later][-1]
    assert len(list(make(**fields).fields())) == len(FIELD_GROUPS) + 1


def test_field_keys_are_identifiers() -> None:
    refused(
        "primary[0].key: String should match pattern", primary=[{"key": "my points", "value": 1}]
    )


def test_at_most_ten_locations() -> None:
    place = {"latitude": 48.85, "longitude": 2.35}
    assert len(make(locations=[place] * 10).locations) == 10
    refused("locations: at most 10 locations are allowed, got 11", locations=[place] * 11)


def test_at_most_ten_beacons() -> None:
    beacon = {"proximity_uuid": BEACON_UUID, "major": 1}
    assert len(make(beacons=[beacon] * 10).beacons) == 10
    refused("beacons: at most 10 iBeacons are allowed, got 11", beacons=[beacon] * 11)


@pytest.mark.parametrize(
    ("place", "message"),
    [
        (
            {"latitude": 90.5, "longitude": 0},
            "locations[0].latitude: Input should be less than or equal to 90 (got 90.5)",
        ),
        (
            {"latitude": -91, "longitude": 0},
            "locations[0].latitude: Input should be greater than or equal to -90",
        ),
        (
            {"latitude": 0, "longitude": 180.1},
            "locations[0].longitude: Input should be less than or equal to 180",
        ),
        (
            {"latitude": 0, "longitude": -181},
            "locations[0].longitude: Input should be greater than or equal to -180",
        ),
    ],
)
def test_latitude_and_longitude_in_range(place: dict[str, float], message: str) -> None:
    refused(message, locations=[place])


def test_beacon_uuid_and_numbers() -> None:
    refused(
        "beacons[0].proximity_uuid: 'not-a-uuid' is not a UUID; use the form "
        "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0",
        beacons=[{"proximity_uuid": "not-a-uuid"}],
    )
    refused(
        "beacons[0].major: Input should be less than or equal to 65535 (got 65536)",
        beacons=[{"proximity_uuid": BEACON_UUID, "major": 65536}],
    )
    refused(
        "beacons[0].minor: Input should be greater than or equal to 0 (got -1)",
        beacons=[{"proximity_uuid": BEACON_UUID, "major": 1, "minor": -1}],
    )
    refused(
        "a beacon with a minor number needs a major number too",
        beacons=[{"proximity_uuid": BEACON_UUID, "minor": 4}],
    )


def test_barcode_message_must_fit_its_encoding() -> None:
    assert Barcode(message="Zoë", encoding="iso-8859-1").message == "Zoë"
    assert Barcode(message="5€ off", encoding="utf-8").encoding == "utf-8"
    with pytest.raises(
        WalletRuleError,
        match=re.escape(
            "barcode.message: '€' cannot be encoded in iso-8859-1; set barcode.encoding to utf-8"
        ),
    ):
        Barcode(message="5€ off")
    with pytest.raises(WalletRuleError, match="'klingon' is not a known text encoding"):
        Barcode(message="x", encoding="klingon")
    with pytest.raises(WalletRuleError, match="Code 128 holds only ASCII characters"):
        Barcode(format="code128", message="Zoë")


def test_web_service_token_and_nfc_message_limits() -> None:
    with pytest.raises(WalletRuleError) as error:
        make(web_service={"url": "https://example.com/passes", "authentication_token": "secret"})
    assert str(error.value) == (
        "web_service.authentication_token: the authentication token is 6 characters long; "
        "Apple Wallet needs at least 16: use a random secret of 16 characters or more for "
        "each pass"
    )  # in passkit's words, and without the secret
    token = "0123456789abcdef"
    for url in ("http://127.0.0.1:8000/v1", "http://[::1]/v1", "http://localhost/v1"):
        assert make(web_service={"url": url, "authentication_token": token}).web_service
    for url in ("http://passes.example.com/v1", "http://10.0.0.5/v1"):
        with pytest.raises(WalletRuleError, match="sends the authentication token unencrypted"):
            make(web_service={"url": url, "authentication_token": token})
    refused("nfc.message: an NFC message holds at most 64 bytes", nfc={"message": "x" * 65})


def test_translation_languages_are_language_tags() -> None:
    assert set(make(translations={"fr": {}, "pt-BR": {}}).translations) == {"fr", "pt-BR"}
    refused("translations: 'French' is not a language tag", translations={"French": {}})


def test_unknown_fields_are_reported_with_their_path() -> None:
    refused(
        "primary[0].lable: unknown field; check its spelling",
        primary=[{"key": "a", "value": 1, "lable": "A"}],
    )


def test_a_pass_is_immutable() -> None:
    p = make()
    with pytest.raises(Exception, match="frozen"):
        p.serial_number = "M-2"  # type: ignore[misc]


def test_localized_looks_up_the_translation_table() -> None:
    p = make(translations={"fr": {"strings": {"Points": "Points fidélité"}}})
    assert p.localized("Points", "fr") == "Points fidélité"
    assert p.localized("Points", "de") == "Points"
    assert p.localized("Member", "fr") == "Member"


def test_money_has_a_known_currency_and_no_more_decimals_than_it() -> None:
    assert Money(amount=Decimal("1.230"), currency="KWD").amount == Decimal("1.230")
    with pytest.raises(WalletRuleError, match=r"1\.23456 KWD has 5 decimals"):
        Money(amount=Decimal("1.23456"), currency="KWD")
    with pytest.raises(WalletRuleError, match="'XYZ' is not an ISO 4217 currency code"):
        Money(amount=Decimal(1), currency="XYZ")
