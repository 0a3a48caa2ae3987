"""pass.json: every part of a Pass in Apple's vocabulary, and Apple's rules enforced."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from passkit.apple import compile_pass_json
from passkit.apple.jsonbytes import dumps
from passkit.errors import WalletRuleError
from passkit.model import Pass
from tests.support.apple import STYLES

PARIS = timezone(timedelta(hours=1))


def make(kind: str = "loyalty", **extra: Any) -> Pass:
    return Pass(
        kind=kind,
        serial_number="S-1",
        organization="Example Coffee",
        description="Example card",
        **extra,
    )


def compiled(p: Pass) -> dict[str, Any]:
    """pass.json as a wallet reads it: compiled, written to bytes, parsed back (exact numbers)."""
    document = compile_pass_json(p, pass_type_id="pass.com.example.card", team_id="TEAM123456")
    loaded: dict[str, Any] = json.loads(dumps(document), parse_float=Decimal)
    return loaded


def fields_of(p: Pass, group: str) -> list[dict[str, Any]]:
    style = STYLES[p.kind.value]
    found: list[dict[str, Any]] = compiled(p)[style].get(group, [])
    return found


@pytest.mark.parametrize(("kind", "style"), STYLES.items())
def test_minimal_pass_has_only_the_required_keys(kind: str, style: str) -> None:
    document = compiled(make(kind))
    expected_structure = {"transitType": "PKTransitTypeGeneric"} if kind == "boarding_pass" else {}
    assert document == {
        "formatVersion": 1,
        "passTypeIdentifier": "pass.com.example.card",
        "teamIdentifier": "TEAM123456",
        "serialNumber": "S-1",
        "organizationName": "Example Coffee",
        "description": "Example card",
        style: expected_structure,
    }


@pytest.mark.parametrize(
    ("transit", "name"),
    [
        ("air", "PKTransitTypeAir"),
        ("boat", "PKTransitTypeBoat"),
        ("bus", "PKTransitTypeBus"),
        ("train", "PKTransitTypeTrain"),
        ("generic", "PKTransitTypeGeneric"),
    ],
)
def test_boarding_pass_transit_types(transit: str, name: str) -> None:
    document = compiled(make("boarding_pass", transit_type=transit))
    assert document["boardingPass"]["transitType"] == name


def test_appearance() -> None:
    document = compiled(
        make(
            background_color="#102030",
            foreground_color="white",
            label_color=(255, 204, 0),
            logo_text="Example",
        )
    )
    assert document["backgroundColor"] == "rgb(16, 32, 48)"
    assert document["foregroundColor"] == "rgb(255, 255, 255)"
    assert document["labelColor"] == "rgb(255, 204, 0)"
    assert document["logoText"] == "Example"


def test_field_values_and_formatting() -> None:
    starts = datetime(2026, 12, 1, 19, 30, tzinfo=PARIS)
    p = make(
        "event_ticket",
        header=[{"key": "row", "label": "Row", "value": 12, "alignment": "right"}],
        primary=[{"key": "event", "label": "Event", "value": "The Hectic Glow"}],
        secondary=[
            {"key": "doors", "label": "Doors", "value": starts},
            {
                "key": "day",
                "value": starts,
                "date_style": "long",
                "relative": True,
                "ignores_time_zone": True,
            },
            {"key": "hour", "value": starts, "time_style": "short"},
        ],
        auxiliary=[
            {"key": "price", "value": {"amount": "12.10", "currency": "EUR"}},
            {"key": "share", "value": Decimal("0.25"), "number_style": "percent"},
            {"key": "seats", "value": 5, "number_style": "spell_out", "alignment": "center"},
            {"key": "credit", "value": 30, "currency": "USD", "change_message": "Now %@"},
        ],
    )
    document = compiled(p)["eventTicket"]
    assert document["headerFields"] == [
        {"key": "row", "label": "Row", "value": 12, "textAlignment": "PKTextAlignmentRight"}
    ]
    assert document["primaryFields"] == [
        {"key": "event", "label": "Event", "value": "The Hectic Glow"}
    ]
    doors, day, hour = document["secondaryFields"]
    assert doors == {
        "key": "doors",
        "label": "Doors",
        "value": "2026-12-01T19:30:00+01:00",
        "dateStyle": "PKDateStyleMedium",
        "timeStyle": "PKDateStyleShort",
    }
    assert day == {
        "key": "day",
        "value": "2026-12-01T19:30:00+01:00",
        "dateStyle": "PKDateStyleLong",
        "timeStyle": "PKDateStyleNone",
        "isRelative": True,
        "ignoresTimeZone": True,
    }
    assert (hour["dateStyle"], hour["timeStyle"]) == ("PKDateStyleNone", "PKDateStyleShort")
    price, share, seats, credit = document["auxiliaryFields"]
    assert price == {"key": "price", "value": Decimal("12.10"), "currencyCode": "EUR"}
    assert share == {
        "key": "share",
        "value": Decimal("0.25"),
        "numberStyle": "PKNumberStylePercent",
    }
    assert seats["numberStyle"] == "PKNumberStyleSpellOut"
    assert seats["textAlignment"] == "PKTextAlignmentCenter"
    assert credit == {
        "key": "credit",
        "value": 30,
        "currencyCode": "USD",
        "changeMessage": "Now %@",
    }


def test_a_moment_shown_as_a_date_keeps_the_day_of_its_own_zone() -> None:
    # 23:30 in Paris is already the next day in Tokyo: shown as a date alone, Apple Wallet
    # would give the Tokyo holder the next day unless told to keep the value's zone, which
    # is the day Google Wallet and the preview show.
    late = datetime(2026, 12, 31, 23, 30, tzinfo=PARIS)
    p = make(
        secondary=[
            {"key": "day", "value": late, "date_style": "medium", "time_style": "none"},
            {"key": "when", "value": late, "date_style": "medium", "time_style": "short"},
            {"key": "hour", "value": late, "date_style": "none", "time_style": "short"},
        ]
    )
    day, when, hour = compiled(p)["storeCard"]["secondaryFields"]
    assert day["ignoresTimeZone"] is True
    assert "ignoresTimeZone" not in when and "ignoresTimeZone" not in hour


def test_utc_dates_keep_their_offset() -> None:
    moment = datetime(2026, 6, 1, 8, 0, 5, 999, tzinfo=UTC)
    document = compiled(make(relevant_date=moment, expiration_date=moment + timedelta(days=1)))
    assert document["relevantDate"] == "2026-06-01T08:00:05+00:00"
    assert document["expirationDate"] == "2026-06-02T08:00:05+00:00"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("0.10", "EUR"),
        ("1.005", "KWD"),  # as many decimals as each currency has
        ("12345678901234567890.123456789", None),
        ("-0.0001", "CLF"),
        ("1E+3", "JPY"),
    ],
)
def test_decimal_values_are_exact_json_numbers(amount: str, currency: str | None) -> None:
    code = currency or "EUR"
    money = Decimal(amount) if currency else Decimal(amount).quantize(Decimal("0.01"))
    p = make(
        primary=[{"key": "balance", "value": {"amount": money, "currency": code}}],
        back=[{"key": "rate", "value": Decimal(amount)}],
    )
    raw = dumps(compile_pass_json(p, pass_type_id="pass.x", team_id="T"))
    written = format(Decimal(amount), "f")
    assert f'"value":{format(money, "f")},"currencyCode":"{code}"'.encode() in raw
    assert f'"value":{written}}}'.encode() in raw
    assert json.loads(raw, parse_float=Decimal)["storeCard"]["backFields"][0]["value"] == Decimal(
        amount
    )


def test_exact_numbers_survive_text_that_looks_like_the_internal_marker() -> None:
    # Text equal to the marker used for Decimals must stay text (the slow path takes over).
    p = make(
        back=[
            {"key": "a", "value": "\x000"},
            {"key": "b", "value": Decimal("1.10")},
            {"key": "c", "value": "\x001"},
        ],
        user_info={
            "note": "\x000",
            "exact": Decimal("2.50"),
            "when": datetime(2026, 1, 1, tzinfo=PARIS),
        },
    )
    raw = dumps(compile_pass_json(p, pass_type_id="pass.x", team_id="T"))
    document = json.loads(raw, parse_float=Decimal)
    assert [f["value"] for f in document["storeCard"]["backFields"]] == [
        "\x000",
        Decimal("1.10"),
        "\x001",
    ]
    assert document["userInfo"] == {
        "note": "\x000",
        "exact": Decimal("2.50"),
        "when": "2026-01-01T00:00:00+01:00",
    }
    assert b'"exact":2.50' in raw


def test_non_finite_decimal_is_refused() -> None:
    # The model refuses NaN field values; user info is free-form and checked when written.
    p = make(user_info={"x": Decimal("NaN")})
    with pytest.raises(WalletRuleError, match="not a number JSON can hold"):
        dumps(compile_pass_json(p, pass_type_id="pass.x", team_id="T"))


def test_links_and_messages_become_back_fields() -> None:
    p = make(
        back=[
            {"key": "terms", "label": "Terms", "value": "Be nice"},
            {"key": "site", "value": "https://example.com", "link": "web"},
        ],
        links=[
            {"kind": "web", "uri": "https://example.com/account", "label": "Account"},
            {"kind": "email", "uri": "mailto:help@example.com", "key": "mail"},
            {"kind": "phone", "uri": "tel:+33123456789"},
            {"kind": "address", "uri": "1 Infinite Loop, Cupertino, CA"},
            {"kind": "address", "uri": "geo:48.8584,2.2945", "label": "Tower"},
        ],
        messages=[{"key": "news", "header": "Good news", "body": "Double points this week"}],
    )
    back = fields_of(p, "backFields")
    assert [f["key"] for f in back] == [
        "terms", "site", "link-1", "mail", "link-3", "link-4", "link-5", "news",
    ]  # fmt: skip
    assert back[0] == {"key": "terms", "label": "Terms", "value": "Be nice"}
    assert back[1]["dataDetectorTypes"] == ["PKDataDetectorTypeLink"]
    assert back[2] == {
        "key": "link-1",
        "label": "Account",
        "value": "https://example.com/account",
        "dataDetectorTypes": ["PKDataDetectorTypeLink"],
    }
    assert back[3]["value"] == "help@example.com"
    assert back[3]["dataDetectorTypes"] == ["PKDataDetectorTypeLink"]
    assert back[4]["value"] == "+33123456789"
    assert back[4]["dataDetectorTypes"] == ["PKDataDetectorTypePhoneNumber"]
    assert back[5]["dataDetectorTypes"] == ["PKDataDetectorTypeAddress"]
    assert back[6]["value"] == "48.8584, 2.2945"
    assert back[6]["attributedValue"] == (
        '<a href="https://maps.apple.com/?ll=48.8584,2.2945">48.8584, 2.2945</a>'
    )
    assert back[7] == {
        "key": "news",
        "label": "Good news",
        "value": "Double points this week",
        "changeMessage": "%@",
    }


def test_generated_link_keys_avoid_existing_keys() -> None:
    p = make(
        back=[{"key": "link-1", "value": "taken"}],
        links=[{"uri": "https://a.example"}, {"uri": "https://b.example"}],
    )
    keys = [f["key"] for f in fields_of(p, "backFields")]
    assert keys == ["link-1", "link-1-2", "link-2"]
    assert len(set(keys)) == len(keys)


def test_link_and_message_keys_must_be_unique() -> None:
    with pytest.raises(
        WalletRuleError, match=r"links\[0\]\.key: the field key 'terms' is already used in back"
    ):
        compiled(
            make(
                back=[{"key": "terms", "value": "x"}], links=[{"uri": "https://a", "key": "terms"}]
            )
        )
    with pytest.raises(
        WalletRuleError,
        match=r"messages\[1\]\.key: the field key 'm' is already used in messages\[0\]",
    ):
        compiled(make(messages=[{"key": "m", "header": "a", "body": "b"}] * 2))


def test_barcodes_array_and_legacy_barcode() -> None:
    document = compiled(
        make(
            barcode={
                "format": "pdf417",
                "message": "ABC 123",
                "encoding": "latin-1",
                "alt_text": "123",
            }
        )
    )
    expected = {
        "format": "PKBarcodeFormatPDF417",
        "message": "ABC 123",
        "messageEncoding": "iso-8859-1",
        "altText": "123",
    }
    assert document["barcodes"] == [expected]
    assert document["barcode"] == expected

    for fmt, name in (("qr", "PKBarcodeFormatQR"), ("aztec", "PKBarcodeFormatAztec")):
        document = compiled(make(barcode={"format": fmt, "message": "é", "encoding": "utf8"}))
        assert document["barcodes"][0]["format"] == name
        assert document["barcodes"][0]["messageEncoding"] == "utf-8"


def test_code128_has_no_legacy_barcode_key() -> None:
    document = compiled(make(barcode={"format": "code128", "message": "12345"}))
    assert document["barcodes"][0]["format"] == "PKBarcodeFormatCode128"
    assert "barcode" not in document


def test_barcode_encoding_without_an_apple_name_is_refused() -> None:
    with pytest.raises(WalletRuleError, match=r"barcode\.encoding: 'hz' has no charset name"):
        compiled(make(barcode={"message": "abc", "encoding": "hz"}))


def test_relevance_state_and_services() -> None:
    document = compiled(
        make(
            "event_ticket",
            locations=[
                {"latitude": 48.8584, "longitude": 2.2945},
                {
                    "latitude": -33.8568,
                    "longitude": 151.2153,
                    "altitude": 12.5,
                    "relevant_text": "Opera",
                },
            ],
            max_distance=150,
            beacons=[
                {"proximity_uuid": "e2c56db5-dffb-48d2-b060-d0f5a71096e0"},
                {
                    "proximity_uuid": "f8f589e9-c07e-58b0-aeab-a36be4d48fac",
                    "major": 1,
                    "minor": 65535,
                    "relevant_text": "Gate A",
                },
            ],
            sharing_prohibited=True,
            grouping_id="tour-2026",
            web_service={"url": "https://passes.example.com/v1", "authentication_token": "x" * 16},
            nfc={
                "message": "member-42",
                "encryption_public_key": "MDkwEwYHKoZIzj0CAQ==",
                "requires_authentication": True,
            },
            user_info={"member": 42, "tags": ["gold"]},
            app_launch_url="example://member/42",
            associated_store_ids=[123456789],
        )
    )
    assert document["locations"] == [
        {"latitude": Decimal("48.8584"), "longitude": Decimal("2.2945")},
        {
            "latitude": Decimal("-33.8568"),
            "longitude": Decimal("151.2153"),
            "altitude": Decimal("12.5"),
            "relevantText": "Opera",
        },
    ]
    assert document["maxDistance"] == 150
    assert document["beacons"] == [
        {"proximityUUID": "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"},
        {
            "proximityUUID": "F8F589E9-C07E-58B0-AEAB-A36BE4D48FAC",
            "major": 1,
            "minor": 65535,
            "relevantText": "Gate A",
        },
    ]
    assert document["sharingProhibited"] is True
    assert document["groupingIdentifier"] == "tour-2026"
    assert document["webServiceURL"] == "https://passes.example.com/v1"
    assert document["authenticationToken"] == "x" * 16
    assert document["nfc"] == {
        "message": "member-42",
        "encryptionPublicKey": "MDkwEwYHKoZIzj0CAQ==",
        "requiresAuthentication": True,
    }
    assert document["userInfo"] == {"member": 42, "tags": ["gold"]}
    assert document["appLaunchURL"] == "example://member/42"
    assert document["associatedStoreIdentifiers"] == [123456789]
    assert "voided" not in document


def test_nfc_needs_the_readers_public_key() -> None:
    with pytest.raises(WalletRuleError, match=r"^nfc\.encryption_public_key: Apple Wallet needs"):
        compiled(make(nfc={"message": "member-42"}))
    document = compiled(make(nfc={"message": "m", "encryption_public_key": "MDkw"}))
    assert document["nfc"] == {"message": "m", "encryptionPublicKey": "MDkw"}


@pytest.mark.parametrize(
    ("status", "voided"),
    [("active", None), ("redeemed", True), ("voided", True), ("expired", True)],
)
def test_status_maps_to_voided(status: str, voided: bool | None) -> None:
    assert compiled(make(status=status)).get("voided") == voided


@pytest.mark.parametrize("kind", ["event_ticket", "boarding_pass"])
def test_grouping_on_events_and_boarding_passes(kind: str) -> None:
    assert compiled(make(kind, grouping_id="trip-7"))["groupingIdentifier"] == "trip-7"


@pytest.mark.parametrize("kind", ["loyalty", "gift_card", "coupon", "generic"])
def test_grouping_on_other_styles_is_refused(kind: str) -> None:
    with pytest.raises(
        WalletRuleError,
        match=r"^grouping_id: Apple Wallet groups only event tickets and boarding passes",
    ):
        compiled(make(kind, grouping_id="trip-7"))


def fields(count: int, prefix: str) -> list[dict[str, Any]]:
    return [{"key": f"{prefix}{i}", "value": f"v{i}"} for i in range(count)]


@pytest.mark.parametrize(
    ("kind", "group", "limit"),
    [
        ("loyalty", "header", 3),
        ("coupon", "primary", 1),
        ("event_ticket", "secondary", 4),
        ("generic", "auxiliary", 4),
        ("boarding_pass", "primary", 2),
        ("boarding_pass", "auxiliary", 5),
        ("event_ticket", "auxiliary", 4),
    ],
)
def test_field_count_limits(kind: str, group: str, limit: int) -> None:
    compiled(make(kind, **{group: fields(limit, "f")}))  # at the limit: fine
    with pytest.raises(WalletRuleError) as error:
        compiled(make(kind, **{group: fields(limit + 1, "f")}))
    message = str(error.value)
    assert message.startswith(f"{group}: an Apple ")
    assert f"shows at most {limit} {group} field" in message
    assert f"got {limit + 1}" in message
    assert "move them to the back fields" in message


@pytest.mark.parametrize("kind", ["loyalty", "coupon", "generic"])
def test_square_barcode_limits_secondary_and_auxiliary_together(kind: str) -> None:
    crowded = {"secondary": fields(3, "s"), "auxiliary": fields(2, "a")}
    with pytest.raises(
        WalletRuleError,
        match=r"^secondary/auxiliary: .* with a square barcode \(qr\) shows at most 4 "
        r"secondary and auxiliary fields together, got 3 \+ 2",
    ):
        compiled(make(kind, barcode={"format": "qr", "message": "x"}, **crowded))
    compiled(make(kind, barcode={"format": "pdf417", "message": "x"}, **crowded))
    compiled(make("event_ticket", barcode={"format": "qr", "message": "x"}, **crowded))


@pytest.mark.parametrize(
    ("field", "group", "message"),
    [
        (
            {"value": "x", "date_style": "short"},
            "secondary",
            "date and time styles apply to date values, and this value is the text 'x'",
        ),
        (
            {"value": 5, "relative": True},
            "secondary",
            "date and time styles apply to date values, and this value is a int",
        ),
        (
            {"value": "12", "number_style": "decimal"},
            "secondary",
            "number style and currency apply to numbers",
        ),
        (
            {"value": "12", "currency": "EUR"},
            "secondary",
            "number style and currency apply to numbers",
        ),
        (
            {"value": {"amount": "1", "currency": "EUR"}, "currency": "USD"},
            "secondary",
            "the value is in EUR but the field's currency is USD",
        ),
        (
            {"value": {"amount": "1", "currency": "EUR"}, "number_style": "percent"},
            "secondary",
            "a money value is formatted by its currency",
        ),
        (
            {"value": "x", "alignment": "left"},
            "primary",
            "does not allow an alignment on primary fields",
        ),
        ({"value": "x", "alignment": "left"}, "back", "does not allow an alignment on back fields"),
        (
            {"value": "x", "change_message": "changed"},
            "secondary",
            "change_message must contain %@",
        ),
        ({"value": "https://x", "link": "web"}, "secondary", "makes links only of back fields"),
    ],
)
def test_field_formatting_rules(field: dict[str, Any], group: str, message: str) -> None:
    with pytest.raises(WalletRuleError) as error:
        compiled(make(**{group: [{"key": "k", **field}]}))
    assert str(error.value).startswith(f"{group}[0] (key 'k'): ")
    assert message in str(error.value)
