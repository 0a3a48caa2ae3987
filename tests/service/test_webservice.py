"""Apple's Wallet web service, in-process: every endpoint, hostile requests, and the checks
of the WalletDevice that drives it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.auth import authentication_token
from passkit.service.devices import DeviceStore
from passkit.testing import WalletDevice, WebServiceRuleError, assert_field, open_pkpass
from passkit.testing.device import AsgiBridge
from tests.service.support import FIXTURES, SECRET, use_service_settings

URL = "http://127.0.0.1/passes"
DEVICE = "a" * 32
PUSH_TOKEN = "b" * 64


@pytest.fixture
def registry(tmp_path: Path, dev_certs: DevCertificates) -> Registry:
    return Registry(
        f"sqlite:///{tmp_path / 'passes.db'}",
        layouts=["loyalty"],
        apple=dev_certs.signer(),
        web_service_url=URL,
        secret=SECRET,
    )


@pytest.fixture
def app(registry: Registry) -> Starlette:
    # Mounted as a user's app mounts it: one line.
    return Starlette(routes=[Mount("/passes", registry.web_service())])


@pytest.fixture
def client(app: Starlette) -> Iterator[httpx.Client]:
    with httpx.Client(transport=AsgiBridge(app), base_url=URL) as client:
        yield client


@pytest.fixture
def serial(registry: Registry) -> str:
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    return registry.issue("loyalty", record).serial


def auth(serial: str) -> dict[str, str]:
    return {"Authorization": f"ApplePass {authentication_token(SECRET.encode(), serial)}"}


def registration(serial: str, device: str = DEVICE, pass_type: str = "") -> str:
    return f"{URL}/v1/devices/{device}/registrations/{pass_type or PASS_TYPE}/{serial}"


PASS_TYPE = "pass.dev.passkit.example"


def test_every_endpoint_answers_as_apple_documents(
    client: httpx.Client, registry: Registry, serial: str
) -> None:
    body = {"pushToken": PUSH_TOKEN}
    assert client.post(registration(serial), json=body, headers=auth(serial)).status_code == 201
    renewed = {"pushToken": "e" * 64}  # a device registering again brings its current token
    assert client.post(registration(serial), json=renewed, headers=auth(serial)).status_code == 200
    devices = DeviceStore(registry.store.engine)
    assert devices.registered(serial) == [(DEVICE, "e" * 64)]
    listing = f"{URL}/v1/devices/{DEVICE}/registrations/{PASS_TYPE}"
    listed = client.get(listing)
    assert listed.status_code == 200
    tag = listed.json()["lastUpdated"]
    assert listed.json() == {"serialNumbers": [serial], "lastUpdated": tag}
    assert client.get(listing, params={"passesUpdatedSince": tag}).status_code == 204
    # A device the service does not know is not told so: 204, like a device with nothing new.
    assert client.get(f"{URL}/v1/devices/{'c' * 32}/registrations/{PASS_TYPE}").status_code == 204
    fetched = client.get(f"{URL}/v1/passes/{PASS_TYPE}/{serial}", headers=auth(serial))
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/vnd.apple.pkpass"
    assert fetched.content == registry.pkpass(serial)
    last_modified = fetched.headers["last-modified"]
    assert last_modified.endswith(" GMT")
    current = {**auth(serial), "If-Modified-Since": last_modified}
    assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/{serial}", headers=current).status_code == 304
    registry.update(serial, {"points": 1250})
    again = client.get(listing, params={"passesUpdatedSince": tag})
    assert again.json()["serialNumbers"] == [serial] and int(again.json()["lastUpdated"]) > int(tag)
    newer = client.get(f"{URL}/v1/passes/{PASS_TYPE}/{serial}", headers=current)
    assert newer.status_code == 200 and newer.headers["last-modified"] != last_modified
    assert_field(open_pkpass(newer.content), "points", 1250)
    assert client.post(f"{URL}/v1/log", json={"logs": ["hello"]}).status_code == 200
    assert client.delete(registration(serial), headers=auth(serial)).status_code == 200
    assert client.get(listing).status_code == 204
    assert devices.registered(serial) == []


def test_every_serial_newer_than_the_tag_is_listed(
    client: httpx.Client, registry: Registry, serial: str
) -> None:
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    other = registry.issue("loyalty", {**record, "member_id": "4012883311"}).serial
    for each in (serial, other):
        client.post(registration(each), json={"pushToken": PUSH_TOKEN}, headers=auth(each))
    listing = f"{URL}/v1/devices/{DEVICE}/registrations/{PASS_TYPE}"
    tag = client.get(listing).json()["lastUpdated"]
    registry.update(serial, {"points": 1})
    registry.update(other, {"points": 2})
    listed = client.get(listing, params={"passesUpdatedSince": tag}).json()
    assert sorted(listed["serialNumbers"]) == sorted([serial, other])
    # Something that is not a tag of this service lists everything the device holds.
    assert len(client.get(listing, params={"passesUpdatedSince": "x"}).json()["serialNumbers"]) == 2


def test_tokens_are_checked_before_the_pass_is_looked_up(client: httpx.Client, serial: str) -> None:
    wrong = {"Authorization": "ApplePass " + "x" * 43}
    body = {"pushToken": PUSH_TOKEN}
    assert client.post(registration(serial), json=body, headers=wrong).status_code == 401
    assert client.post(registration(serial), json=body).status_code == 401
    assert client.delete(registration(serial), headers=wrong).status_code == 401
    assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/{serial}", headers=wrong).status_code == 401
    # The same answer whether or not the pass exists: nothing is learnt without the token.
    assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/nope", headers=wrong).status_code == 401
    assert client.post(registration("nope"), json=body, headers=wrong).status_code == 401
    huge = {"Authorization": "ApplePass " + "x" * 5000}
    assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/{serial}", headers=huge).status_code == 401
    # A right token for a pass that does not exist (or of another type): 404.
    assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/nope", headers=auth("nope")).status_code == 404
    other_type = registration(serial, pass_type="pass.other.example")
    assert client.post(other_type, json=body, headers=auth(serial)).status_code == 404
    assert (
        client.get(f"{URL}/v1/passes/pass.other.example/{serial}", headers=auth(serial)).status_code
        == 404
    )


def test_hostile_requests_get_an_answer(
    client: httpx.Client, serial: str, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {**auth(serial), "Content-Type": "application/json"}
    post = registration(serial)
    assert client.post(post, content=b"{", headers=headers).status_code == 400
    assert client.post(post, content=b"\xff\xfe", headers=headers).status_code == 400
    assert client.post(post, content=b"[1]", headers=headers).status_code == 400
    assert client.post(post, content=b"[" * 4000, headers=headers).status_code == 400
    assert client.post(post, json={"pushToken": 5}, headers=headers).status_code == 400
    assert client.post(post, json={"pushToken": "x" * 300}, headers=headers).status_code == 400
    oversized = json.dumps({"pushToken": "x" * 10_000}).encode()
    assert client.post(post, content=oversized, headers=headers).status_code == 413

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b" " * 1000

    assert client.post(post, content=streamed(), headers=headers).status_code == 413
    long_serial = "s" * 5000
    assert (
        client.post(registration(long_serial), json={}, headers=auth(long_serial)).status_code
        == 404
    )
    long_device = registration(serial, device="d" * 5000)
    assert (
        client.post(long_device, json={"pushToken": "x"}, headers=auth(serial)).status_code == 404
    )
    assert client.get(f"{URL}/v1/devices/{'d' * 5000}/registrations/{PASS_TYPE}").status_code == 404
    assert client.put(post, headers=auth(serial)).status_code == 405
    assert client.get(f"{URL}/v1/elsewhere").status_code == 404
    with caplog.at_level(logging.INFO, logger="passkit.service.devices"):
        flood = {"logs": ["line\nforged" + "y" * 5000] * 500}
        assert client.post(f"{URL}/v1/log", json=flood).status_code == 413
        smaller = {"logs": ["z" * 5000] * 10 + [{"not": "text"}] * 60}
        assert client.post(f"{URL}/v1/log", json=smaller).status_code == 200
    kept = [record.getMessage() for record in caplog.records]
    assert len(kept) == 51 and kept[-1].endswith("20 more lines not kept")
    assert all(len(line) < 1100 and "\n" not in line for line in kept)
    assert client.post(f"{URL}/v1/log", json={"logs": "x"}).status_code == 400


def test_the_wallet_device_follows_the_pass(
    app: Starlette, registry: Registry, serial: str
) -> None:
    with WalletDevice(app=app) as device:
        device.add(registry.pkpass(serial) or b"")
        assert device.sync() == [serial]
        assert device.sync() == []
        registry.update(serial, {"points": 1250})
        assert device.sync() == [serial]
        assert_field(device.passes[serial], "points", 1250)
        device.log(["a line"])
        device.remove(serial)
        assert serial not in device.passes


# -- services that break the protocol, and what the device says --------------------------------


def broken_service(serial: str, *, last_modified: bool = True, lists: bool = True) -> Starlette:
    """A web service with one flaw: no Last-Modified, or a changed pass left out of the list."""
    state: dict[str, Any] = {"version": 1, "bundle": b""}

    async def register(request: Request) -> Response:
        return Response(status_code=201)

    async def listing(request: Request) -> Response:
        since = request.query_params.get("passesUpdatedSince")
        if since is not None and (not lists or since == str(state["version"])):
            return Response(status_code=204)
        return JSONResponse({"serialNumbers": [serial], "lastUpdated": str(state["version"])})

    async def latest(request: Request) -> Response:
        headers = {"Last-Modified": format_datetime(state["when"], usegmt=True)}
        if (
            request.headers.get("if-modified-since") == headers["Last-Modified"]
            and state["version"] == state["fetched"]
        ):
            return Response(status_code=304)
        state["fetched"] = state["version"]
        return Response(
            state["bundle"],
            media_type="application/vnd.apple.pkpass",
            headers=headers if last_modified else {},
        )

    service = Starlette(
        routes=[
            Route("/v1/devices/{d}/registrations/{t}/{s}", register, methods=["POST"]),
            Route("/v1/devices/{d}/registrations/{t}", listing),
            Route("/v1/passes/{t}/{s}", latest),
        ]
    )
    app = Starlette(routes=[Mount("/passes", service)])
    app.state.flaw = state
    return app


def test_the_device_names_the_rule_a_service_breaks(
    registry: Registry, serial: str, tmp_path: Path, dev_certs: DevCertificates
) -> None:
    from datetime import UTC, datetime

    bundle = registry.pkpass(serial) or b""
    app = broken_service(serial, last_modified=False)
    app.state.flaw.update(bundle=bundle, when=datetime.now(UTC), fetched=0)
    with WalletDevice(app=app) as device:
        device.add(bundle)
        with pytest.raises(WebServiceRuleError, match="Last-Modified"):
            device.sync()
    app = broken_service(serial)
    app.state.flaw.update(bundle=bundle, when=datetime.now(UTC), fetched=0)
    with WalletDevice(app=app) as device:
        device.add(bundle)
        assert device.sync() == [serial]
        # The service now sends a pass of another token (say, from another secret).
        other = Registry(
            f"sqlite:///{tmp_path / 'other.db'}",
            layouts=["loyalty"],
            apple=dev_certs.signer(),
            web_service_url=URL,
            secret=SECRET + " rotated",
        )
        record = json.loads((FIXTURES / "loyalty.json").read_text())
        app.state.flaw.update(bundle=other.issue("loyalty", record).pkpass, version=2)
        with pytest.raises(WebServiceRuleError, match="keeps its authenticationToken"):
            device.sync()
    app = broken_service(serial, lists=False)
    app.state.flaw.update(bundle=bundle, when=datetime.now(UTC), fetched=0)
    with WalletDevice(app=app) as device:
        device.add(bundle)
        assert device.sync() == [serial]
        app.state.flaw["version"] = 2
        with pytest.raises(WebServiceRuleError, match="is not listed as updated"):
            device.sync()


def test_the_device_refuses_a_pass_that_is_not_updatable(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    plain = Registry(
        f"sqlite:///{tmp_path / 'plain.db'}", layouts=["loyalty"], apple=dev_certs.signer()
    )
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    issued = plain.issue("loyalty", record)
    with (
        WalletDevice(client=httpx.Client()) as device,
        pytest.raises(WebServiceRuleError, match="webServiceURL"),
    ):
        device.add(issued.pkpass or b"")


def test_the_app_of_each_worker_reads_the_environment(
    tmp_path: Path, dev_certs: DevCertificates, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    from passkit.service.app import create_app

    database = f"sqlite:///{tmp_path / 'passes.db'}"
    use_service_settings(monkeypatch, dev_certs, "http://127.0.0.1:8000/wallet/", database)
    app = create_app()  # mounted at the path of the web service URL
    registry = Registry(
        database,
        layouts=["loyalty"],
        apple=dev_certs.signer(),
        web_service_url="http://127.0.0.1:8000/wallet",
        secret=SECRET,
    )
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    issued = registry.issue("loyalty", record)
    with WalletDevice(app=app) as device:
        with pytest.raises(ValueError, match="holds no pass"):
            device.log(["no pass yet"])
        device.add(issued.pkpass or b"")
        assert device.sync() == [issued.serial]
        device.log(["a line"])


def test_a_wrong_token_is_refused_without_reading_the_database(
    client: httpx.Client, serial: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing about the pass is looked up, so the answer takes the same time whether or not
    # it exists.
    def no_database(*args: object) -> None:
        raise AssertionError("the database was read for a request with a wrong token")

    for name in ("register", "unregister", "latest"):
        monkeypatch.setattr(DeviceStore, name, no_database)
    wrong = {"Authorization": "ApplePass " + "x" * 43}
    body = {"pushToken": PUSH_TOKEN}
    for each in (serial, "nope"):
        assert client.post(registration(each), json=body, headers=wrong).status_code == 401
        assert client.delete(registration(each), headers=wrong).status_code == 401
        assert client.get(f"{URL}/v1/passes/{PASS_TYPE}/{each}", headers=wrong).status_code == 401
