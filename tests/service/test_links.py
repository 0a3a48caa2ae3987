"""Issuance links end to end: `passkit service run` (uvicorn) on 127.0.0.1 answers the links a
registry makes, issues and counts their passes in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.linktokens import LinkKeyring
from passkit.testing import open_pkpass
from tests.service.support import SECRET, empty_database, running_service, uses_of

MEMBER = {"member_name": "Jordan Alvarez", "plan": "Premium", "valid_until": "2027-01-31"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


def registry_for(url: str, database_url: str, dev_certs: DevCertificates) -> Registry:
    return Registry(database_url, apple=dev_certs.signer(), web_service_url=url, secret=SECRET)


def apple_button(page: str) -> str:
    """The address of the page's "Add to Apple Wallet" button."""
    found = re.search(r'<a[^>]*href="([^"]+)"[^>]*>\s*Add to Apple Wallet', page)
    assert found, page
    return html.unescape(found.group(1))


def serial_behind(page: str, dev_certs: DevCertificates) -> str:
    """Downloads the pass behind the page's Apple button, checks it, and gives its serial."""
    answer = httpx.get(apple_button(page), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.apple.pkpass"
    bundle = open_pkpass(answer.content)
    bundle.assert_valid(ca=dev_certs.root)
    assert bundle.serial_number is not None
    return bundle.serial_number


def test_a_personal_link_round_trip(database_url: str, dev_certs: DevCertificates) -> None:
    with running_service(dev_certs, database_url) as url:
        registry = registry_for(url, database_url, dev_certs)
        link = registry.issuance_link(
            "generic",
            prefill={**MEMBER, "member_id": "HAC-204817"},
            expires=datetime.now(UTC) + timedelta(days=30),
            max_uses=1,
        )
        assert link.startswith(f"{url}/links/")
        first = httpx.get(link, timeout=30)
        assert first.status_code == 200, first.text
        assert "Add to Apple Wallet" in first.text
        assert first.headers["cache-control"] == "no-store"
        assert serial_behind(first.text, dev_certs) == "HAC-204817"
        # A second visit gives the same pass, and counts no second use.
        second = httpx.get(link, timeout=30)
        assert second.status_code == 200
        assert serial_behind(second.text, dev_certs) == "HAC-204817"
        token = link.rsplit("/", 1)[1]
        payload = LinkKeyring.from_text(SECRET).open(token)
        assert uses_of(registry.store.engine, payload.link_id) == 1
        stored = registry.get("HAC-204817")
        assert stored is not None and stored.link_id == payload.link_id
        assert stored.wallet_state == "issued"


def test_refused_links_say_why(database_url: str, dev_certs: DevCertificates) -> None:
    with running_service(dev_certs, database_url) as url:
        registry = registry_for(url, database_url, dev_certs)
        expired = registry.issuance_link(
            "generic",
            prefill={**MEMBER, "member_id": "HAC-100001"},
            expires=datetime.now(UTC) - timedelta(minutes=1),
        )
        answer = httpx.get(expired, timeout=30)
        assert answer.status_code == 410
        assert "This link has expired" in answer.text
        # A campaign link asks for the member id, and gives two passes at most.
        campaign = registry.issuance_link("generic", prefill=MEMBER, max_uses=2, kind="campaign")
        form = httpx.get(campaign, timeout=30)
        assert form.status_code == 200 and 'name="member_id"' in form.text
        serials = []
        # The first member comes back before the link is used up: the same pass, no use.
        for member_id in ("HAC-200001", "HAC-200001", "HAC-200002"):
            page = httpx.post(campaign, data={"member_id": member_id}, timeout=30)
            assert page.status_code == 200, page.text
            serials.append(serial_behind(page.text, dev_certs))
        assert serials == ["HAC-200001", "HAC-200001", "HAC-200002"]
        # Another link cannot give a pass this one issued.
        other = registry.issuance_link("generic", prefill=MEMBER, kind="campaign")
        taken = httpx.post(other, data={"member_id": "HAC-200001"}, timeout=30)
        assert taken.status_code == 409
        assert "This pass cannot be issued" in taken.text and "HAC-200001" not in taken.text
        used_up = httpx.post(campaign, data={"member_id": "HAC-200003"}, timeout=30)
        assert used_up.status_code == 410
        assert "This link has been used up" in used_up.text
        assert registry.get("HAC-200003") is None
        # One character changed in the token: refused, and nothing issued.
        token = campaign.rsplit("/", 1)[1]
        flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        tampered = httpx.post(
            f"{url}/links/{flipped}", data={"member_id": "HAC-200004"}, timeout=30
        )
        assert tampered.status_code == 404
        assert "This link is not valid" in tampered.text
        assert registry.get("HAC-200004") is None
        # A download address with a wrong key gives nothing.
        button = apple_button(page.text)
        wrong = re.sub(r"/downloads/[^/]+/", "/downloads/" + "x" * 43 + "/", button)
        assert httpx.get(wrong, timeout=30).status_code == 404


def test_a_campaign_link_never_gives_more_than_max_uses(
    database_url: str, dev_certs: DevCertificates
) -> None:
    """Twelve members at once on two workers, for a link of five passes."""
    with running_service(dev_certs, database_url, workers=2) as url:
        registry = registry_for(url, database_url, dev_certs)
        campaign = registry.issuance_link("generic", prefill=MEMBER, max_uses=5, kind="campaign")

        def claim(number: int) -> int:
            data = {"member_id": f"HAC-3000{number:02d}"}
            return httpx.post(campaign, data=data, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(claim, range(12)))
        assert sorted(statuses) == [200] * 5 + [410] * 7
        token = campaign.rsplit("/", 1)[1]
        link_id = LinkKeyring.from_text(SECRET).open(token).link_id
        with registry.store.engine.connect() as connection:
            issued = connection.execute(
                sa.text("SELECT count(*) FROM passes WHERE link_id = :id"), {"id": link_id}
            ).scalar()
        assert issued == 5
        assert uses_of(registry.store.engine, link_id) == 5


def test_a_form_too_large_is_refused(tmp_path: Path, dev_certs: DevCertificates) -> None:
    database_url = f"sqlite:///{tmp_path / 'passes.db'}"
    with running_service(dev_certs, database_url) as url:
        registry = registry_for(url, database_url, dev_certs)
        campaign = registry.issuance_link("generic", prefill=MEMBER, kind="campaign")
        big = httpx.post(campaign, content=b"member_id=" + b"x" * 20000, timeout=30)
        assert big.status_code == 413
        many = httpx.post(campaign, content=b"&".join([b"a=1"] * 200), timeout=30)
        assert many.status_code == 413
