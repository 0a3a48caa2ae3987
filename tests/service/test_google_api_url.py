"""PASSKIT_GOOGLE_API_URL: a `passkit service push` worker process applies the outbox's Google
changes through the API it names (the public Google stand-in here), its access tokens coming
from /token on the same server; an address the credentials must not go to is refused at
start-up in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from passkit.batch.build_plan import GoogleCredentials
from passkit.devcerts import DevCertificates
from passkit.service.config import ConfigError, ServiceConfig
from passkit.service.outbox import Outbox
from passkit.testing import GoogleStandIn
from tests.service.support import registry_at, service_env
from tests.support.cli import passkit

ISSUER = "3388000000012345678"
MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}
URL = "http://127.0.0.1:9/passes"


def _google_env(certs: DevCertificates, database: str) -> dict[str, str]:
    env = service_env(certs, database, URL)
    env["PASSKIT_GOOGLE_SERVICE_ACCOUNT"] = str(certs.google_service_account)
    env["PASSKIT_GOOGLE_ISSUER_ID"] = ISSUER
    return env


def _push_once(env: dict[str, str]) -> str:
    done = passkit("service", "push", "--once", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_push_worker_applies_google_changes_through_the_configured_api(
    tmp_path: Path, passkit_dev_certificates: DevCertificates, google_stand_in: GoogleStandIn
) -> None:
    certs = passkit_dev_certificates
    database = f"sqlite:///{tmp_path / 'passes.db'}"
    credentials = GoogleCredentials.resolve(
        service_account=str(certs.google_service_account), issuer_id=ISSUER
    )
    env = _google_env(certs, database)
    env["PASSKIT_GOOGLE_API_URL"] = google_stand_in.api_url
    with registry_at(database, certs.signer(), google=credentials) as registry:
        issued = registry.issue("loyalty", MEMBER)
        object_id = f"{ISSUER}.loyalty.{issued.serial}"
        with pytest.raises(KeyError):
            google_stand_in.object(object_id)  # the registry itself sends nothing (push off)
        # The object lives in the save link until a change: the first one inserts it.
        registry.update(issued.serial, {"points": 500})
        _push_once(env)
        assert google_stand_in.object(object_id)["loyaltyPoints"]["balance"]["int"] == 500

        registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
        output = _push_once(env)
        assert "changes pushed" in output
        path = f"/walletobjects/v1/loyaltyObject/{object_id}"
        assert [r.path for r in google_stand_in.requests_to("PATCH", "loyaltyObject")] == [path]
        assert google_stand_in.object(object_id)["loyaltyPoints"]["balance"]["int"] == 1250
        [message] = google_stand_in.messages(object_id)
        assert message["body"] == "You now have 1,250 points"
        assert Outbox(registry.store.engine).count("google") == 0
    # Each worker got its access token from the stand-in's /token, not from Google's.
    audiences = [assertion.claims["aud"] for assertion in google_stand_in.assertions]
    assert audiences == [google_stand_in.token_url] * 2


@pytest.mark.parametrize(
    "url",
    [
        "http://wallet.example.com/walletobjects/v1",  # plain http off this machine
        "ftp://127.0.0.1/walletobjects/v1",
        "walletobjects.example.com/v1",  # no scheme
    ],
)
def test_a_google_api_url_the_credentials_must_not_go_to_is_refused_at_start_up(
    tmp_path: Path, passkit_dev_certificates: DevCertificates, url: str
) -> None:
    env = _google_env(passkit_dev_certificates, f"sqlite:///{tmp_path / 'passes.db'}")
    done = passkit("service", "push", "--once", "--google-api-url", url, env=env)

    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: Google API URL '{url}':")
    assert "PASSKIT_GOOGLE_API_URL or --google-api-url" in line
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "passes.db").exists()  # refused before anything was made


def test_the_setting_is_read_from_the_environment_and_checked() -> None:
    local = "http://127.0.0.1:8080/walletobjects/v1/"
    config = ServiceConfig.load(environ={"PASSKIT_GOOGLE_API_URL": local}, signing=False)
    assert config.google_api_url == local.rstrip("/")
    secure = "https://wallet-proxy.example.com/walletobjects/v1"
    assert ServiceConfig.load(environ={"PASSKIT_GOOGLE_API_URL": secure}).google_api_url == secure
    assert ServiceConfig.load(environ={}).google_api_url is None
    with pytest.raises(ConfigError, match="PASSKIT_GOOGLE_API_URL"):
        ServiceConfig.load(environ={"PASSKIT_GOOGLE_API_URL": "http://10.0.0.8/v1"})


def test_service_run_refuses_a_bad_google_api_url_before_serving(
    tmp_path: Path, passkit_dev_certificates: DevCertificates
) -> None:
    env = _google_env(passkit_dev_certificates, f"sqlite:///{tmp_path / 'passes.db'}")
    env["PASSKIT_GOOGLE_API_URL"] = "http://wallet.example.com/walletobjects/v1"
    done = passkit("service", "run", "--port", "9", env=env, timeout=60)

    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("error: Google API URL 'http://wallet.example.com/walletobjects/v1':")
