"""Reading bundles: fields, barcodes, places, images, translations, read-only JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from passkit.apple.bundle import build_pkpass
from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.errors import BundleError
from passkit.model import Pass
from passkit.testing import Bundle, FieldNotFound, open_pkpass
from tests.support.testing import default_files, png, signed_bundle, zip_bytes


@pytest.fixture(scope="module")
def bundle(dev_signer: AppleSigner) -> Bundle:
    return open_pkpass(signed_bundle(dev_signer))


def test_identity_and_style(bundle: Bundle, dev_signer: AppleSigner) -> None:
    assert bundle.style == "storeCard"
    assert bundle.serial_number == "M-1001"
    assert bundle.pass_type_identifier == dev_signer.pass_type_id
    assert bundle.team_identifier == dev_signer.team_id
    assert bundle.organization_name == "Example Coffee"
    assert bundle.expiration_date == datetime(2026, 12, 1, tzinfo=timezone(timedelta(hours=1)))
    assert bundle.relevant_date is None
    assert not bundle.voided


def test_fields_by_group_with_labels_and_translations(bundle: Bundle) -> None:
    points = bundle.field("points")
    assert (points.key, points.value, points.label, points.group) == (
        "points",
        120,
        "Points",
        "primary",
    )
    assert points.localized_label("fr") == "Points fidélité"
    assert points.localized_label("fr-CA") == "Points fidélité"  # falls back to the base language
    assert points.localized_label("de") == "Points"  # untranslated: the label itself
    assert bundle.field("tier").localized_label("FR") == "NIVEAU"
    assert [(f.group, f.key) for f in bundle.fields] == [
        ("header", "tier"),
        ("primary", "points"),
        ("secondary", "member"),
        ("back", "terms"),
    ]


def test_a_missing_field_lists_the_fields_present(bundle: Bundle) -> None:
    with pytest.raises(FieldNotFound, match=r"no field with key 'pints'.*points \(primary\)"):
        bundle.field("pints")
    with pytest.raises(LookupError):
        bundle.field("pints")


def test_barcode_locations_and_beacons(bundle: Bundle) -> None:
    barcode = bundle.barcode
    assert barcode is not None
    assert (barcode.format, barcode.message, barcode.alt_text, barcode.encoding) == (
        "qr",
        "M-1001",
        "M-1001",
        "iso-8859-1",
    )
    assert bundle.locations == [{"latitude": 48.8566, "longitude": 2.3522, "relevantText": "Hi"}]
    assert bundle.beacons == []


def test_legacy_single_barcode_is_read(dev_signer: AppleSigner) -> None:
    legacy = {"format": "PKBarcodeFormatPDF417", "message": "X1", "messageEncoding": "utf-8"}
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id, barcode=legacy)
    data = json.loads(files["pass.json"])
    del data["barcodes"]
    files["pass.json"] = json.dumps(data).encode()
    barcode = open_pkpass(zip_bytes(list(files.items()))).barcode
    assert barcode is not None and (barcode.format, barcode.message) == ("pdf417", "X1")


def test_images_files_manifest_and_translations(bundle: Bundle) -> None:
    assert bundle.images == {"icon": {1: (29, 29), 2: (58, 58)}, "logo": {1: (120, 40)}}
    names = [name for name, _ in bundle.files]
    assert names[0] == "pass.json" and names[-2:] == ["manifest.json", "signature"]
    assert dict(bundle.files)["icon.png"] == len(png(29, 29))
    assert set(bundle.manifest) == set(names) - {"manifest.json", "signature"}
    assert bundle.translations == {"fr": {"Points": "Points fidélité", "TIER": "NIVEAU"}}
    assert bundle.languages == ["fr"]


def test_pass_json_is_read_only_but_compares_like_plain_json(bundle: Bundle) -> None:
    document = bundle.pass_json
    with pytest.raises(TypeError):
        document["serialNumber"] = "X"  # type: ignore[index]
    with pytest.raises((TypeError, AttributeError)):
        document["locations"].append({})
    with pytest.raises(TypeError):
        document["storeCard"]["primaryFields"][0]["value"] = 0
    assert document["barcodes"] == [
        {
            "format": "PKBarcodeFormatQR",
            "message": "M-1001",
            "messageEncoding": "iso-8859-1",
            "altText": "M-1001",
        }
    ]
    copy = bundle.json()
    copy["serialNumber"] = "changed"  # a fresh copy: changing it changes nothing else
    assert bundle.serial_number == "M-1001"
    assert json.loads(json.dumps(copy))["storeCard"] == document["storeCard"]


def test_opening_from_a_path(tmp_path: Path, dev_signer: AppleSigner) -> None:
    path = tmp_path / "card.pkpass"
    path.write_bytes(signed_bundle(dev_signer))
    for source in (path, str(path)):
        assert open_pkpass(source).source == str(path)


def test_a_bundle_built_by_passkit(dev_signer: AppleSigner, dev_certs: DevCertificates) -> None:
    def drawn_image(size: tuple[int, int]) -> Image.Image:
        return Image.new("RGB", size, (200, 30, 30))

    expires = datetime(2027, 1, 31, 23, 59, tzinfo=UTC)
    p = Pass(
        kind="gift_card",
        serial_number="GC-7",
        organization="Example Books",
        description="Gift card",
        images={"icon": drawn_image((300, 300)), "logo": drawn_image((480, 150))},
        primary=[
            {"key": "balance", "label": "Balance", "value": {"amount": "25.50", "currency": "EUR"}}
        ],
        secondary=[{"key": "expires", "label": "Expires", "value": expires}],
        back=[{"key": "pin", "label": "PIN", "value": "1234"}],
        barcode={"format": "code128", "message": "GC-7"},
        beacons=[{"proximity_uuid": "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0", "major": 1}],
        translations={"de": {"strings": {"Balance": "Guthaben"}}},
    )
    built = open_pkpass(build_pkpass(p, dev_signer, now=datetime.now(UTC)))
    assert built.verify(dev_certs.root) == []
    balance = built.field("balance")
    assert balance.group == "primary"
    assert Decimal(str(balance.value)) == Decimal("25.50")
    assert balance.localized_label("de") == "Guthaben"
    assert built.field("expires").value.startswith("2027-01-31T23:59")
    barcode = built.barcode
    assert barcode is not None and (barcode.format, barcode.message) == ("code128", "GC-7")
    assert built.beacons[0]["major"] == 1
    assert set(built.images) >= {"icon", "logo"}
    assert built.images["icon"][2] == (58, 58)


def test_a_bundle_without_manifest_or_signature_opens_and_says_so() -> None:
    files: dict[str, Any] = default_files("pass.x", "T1")
    bundle = open_pkpass(zip_bytes(list(files.items())))
    problems = bundle.verify()
    assert any("manifest.json: missing" in p for p in problems)
    assert any("not signed" in p for p in problems)


def test_read_names_the_missing_file(bundle: Bundle) -> None:
    with pytest.raises(BundleError, match=r"has no file 'strip\.png'"):
        bundle.read("strip.png")
