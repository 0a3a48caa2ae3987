"""`GoogleStandIn`: a local server that plays Google Wallet's API for a test suite.

    with GoogleStandIn(accounts=[account]) as google:
        client = google.client(account)          # a WalletClient pointed at the stand-in
        client.upsert(google_pass)
        assert google.object(google_pass.object_id)["state"] == "ACTIVE"

It plays the OAuth token endpoint (checking the service account's signed JWT assertion) and
the walletobjects v1 API for every pass type passkit compiles: insert, get, patch (arrays
replaced whole) and addMessage with the notification quota of three ``TEXT_AND_NOTIFY`` per
object in 24 hours, on a clock the test moves (`advance`). What it receives is checked
against the walletobjects discovery document, and a malformed class or object is refused
with 400 as Google refuses it. Failures are scripted (`fail_next`, `fail_for`, `delay`), every
API request is recorded (`requests`), and save/delete callbacks are sent signed with keys the
stand-in makes (`callback_keys`, `root_keys_json`), so the service's verifier can be tested.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from passkit.errors import PasskitError
from passkit.testing.google_api import Answer, Json, WalletObjects, error
from passkit.testing.google_http import StandInServer
from passkit.testing.google_keys import CallbackKeys, EventType
from passkit.testing.google_scripts import Script, Scripts, scripted
from passkit.testing.google_tokens import (
    Assertion,
    accepted_assertion,
    check_assertion,
    token_form,
    token_number,
)
from passkit.testing.walletobjects import discovery

if TYPE_CHECKING:
    from passkit.google import ServiceAccount
    from passkit.google.rest import WalletClient

API_PATH = "/walletobjects/v1"
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class RecordedRequest:
    """One API request the stand-in received, and the status it answered."""

    method: str
    path: str
    body: Any
    # Which access token it carried: 1 for the first issued, 2 for the second...; None when
    # it carried none that is valid (the token itself is not kept).
    token: int | None
    status: int = 0

    @property
    def authorized(self) -> bool:
        return self.token is not None


@dataclass
class SentCallback:
    url: str
    body: bytes
    status: int


@dataclass
class GoogleStandIn:
    """The stand-in's state; start it with ``with`` (or `start`/`stop`)."""

    accounts: Sequence[ServiceAccount] = ()
    host: str = "127.0.0.1"
    port: int = 0
    max_body_bytes: int = MAX_BODY_BYTES
    token_lifetime: int = 3600
    # Seconds every request (token requests too) waits before it is answered.
    delay: float = 0.0
    callback_keys: CallbackKeys = field(default_factory=CallbackKeys)
    # What it holds and what it saw.
    store: WalletObjects = field(default_factory=WalletObjects, init=False)
    requests: list[RecordedRequest] = field(default_factory=list, init=False)
    token_refusals: list[str] = field(default_factory=list, init=False)
    assertions: list[Assertion] = field(default_factory=list, init=False)
    callbacks: list[SentCallback] = field(default_factory=list, init=False)
    # API requests being answered now, and the most there have been at once.
    in_flight: int = field(default=0, init=False)
    most_in_flight: int = field(default=0, init=False)
    clock_offset: timedelta = field(default=timedelta(0), init=False)
    # token -> (its number, when it expires on the stand-in's clock, in seconds)
    _tokens: dict[str, tuple[int, float]] = field(default_factory=dict, init=False, repr=False)
    _scripts: Scripts = field(default_factory=Scripts, init=False, repr=False)
    _server: StandInServer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # --- lifecycle and addresses -------------------------------------------------------------

    def start(self) -> GoogleStandIn:
        # Read the discovery document now: without it, the test fails here, saying why,
        # rather than on a connection the server dropped.
        discovery()
        if self._server is None:
            self._server = StandInServer(self, self.host, self.port)
            self.port = int(self._server.server_address[1])
            threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GoogleStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise PasskitError("the Google stand-in is not running: start it first")
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def api_url(self) -> str:
        return f"{self.url}{API_PATH}"

    def client(self, account: ServiceAccount | None = None, **options: Any) -> WalletClient:
        """A `WalletClient` for `account` (the first accepted one by default) that talks to
        the stand-in and keeps time by the stand-in's clock, so that its tokens stay valid
        when a test moves the clock on (`options` go to WalletClient)."""
        from passkit.google.rest import WalletClient

        chosen = account or (self.accounts[0] if self.accounts else None)
        if chosen is None:
            raise PasskitError("the Google stand-in accepts no service account: pass accounts=")
        options.setdefault("clock", lambda: self.now.timestamp())
        return WalletClient(chosen, base_url=self.api_url, token_url=self.token_url, **options)

    # --- the clock -------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The stand-in's time: the real time, moved by `advance` and `set_time`. Token
        assertions, tokens and the notification quota are checked against it."""
        return datetime.now(UTC) + self.clock_offset

    def set_time(self, moment: datetime) -> None:
        """Set the stand-in's clock to `moment` (it runs on from there): for a client whose
        own clock is fixed in a test, since token assertions are checked against it."""
        self.clock_offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta | float) -> None:
        """Move the stand-in's clock on (seconds, or a timedelta): quotas see the new time."""
        self.clock_offset += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)

    # --- what it holds ---------------------------------------------------------------------------

    def object(self, object_id: str) -> Json:
        """The stored object with this id (KeyError when Google would not hold it)."""
        found = self.store.find(object_id, classes=False)
        if found is None:
            raise KeyError(f"the Google stand-in holds no object {object_id}")
        return found

    def class_(self, class_id: str) -> Json:
        found = self.store.find(class_id, classes=True)
        if found is None:
            raise KeyError(f"the Google stand-in holds no class {class_id}")
        return found

    def messages(self, object_id: str) -> list[Json]:
        messages: list[Json] = self.object(object_id).get("messages", [])
        return messages

    @property
    def resources(self) -> dict[tuple[str, str], Json]:
        """Every class and object held, by (REST resource name, id): a copy."""
        with self.store.lock:
            return copy.deepcopy(self.store.resources)

    def requests_to(self, method: str, fragment: str = "") -> list[RecordedRequest]:
        """The recorded API requests with this method whose path contains `fragment`."""
        return [r for r in self.requests if r.method == method and fragment in r.path]

    # --- scripted answers ------------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: Json | str | None = None,
        *,
        times: int = 1,
        delay: float = 0.0,
        path: str = "",
    ) -> None:
        """Answer the next `times` API requests (those whose path contains `path`) with
        `status` (Google's error body unless `body` is given), after `delay` seconds."""
        self._scripts.following.append(Script(scripted(status, body), times, delay, path))

    def fail_for(
        self,
        resource_id: str,
        status: int,
        body: Json | str | None = None,
        *,
        times: int | None = None,
    ) -> None:
        """Answer requests about a class or object whose id contains `resource_id` (a whole
        id, or a part such as a serial) with `status`, `times` times (None: until
        `clear_failures`)."""
        self._scripts.by_id[resource_id] = Script(scripted(status, body), times)

    def delay_for(self, resource_id: str, seconds: float) -> None:
        """Answer requests about ids containing `resource_id` normally, after `seconds`."""
        self._scripts.by_id[resource_id] = Script((0, {}), None, seconds)

    def fail_token(self, status: int, body: Json | str | None = None) -> None:
        """Refuse every token request with `status` until `clear_failures`."""
        self._scripts.token = Script((status, body or {"error": "invalid_grant"}), None)

    def clear_failures(self) -> None:
        self._scripts.clear()

    # --- answering -------------------------------------------------------------------------------

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count an API request as in flight while the block runs."""
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    @property
    def tokens_issued(self) -> int:
        """How many access tokens the token endpoint has given out."""
        with self._lock:
            return len(self._tokens)

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        expires = self.now.timestamp() + self.token_lifetime
        with self._lock:
            self._tokens[token] = (len(self._tokens) + 1, expires)
        return token

    def token_answer(self, raw: bytes) -> Answer:
        """The token endpoint's answer to a request's body: scripted, refused, or a new token."""
        if self.delay:
            time.sleep(self.delay)
        if self._scripts.token is not None:
            return self._scripts.token.answer
        form = token_form(raw)
        if isinstance(form, tuple):
            return form
        refused = check_assertion(form, self.accounts, self.token_url, self.now.timestamp())
        if refused is not None:
            self.token_refusals.append(refused[1]["error_description"])
            return refused
        self.assertions.append(accepted_assertion(form))
        token = self.issue_token()
        return 200, {
            "access_token": token,
            "expires_in": self.token_lifetime,
            "token_type": "Bearer",
        }

    def api_answer(
        self, method: str, path: str, parts: list[str], raw: bytes, token: str | None
    ) -> Answer:
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, RecursionError):
            body = raw.decode("utf-8", "replace")
        with self._lock:
            tokens = dict(self._tokens)
        number = token_number(tokens, token, self.now.timestamp())
        record = RecordedRequest(method, path, body, number)
        self.requests.append(record)
        answer = self._answer(method, path, parts, body, number is not None)
        record.status = answer[0]
        return answer

    def _answer(
        self, method: str, path: str, parts: list[str], body: Any, authorized: bool
    ) -> Answer:
        about = parts[1] if len(parts) > 1 else body.get("id") if isinstance(body, dict) else None
        script = self._scripts.for_request(path, about)
        pause = self.delay + (script.delay if script is not None else 0.0)
        if pause:
            time.sleep(pause)
        if script is not None and script.answer[0]:
            return script.answer
        if not authorized:
            return error(401, "Request had invalid authentication credentials.", "authError")
        if isinstance(body, str):
            return error(400, "Invalid JSON payload received.", "parseError")
        return self.store.answer(method, parts, body, self.now)

    # --- callbacks -------------------------------------------------------------------------------

    def root_keys_json(self) -> Json:
        """The root signing key in Google's key file form, for `load_root_keys`."""
        return self.callback_keys.root_keys_json()

    def callback_body(
        self,
        object_id: str,
        event_type: EventType = "save",
        *,
        class_id: str | None = None,
        nonce: str | None = None,
        expires: datetime | None = None,
    ) -> bytes:
        """A signed save (or ``"del"``) callback body for an object (its class is the stored
        object's unless given), for the issuer whose id starts the object id."""
        if class_id is None:
            held = self.store.find(object_id, classes=False)
            if held is None:
                raise PasskitError(
                    f"the Google stand-in holds no object {object_id}: insert it first, or "
                    "give class_id="
                )
            class_id = str(held.get("classId", ""))
        return self.callback_keys.signed_body(
            issuer_id=object_id.split(".", 1)[0],
            class_id=class_id,
            object_id=object_id,
            event_type=event_type,
            nonce=nonce,
            expires=expires,
        )

    def send_callback(
        self, url: str, object_id: str, event_type: EventType = "save", **options: Any
    ) -> int:
        """POST a signed callback to `url` as Google does; the status the receiver answered."""
        body = self.callback_body(object_id, event_type, **options)
        try:
            response = httpx.post(
                url, content=body, headers={"Content-Type": "application/json"}, timeout=10.0
            )
        except httpx.HTTPError as exc:
            raise PasskitError(f"the callback could not be delivered to {url}: {exc}") from None
        self.callbacks.append(SentCallback(url, body, response.status_code))
        return response.status_code
