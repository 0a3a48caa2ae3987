"""The README's "Keeping passes current" examples, run as written (Starlette for FastAPI,
whose `app.mount` is Starlette's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_support import use_service_settings
from starlette.applications import Starlette

from passkit.devcerts import DevCertificates
from passkit.testing import WalletDevice, assert_field


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
