"""`WalletDevice`: the Wallet app's side of Apple's pass web service, for tests.

    device = WalletDevice()                      # or WalletDevice(app=asgi_app) in-process
    device.add(open_pkpass(issued.pkpass))       # registers at the pass's webServiceURL
    registry.update(serial, {"points": 1250})
    assert device.sync() == [serial]             # lists what changed since its tag, fetches it
    assert_field(device.passes[serial], "points", 1250)
    device.remove(serial)                        # unregisters

It talks HTTP to whatever the pass's webServiceURL names (a server on 127.0.0.1, a staging
host), or to an ASGI application in-process. Every answer is checked against the protocol;
a deviation raises `WebServiceRuleError` (an AssertionError, so pytest shows it as a failed
assertion) naming the rule.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from passkit.apple_rules import MIN_TOKEN_LENGTH
from passkit.testing.pkpass import Bundle, open_pkpass

if TYPE_CHECKING:
    from starlette.types import ASGIApp

PKPASS_TYPE = "application/vnd.apple.pkpass"


class WebServiceRuleError(AssertionError):
    """The web service answered in a way Apple's protocol does not allow."""


class AsgiBridge(httpx.BaseTransport):
    """Sends a synchronous client's requests to an ASGI application in this process.

    The application runs on an event loop of its own thread (an anyio blocking portal), as it
    would under a server; each response is read whole before it is handed back.
    """

    def __init__(self, app: ASGIApp) -> None:
        from anyio.from_thread import start_blocking_portal

        self._asgi = httpx.ASGITransport(app=app)
        self._portal_context = start_blocking_portal()
        self._portal = self._portal_context.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # A body given as an iterator is read here, in the caller's thread, where it may be
        # iterated; the application then receives it as bytes.
        request.read()
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        body = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=body)

    def close(self) -> None:
        self._portal_context.__exit__(None, None, None)


@dataclass
class _Held:
    """A pass the device holds: where it updates from, and what the service last said."""

    url: str
    pass_type_id: str
    token: str
    last_modified: str | None = None


class WalletDevice:
    """One device with the Wallet app: registers passes, syncs them, unregisters them."""

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        app: ASGIApp | None = None,
        device_id: str | None = None,
        push_token: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._owns_client = client is None
        if client is None:
            transport = AsgiBridge(app) if app is not None else None
            client = httpx.Client(transport=transport, timeout=timeout)
        self.client = client
        # Like a real device's: 32 hex digits of library id, a 64-hex-digit push token.
        self.device_id = device_id or secrets.token_hex(16)
        self.push_token = push_token or secrets.token_hex(32)
        self.passes: dict[str, Bundle] = {}
        self._held: dict[str, _Held] = {}
        # (web service URL, pass type id) -> the lastUpdated tag the service last gave
        self.tags: dict[tuple[str, str], str | None] = {}

    def __enter__(self) -> WalletDevice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __repr__(self) -> str:
        return f"<WalletDevice {self.device_id} holding {len(self.passes)} passes>"

    def add(self, bundle: Bundle | bytes | str | Path) -> Bundle:
        """Add a pass as Wallet does: register this device for it at its web service."""
        if not isinstance(bundle, Bundle):
            bundle = open_pkpass(bundle)
        serial, held = _updatable(bundle)
        already = serial in self._held
        response = self._call(
            "POST",
            held,
            f"devices/{self.device_id}/registrations/{held.pass_type_id}/{serial}",
            json={"pushToken": self.push_token},
        )
        expected = 200 if already else 201
        _expect(
            response,
            expected,
            "registering a device for a pass answers 201 when new, "
            "200 when the device was registered already",
        )
        self._held[serial] = held
        self.passes[serial] = bundle
        self.tags.setdefault((held.url, held.pass_type_id), None)
        return bundle

    def remove(self, serial: str) -> None:
        """Delete a pass from the device, which unregisters it."""
        held = self._holding(serial)
        response = self._call(
            "DELETE", held, f"devices/{self.device_id}/registrations/{held.pass_type_id}/{serial}"
        )
        _expect(response, 200, "unregistering a device from a pass answers 200")
        del self._held[serial], self.passes[serial]

    def sync(self, *, check_unlisted: bool = True) -> list[str]:
        """Do what Wallet does after a push: list the serials updated since the last tag, and
        fetch each; returns the serials whose pass changed.

        With `check_unlisted`, each pass that was not listed is fetched too, with its
        If-Modified-Since: a service that then sends a newer pass forgot to list it.
        """
        changed: list[str] = []
        for (url, pass_type_id), tag in list(self.tags.items()):
            listed = self._updated_since(url, pass_type_id, tag)
            for serial in listed:
                if self._fetch(serial, conditional=True):
                    changed.append(serial)
            if check_unlisted:
                self._check_unlisted(url, pass_type_id, tag, listed)
        return changed

    def fetch(self, serial: str) -> Bundle:
        """Fetch the latest version of a pass unconditionally, as Wallet does when asked to."""
        self._fetch(serial, conditional=False)
        return self.passes[serial]

    def log(self, lines: Iterable[str], url: str | None = None) -> None:
        """Send log lines, as Wallet does when a pass's web service misbehaves."""
        if url is None:
            held = next(iter(self._held.values()), None)
            if held is None:
                raise ValueError("the device holds no pass: say which web service with url=")
            url = held.url
        response = self.client.post(f"{url}/v1/log", json={"logs": list(lines)})
        _expect(response, 200, "the log endpoint answers 200")

    def _updated_since(
        self, url: str, pass_type_id: str, tag: str | None, *, remember: bool = True
    ) -> list[str]:
        params = {"passesUpdatedSince": tag} if tag is not None else None
        path = f"{url}/v1/devices/{self.device_id}/registrations/{pass_type_id}"
        response = self.client.get(path, params=params)
        rule = (
            "the serials updated since a tag answer 200 with serialNumbers and lastUpdated, or 204"
        )
        if response.status_code == 204:
            return []
        _expect(response, 200, rule)
        try:
            body: Any = response.json()
        except ValueError:
            raise WebServiceRuleError(
                f"{rule}; the body is not JSON: {response.text[:200]!r}"
            ) from None
        serials, last = body.get("serialNumbers"), body.get("lastUpdated")
        if not isinstance(serials, list) or not all(isinstance(s, str) for s in serials):
            raise WebServiceRuleError(f"{rule}; serialNumbers is not a list of strings: {body}")
        if not isinstance(last, str):
            raise WebServiceRuleError(f"{rule}; lastUpdated is not a string: {body}")
        if not serials:
            raise WebServiceRuleError(f"{rule}; an empty list of serials must be 204 instead")
        strangers = [s for s in serials if s not in self._held]
        if strangers:
            raise WebServiceRuleError(
                f"the serials updated since a tag are those the device registered; "
                f"{strangers} were never registered by device {self.device_id}"
            )
        if remember:
            self.tags[(url, pass_type_id)] = last
        return serials

    def _fetch(self, serial: str, *, conditional: bool) -> bool:
        held = self._holding(serial)
        headers = {}
        if conditional and held.last_modified is not None:
            headers["If-Modified-Since"] = held.last_modified
        response = self._call("GET", held, f"passes/{held.pass_type_id}/{serial}", headers=headers)
        if response.status_code == 304 and "If-Modified-Since" in headers:
            return False
        _expect(response, 200, "the latest pass answers 200 (304 only for If-Modified-Since)")
        kind = response.headers.get("content-type", "")
        if not kind.startswith(PKPASS_TYPE):
            raise WebServiceRuleError(f"a pass is sent as {PKPASS_TYPE}, not {kind!r}")
        last_modified = response.headers.get("last-modified")
        if not last_modified or not _http_date(last_modified):
            raise WebServiceRuleError(
                f"a pass is sent with a Last-Modified header holding an HTTP date, "
                f"not {last_modified!r}"
            )
        bundle = open_pkpass(response.content)
        _same_pass(bundle, serial, held)
        held.last_modified = last_modified
        self.passes[serial] = bundle
        return True

    def _check_unlisted(
        self, url: str, pass_type_id: str, tag: str | None, listed: list[str]
    ) -> None:
        for serial, held in list(self._held.items()):
            if held.url != url or held.pass_type_id != pass_type_id or serial in listed:
                continue
            if held.last_modified is None:
                continue  # never fetched: nothing to compare with
            if not self._fetch(serial, conditional=True):
                continue
            # The pass may have changed after the list was made: it must be listed now.
            if serial not in self._updated_since(url, pass_type_id, tag, remember=False):
                raise WebServiceRuleError(
                    f"every pass changed since a tag is listed: {serial!r} is not listed as "
                    f"updated since {tag!r}, but the service sends a newer version"
                )

    def _holding(self, serial: str) -> _Held:
        held = self._held.get(serial)
        if held is None:
            raise KeyError(f"device {self.device_id} does not hold a pass with serial {serial!r}")
        return held

    def _call(self, method: str, held: _Held, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"ApplePass {held.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, f"{held.url}/v1/{path}", headers=headers, **kwargs)


def _updatable(bundle: Bundle) -> tuple[str, _Held]:
    data = bundle.pass_json
    url, token = data.get("webServiceURL"), data.get("authenticationToken")
    serial, pass_type_id = bundle.serial_number, bundle.pass_type_identifier
    if not isinstance(url, str) or not isinstance(token, str):
        raise WebServiceRuleError(
            f"{bundle.source}: an updatable pass has webServiceURL and authenticationToken"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise WebServiceRuleError(
            f"{bundle.source}: authenticationToken must be at least {MIN_TOKEN_LENGTH} characters"
        )
    if not serial or not pass_type_id:
        raise WebServiceRuleError(f"{bundle.source}: the pass has no serial or pass type id")
    return serial, _Held(url.rstrip("/"), pass_type_id, token)


def _same_pass(bundle: Bundle, serial: str, held: _Held) -> None:
    """An updated pass keeps its serial, pass type, web service and token."""
    data = bundle.pass_json
    kept = {
        "serialNumber": (bundle.serial_number, serial),
        "passTypeIdentifier": (bundle.pass_type_identifier, held.pass_type_id),
        "webServiceURL": (str(data.get("webServiceURL", "")).rstrip("/"), held.url),
        "authenticationToken": (data.get("authenticationToken"), held.token),
    }
    for key, (now, before) in kept.items():
        if now == before:
            continue
        # The token is a secret: said to differ, not shown.
        detail = "a different one" if key == "authenticationToken" else f"{now!r}, not {before!r}"
        raise WebServiceRuleError(
            f"an updated pass keeps its {key}: the pass sent for serial {serial!r} has {detail}"
        )


def _http_date(text: str) -> bool:
    from email.utils import parsedate_to_datetime

    try:
        parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return False
    return True


def _expect(response: httpx.Response, status: int, rule: str) -> None:
    if response.status_code != status:
        raise WebServiceRuleError(
            f"{rule}: {response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {status}"
        )
