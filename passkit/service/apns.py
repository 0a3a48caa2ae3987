"""Pushes that tell Wallet a pass changed: an HTTP/2 client for APNs.

    client = ApnsClient(CertificateAuth.from_signer(signer))     # or ApnsClient.from_env()
    async with client:
        results = await client.send_many("pass.com.example.loyalty", push_tokens)
    for result in results:
        if result.outcome.drops_registration: ...                 # 410, BadDeviceToken
        elif result.outcome is PushOutcome.RETRY_LATER: ...       # keep it for later

A push for a pass is `POST /3/device/<push token>` with `apns-topic` = the pass type id and the
payload `{}`: the device then asks the web service which passes changed, and the lock screen
shows each changed field's change message. Apple's documentation of the headers: a payload
without an alert is the `background` push type, which must go at priority 5.

The client is built on httpx with its HTTP/2 support (h2), which passkit already uses for the
Google REST API: one connection per pass type, kept open and reused for every push, with up to
`max_streams` pushes in flight on it at once (APNs allows many streams on one connection and
asks providers not to open a connection per push). Each token is retried on 429 and 5xx
answers and on network failures, with exponential backoff and jitter, within a bounded number
of attempts and time; answers meaning "drop this registration" come back as outcomes, and an
answer refusing the credentials or the topic raises `ApnsRefusedError`, which stops the sender.
Connect, read and write timeouts apply to everything. No token key, JWT or password appears in
any message or log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import time
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from passkit.environment import ENV_APNS_CA_FILE, ENV_APNS_URL
from passkit.errors import ApnsRefusedError
from passkit.service.apns_answers import (
    MAX_ANSWER_BYTES,
    PUSH_TOKEN,
    PushOutcome,
    PushResult,
    classify,
    read_reason,
    refusal,
)
from passkit.service.apns_auth import ApnsAuth, CertificateAuth, TokenAuth, ssl_context
from passkit.service.apns_settings import PRODUCTION_URL, SANDBOX_URL, RetryPolicy, endpoint_url
from passkit.service.apns_tls import transport_refusal
from passkit.service.loop_thread import LoopThread

# Wallet passes take no alert: the empty payload, as a background push (Apple: priority 5).
PAYLOAD = b"{}"
PUSH_TYPE = "background"
PRIORITY = "5"

log = logging.getLogger("passkit.apns")

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "ApnsClient",
    "ApnsRefusedError",
    "CertificateAuth",
    "PushOutcome",
    "PushResult",
    "RetryPolicy",
    "TokenAuth",
    "endpoint_url",
]


@dataclass
class _Topic:
    """The connection of one pass type and what its batches share."""

    http: httpx.AsyncClient
    streams: asyncio.Semaphore
    # Until a push has been answered on the connection (and again after it failed), pushes
    # go one at a time: each is a probe of the connection, and when `RetryPolicy.attempts`
    # probes in a row fail, `unreachable` says why and the batch's other tokens are left for
    # later at once, instead of each waiting through its own connection attempts.
    probe: asyncio.Lock = field(default_factory=asyncio.Lock)
    proven: bool = False
    failures: int = 0
    unreachable: str | None = None


@dataclass(frozen=True)
class _Try:
    """One attempt: APNs's status and reason, or (status None) why no answer came."""

    status: int | None
    reason: str | None
    bearer: str | None = None


@dataclass
class _Batch:
    topic: str
    state: _Topic
    tokens: Iterator[str]
    results: dict[str, PushResult] = field(default_factory=dict)


class ApnsClient:
    """Sends pass update pushes: `async with client: await client.send_many(topic, tokens)`.

    `auth` is one `TokenAuth`, or one or more `CertificateAuth` (one per pass type). `url` is
    "production", "sandbox" or a test server's https URL, whose CA is `ca_file`.
    """

    def __init__(
        self,
        auth: ApnsAuth | Iterable[CertificateAuth],
        *,
        url: str | None = None,
        ca_file: str | Path | None = None,
        max_streams: int = 100,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        if isinstance(auth, TokenAuth | CertificateAuth):
            auth = [auth] if isinstance(auth, CertificateAuth) else auth
        self._token_auth = auth if isinstance(auth, TokenAuth) else None
        self._certificates = {} if isinstance(auth, TokenAuth) else {a.topic: a for a in auth}
        if self._token_auth is None and not self._certificates:
            raise ApnsRefusedError("ApnsClient needs a pass type certificate or a token key")
        if max_streams < 1:
            raise ValueError("max_streams must be at least 1")
        self.url = endpoint_url(url)
        self.ca_file = ca_file
        self.max_streams = max_streams
        self.retry = retry or RetryPolicy()
        self._timeout = httpx.Timeout(
            read_timeout, connect=connect_timeout, write=connect_timeout, pool=read_timeout
        )
        self._topics: dict[str, _Topic] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sync = LoopThread("passkit-apns")
        # A client dropped without close() does not leave its thread behind.
        weakref.finalize(self, self._sync.stop)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: object) -> ApnsClient:
        """From PASSKIT_APNS_URL and _CA_FILE, and PASSKIT_APNS_KEY_FILE/_KEY_ID/_TEAM_ID for
        a token key, or else the PASSKIT_APPLE_* signing certificate."""
        env = os.environ if environ is None else environ
        auth: ApnsAuth = TokenAuth.from_env(env) or CertificateAuth.from_env(env)
        return cls(
            auth,
            url=env.get(ENV_APNS_URL),
            ca_file=env.get(ENV_APNS_CA_FILE) or None,
            **options,  # type: ignore[arg-type]
        )

    async def __aenter__(self) -> ApnsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        topics, self._topics = self._topics, {}
        for state in topics.values():
            await state.http.aclose()

    async def send(self, topic: str, token: str) -> PushResult:
        """Push one token (see `send_many`)."""
        return (await self.send_many(topic, [token]))[0]

    async def send_many(self, topic: str, tokens: Iterable[str]) -> list[PushResult]:
        """Push `{}` to each token for pass type `topic`; one result per token, in order.

        A token that is not APNs's shape (an Android wallet's, a typo) is `BAD_TOKEN` without
        being sent. A token given twice is pushed once: one push wakes the device for every
        pass of the type. Raises `ApnsRefusedError` when APNs refuses the credentials or the
        topic; pushes are idempotent, so the whole batch can simply be sent again later.
        """
        given = list(tokens)
        results: dict[str, PushResult] = {}
        distinct: dict[str, None] = {}
        for token in given:
            if PUSH_TOKEN.fullmatch(token):
                distinct.setdefault(token.lower())
            else:
                results[token] = PushResult(token, PushOutcome.BAD_TOKEN, reason="NotAnApnsToken")
        if distinct:
            state = self._topic(topic)
            state.unreachable, state.failures = None, 0
            batch = _Batch(topic, state, iter(distinct))
            await self._run(batch, min(self.max_streams, len(distinct)))
            results.update(batch.results)
        return [results.get(token) or _for(token, results[token.lower()]) for token in given]

    def send_many_sync(self, topic: str, tokens: Iterable[str]) -> list[PushResult]:
        """`send_many` for code that is not async (threads included). It runs on an event
        loop of the client's own, on a thread, so that the connection stays open from one
        call to the next; `close()` (or leaving `with client:`) ends both."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("send_many_sync was called inside an event loop: await send_many")
        return self._sync.run(self.send_many(topic, list(tokens)))

    def close(self) -> None:
        """Close the connections and the thread that `send_many_sync` opened."""
        if self._sync.running:
            self._sync.run(self.aclose())
            self._sync.stop()

    def __enter__(self) -> ApnsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def _run(self, batch: _Batch, workers: int) -> None:
        tasks = [asyncio.ensure_future(self._work(batch)) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _work(self, batch: _Batch) -> None:
        for token in batch.tokens:  # one iterator shared by the batch's workers
            batch.results[token] = await self._push(batch, token)

    def _topic(self, topic: str) -> _Topic:
        loop = asyncio.get_running_loop()
        if self._topics and self._loop is not loop:
            raise RuntimeError(
                "this ApnsClient's connections belong to another event loop: use one client"
                " per event loop (or close it first)"
            )
        self._loop = loop
        state = self._topics.get(topic)
        if state is None:
            state = _Topic(self._connection(topic), asyncio.Semaphore(self.max_streams))
            self._topics[topic] = state
        return state

    def _connection(self, topic: str) -> httpx.AsyncClient:
        auth: ApnsAuth | None = self._token_auth or self._certificates.get(topic)
        if auth is None:
            held = ", ".join(sorted(self._certificates))
            raise ApnsRefusedError(
                f"no pass type certificate for '{topic}' (this client holds certificates for"
                f" {held}): give the Pass Type ID certificate of '{topic}'",
                topic=topic,
            )
        try:
            context = ssl_context(auth, self.ca_file)
        except (OSError, ssl.SSLError) as error:
            raise ApnsRefusedError(
                f"cannot set up TLS for APNs pushes of '{topic}': {error}; check"
                f" {ENV_APNS_CA_FILE} ({self.ca_file}) and the certificate"
                if self.ca_file
                else f"cannot set up TLS for APNs pushes of '{topic}': {error}",
                topic=topic,
            ) from None
        return httpx.AsyncClient(
            base_url=self.url,
            http1=False,
            http2=True,
            verify=context,
            timeout=self._timeout,
            # One connection, multiplexed; pushes beyond the server's stream limit wait for
            # a free stream on it rather than opening another connection. Apple asks that
            # connections stay open between pushes rather than be opened again and again:
            # it is kept through ten idle minutes (one APNs has closed is opened anew).
            limits=httpx.Limits(
                max_connections=1, max_keepalive_connections=1, keepalive_expiry=600.0
            ),
            trust_env=False,
            headers={"apns-topic": topic, "apns-push-type": PUSH_TYPE, "apns-priority": PRIORITY},
        )

    async def _push(self, batch: _Batch, token: str) -> PushResult:
        """One token, retried within the policy."""
        began, attempt, stale_bearer = time.monotonic(), 0, None
        state, tried = batch.state, _Try(None, None)
        while True:
            if state.unreachable is not None:
                reason = tried.reason or state.unreachable
                return PushResult(token, PushOutcome.RETRY_LATER, tried.status, reason, attempt)
            made = await self._attempt(batch, token, stale_bearer)
            if made is None:
                continue  # the connection is known to fail: nothing was sent
            attempt, tried = attempt + 1, made
            if tried.status is not None:
                outcome = classify(tried.status, tried.reason)
                if outcome is not None and outcome is not PushOutcome.RETRY_LATER:
                    return PushResult(token, outcome, tried.status, tried.reason, attempt)
                if outcome is None:
                    renewable = tried.bearer is not None and stale_bearer is None
                    if tried.reason == "ExpiredProviderToken" and renewable:
                        stale_bearer = tried.bearer  # renew it once, and try again at once
                        continue
                    raise refusal(batch.topic, tried.status, tried.reason, self.url)
            delay = self.retry.delay(attempt)
            if (
                attempt >= self.retry.attempts
                or time.monotonic() - began + delay > self.retry.budget
            ):
                log.warning(
                    "APNs push for %s to %s... left for later after %d attempts: %s",
                    batch.topic, token[:8], attempt, tried.reason or tried.status,
                )  # fmt: skip
                return PushResult(
                    token, PushOutcome.RETRY_LATER, tried.status, tried.reason, attempt
                )
            log.debug("APNs push to %s... retried in %.2fs: %s", token[:8], delay, tried.reason)
            await asyncio.sleep(delay)

    async def _attempt(self, batch: _Batch, token: str, stale_bearer: str | None) -> _Try | None:
        """One send, made alone while the connection is unproven; None when it is known to
        fail (nothing sent)."""
        state = batch.state
        if state.proven:
            return await self._try(batch, token, stale_bearer, probing=False)
        async with state.probe:
            if state.unreachable is not None:
                return None
            if not state.proven:
                return await self._try(batch, token, stale_bearer, probing=True)
        return await self._try(batch, token, stale_bearer, probing=False)

    async def _try(
        self, batch: _Batch, token: str, stale_bearer: str | None, *, probing: bool
    ) -> _Try:
        state = batch.state
        try:
            return await self._post(batch, token, stale_bearer)
        except (httpx.TransportError, ssl.SSLError) as error:
            # httpx passes some TLS failures on unwrapped, as ssl.SSLError.
            refused = transport_refusal(error, batch.topic, self.url)
            if refused is not None:
                raise refused from None
            why = _describe(error)
            state.proven = False
            if probing:
                state.failures += 1
                if state.failures >= self.retry.attempts:
                    state.unreachable = why
            return _Try(None, why)

    async def _post(self, batch: _Batch, token: str, stale_bearer: str | None) -> _Try:
        """Status, reason and the bearer token sent (if any) of one push."""
        headers: dict[str, str] = {}
        bearer = None
        if self._token_auth is not None:
            bearer = (
                self._token_auth.renew(stale_bearer) if stale_bearer else self._token_auth.bearer()
            )
            headers["authorization"] = f"bearer {bearer}"
        async with batch.state.streams:
            request = batch.state.http.stream(
                "POST", f"/3/device/{token}", content=PAYLOAD, headers=headers
            )
            async with request as response:
                body = b""
                if response.status_code != 200:
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_ANSWER_BYTES:
                            break
        batch.state.proven, batch.state.failures = True, 0
        return _Try(response.status_code, read_reason(body), bearer)


def _for(token: str, result: PushResult) -> PushResult:
    """`result` (of the token as sent, in lower case) for `token` as given."""
    return PushResult(token, result.outcome, result.status, result.reason, result.attempts)


def _describe(error: Exception) -> str:
    """A network failure, named by its kind (its text may hold addresses, never secrets)."""
    kind = type(error).__name__
    return f"{kind}: {error}" if str(error) else kind
