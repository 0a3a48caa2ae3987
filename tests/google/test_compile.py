"""Google classes and objects compiled from passes of every kind, checked against the
walletobjects v1 discovery document and for the mapping each Google type expects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from passkit.errors import WalletRuleError
from passkit.google import GoogleOptions, compile_google
from passkit.google.compile import _build_class, clear_class_cache
from passkit.model import Pass
from tests.support.google import (
    ISSUER_ID,
    KIND_DATA,
    TRAIN,
    assert_valid,
    hosted_image,
    sample_pass,
    validate,
    validate_google_pass,
)

EXPECTED_KIND = {
    "loyalty": "loyalty",
    "gift_card": "giftCard",
    "generic": "generic",
    "coupon": "offer",
    "event_ticket": "eventTicket",
    "boarding_pass": "flight",
}


def text_modules(gp: Any) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in gp.object_json.get("textModulesData", [])}


def row_paths(class_json: dict[str, Any]) -> list[list[str]]:
    rows = class_json["classTemplateInfo"]["cardTemplateOverride"]["cardRowTemplateInfos"]
    result = []
    for row in rows:
        (shape,) = row.values()
        items = [shape[k] for k in ("item", "startItem", "middleItem", "endItem") if k in shape]
        result.append([item["firstValue"]["fields"][0]["fieldPath"] for item in items])
    return result


# --- the validator itself ------------------------------------------------------------------


def test_validator_catches_unknown_deprecated_mistyped_and_missing_fields() -> None:
    problems = validate(
        "LoyaltyObject",
        {
            "id": "1.a",
            "state": "active",
            "kind": "walletobjects#loyaltyObject",
            "bogus": 1,
            "loyaltyPoints": {"balance": {"int": "12"}},
            "barcode": {"type": "QR_CODE", "value": 5},
            "locations": [{"latitude": 1.0, "longitude": 2.0}],
        },
    )
    text = "\n".join(problems)
    assert "LoyaltyObject.bogus: unknown field" in text
    assert "LoyaltyObject.kind: deprecated field" in text
    assert "LoyaltyObject.locations: deprecated field" in text
    assert "'active' is a deprecated (legacy) enum value" in text
    assert "LoyaltyObject.loyaltyPoints.balance.int: expected an integer" in text
    assert "LoyaltyObject.barcode.value: expected a string" in text
    assert "LoyaltyObject.classId: required field of LoyaltyObject is missing" in text
    # Nested "This is a required property" rules are found too.
    nested = validate("FlightHeader", {"flightNumber": "12"})
    assert nested == ["FlightHeader.carrier: required field of FlightHeader is missing"]
    # infoModuleData is deprecated by its description only.
    assert any(
        "infoModuleData: deprecated" in p for p in validate("LoyaltyObject", {"infoModuleData": {}})
    )


# --- every kind, full of features ----------------------------------------------------------


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_every_kind_is_valid_against_the_discovery_document(kind: str) -> None:
    gp = compile_google(sample_pass(kind), issuer_id=ISSUER_ID)
    assert gp.kind == EXPECTED_KIND[kind]
    validate_google_pass(gp)
    assert gp.notices == ()
    # What a JWT payload carries round-trips through JSON unchanged.
    assert json.loads(json.dumps(gp.payload())) == gp.payload()
    assert set(gp.payload()) == {gp.class_payload_key, gp.object_payload_key}


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_bare_minimum_pass_of_every_kind_is_valid(kind: str) -> None:
    extra: dict[str, Any] = {}
    if kind == "loyalty":
        extra["images"] = {"logo": hosted_image("logo")}
    if kind == "boarding_pass":
        extra["images"] = {"logo": hosted_image("logo")}
    p = Pass(kind=kind, serial_number="1", organization="Org", description="Desc", **extra)
    gp = compile_google(p, issuer_id=ISSUER_ID)
    validate_google_pass(gp)


def test_transit_from_a_train_trip_is_valid_and_consumes_trip_fields() -> None:
    gp = compile_google(sample_pass("boarding_pass", **TRAIN), issuer_id=ISSUER_ID)
    assert gp.kind == "transit"
    validate_google_pass(gp)
    assert gp.class_json["transitType"] == "RAIL"
    leg = gp.object_json["ticketLeg"]
    assert leg["originStationCode"] == "BER"
    assert leg["destinationName"]["defaultValue"]["value"] == "Hamburg Hbf"
    assert leg["departureDateTime"] == "2026-06-01T08:00:00+01:00"
    assert leg["platform"] == "7" and leg["ticketSeat"] == {"seat": "61", "coach": "5"}
    assert gp.object_json["tripType"] == "ONE_WAY"
    assert gp.object_json["ticketNumber"] == "T-991"
    # From, to, platform and coach are on Google's ticket leg: only the terms are a module.
    assert set(text_modules(gp)) == {"terms"}


def test_air_pass_without_airline_code_becomes_transit_and_says_why() -> None:
    trip = dict(KIND_DATA["boarding_pass"]["trip"], carrier="Swiss")
    gp = compile_google(sample_pass("boarding_pass", trip=trip), issuer_id=ISSUER_ID)
    assert gp.kind == "transit"
    validate_google_pass(gp)
    assert gp.class_json["transitType"] == "OTHER"
    assert any("not a flight" in n and "IATA" in n for n in gp.notices)


def test_transit_without_departure_leaves_out_the_leg_and_says_so() -> None:
    trip = {"origin": {"name": "Pier 1"}, "destination": {"name": "Island"}}
    p = sample_pass("boarding_pass", transit_type="boat", trip=trip, expiration_date=None)
    gp = compile_google(p, issuer_id=ISSUER_ID)
    validate_google_pass(gp)
    assert gp.class_json["transitType"] == "FERRY"
    assert "ticketLeg" not in gp.object_json
    assert any("ticket leg" in n for n in gp.notices)


# --- mapping per type ----------------------------------------------------------------------


def test_loyalty_points_account_and_labels_go_to_their_google_places() -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    obj, cls = gp.object_json, gp.class_json
    assert obj["loyaltyPoints"]["balance"] == {"int": 1250}
    # "Points" is "Punkte" in German: the label is localized only, as Google reads it.
    assert "label" not in obj["loyaltyPoints"]
    assert obj["loyaltyPoints"]["localizedLabel"]["defaultValue"]["value"] == "Points"
    assert obj["secondaryLoyaltyPoints"]["balance"] == {"int": 7}
    assert obj["accountName"] == "Ann Example" and obj["accountId"] == "M-0001"
    assert cls["localizedAccountNameLabel"]["translatedValues"] == [
        {"language": "de", "value": "Mitglied"}
    ]
    assert "accountNameLabel" not in cls and cls["accountIdLabel"] == "Member ID"
    assert cls["programName"] == "Acme Rewards" and cls["issuerName"] == "Acme Coffee"
    assert cls["hexBackgroundColor"] == "#1f4e79" and "hexBackgroundColor" not in obj
    assert cls["programLogo"]["sourceUri"]["uri"].endswith("/icon.png")
    assert cls["wideProgramLogo"]["sourceUri"]["uri"].endswith("/logo.png")
    assert cls["heroImage"]["sourceUri"]["uri"].endswith("/strip.png")
    assert [m["id"] for m in cls["imageModulesData"]] == ["thumbnail", "footer"]
    assert cls["reviewStatus"] == "UNDER_REVIEW"
    # Fields with their own place are not repeated as text modules.
    assert set(text_modules(gp)) == {"tier", "valid", "terms"}


def test_points_in_money_and_decimals() -> None:
    money = {"key": "points", "label": "Credit", "value": {"amount": "12.34", "currency": "USD"}}
    gp = compile_google(sample_pass("loyalty", header=[money]), issuer_id=ISSUER_ID)
    balance = gp.object_json["loyaltyPoints"]["balance"]
    assert balance == {"money": {"micros": "12340000", "currencyCode": "USD"}}
    dec = {"key": "points", "label": "Miles", "value": Decimal("2.5")}
    gp = compile_google(sample_pass("loyalty", header=[dec]), issuer_id=ISSUER_ID)
    assert gp.object_json["loyaltyPoints"]["balance"] == {"double": 2.5}
    validate_google_pass(gp)


def test_gift_card_balance_is_money_in_micros_with_card_number_and_pin() -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    obj = gp.object_json
    assert obj["balance"] == {"micros": "25500000", "currencyCode": "EUR"}
    assert obj["cardNumber"] == "6006 1234 5678" and obj["pin"] == "4321"
    assert gp.class_json["cardNumberLabel"] == "Card" and gp.class_json["pinLabel"] == "PIN"
    assert gp.class_json["allowBarcodeRedemption"] is True
    assert set(text_modules(gp)) == {"issued", "terms"}


def test_gift_card_without_number_uses_the_serial_and_keeps_a_text_balance() -> None:
    p = sample_pass(
        "gift_card",
        primary=[{"key": "balance", "label": "Balance", "value": "ten coffees"}],
        secondary=[],
    )
    gp = compile_google(p, issuer_id=ISSUER_ID)
    validate_google_pass(gp)
    assert gp.object_json["cardNumber"] == "gift_card-0001"
    assert "balance" not in gp.object_json
    assert text_modules(gp)["balance"]["body"] == "ten coffees"


def test_generic_keeps_colour_logo_and_header_on_the_object() -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    obj, cls = gp.object_json, gp.class_json
    assert obj["hexBackgroundColor"] == "#1f4e79" and "hexBackgroundColor" not in cls
    assert obj["logo"]["sourceUri"]["uri"].endswith("/icon.png")
    assert obj["heroImage"]["sourceUri"]["uri"].endswith("/strip.png")
    assert obj["cardTitle"]["defaultValue"] == {"language": "en", "value": "Acme Gym"}
    assert obj["header"]["defaultValue"]["value"] == "Ann Example"
    assert obj["subheader"]["translatedValues"] == [{"language": "de", "value": "Mitglied"}]
    modules = text_modules(gp)
    assert modules["fee"]["localizedBody"]["defaultValue"]["value"] == "€29.90"
    assert modules["fee"]["localizedBody"]["translatedValues"][0] == {
        "language": "de",
        "value": "29,90\xa0€",
    }
    assert modules["share"]["localizedBody"]["defaultValue"]["value"] == "15%"


def test_offer_title_provider_and_redemption_channel() -> None:
    options = GoogleOptions(redemption_channel="INSTORE")
    gp = compile_google(sample_pass("coupon"), issuer_id=ISSUER_ID, options=options)
    cls = gp.class_json
    assert cls["title"] == "20% off any drink"
    assert cls["provider"] == "Acme Coffee"
    assert cls["redemptionChannel"] == "INSTORE"
    assert cls["titleImage"]["sourceUri"]["uri"].endswith("/icon.png")


def test_event_ticket_event_venue_seat_and_face_value() -> None:
    gp = compile_google(sample_pass("event_ticket"), issuer_id=ISSUER_ID)
    cls, obj = gp.class_json, gp.object_json
    assert cls["eventName"]["defaultValue"]["value"] == "Spring Gala"
    assert cls["venue"]["address"]["defaultValue"]["value"] == "1 Main Street\nSpringfield"
    assert cls["dateTime"] == {
        "start": "2026-05-01T19:30:00+01:00",
        "end": "2026-05-01T23:00:00+01:00",
        "doorsOpen": "2026-05-01T18:45:00+01:00",
    }
    assert obj["seatInfo"]["seat"]["defaultValue"]["value"] == "7"
    assert obj["seatInfo"]["row"]["defaultValue"]["value"] == "12"
    assert obj["ticketHolderName"] == "Ann Example"
    assert obj["faceValue"] == {"micros": "49000000", "currencyCode": "EUR"}
    assert obj["ticketType"]["defaultValue"]["value"] == "VIP"
    # One class per event: another event of the same layout gets its own class.
    other = dict(KIND_DATA["event_ticket"]["event"], name="Summer Gala")
    gp2 = compile_google(sample_pass("event_ticket", event=other), issuer_id=ISSUER_ID)
    assert gp2.class_id != gp.class_id
    assert gp2.class_id.startswith(f"{ISSUER_ID}.acme_coffee.event_ticket.summer_gala-20260501-")


def test_flight_header_airports_times_and_passenger() -> None:
    gp = compile_google(sample_pass("boarding_pass"), issuer_id=ISSUER_ID)
    cls, obj = gp.class_json, gp.object_json
    assert cls["flightHeader"]["carrier"]["carrierIataCode"] == "LX"
    assert cls["flightHeader"]["flightNumber"] == "14"
    assert cls["origin"] == {"airportIataCode": "ZRH", "gate": "E32"}
    assert cls["destination"] == {"airportIataCode": "JFK"}
    assert cls["localScheduledDepartureDateTime"] == "2026-06-01T13:05:00"
    assert cls["localScheduledArrivalDateTime"] == "2026-06-01T16:00:00"
    assert cls["flightHeader"]["carrier"]["airlineLogo"]["sourceUri"]["uri"].endswith("icon.png")
    assert obj["passengerName"] == "Ann Example"
    assert obj["reservationInfo"] == {"confirmationCode": "XY7Q2K"}
    assert obj["boardingAndSeatingInfo"] == {
        "seatNumber": "12A",
        "boardingGroup": "B",
        "seatClass": "Economy",
    }
    assert gp.class_id == f"{ISSUER_ID}.acme_coffee.boarding_pass.LX14-20260601-ZRHJFK"
    # Gate, airports, passenger, seat, group, booking and class have Google places.
    assert set(text_modules(gp)) == {"terms"}


# --- shared parts --------------------------------------------------------------------------


def test_barcode_state_validity_locations_grouping_and_sharing() -> None:
    p = sample_pass("loyalty", status="redeemed", sharing_prohibited=True)
    gp = compile_google(p, issuer_id=ISSUER_ID)
    obj = gp.object_json
    assert obj["barcode"] == {
        "type": "QR_CODE",
        "value": "ACME-0001",
        "alternateText": "0001",
    }
    assert obj["state"] == "COMPLETED"
    assert obj["validTimeInterval"] == {"end": {"date": "2027-01-31T23:59:00+01:00"}}
    assert obj["merchantLocations"] == [{"latitude": 52.52, "longitude": 13.405}]
    assert obj["groupingInfo"] == {"groupingId": "acme-2026"}
    assert gp.class_json["multipleDevicesAndHoldersAllowedStatus"] == "ONE_USER_ONE_DEVICE"
    for status, state in (("active", "ACTIVE"), ("expired", "EXPIRED"), ("voided", "INACTIVE")):
        obj = compile_google(sample_pass("loyalty", status=status), issuer_id=ISSUER_ID).object_json
        assert obj["state"] == state
    shared = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID).class_json
    assert shared["multipleDevicesAndHoldersAllowedStatus"] == "MULTIPLE_HOLDERS"


@pytest.mark.parametrize(
    ("fmt", "google_type"),
    [("qr", "QR_CODE"), ("pdf417", "PDF_417"), ("aztec", "AZTEC"), ("code128", "CODE_128")],
)
def test_barcode_types(fmt: str, google_type: str) -> None:
    p = sample_pass("generic", barcode={"format": fmt, "message": "12345678"})
    gp = compile_google(p, issuer_id=ISSUER_ID)
    assert gp.object_json["barcode"] == {"type": google_type, "value": "12345678"}
    validate_google_pass(gp)


def test_utf8_qr_codes_ask_google_for_utf8_rendering() -> None:
    p = sample_pass("generic", barcode={"message": "Grüße", "encoding": "utf-8"})
    barcode = compile_google(p, issuer_id=ISSUER_ID).object_json["barcode"]
    assert barcode["renderEncoding"] == "UTF_8"


def test_links_become_web_mailto_tel_and_geo_uris() -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    uris = [u["uri"] for u in gp.object_json["linksModuleData"]["uris"]]
    assert uris == [
        "https://acme.example/help",
        "mailto:care@acme.example",
        "tel:+49301234567",
        "geo:0,0?q=Unter+den+Linden+1%2C+Berlin",
        "https://acme.example",
        "tel:+4930999",
        "mailto:care@acme.example",
        "geo:0,0?q=Main+St+1%2C+Springfield",
    ]
    first = gp.object_json["linksModuleData"]["uris"][0]
    assert first["id"] == "help" and "description" not in first
    assert first["localizedDescription"]["defaultValue"]["value"] == "Help"
    assert first["localizedDescription"]["translatedValues"] == [
        {"language": "de", "value": "Hilfe"}
    ]
    # Back fields that are links are not repeated as text.
    assert "site" not in text_modules(gp)


def test_translations_are_localized_strings_with_translated_values() -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    message = gp.object_json["messages"][0]
    assert message["id"] == "welcome" and message["messageType"] == "TEXT"
    assert message["localizedHeader"] == {
        "defaultValue": {"language": "en", "value": "Welcome"},
        "translatedValues": [
            {"language": "de", "value": "Willkommen"},
            {"language": "fr", "value": "Bienvenue"},
        ],
    }
    tier = text_modules(gp)["tier"]
    assert tier["localizedHeader"]["translatedValues"] == [
        {"language": "de", "value": "Stufe"},
        {"language": "fr", "value": "Niveau"},
    ]
    # A date is rendered in each language; a text no table translates has no localized form.
    valid = text_modules(gp)["valid"]
    assert "body" not in valid
    assert valid["localizedBody"]["defaultValue"]["value"] == "Jan 31, 2027"
    assert {"language": "de", "value": "31.01.2027"} in valid["localizedBody"]["translatedValues"]
    assert "localizedBody" not in text_modules(gp)["terms"]
    # A localized form replaces the plain one (Google would ignore it, or show both)...
    for module in text_modules(gp).values():
        assert not ("body" in module and "localizedBody" in module)
        assert not ("header" in module and "localizedHeader" in module)
    # ...except where Google requires the plain field.
    assert gp.class_json["issuerName"] == "Acme Coffee"
    assert gp.class_json["localizedIssuerName"]["translatedValues"] == [
        {"language": "de", "value": "Acme Kaffee"}
    ]
    # Passes without translations carry no localized duplicates at all.
    plain = compile_google(sample_pass("loyalty", translations={}), issuer_id=ISSUER_ID)
    assert "localized" not in json.dumps(plain.object_json)


def test_card_rows_show_the_apple_front_fields() -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    # points, member name, member id and stamps have their own places; tier and valid remain.
    assert row_paths(gp.class_json) == [
        ["object.textModulesData['tier']"],
        ["object.textModulesData['valid']"],
    ]
    generic = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    assert row_paths(generic.class_json) == [
        ["object.textModulesData['plan']"],
        ["object.textModulesData['fee']", "object.textModulesData['share']"],
    ]


def test_card_rows_from_the_layout_and_many_front_fields() -> None:
    fields = [{"key": f"f{i}", "label": f"F{i}", "value": str(i)} for i in range(12)]
    p = sample_pass(
        "generic",
        header=fields[:2],
        primary=[],
        secondary=fields[2:6],
        auxiliary=fields[6:12],
    )
    gp = compile_google(p, issuer_id=ISSUER_ID)
    rows = row_paths(gp.class_json)
    assert [len(r) for r in rows] == [3, 3, 3]
    assert rows[0][0] == "object.textModulesData['f0']"
    assert any("front fields" in n for n in gp.notices)
    assert any("Google Wallet shows the first 10" in n for n in gp.notices)
    options = GoogleOptions(card_rows=(("f3", "f1"), ("nope",)))
    gp = compile_google(p, issuer_id=ISSUER_ID, options=options)
    assert row_paths(gp.class_json) == [
        ["object.textModulesData['f3']", "object.textModulesData['f1']"]
    ]
    assert any("'nope' is not a field of the pass" in n for n in gp.notices)
    with pytest.raises(WalletRuleError, match="at most 3 rows"):
        GoogleOptions(card_rows=(("a",), ("b",), ("c",), ("d",)))


def test_field_keys_with_dots_get_safe_module_ids_in_paths() -> None:
    p = sample_pass("generic", secondary=[{"key": "plan.name", "label": "Plan", "value": "X"}])
    gp = compile_google(p, issuer_id=ISSUER_ID)
    module_id = next(m["id"] for m in gp.object_json["textModulesData"] if m["body"] == "X")
    assert "." not in module_id and module_id.startswith("plan_name-")
    assert f"object.textModulesData['{module_id}']" in json.dumps(gp.class_json)


# --- ids -----------------------------------------------------------------------------------


def test_ids_from_class_suffix_options_and_serials() -> None:
    p = sample_pass("loyalty", serial_number="A 17/3")
    gp = compile_google(p, issuer_id=ISSUER_ID, class_suffix="acme-rewards_v2")
    assert gp.class_id == f"{ISSUER_ID}.acme-rewards_v2"
    assert gp.object_id.startswith(f"{ISSUER_ID}.acme-rewards_v2.A_17_3-")
    other = compile_google(
        sample_pass("loyalty", serial_number="A:17:3"), issuer_id=ISSUER_ID, class_suffix="x"
    )
    assert other.object_id.split(".")[-1] != gp.object_id.split(".")[-1]
    from_options = compile_google(p, issuer_id=ISSUER_ID, options=GoogleOptions(class_suffix="lay"))
    assert from_options.class_id == f"{ISSUER_ID}.lay"


def test_non_numeric_issuer_id_is_refused_with_the_rule() -> None:
    with pytest.raises(WalletRuleError, match=r"issuer id 'acme' is not valid: .*digits only"):
        compile_google(sample_pass("loyalty"), issuer_id="acme")
    with pytest.raises(WalletRuleError, match="issuer id"):
        compile_google(sample_pass("loyalty"), issuer_id="12.34")


def test_bad_class_suffix_is_refused_naming_it() -> None:
    with pytest.raises(WalletRuleError, match=r"class suffix 'my class' .* letters, digits"):
        compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID, class_suffix="my class")


# --- images --------------------------------------------------------------------------------


def test_required_logo_without_url_asks_for_google_image_base_url() -> None:
    logo = hosted_image("logo").with_url(None)
    p = sample_pass("loyalty", images={"logo": logo})
    with pytest.raises(WalletRuleError) as caught:
        compile_google(p, issuer_id=ISSUER_ID)
    message = str(caught.value)
    assert "loyalty card needs a logo" in message
    assert "logo.png" in message and "google.image_base_url" in message


def test_missing_required_logo_says_which_images_would_do() -> None:
    p = sample_pass("boarding_pass", images={}, **TRAIN)
    with pytest.raises(WalletRuleError, match=r"transit ticket needs a logo; .*icon or logo"):
        compile_google(p, issuer_id=ISSUER_ID)


def test_optional_images_without_url_are_left_out_with_a_notice() -> None:
    images = {"logo": hosted_image("logo"), "strip": hosted_image("strip").with_url(None)}
    gp = compile_google(sample_pass("generic", images=images), issuer_id=ISSUER_ID)
    validate_google_pass(gp)
    assert "heroImage" not in gp.object_json
    assert any("hero image" in n and "google.image_base_url" in n for n in gp.notices)


def test_image_url_must_be_http() -> None:
    images = {"logo": hosted_image("logo").with_url("file:///tmp/logo.png")}
    with pytest.raises(WalletRuleError, match="not a public http"):
        compile_google(sample_pass("loyalty", images=images), issuer_id=ISSUER_ID)


def test_program_logo_and_hero_from_google_options_win() -> None:
    options = GoogleOptions(program_logo=hosted_image("round"), hero_image=hosted_image("hero"))
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID, options=options)
    assert gp.class_json["programLogo"]["sourceUri"]["uri"].endswith("/round.png")
    assert gp.class_json["heroImage"]["sourceUri"]["uri"].endswith("/hero.png")
    assert_valid("LoyaltyClass", gp.class_json)


# --- memoised classes ----------------------------------------------------------------------


def test_class_is_built_once_per_layout_and_copied_per_pass() -> None:
    clear_class_cache()
    passes = [
        sample_pass("loyalty", serial_number=f"S{i}", header=[{"key": "points", "value": i}])
        for i in range(50)
    ]
    compiled = [compile_google(p, issuer_id=ISSUER_ID) for p in passes]
    # Built once: the other 49 passes find it before `_build_class` (keyed by ClassInputs).
    assert _build_class.cache_info().misses == 1
    assert all(gp.compiled_class is compiled[0].compiled_class for gp in compiled)
    assert all(gp.class_json == compiled[0].class_json for gp in compiled)
    assert len({gp.object_id for gp in compiled}) == 50
    # A caller changing its copy does not change the next pass's class.
    compiled[0].class_json["programName"] = "changed"
    compiled[0].class_json["classTemplateInfo"].clear()
    again = compile_google(passes[1], issuer_id=ISSUER_ID)
    assert again.class_json["programName"] == "Acme Rewards"
    assert again.class_json["classTemplateInfo"]
    # A different layout-level input makes a different class.
    recoloured = compile_google(sample_pass("loyalty", background_color="red"), issuer_id=ISSUER_ID)
    assert recoloured.class_json["hexBackgroundColor"] == "#ff0000"


def test_same_inputs_and_clock_give_the_same_json() -> None:
    a = compile_google(sample_pass("event_ticket"), issuer_id=ISSUER_ID)
    clear_class_cache()
    b = compile_google(sample_pass("event_ticket"), issuer_id=ISSUER_ID)
    assert json.dumps(a.payload()) == json.dumps(b.payload())


def test_issued_at_is_not_used_as_validity_start() -> None:
    p = sample_pass("generic", issued_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert "start" not in compile_google(p, issuer_id=ISSUER_ID).object_json["validTimeInterval"]


def test_back_fields_that_are_not_links_stay_text() -> None:
    back = [
        {
            "key": "terms",
            "label": "Terms",
            "value": "See https://acme.example/terms",
            "link": "web",
        },
        {"key": "call", "label": "Call", "value": "ask at the desk", "link": "phone"},
        {"key": "site", "label": "Site", "value": "acme.example/rewards", "link": "web"},
    ]
    gp = compile_google(sample_pass("loyalty", back=back, links=[]), issuer_id=ISSUER_ID)
    validate_google_pass(gp)
    assert {"terms", "call"} <= set(text_modules(gp))
    assert gp.object_json["linksModuleData"]["uris"] == [
        {"uri": "https://acme.example/rewards", "id": "site", "description": "Site"}
    ]


def test_a_link_that_is_not_what_its_kind_says_is_refused() -> None:
    links = [{"kind": "web", "uri": "https://ok.example"}, {"kind": "email", "uri": "nobody"}]
    with pytest.raises(
        WalletRuleError, match=r"links\[1\]\.uri: 'nobody' is not a valid email link"
    ):
        compile_google(sample_pass("generic", links=links), issuer_id=ISSUER_ID)
