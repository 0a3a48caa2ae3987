"""The pass registry on SQLite: issue, update, status, refresh, places, listing, the outbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from passkit.devcerts import DevCertificates
from passkit.errors import DataError
from passkit.layout import LAYOUTS_DIR
from passkit.service import Registry
from passkit.service.auth import authentication_token
from passkit.service.config import ConfigError
from passkit.service.schema import outbox
from passkit.service.state import RegistryError
from passkit.testing import assert_field, open_pkpass
from tests.service.support import FIXTURES, SECRET

URL = "https://passes.example.com/passes"


def loyalty_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((FIXTURES / "loyalty.json").read_text())
    return {**record, **changes}


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    """A copy of the shipped layouts, which a test may edit."""
    return Path(shutil.copytree(LAYOUTS_DIR, tmp_path / "layouts"))


@pytest.fixture
def registry(tmp_path: Path, layouts: Path, dev_certs: DevCertificates) -> Registry:
    return Registry(
        f"sqlite:///{tmp_path / 'passes.db'}",
        layouts=layouts,
        apple=dev_certs.signer(),
        web_service_url=URL,
        secret=SECRET,
    )


def pending(registry: Registry) -> list[dict[str, Any]]:
    with registry.store.engine.connect() as connection:
        rows = connection.execute(sa.select(outbox).order_by(outbox.c.id)).mappings()
        return [dict(row) for row in rows]


def test_an_issued_pass_is_signed_stored_and_updatable(
    registry: Registry, dev_certs: DevCertificates
) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    assert issued.serial == "lumen-4012883310"
    assert issued.pkpass is not None and issued.google_link is None
    bundle = open_pkpass(issued.pkpass)
    bundle.assert_valid(ca=dev_certs.root)
    assert bundle.pass_json["webServiceURL"] == URL
    token = bundle.pass_json["authenticationToken"]
    assert len(token) >= 16 and token == authentication_token(SECRET.encode(), issued.serial)
    stored = registry.get(issued.serial)
    assert stored is not None
    assert stored.tag == issued.tag and stored.status.value == "active"
    assert stored.record["points"] == 1280 and stored.layout == "loyalty"
    assert registry.pkpass(issued.serial) == issued.pkpass
    # The token is derived, never stored.
    database = Path(str(registry.store.engine.url.database)).read_bytes()
    assert token.encode() not in database


def test_a_serial_is_issued_once(registry: Registry) -> None:
    registry.issue("loyalty", loyalty_record())
    with pytest.raises(RegistryError, match="issued already"):
        registry.issue("loyalty", loyalty_record(points=5))
    assert len(registry.passes()) == 1


def test_an_update_merges_re_signs_and_bumps_the_tag_once(registry: Registry) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    assert registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
    after = registry.get(issued.serial)
    assert after is not None and after.tag > issued.tag
    assert after.record == loyalty_record(points=1250)
    bundle = open_pkpass(registry.pkpass(issued.serial) or b"")
    assert_field(bundle, "points", 1250)
    assert bundle.pass_json["authenticationToken"] == authentication_token(
        SECRET.encode(), issued.serial
    )
    # The same values again change nothing: no tag, no signature, no outbox row.
    signed = registry.pkpass(issued.serial)
    assert not registry.update(issued.serial, {"points": 1250})
    again = registry.get(issued.serial)
    assert again is not None and again.tag == after.tag and again.updated_at == after.updated_at
    assert registry.pkpass(issued.serial) == signed
    rows = pending(registry)
    assert [(row["target"], row["tag"], row["message"]) for row in rows] == [
        ("apple", after.tag, "You now have 1,250 points")
    ]


def test_changes_before_sending_coalesce_into_one_outbox_row(registry: Registry) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    registry.update(issued.serial, {"points": 1}, message="first")
    registry.update(issued.serial, {"points": 2})
    registry.update(issued.serial, {"points": 3}, message="third")
    stored = registry.get(issued.serial)
    rows = pending(registry)
    assert len(rows) == 1
    assert rows[0]["tag"] == stored.tag if stored else False
    assert rows[0]["message"] == "third" and rows[0]["state"] == "pending"


def test_a_refused_change_changes_nothing(registry: Registry) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    with pytest.raises(DataError, match="points"):
        registry.update(issued.serial, {"points": -5})
    with pytest.raises(DataError, match="did you mean 'points'"):
        registry.update(issued.serial, {"poinst": 5})
    with pytest.raises(RegistryError, match="serial number"):
        registry.update(issued.serial, {"member_id": "99999999"})
    stored = registry.get(issued.serial)
    assert stored is not None and stored.tag == issued.tag
    assert stored.record == loyalty_record()
    assert registry.pkpass(issued.serial) == issued.pkpass
    assert pending(registry) == []


def test_statuses_show_on_the_pass(registry: Registry) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    assert not open_pkpass(issued.pkpass or b"").voided
    assert registry.set_status(issued.serial, "voided")
    assert open_pkpass(registry.pkpass(issued.serial) or b"").voided
    assert not registry.set_status(issued.serial, "voided")
    assert registry.set_status(issued.serial, "expired")
    expired = open_pkpass(registry.pkpass(issued.serial) or b"")
    stored = registry.get(issued.serial)
    assert stored is not None and stored.expired_at is not None
    assert expired.expiration_date == stored.expired_at and expired.voided
    assert registry.set_status(issued.serial, "active")
    active = open_pkpass(registry.pkpass(issued.serial) or b"")
    assert not active.voided and active.expiration_date is None
    with pytest.raises(RegistryError, match="not a status"):
        registry.set_status(issued.serial, "lost")


def test_refresh_renders_from_the_layout_file_as_it_is_now(
    registry: Registry, layouts: Path
) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    assert registry.refresh(issued.serial)
    assert registry.get(issued.serial).tag == issued.tag  # type: ignore[union-attr]
    layout = layouts / "loyalty.yaml"
    layout.write_text(layout.read_text().replace("label: Points", "label: Balance"))
    assert registry.refresh(issued.serial)
    stored = registry.get(issued.serial)
    assert stored is not None and stored.tag > issued.tag
    assert_field(
        open_pkpass(registry.pkpass(issued.serial) or b""), "points", 1280, label="Balance"
    )
    assert not registry.refresh("no-such-serial")
    assert registry.get("no-such-serial") is None


def test_location_and_beacon_actions(registry: Registry) -> None:
    issued = registry.issue("loyalty", loyalty_record())
    shop = {"latitude": 45.75, "longitude": 4.85, "relevant_text": "Lumen Lyon"}
    assert registry.change_locations(issued.serial, "append", [shop])
    assert len(open_pkpass(registry.pkpass(issued.serial) or b"").locations) == 3
    assert registry.change_locations(issued.serial, "replace", [shop])
    locations = open_pkpass(registry.pkpass(issued.serial) or b"").locations
    assert [(place["latitude"], place["relevantText"]) for place in locations] == [
        (45.75, "Lumen Lyon")
    ]
    tag = registry.get(issued.serial).tag  # type: ignore[union-attr]
    many = [{"latitude": i, "longitude": i} for i in range(10)]
    with pytest.raises(RegistryError, match="at most 10"):
        registry.change_locations(issued.serial, "append", many)
    assert registry.get(issued.serial).tag == tag  # type: ignore[union-attr]
    with pytest.raises(RegistryError, match="latitude"):
        registry.change_locations(issued.serial, "append", [{"latitude": 91, "longitude": 0}])
    assert registry.change_locations(issued.serial, "delete", [shop])
    assert open_pkpass(registry.pkpass(issued.serial) or b"").locations == []
    beacon = {"proximity_uuid": "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0", "major": 1}
    assert registry.change_beacons(issued.serial, "append", [beacon])
    beacons = open_pkpass(registry.pkpass(issued.serial) or b"").beacons
    assert beacons[0]["proximityUUID"].upper() == beacon["proximity_uuid"]
    with pytest.raises(RegistryError, match="not one of"):
        registry.change_beacons(issued.serial, "delete", [{**beacon, "major": 2}])
    assert registry.change_beacons(issued.serial, "delete")
    assert open_pkpass(registry.pkpass(issued.serial) or b"").beacons == []
    with pytest.raises(RegistryError, match="not an action"):
        registry.change_beacons(issued.serial, "shuffle", [])  # type: ignore[arg-type]


def test_listing_by_layout_and_status(registry: Registry) -> None:
    first = registry.issue("loyalty", loyalty_record())
    second = registry.issue("loyalty", loyalty_record(member_id="4012883311"))
    coupon = json.loads((FIXTURES / "coupon.json").read_text())
    other = registry.issue("coupon", coupon)
    registry.set_status(second.serial, "redeemed")
    assert [p.serial for p in registry.passes()] == [first.serial, second.serial, other.serial]
    assert [p.serial for p in registry.passes(layout="loyalty", status="active")] == [first.serial]
    assert [p.serial for p in registry.passes(status="redeemed")] == [second.serial]
    assert [p.serial for p in registry.passes(layout="coupon")] == [other.serial]
    assert [p.serial for p in registry.passes(limit=2)] == [first.serial, second.serial]


def test_tags_grow_across_passes(registry: Registry) -> None:
    a = registry.issue("loyalty", loyalty_record())
    b = registry.issue("loyalty", loyalty_record(member_id="4012883311"))
    registry.update(a.serial, {"points": 1})
    registry.update(b.serial, {"points": 2})
    tags = [a.tag, b.tag, registry.get(a.serial).tag, registry.get(b.serial).tag]  # type: ignore[union-attr]
    assert tags == sorted(set(tags))


def test_unknown_serials_and_layouts_are_clear_errors(registry: Registry) -> None:
    from passkit.errors import LayoutError
    from passkit.service import UnknownPass

    with pytest.raises(UnknownPass, match="nope"):
        registry.update("nope", {"points": 1})
    with pytest.raises(LayoutError, match=r"no layout called 'lotalty'.*loyalty"):
        registry.issue("lotalty", loyalty_record())


def test_the_web_service_url_must_be_https_except_on_loopback(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'p.db'}"
    with pytest.raises(ConfigError, match="https"):
        Registry(database, web_service_url="http://passes.example.com/", secret=SECRET)
    with pytest.raises(ConfigError, match="at least 32"):
        Registry(database, web_service_url=URL, secret="short")
    for url in ("http://127.0.0.1:8000/p", "http://[::1]/p", "http://localhost/p", URL):
        assert Registry(database, web_service_url=url, secret=SECRET).web_service_url == url


def test_google_links_and_outbox_rows_when_google_is_configured(
    tmp_path: Path, dev_certs: DevCertificates
) -> None:
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.testing import open_save_link

    google = GoogleCredentials.resolve(
        service_account=str(dev_certs.google_service_account), issuer_id="3388000000012345678"
    )
    registry = Registry(
        f"sqlite:///{tmp_path / 'passes.db'}",
        layouts=["loyalty"],
        apple=dev_certs.signer(),
        web_service_url=URL,
        secret=SECRET,
        google=google,
    )
    issued = registry.issue("loyalty", loyalty_record())
    assert issued.google_link is not None
    link = open_save_link(issued.google_link, dev_certs.google_service_account)
    assert link.verified
    assert link.object().id == f"3388000000012345678.loyalty.{issued.serial}"
    assert issued.google_skinny == link.skinny
    registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
    rows = pending(registry)
    assert sorted(row["target"] for row in rows) == ["apple", "google"]
    assert {row["message"] for row in rows} == {"You now have 1,250 points"}


def test_issuing_needs_a_signer(tmp_path: Path) -> None:
    registry = Registry(f"sqlite:///{tmp_path / 'p.db'}", layouts=["loyalty"])
    with pytest.raises(RegistryError, match="Apple signing"):
        registry.issue("loyalty", loyalty_record())


def test_a_new_current_key_changes_no_pass_s_token(tmp_path: Path) -> None:
    from passkit.devcerts import write_dev_certificates
    from passkit.service.auth import authentication_token

    certs = write_dev_certificates(tmp_path / "certs")
    old, new = "o" * 32, "n" * 32
    database = f"sqlite:///{tmp_path / 'passes.db'}"

    def registry(secret: str) -> Registry:
        return Registry(
            database, layouts=["loyalty"], apple=certs.signer(), web_service_url=URL, secret=secret
        )

    first = registry(f"2026-01:{old}").issue("loyalty", loyalty_record())
    rotated = registry(f"2026-12:{new},2026-01:{old}")
    second = rotated.issue("loyalty", loyalty_record(member_id="4012883311"))
    rotated.update(first.serial, {"points": 5})

    def token(serial: str) -> str:
        bundle = open_pkpass(rotated.pkpass(serial) or b"")
        value: str = bundle.pass_json["authenticationToken"]
        return value

    assert token(first.serial) == authentication_token(old.encode(), first.serial)
    assert token(second.serial) == authentication_token(new.encode(), second.serial)
    assert rotated.keys is not None
    for serial in (first.serial, second.serial):
        assert rotated.keys.matches(serial, f"ApplePass {token(serial)}")
    assert not rotated.keys.matches(first.serial, f"ApplePass {token(second.serial)}")
    # A key taken away while its passes are out: their tokens cannot be made or checked.
    without = registry(f"2026-12:{new}")
    with pytest.raises(RegistryError, match="key id '2026-01'"):
        without.update(first.serial, {"points": 6})
    assert without.keys is not None
    assert not without.keys.matches(first.serial, f"ApplePass {token(first.serial)}")
    with pytest.raises(ConfigError, match="entry 2 is not 'kid:secret'"):
        registry(f"2026-12:{new},{old}")
