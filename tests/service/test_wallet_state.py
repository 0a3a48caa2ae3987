"""Whether passes are in wallets: Apple registrations and Google's signed callbacks, through
`passkit service run` (uvicorn) on 127.0.0.1, with Google's keys made in the test."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from passkit.batch.build_plan import GoogleCredentials
from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.testing import WalletDevice
from tests.service.callback_support import ISSUER, Google, Key
from tests.service.support import FIXTURES, SECRET, running_service
from tests.support.cli import passkit
from tests.support.google import account_json

LOYALTY = json.loads((FIXTURES / "loyalty.json").read_text())


@pytest.fixture(scope="module")
def google(tmp_path_factory: pytest.TempPathFactory) -> Google:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("google-keys")
    return Google(
        Key.make(folder, "root"), Key.make(folder, "intermediate"), Key.make(folder, "other")
    )


def google_settings(folder: Path, google: Google) -> dict[str, str]:
    account = folder / "account.json"
    account.write_text(json.dumps(account_json()))
    root_keys = google.root_keys(folder / "root-keys.json")
    return {
        "PASSKIT_GOOGLE_SERVICE_ACCOUNT": str(account),
        "PASSKIT_GOOGLE_ISSUER_ID": ISSUER,
        "PASSKIT_GOOGLE_CALLBACK_ROOT_KEYS": str(root_keys),
    }


def wallet_state(registry: Registry, serial: str) -> str:
    stored = registry.get(serial)
    assert stored is not None
    return stored.wallet_state.value


def test_google_callbacks_set_the_wallet_state(
    tmp_path: Path, dev_certs: DevCertificates, google: Google
) -> None:
    database_url = f"sqlite:///{tmp_path / 'passes.db'}"
    settings = google_settings(tmp_path, google)
    with running_service(dev_certs, database_url, settings=settings) as url:
        registry = Registry(
            database_url,
            layouts=["loyalty"],
            apple=dev_certs.signer(),
            web_service_url=url,
            secret=SECRET,
            google=GoogleCredentials.resolve(environ=settings),
        )
        serial = registry.issue("loyalty", LOYALTY).serial
        with registry.store.engine.connect() as connection:
            object_id = connection.execute(
                sa.text("SELECT google_object_id FROM passes WHERE serial = :s"), {"s": serial}
            ).scalar_one()
        suffix = object_id.split(".", 1)[1]
        now = datetime.now(UTC)

        def signed(event: str, nonce: str, **changes: Any) -> bytes:
            fresh = {"expires": now + timedelta(minutes=5), "key_expires": now + timedelta(days=7)}
            return google.body(event=event, nonce=nonce, object_suffix=suffix, **fresh | changes)

        def post(body: bytes) -> httpx.Response:
            return httpx.post(f"{url}/google/callback", content=body, timeout=30)

        saved = signed("save", "n-save")
        assert post(saved).status_code == 200
        assert wallet_state(registry, serial) == "installed"
        # Google delivers again: acknowledged, and changes nothing.
        assert post(saved).status_code == 200
        answer = post(signed("del", "n-wrong", message_signer=google.other))
        assert answer.status_code == 400 and "message signature" in answer.text
        answer = post(signed("del", "n-late", expires=now - timedelta(minutes=1)))
        assert answer.status_code == 400 and "message expired" in answer.text
        assert wallet_state(registry, serial) == "installed"
        assert post(signed("del", "n-del")).status_code == 200
        assert wallet_state(registry, serial) == "removed"
        # The nonces are the database's: a replay after the delete is still a replay.
        assert post(saved).status_code == 200
        assert wallet_state(registry, serial) == "removed"
        assert post(b"x" * 20000).status_code == 413


def test_apple_registrations_set_the_wallet_state(
    tmp_path: Path, dev_certs: DevCertificates
) -> None:
    database_url = f"sqlite:///{tmp_path / 'passes.db'}"
    with running_service(dev_certs, database_url) as url:
        registry = Registry(
            database_url, apple=dev_certs.signer(), web_service_url=url, secret=SECRET
        )
        issued = registry.issue("loyalty", LOYALTY)
        assert wallet_state(registry, issued.serial) == "issued"
        with WalletDevice() as phone, WalletDevice() as tablet:
            phone.add(issued.pkpass or b"")
            assert wallet_state(registry, issued.serial) == "installed"
            tablet.add(issued.pkpass or b"")
            phone.remove(issued.serial)
            # The tablet still holds it.
            assert wallet_state(registry, issued.serial) == "installed"
            tablet.remove(issued.serial)
            assert wallet_state(registry, issued.serial) == "removed"
        assert registry.mark_installed(issued.serial)
        assert registry.passes(status="installed")[0].serial == issued.serial
        assert registry.mark_removed(issued.serial)
        assert registry.passes(status="installed") == []
        assert not registry.mark_removed("no-such-serial")
        assert registry.counts()["loyalty"]["removed"] == 1
        listed = passkit("pass", "list", "--status", "removed", "--database", database_url)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.split("\t")[0] == issued.serial
        stats = passkit("pass", "stats", "--json", "--database", database_url)
        assert stats.returncode == 0, stats.stderr
        counts = json.loads(stats.stdout)["loyalty"]
        assert (counts["passes"], counts["active"], counts["removed"]) == (1, 1, 1)
        assert counts["installed"] == counts["issued"] == counts["redeemed"] == 0
        table = passkit("pass", "stats", "--database", database_url).stdout.splitlines()
        assert table[0].split("\t")[:3] == ["layout", "passes", "active"]
        assert table[1].split("\t")[:3] == ["loyalty", "1", "1"]
