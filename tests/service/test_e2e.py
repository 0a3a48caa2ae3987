"""The pass service end to end: `passkit service run` (uvicorn) on 127.0.0.1, a Wallet device
speaking the protocol to it, and the registry changing passes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.testing import WalletDevice, assert_field
from tests.service.support import (
    FIXTURES,
    SECRET,
    PostgresServer,
    empty_database,
    running_service,
    service_env,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_database(request, tmp_path)


def test_a_phone_follows_its_pass(database_url: str, dev_certs: DevCertificates) -> None:
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    with running_service(dev_certs, database_url) as url:
        registry = Registry(
            database_url,
            layouts=["loyalty"],
            apple=dev_certs.signer(),
            web_service_url=url,
            secret=SECRET,
        )
        issued = registry.issue("loyalty", record)
        serial = issued.serial
        with WalletDevice() as device:
            device.add(issued.pkpass or b"")  # registers: 201
            assert device.sync() == [serial]  # lists since no tag, fetches the pass
            key = (url, "pass.dev.passkit.example")
            first_tag = device.tags[key]
            assert_field(device.passes[serial], "points", 1280)
            registry.update(serial, {"points": 1250}, message="You now have 1,250 points")
            # Listed since the old tag, fetched again with the new value and a valid signature.
            assert device.sync() == [serial]
            assert int(device.tags[key] or 0) > int(first_tag or 0)
            bundle = device.passes[serial]
            assert_field(bundle, "points", 1250)
            bundle.assert_valid(ca=dev_certs.root)
            assert bundle.field("points").raw["changeMessage"] == "You now have %@ points"
            # Fetched with If-Modified-Since of the current pass: 304.
            headers = {
                "Authorization": f"ApplePass {bundle.pass_json['authenticationToken']}",
                "If-Modified-Since": device._held[serial].last_modified or "",
            }
            current = httpx.get(f"{url}/v1/passes/{key[1]}/{serial}", headers=headers)
            assert current.status_code == 304
            assert device.sync() == []
            device.remove(serial)  # unregisters: 200
        listing = httpx.get(f"{url}/v1/devices/{device.device_id}/registrations/{key[1]}")
        assert listing.status_code == 204
        # Absurd requests get an answer from the server, which goes on serving.
        assert httpx.get(f"{url}/v1/passes/{key[1]}/{'s' * 20_000}").status_code in (400, 404, 414)
        huge = {"Authorization": "ApplePass " + "x" * 20_000}
        answer = httpx.get(f"{url}/v1/passes/{key[1]}/{serial}", headers=huge)
        assert answer.status_code in (400, 401, 431)
        body = b'{"pushToken": "' + b"x" * 1_000_000 + b'"}'
        big = httpx.post(
            f"{url}/v1/devices/{'d' * 32}/registrations/{key[1]}/{serial}",
            content=body,
            headers=headers,
        )
        assert big.status_code == 413
        assert httpx.post(f"{url}/v1/log", json={"logs": ["still here"]}).status_code == 200


def test_the_service_refuses_a_database_that_is_not_migrated(
    postgres: PostgresServer, dev_certs: DevCertificates
) -> None:
    url = postgres.database()
    env = service_env(dev_certs, url, "http://127.0.0.1:9/passes")
    command = [sys.executable, "-m", "passkit", "service", "run"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "run `passkit service migrate --database URL`" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    del env["PASSKIT_SERVICE_SECRET"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: a web service needs a secret for its passes' tokens: set PASSKIT_SERVICE_SECRET"
    ]
    env["PASSKIT_SERVICE_SECRET"] = "too short"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "use at least 32" in done.stderr
    assert "too short" not in done.stderr + done.stdout
