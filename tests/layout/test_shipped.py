"""Every shipped layout loads, renders its fixture, builds a signed .pkpass openssl verifies,
and compiles for Google Wallet."""

from __future__ import annotations

import json
import pickle
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from passkit.apple import build_pkpass
from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.errors import DataError
from passkit.layout import (
    FIXTURES_DIR,
    LAYOUTS_DIR,
    Layout,
    fixture_for,
    layout_json_schema,
    load_layout,
    shipped_layouts,
)
from passkit.model import Kind, Pass

LAYOUTS = shipped_layouts()
IDS = [path.stem for path in LAYOUTS]


def fixture(path: Path) -> dict[str, Any]:
    data = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module", params=LAYOUTS, ids=IDS)
def shipped(request: pytest.FixtureRequest) -> tuple[Path, Layout]:
    path: Path = request.param
    return path, load_layout(path)


def test_the_library_is_complete() -> None:
    assert set(IDS) == {
        "loyalty",
        "loyalty_plus",
        "gift_card",
        "generic",
        "coupon",
        "event_ticket",
        "boarding_pass",
    }
    assert all(path.parent == LAYOUTS_DIR for path in LAYOUTS)
    assert (LAYOUTS_DIR / "base" / "brand.yaml").exists()  # a base, not listed
    assert {load_layout(path).kind for path in LAYOUTS} == set(Kind)
    for path in LAYOUTS:
        assert fixture_for(path).parent == FIXTURES_DIR and fixture_for(path).exists()


def test_renders_its_fixture(shipped: tuple[Path, Layout]) -> None:
    path, layout = shipped
    rendered = layout.render(fixture(path), record_name=fixture_for(path).name)
    assert isinstance(rendered, Pass)
    assert rendered.kind is layout.kind and rendered.serial_number
    assert rendered.pass_type_id is None and rendered.team_id is None  # from the certificate
    assert rendered.images.icon is not None and rendered.images.logo is not None
    # Google needs hosted images: every image carries its URL under the layout's base URL
    images = [image for _, image in rendered.images.items()]
    for translation in rendered.translations.values():
        images += [image for _, image in translation.images.items()]
    for option in (layout.google.program_logo, layout.google.hero_image):
        if option is not None:
            images.append(option)
    for image in images:
        assert image.url == "https://static.passkit.example/layouts/" + (
            Path(image.name).resolve().relative_to(LAYOUTS_DIR).as_posix()
        )
    assert layout.google.class_suffix == path.stem
    assert path in layout.sources and all(source.exists() for source in layout.sources)


def test_declares_no_identifiers_of_a_certificate(shipped: tuple[Path, Layout]) -> None:
    path, _ = shipped
    text = path.read_text(encoding="utf-8")
    assert "pass_type_id" not in text and "team_id" not in text


def test_fixture_needs_every_required_input(shipped: tuple[Path, Layout]) -> None:
    path, layout = shipped
    record = fixture(path)
    for name, spec in layout.inputs.items():
        if spec.required:
            assert name in record
            smaller = {k: v for k, v in record.items() if k != name}
            with pytest.raises(DataError, match=name):
                layout.render(smaller)


def test_matches_the_json_schema(shipped: tuple[Path, Layout]) -> None:
    _, layout = shipped
    validator = jsonschema.Draft202012Validator(layout_json_schema())
    for source in layout.sources:
        if source.suffix == ".yaml":
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
            assert errors == [], source


def test_survives_pickling_for_worker_processes(shipped: tuple[Path, Layout]) -> None:
    path, layout = shipped
    copy = pickle.loads(pickle.dumps(layout))
    assert isinstance(copy, Layout) and copy.name == layout.name
    record = fixture(path)
    from tests.support.layout import NOW

    assert copy.render(record, now=NOW) == layout.render(record, now=NOW)


def test_builds_a_pkpass_openssl_verifies(
    shipped: tuple[Path, Layout],
    dev_signer: AppleSigner,
    dev_certs: DevCertificates,
    tmp_path: Path,
) -> None:
    path, layout = shipped
    rendered = layout.render(fixture(path))
    bundle = build_pkpass(rendered, dev_signer)
    with zipfile.ZipFile(BytesIO(bundle)) as archive:
        names = set(archive.namelist())
        assert {"pass.json", "manifest.json", "signature", "icon.png"} <= names
        (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json"))
        (tmp_path / "signature").write_bytes(archive.read("signature"))
        document = json.loads(archive.read("pass.json"))
    assert document["serialNumber"] == rendered.serial_number
    assert document["passTypeIdentifier"] == dev_certs.pass_type_id
    assert document["teamIdentifier"] == dev_certs.team_id
    if rendered.translations:
        assert any(name.startswith("fr.lproj/") for name in names)
    result = subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-in", str(tmp_path / "signature"),
            "-content", str(tmp_path / "manifest.json"),
            "-CAfile", str(dev_certs.root), "-purpose", "any",
            "-out", str(tmp_path / "verified"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_compiles_for_google_wallet(
    shipped: tuple[Path, Layout], dev_certs: DevCertificates
) -> None:
    from passkit.google import ServiceAccount, compile_google, save_link

    path, layout = shipped
    rendered = layout.render(fixture(path))
    compiled = compile_google(rendered, issuer_id="3388000000012345678", options=layout.google)
    link = save_link(compiled, ServiceAccount.from_file(dev_certs.google_service_account))
    assert link.url.startswith("https://pay.google.com/gp/v/save/")


def test_its_fixture_matches_the_record_schema(shipped: tuple[Path, Layout]) -> None:
    path, layout = shipped
    schema = layout.record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(fixture(path))] == []
    assert list(validator.iter_errors({**fixture(path), "unknown": 1}))
    for name, spec in layout.inputs.items():
        if spec.required:
            smaller = {k: v for k, v in fixture(path).items() if k != name}
            assert list(validator.iter_errors(smaller))


def test_the_coupon_shows_its_last_valid_day_in_both_wallets_and_the_preview(
    dev_signer: AppleSigner, dev_certs: DevCertificates
) -> None:
    """Issued 7 December at 10:00 in Paris, valid 30 days to the end of the day: valid through
    6 January, so it stops working at the midnight that starts 7 January, and every wallet
    says "6 January" wherever its holder is."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from passkit.google import ServiceAccount, compile_google, save_link
    from passkit.preview.google_view import google_view
    from passkit.preview.values import field_value
    from passkit.testing import open_pkpass, open_save_link

    paris = ZoneInfo("Europe/Paris")
    path = LAYOUTS_DIR / "coupon.yaml"
    layout = load_layout(path)
    issued = datetime(2025, 12, 7, 10, 0, tzinfo=paris)
    rendered = layout.render(fixture(path), now=issued)
    assert rendered.expiration_date == datetime(2026, 1, 7, 0, 0, tzinfo=paris)

    document = open_pkpass(build_pkpass(rendered, dev_signer, now=issued)).pass_json
    (shown,) = [f for f in document["coupon"]["secondaryFields"] if f["key"] == "expires"]
    assert shown["label"] == "Valid until"
    # A date, not an instant: no time shown, and the same day in every time zone.
    assert shown["value"] == "2026-01-06T00:00:00+01:00"
    assert shown["dateStyle"] == "PKDateStyleMedium" and shown["timeStyle"] == "PKDateStyleNone"
    assert shown["ignoresTimeZone"] is True
    assert document["expirationDate"] == "2026-01-07T00:00:00+01:00"

    # Google shows an offer's end itself, from the object's validity: its date is 6 January.
    compiled = compile_google(rendered, issuer_id="3388000000012345678", options=layout.google)
    end = compiled.object_json["validTimeInterval"]["end"]["date"]
    assert end == "2026-01-06T23:59:59+01:00"
    account = ServiceAccount.from_file(dev_certs.google_service_account)
    link = save_link(compiled, account, now=issued.astimezone(UTC), max_length=100_000)
    assert open_save_link(link.url, account).verified

    field = rendered.field("expires")
    assert field is not None
    assert field_value(rendered, field, "en") == "Jan 6, 2026"
    assert field_value(rendered, field, "fr") == "6 janv. 2026"
    card = google_view(rendered, "en", layout.google)
    assert ("Valid until", "Jan 6, 2026") in [(i.label, i.value) for row in card.rows for i in row]
