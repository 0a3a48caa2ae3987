"""assert_field, assert_barcode and assert_valid: what they accept and how they fail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.errors import PasskitError
from passkit.model import Money
from passkit.testing import (
    Bundle,
    PassAssertionError,
    assert_barcode,
    assert_field,
    assert_valid,
    open_pkpass,
    open_save_link,
)
from passkit.testing.assertions import values_equal
from tests.support.testing import default_files, png, rezip, signed_bundle


@pytest.fixture(scope="module")
def data(dev_signer: AppleSigner) -> bytes:
    files = default_files(
        dev_signer.pass_type_id,
        dev_signer.team_id,
        storeCard={
            "primaryFields": [
                {"key": "balance", "label": "Balance", "value": 25.5, "currencyCode": "EUR"}
            ],
            "secondaryFields": [
                {"key": "expires", "label": "Expires", "value": "2027-01-31T23:59:00+01:00"},
                {"key": "tier", "label": "TIER", "value": "Gold"},
            ],
            "auxiliaryFields": [{"key": "visits", "label": "Visits", "value": "12"}],
        },
    )
    return signed_bundle(dev_signer, files)


@pytest.fixture(scope="module")
def bundle(data: bytes) -> Bundle:
    return open_pkpass(data)


def failure(call: object, *args: object, **kwargs: object) -> str:
    assert callable(call)
    with pytest.raises(PassAssertionError) as caught:
        call(*args, **kwargs)
    assert isinstance(caught.value, AssertionError) and isinstance(caught.value, PasskitError)
    return str(caught.value)


def test_assert_field_passes_and_returns_the_field(bundle: Bundle) -> None:
    found = assert_field(bundle, "tier", "Gold", label="TIER", group="secondary")
    assert found.key == "tier"
    assert_field(bundle, "tier", "Gold", label="NIVEAU", lang="fr")
    assert_field(bundle, "tier")  # existence only


def test_values_compare_as_meant(bundle: Bundle) -> None:
    assert_field(bundle, "balance", Money(amount=Decimal("25.50"), currency="EUR"))
    assert_field(bundle, "balance", Decimal("25.5"))
    assert_field(bundle, "balance", 25.5)
    assert_field(bundle, "visits", 12)  # a number written as text
    assert_field(bundle, "visits", "12")
    cet = timezone(timedelta(hours=1))
    assert_field(bundle, "expires", datetime(2027, 1, 31, 23, 59, tzinfo=cet))
    assert_field(bundle, "expires", datetime(2027, 1, 31, 22, 59, tzinfo=UTC))  # same instant
    assert_field(bundle, "expires", date(2027, 1, 31))


@pytest.mark.parametrize(
    ("expected", "actual", "equal"),
    [
        (120, 120, True),
        (120, 120.0, True),
        (120, "120", True),
        (Decimal("0.1"), 0.1, True),
        (120, 121, False),
        (120, "a lot", False),
        ("120", 120, True),
        ("120", 120.5, False),
        (True, 1, False),
        (1, True, False),
        (True, True, True),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00Z", True),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T01:00:00+01:00", True),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T01:00:00Z", False),
        (datetime(2026, 1, 1, tzinfo=UTC), "not a date", False),
        (date(2026, 1, 1), "2026-01-01T09:30:00+02:00", True),
        (
            Money(amount=Decimal(5), currency="EUR"),
            Money(amount=Decimal("5.00"), currency="EUR"),
            True,
        ),
        (Money(amount=Decimal(5), currency="EUR"), Money(amount=Decimal(5), currency="USD"), False),
        ({"a": 1}, {"a": 1}, True),
    ],
)
def test_values_equal(expected: object, actual: object, equal: bool) -> None:
    assert values_equal(expected, actual) is equal


def test_a_wrong_value_label_and_group_are_all_reported(bundle: Bundle) -> None:
    message = failure(assert_field, bundle, "tier", "Silver", label="Level", group="primary")
    assert message == (
        "pass 'M-1001' (the bundle): field 'tier' (group 'secondary', label 'TIER')\n"
        "  value: expected 'Silver', got 'Gold'\n"
        "  label: expected 'Level', got 'TIER'\n"
        "  group: expected 'primary', got 'secondary'"
    )


def test_money_in_the_wrong_currency(bundle: Bundle) -> None:
    message = failure(
        assert_field, bundle, "balance", Money(amount=Decimal("25.5"), currency="USD")
    )
    assert "value: expected 25.5 USD, got 25.5" in message


def test_a_translated_label_failure_names_the_language(bundle: Bundle) -> None:
    message = failure(assert_field, bundle, "tier", label="TIER", lang="fr")
    assert "(group 'secondary', label 'NIVEAU' in 'fr')" in message
    assert "label: expected 'TIER', got 'NIVEAU'" in message


def test_a_missing_field_lists_the_fields(bundle: Bundle) -> None:
    message = failure(assert_field, bundle, "points", 120)
    assert message == (
        "pass 'M-1001' (the bundle): no field 'points'\n"
        "  fields present: balance (primary), expires (secondary), tier (secondary), "
        "visits (auxiliary)"
    )


def test_assert_barcode(bundle: Bundle) -> None:
    found = assert_barcode(bundle, "M-1001", format="qr", alt_text="M-1001", encoding="ISO-8859-1")
    assert found.message == "M-1001"
    assert_barcode(bundle, format="PKBarcodeFormatQR")  # the wallet's own name works too
    message = failure(assert_barcode, bundle, "X", format="aztec", alt_text="Y", encoding="utf-8")
    assert message.splitlines() == [
        "pass 'M-1001' (the bundle): barcode",
        "  message: expected 'X', got 'M-1001'",
        "  format: expected 'aztec', got 'qr'",
        "  alt text: expected 'Y', got 'M-1001'",
        "  encoding: expected 'utf-8', got 'iso-8859-1'",
    ]


def test_assert_barcode_without_a_barcode(dev_signer: AppleSigner) -> None:
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id, barcodes=[])
    bundle = open_pkpass(signed_bundle(dev_signer, files))
    assert failure(assert_barcode, bundle) == "pass 'M-1001' (the bundle): has no barcode"


def test_assert_valid_takes_a_bundle_bytes_or_a_path(
    data: bytes, bundle: Bundle, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    path = tmp_path / "card.pkpass"
    path.write_bytes(data)
    for subject in (bundle, data, path, str(path)):
        assert_valid(subject, dev_certs.root)
    tampered = rezip(data, {"icon.png": png(2, 2)})
    message = failure(assert_valid, tampered, dev_certs.root)
    assert message.startswith("pass 'M-1001' (the bundle) is not valid (1 problem):\n  - ")


def test_helpers_work_on_save_links(tmp_path: Path) -> None:
    import base64

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims = {
        "iss": "not-an-email",
        "aud": "google",
        "typ": "savetowallet",
        "payload": {
            "loyaltyObjects": [
                {
                    "id": "3388000000000000001.card-1",
                    "classId": "3388000000000000001.cards",
                    "state": "ACTIVE",
                    "loyaltyPoints": {"label": "Points", "balance": {"int": 120}},
                    "barcode": {"type": "QR_CODE", "value": "card-1"},
                }
            ]
        },
    }
    view = open_save_link(f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln")
    assert_field(view, "points", 120, label="Points", group="loyaltyPoints")
    assert_field(view.object(), "points", 120)
    assert_barcode(view, "card-1", format="qr")
    message = failure(assert_field, view, "points", 100)
    assert message.startswith("save link of 3388000000000000001.card-1: field 'points'")
    message = failure(assert_valid, view)
    assert "the signature was not checked" in message
    assert "claim 'iss' must be the service account's e-mail" in message
