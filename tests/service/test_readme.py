"""The README's "Keeping passes current" and "Issuance links" examples, run as written
(Starlette for FastAPI, whose `app.mount` is Starlette's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from passkit.devcerts import DevCertificates
from passkit.testing import WalletDevice, assert_field
from tests.service.support import use_service_settings


def test_the_readme_examples(
    tmp_path: Path, dev_certs: DevCertificates, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    monkeypatch.chdir(tmp_path)
    use_service_settings(monkeypatch, dev_certs, "https://passes.example.com/passes")
    from passkit.service import ServiceConfig

    registry = ServiceConfig.load().registry()  # PASSKIT_* settings, checked at start-up
    app = Starlette()
    app.mount("/passes", registry.web_service())  # PASSKIT_WEB_SERVICE_URL ends in /passes

    record = {"member_id": "4012883310", "member_name": "Ada", "points": 1280}
    issued = registry.issue("loyalty", record)
    with WalletDevice(app=app) as device:
        device.add(issued.pkpass or b"")
        device.sync()
        registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
        registry.set_status(issued.serial, "redeemed")
        registry.refresh(issued.serial)
        shop = {"latitude": 45.75, "longitude": 4.85}
        registry.change_locations(issued.serial, "append", [shop])
        assert device.sync() == [issued.serial]
        bundle = device.passes[issued.serial]
        assert_field(bundle, "points", 1250)
        assert bundle.voided and len(bundle.locations) == 3
    assert (tmp_path / "passkit.db").is_file()


def test_the_readme_link_examples(
    tmp_path: Path, dev_certs: DevCertificates, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    """The "Issuance links" example as written, its links opened through the web service."""
    import re

    import anyio
    import httpx

    monkeypatch.chdir(tmp_path)
    use_service_settings(monkeypatch, dev_certs, "https://passes.example.com/passes")
    from passkit.service import ServiceConfig

    registry = ServiceConfig.load().registry()
    app = Starlette()
    app.mount("/passes", registry.web_service())

    link = registry.issuance_link(
        "loyalty",
        prefill={"member_id": "4012883310", "member_name": "Ada Lovelace", "points": 0},
        expires="2027-01-31",  # works through that day (UTC); or an aware datetime
        max_uses=1,
    )  # https://passes.example.com/passes/links/<token>
    campaign = registry.issuance_link(
        "loyalty", prefill={"points": 100}, max_uses=500, kind="campaign"
    )
    assert link.startswith("https://passes.example.com/passes/links/")

    async def visit() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            page = await client.get(link)
            assert page.status_code == 200 and "Add to Apple Wallet" in page.text
            button = re.search(r'href="([^"]+)"[^>]*>\s*Add to Apple Wallet', page.text)
            assert button is not None
            download = await client.get(button.group(1).replace("&amp;", "&"))
            form = {"member_id": "4012883311", "member_name": "Grace"}
            return download, await client.post(campaign, data=form)

    download, asked = anyio.run(visit)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.apple.pkpass"
    assert asked.status_code == 200, asked.text
    with WalletDevice(app=app) as device:
        device.add(download.content)

    installed = registry.passes(status="installed")  # the passes in a wallet
    assert [stored.serial for stored in installed] == ["lumen-4012883310"]
    counts = registry.counts()
    assert counts["loyalty"]["passes"] == 2 and counts["loyalty"]["installed"] == 1
    assert counts["loyalty"]["issued"] == 1 and counts["loyalty"]["active"] == 2
