"""A small client of the Google Wallet REST API (walletobjects v1) for classes and objects.

It authenticates as the service account with the OAuth 2.0 JWT-bearer grant (RFC 7523): a JWT
signed with the account's key is exchanged at the account's `token_uri` for an access token,
which is cached until shortly before it expires. Every error answer becomes a GoogleApiError
carrying the HTTP status and Google's own message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from passkit.errors import GoogleApiError
from passkit.google.credentials import ServiceAccount
from passkit.google.google_pass import GooglePass
from passkit.google.kinds import GoogleKind, google_kind
from passkit.model.parts import Message

DEFAULT_BASE_URL = "https://walletobjects.googleapis.com/walletobjects/v1"
SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600
# A token this close to its expiry is renewed rather than sent.
REFRESH_MARGIN = 60.0

_HINTS = {
    401: "check that the service account key is current",
    403: "check that the service account is authorised for this issuer in the Google Pay & "
    "Wallet Console",
    404: "no such class or object: insert it first",
    409: "it exists already: patch it instead (or use upsert)",
    429: "too many requests: slow down and retry later",
}


def token_url_for(base_url: str) -> str | None:
    """The token endpoint that goes with an API address given instead of Google's: `/token` on
    the same server (a test double or a proxy serves both), or None for Google's own API, whose
    tokens come from the service account's `token_uri`."""
    if base_url.rstrip("/") == DEFAULT_BASE_URL:
        return None
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}/token"


def api_endpoints(api_url: str | None) -> tuple[str, str | None]:
    """The REST API address and token endpoint for an API address given instead of Google's
    (None: Google's own), as `passkit build`, `passkit google publish` and the pass service
    all take them: the token endpoint moves with the API (see `token_url_for`)."""
    base_url = api_url or DEFAULT_BASE_URL
    return base_url, token_url_for(base_url)


def _kind(kind: str | GoogleKind) -> GoogleKind:
    return kind if isinstance(kind, GoogleKind) else google_kind(kind)


def message_json(message: Message | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(message, Message):
        return {
            "id": message.key,
            "header": message.header,
            "body": message.body,
            "messageType": "TEXT",
        }
    return dict(message)


class WalletClient:
    """Insert, read, patch, message and expire Google Wallet classes and objects."""

    def __init__(
        self,
        account: ServiceAccount,
        *,
        base_url: str = DEFAULT_BASE_URL,
        token_url: str | None = None,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.account = account
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url or account.token_uri
        self.timeout = timeout
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0
        # Classes this client has upserted, with their JSON: a batch upserts each class once.
        self._upserted_classes: dict[str, bytes] = {}

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WalletClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- authentication ------------------------------------------------------------------

    def access_token(self) -> str:
        """A valid access token, from the cache while it has more than a minute left."""
        with self._lock:
            if self._token is None or self._clock() >= self._token_expires - REFRESH_MARGIN:
                self._token, self._token_expires = self._fetch_token()
            return self._token

    def _fetch_token(self) -> tuple[str, float]:
        now = int(self._clock())
        assertion = self.account.sign_jwt(
            {
                "iss": self.account.client_email,
                "scope": SCOPE,
                "aud": self.token_url,
                "iat": now,
                "exp": now + ASSERTION_LIFETIME,
            }
        )
        response = self._send(
            "POST",
            self.token_url,
            data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion},
        )
        data = _json_or_none(response)
        if response.status_code >= 400 or not isinstance(data, dict):
            detail = ""
            if isinstance(data, dict):
                detail = ": " + ": ".join(
                    str(data[k]) for k in ("error", "error_description") if data.get(k)
                )
            raise GoogleApiError(
                f"service account {self.account.client_email} could not get an access token "
                f"from {self.token_url} (HTTP {response.status_code}{detail}); check the key "
                "file and that the account is enabled",
                status=response.status_code,
            )
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise GoogleApiError(
                f"{self.token_url} answered without an access_token", status=response.status_code
            )
        expires_in = data.get("expires_in", 3600)
        lifetime = float(expires_in) if isinstance(expires_in, int | float | str) else 3600.0
        return token, now + lifetime

    # --- transport -------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException:
            raise GoogleApiError(
                f"{method} {url} timed out after {self.timeout:g} s; the Google Wallet API did "
                "not answer, retry later"
            ) from None
        except httpx.HTTPError as exc:
            raise GoogleApiError(
                f"{method} {url} failed: cannot reach the server ({exc})"
            ) from None

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Call the API at `base_url/path` with a bearer token; the answer's JSON."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.access_token()}"}
            response = self._send(method, url, json=body, headers=headers)
            if response.status_code == 401 and attempt == 1:
                # The cached token may have been revoked: fetch a fresh one, once.
                with self._lock:
                    self._token = None
                continue
            break
        if response.status_code >= 400:
            raise _api_error(method, path, response)
        return _json_or_none(response)

    # --- classes and objects ----------------------------------------------------------------

    def _path(self, resource: str, resource_id: str | None = None, suffix: str = "") -> str:
        if resource_id is None:
            return resource
        return f"{resource}/{quote(resource_id, safe='')}{suffix}"

    def insert_class(self, gp: GooglePass) -> Any:
        return self.request("POST", gp.google_kind.class_resource, gp.class_json)

    def insert_object(self, gp: GooglePass) -> Any:
        return self.request("POST", gp.google_kind.object_resource, gp.object_json)

    def get_class(self, kind: str | GoogleKind, class_id: str) -> Any:
        return self.request("GET", self._path(_kind(kind).class_resource, class_id))

    def get_object(self, kind: str | GoogleKind, object_id: str) -> Any:
        return self.request("GET", self._path(_kind(kind).object_resource, object_id))

    def patch_class(self, kind: str | GoogleKind, class_id: str, body: Mapping[str, Any]) -> Any:
        return self.request("PATCH", self._path(_kind(kind).class_resource, class_id), body)

    def patch_object(self, kind: str | GoogleKind, object_id: str, body: Mapping[str, Any]) -> Any:
        return self.request("PATCH", self._path(_kind(kind).object_resource, object_id), body)

    def add_message(
        self, kind: str | GoogleKind, object_id: str, message: Message | Mapping[str, Any]
    ) -> Any:
        """Add a message to one object (Google notifies its holder)."""
        path = self._path(_kind(kind).object_resource, object_id, "/addMessage")
        return self.request("POST", path, {"message": message_json(message)})

    def add_class_message(
        self, kind: str | GoogleKind, class_id: str, message: Message | Mapping[str, Any]
    ) -> Any:
        """Add a message to a class: every holder of its objects sees it."""
        path = self._path(_kind(kind).class_resource, class_id, "/addMessage")
        return self.request("POST", path, {"message": message_json(message)})

    def expire_object(self, kind: str | GoogleKind, object_id: str) -> Any:
        """Mark an object expired (Google moves it to the holder's expired passes)."""
        return self.patch_object(kind, object_id, {"state": "EXPIRED"})

    def upsert_class(self, gp: GooglePass) -> Any:
        """Insert the class, or patch it with the same JSON when it exists already.

        A class this client has already upserted with the same JSON is not sent again (the
        answer is then None): issuing many passes of one layout costs one class request.
        """
        if self._upserted_classes.get(gp.class_id) == gp.class_text:
            return None
        try:
            result = self.insert_class(gp)
        except GoogleApiError as exc:
            if exc.status != 409:
                raise
            result = self.patch_class(gp.kind, gp.class_id, gp.class_json)
        self._upserted_classes[gp.class_id] = gp.class_text
        return result

    def upsert_object(self, gp: GooglePass) -> Any:
        try:
            return self.insert_object(gp)
        except GoogleApiError as exc:
            if exc.status != 409:
                raise
        return self.patch_object(gp.kind, gp.object_id, gp.object_json)

    def upsert(self, gp: GooglePass) -> None:
        """Make Google hold this class and object, as a skinny save link needs."""
        self.upsert_class(gp)
        self.upsert_object(gp)


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _api_error(method: str, path: str, response: httpx.Response) -> GoogleApiError:
    status = response.status_code
    data = _json_or_none(response)
    message = response.reason_phrase or "error"
    reason = ""
    detail: str | None = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        message = str(error.get("message") or message)
        reason = str(error.get("status") or "")
        detail = _first_reason(error.get("errors"))
    elif response.text and data is None:
        message = response.text.strip()[:200]
    hint = _HINTS.get(
        status, "the Google Wallet API is failing: retry later" if status >= 500 else ""
    )
    status_text = f"HTTP {status} {reason}" if reason else f"HTTP {status}"
    text = f"Google Wallet API {method} {path}: {status_text}: {message}"
    return GoogleApiError(f"{text}{f' ({hint})' if hint else ''}", status=status, reason=detail)


def _first_reason(errors: Any) -> str | None:
    """The `reason` of the first entry of Google's `errors` list (``quotaExceeded``, ...)."""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = errors[0].get("reason")
        return reason if isinstance(reason, str) and reason else None
    return None
