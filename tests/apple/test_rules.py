"""Every rule of `passkit.apple_rules.RULES` is broken twice: by building a pass, which must
raise a WalletRuleError naming the rule, and by a signed bundle whose pass.json breaks it, which
`Bundle.verify` must report naming the same rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from passkit.apple import build_pkpass, compile_pass_json
from passkit.apple.signing import AppleSigner
from passkit.apple_rules import MAX_BEACONS, MAX_LOCATIONS, RULES
from passkit.devcerts import DevCertificates
from passkit.errors import DataError, LayoutError, WalletRuleError, rule_behind
from passkit.layout import load_layout
from passkit.model import Pass
from passkit.preview import lint_pass
from passkit.testing import open_pkpass
from tests.support.batch import build_args, write_jsonl
from tests.support.cli import exit_status
from tests.support.layout import WITH_ID, write
from tests.support.testing import default_files, png, signed_bundle

BEACON = "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"
QR = {"format": "PKBarcodeFormatQR", "message": "1", "messageEncoding": "iso-8859-1"}
ICON = png(87, 87)
STRIP = png(375, 98)
TOKEN = "0123456789abcdef"
CODE128 = {"format": "PKBarcodeFormatCode128", "message": "café", "messageEncoding": "utf-8"}


def fields(count: int, prefix: str = "f", **extra: Any) -> list[dict[str, Any]]:
    return [{"key": f"{prefix}{i}", "value": "x", **extra} for i in range(count)]


def card(group: str, items: list[dict[str, Any]]) -> Callable[[dict[str, Any]], None]:
    """A change of pass.json putting `items` in a field group of the store card."""

    def change(document: dict[str, Any]) -> None:
        document["storeCard"][f"{group}Fields"] = items

    return change


def setting(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda document: document.update(values)


def both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        for one in changes:
            one(document)

    return change


@dataclass(frozen=True)
class Breach:
    """A loyalty pass breaking a rule (`built`: the Pass's values) and the same breach written
    straight into a valid pass.json (`written`)."""

    built: dict[str, Any]
    written: Callable[[dict[str, Any]], None]
    #: Files of the bundle left out, and added.
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


BREACHES: dict[str, Breach] = {
    "apple.locations.max": Breach(
        {"locations": [{"latitude": 1, "longitude": 2}] * (MAX_LOCATIONS + 1)},
        setting(locations=[{"latitude": 1, "longitude": 2}] * (MAX_LOCATIONS + 1)),
    ),
    "apple.beacons.max": Breach(
        {"beacons": [{"proximity_uuid": BEACON}] * (MAX_BEACONS + 1)},
        setting(beacons=[{"proximityUUID": BEACON}] * (MAX_BEACONS + 1)),
    ),
    "apple.fields.count": Breach({"header": fields(4)}, card("header", fields(4))),
    "apple.fields.square-barcode": Breach(
        {"barcode": {"message": "1"}, "secondary": fields(3), "auxiliary": fields(2, "a")},
        both(
            setting(barcodes=[QR]),
            card("secondary", fields(3)),
            card("auxiliary", fields(2, "a")),
        ),
    ),
    "apple.fields.unique-key": Breach(
        {"primary": fields(1), "back": fields(1)},
        both(card("primary", fields(1)), card("back", fields(1))),
    ),
    "apple.field.alignment": Breach(
        {"primary": fields(1, alignment="left")},
        card("primary", fields(1, textAlignment="PKTextAlignmentLeft")),
    ),
    "apple.field.link-on-back": Breach(
        {"secondary": fields(1, link="web")},
        card("secondary", fields(1, dataDetectorTypes=["PKDataDetectorTypeLink"])),
    ),
    "apple.field.change-message": Breach(
        {"primary": fields(1, change_message="now")},
        card("primary", fields(1, changeMessage="now")),
    ),
    "apple.barcode.encoding": Breach(
        {"barcode": {"message": "1", "encoding": "klingon"}},
        setting(barcodes=[{**QR, "messageEncoding": "klingon"}]),
    ),
    "apple.barcode.encodable": Breach(
        {"barcode": {"message": "€"}}, setting(barcodes=[{**QR, "message": "€"}])
    ),
    "apple.barcode.code128-ascii": Breach(
        {"barcode": {"format": "code128", "message": "café", "encoding": "utf-8"}},
        setting(barcodes=[CODE128]),
    ),
    "apple.images.icon": Breach(
        {"images": {}}, lambda document: None, removed=("icon.png", "icon@2x.png")
    ),
    "apple.images.role": Breach(
        {"images": {"icon": ICON, "thumbnail": png(90, 90)}},
        lambda document: None,
        added=("thumbnail.png",),
    ),
    "apple.images.strip-alone": Breach(
        {"kind": "event_ticket", "images": {"icon": ICON, "strip": STRIP, "background": STRIP}},
        lambda document: document.update(eventTicket=document.pop("storeCard")),
        added=("strip.png", "background.png"),
    ),
    "apple.grouping.style": Breach({"grouping_id": "g-1"}, setting(groupingIdentifier="g-1")),
    "apple.nfc.public-key": Breach({"nfc": {"message": "m"}}, setting(nfc={"message": "m"})),
    "apple.nfc.message": Breach(
        {"nfc": {"message": "m" * 65, "encryption_public_key": "key"}},
        setting(nfc={"message": "m" * 65, "encryptionPublicKey": "key"}),
    ),
    "apple.location.coordinates": Breach(
        {"locations": [{"latitude": 91, "longitude": 2}]},
        setting(locations=[{"latitude": 91, "longitude": 2}]),
    ),
    "apple.beacon.uuid": Breach(
        {"beacons": [{"proximity_uuid": "nope"}]}, setting(beacons=[{"proximityUUID": "nope"}])
    ),
    "apple.beacon.numbers": Breach(
        {"beacons": [{"proximity_uuid": BEACON, "major": 65536}]},
        setting(beacons=[{"proximityUUID": BEACON, "major": 65536}]),
    ),
    "apple.beacon.minor-needs-major": Breach(
        {"beacons": [{"proximity_uuid": BEACON, "minor": 4}]},
        setting(beacons=[{"proximityUUID": BEACON, "minor": 4}]),
    ),
    "apple.web-service.url": Breach(
        {"web_service": {"url": "passes", "authentication_token": TOKEN}},
        setting(webServiceURL="passes", authenticationToken=TOKEN),
    ),
    "apple.web-service.https": Breach(
        {"web_service": {"url": "http://example.com/v1", "authentication_token": TOKEN}},
        setting(webServiceURL="http://example.com/v1", authenticationToken=TOKEN),
    ),
    "apple.web-service.token": Breach(
        {"web_service": {"url": "https://example.com/v1", "authentication_token": "short"}},
        setting(webServiceURL="https://example.com/v1", authenticationToken="short"),
    ),
    "apple.pass.required-text": Breach({"organization": ""}, setting(organizationName="")),
    "apple.color.form": Breach(
        {"background_color": "rgb(300, 0, 0)"}, setting(backgroundColor="rgb(300, 0, 0)")
    ),
    "apple.date.time-zone": Breach(
        {"relevant_date": datetime(2026, 12, 1, 9, 0)}, setting(relevantDate="2026-12-01T09:00")
    ),
    "apple.field.value": Breach(
        {"primary": fields(1, value=True)}, card("primary", fields(1, value=True))
    ),
    "apple.field.currency": Breach(
        {"primary": fields(1, value=1, currency="XYZ")},
        card("primary", fields(1, value=1, currencyCode="XYZ")),
    ),
    "apple.barcode.message": Breach(
        {"barcode": {"message": ""}}, setting(barcodes=[{**QR, "message": ""}])
    ),
}


def loyalty(**extra: Any) -> Pass:
    values: dict[str, Any] = {
        "kind": "loyalty",
        "serial_number": "R-1",
        "organization": "Example Coffee",
        "description": "Example card",
        "images": {"icon": ICON},
        **extra,
    }
    return Pass(**values)


@pytest.fixture(scope="module")
def root(dev_certs: DevCertificates) -> Path:
    return dev_certs.root


def bundle_with(signer: AppleSigner, breach: Breach | None) -> bytes:
    document = compile_pass_json(
        loyalty(), pass_type_id=signer.pass_type_id, team_id=signer.team_id
    )
    files = default_files(signer.pass_type_id, signer.team_id)
    if breach is not None:
        breach.written(document)
        for name in breach.removed:
            del files[name]
        files.update((name, STRIP) for name in breach.added)
    files["pass.json"] = json.dumps(document).encode()
    return signed_bundle(signer, files)


def test_every_rule_of_the_table_has_a_breach() -> None:
    assert set(BREACHES) == set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_building_names_the_rule(name: str, dev_signer: AppleSigner) -> None:
    with pytest.raises(WalletRuleError) as caught:
        build_pkpass(loyalty(**BREACHES[name].built), dev_signer)
    assert caught.value.rule == name
    assert caught.value.fix and str(caught.value).endswith(caught.value.fix)


@pytest.mark.parametrize("name", sorted(RULES))
def test_verifying_names_the_rule(name: str, dev_signer: AppleSigner, root: Path) -> None:
    problems = open_pkpass(bundle_with(dev_signer, BREACHES[name])).verify(root)
    named = [problem for problem in problems if problem.endswith(f"[{name}]")]
    assert len(named) == 1, problems
    fix_start = RULES[name].fix.partition("{")[0]
    assert fix_start in named[0]


def test_the_unbroken_pass_verifies_clean(dev_signer: AppleSigner, root: Path) -> None:
    assert open_pkpass(bundle_with(dev_signer, None)).verify(root) == []


# The rules `passkit lint` warns of before a build refuses the pass.
LINTED = (
    "apple.fields.count",
    "apple.fields.square-barcode",
    "apple.images.icon",
    "apple.images.role",
    "apple.images.strip-alone",
)


@pytest.mark.parametrize("name", LINTED)
def test_lint_names_the_rule_the_build_breaks(name: str) -> None:
    warnings = lint_pass(loyalty(**BREACHES[name].built))
    assert name in {warning.rule for warning in warnings}, warnings


def test_lint_names_no_rule_of_a_sound_pass() -> None:
    assert {warning.rule for warning in lint_pass(loyalty())} == {None}


def test_passkit_verify_prints_the_rule(
    capsys: pytest.CaptureFixture[str], dev_signer: AppleSigner, root: Path, tmp_path: Path
) -> None:
    path = tmp_path / "crowded.pkpass"
    path.write_bytes(bundle_with(dev_signer, BREACHES["apple.locations.max"]))
    assert exit_status("verify", path, "--ca", root) == 1
    out = capsys.readouterr().out
    assert (
        "  - pass.json: locations: at most 10 locations are allowed, got 11; keep the ones "
        "nearest to where the pass is used [apple.locations.max]"
    ) in out.splitlines()


# Layouts breaking a rule the model enforces: in a constant part (refused when the layout is
# loaded) or in a templated one (refused for the record that breaks it).
IN_LAYOUTS: dict[str, str] = {
    "apple.location.coordinates": "locations:\n  - {latitude: 91, longitude: 0}\n",
    "apple.beacon.uuid": "beacons:\n  - {proximity_uuid: not-a-uuid}\n",
    "apple.nfc.message": "nfc:\n  message: " + "x" * 70 + "\n  encryption_public_key: k\n",
    "apple.web-service.https": (
        f"web_service:\n  url: http://passes.example.com/v1\n  authentication_token: {TOKEN}\n"
    ),
    "apple.web-service.token": (
        "web_service:\n  url: https://passes.example.com/v1\n  authentication_token: short\n"
    ),
}
TEMPLATED = "locations:\n  - {latitude: '{{ 91 + 0 * id|length }}', longitude: 0}\n"


@pytest.mark.parametrize("name", sorted(IN_LAYOUTS))
def test_a_layout_breaking_a_rule_names_it(name: str, tmp_path: Path) -> None:
    path = write(tmp_path, WITH_ID + IN_LAYOUTS[name])
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    assert rule_behind(caught.value) == name
    assert RULES[name].fix.partition("{")[0] in str(caught.value)


def test_a_record_breaking_a_rule_names_it(tmp_path: Path) -> None:
    layout = load_layout(write(tmp_path, WITH_ID + TEMPLATED))
    with pytest.raises(DataError) as caught:
        layout.render({"id": "1"})
    assert rule_behind(caught.value) == "apple.location.coordinates"
    assert rule_behind(DataError("no rule behind this one")) is None


def test_passkit_lint_and_build_print_the_rule_of_a_layout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, WITH_ID + IN_LAYOUTS["apple.web-service.token"])
    data = tmp_path / "record.json"
    data.write_text('{"id": "1"}')
    assert exit_status("lint", path, "--data", data) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.endswith(" [apple.web-service.token]\n")
    templated = write(tmp_path, WITH_ID + TEMPLATED, "templated.yaml")
    assert exit_status("lint", templated, "--data", data) == 2
    assert capsys.readouterr().err.endswith(" [apple.location.coordinates]\n")


def test_a_batch_names_the_rule_a_record_broke(
    capsys: pytest.CaptureFixture[str], dev_certs: DevCertificates, tmp_path: Path
) -> None:
    by_record = "locations:\n  - {latitude: '{{ 91 if id == \"far\" else 45 }}', longitude: 0}\n"
    layout = write(tmp_path, WITH_ID + "images:\n  icon: icon.png\n" + by_record)
    Image.new("RGB", (87, 87), "navy").save(tmp_path / "icon.png")
    data = write_jsonl(tmp_path / "records.jsonl", [{"id": "near"}, {"id": "far"}])
    out = tmp_path / "out"
    options = ("--out", str(out), "--no-progress")
    assert exit_status(*build_args(layout, data, dev_certs, *options)) == 1
    failed = [line for line in capsys.readouterr().err.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and failed[0].endswith(" [apple.location.coordinates]")
    (entry,) = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert entry["rule"] == "apple.location.coordinates" and entry["line"] == 2
