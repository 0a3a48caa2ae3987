"""`ApnsStandIn`: a local server that plays APNs for pass update pushes, for tests.

    with ApnsStandIn(client_ca="certs/root.pem") as apns:
        client = ApnsClient(CertificateAuth.from_signer(signer), url=apns.url,
                            ca_file=apns.ca_file)
        apns.answer(token_a, 410)                  # this device removed the pass
        apns.answer_next(429, 500)                 # the next two pushes: APNs busy, then failing
        ...send...
        assert [push.token for push in apns.delivered] == [token_b]

It listens on 127.0.0.1 (a free port) with TLS and HTTP/2 (ALPN h2), under a certificate from a
CA it makes at start (`ca_file`). It requires a client certificate issued under `client_ca` and
takes the pass type id from its UID, or, without one, an ES256 provider token signed by one of
`token_keys`. It refuses what APNs refuses, with APNs's status and reason: a missing or foreign
certificate (the TLS handshake fails), a topic the credentials may not push to (400
TopicDisallowed), a bad path, method, token or priority, and any payload other than `{}`.
Every push is recorded (`pushes`: token, topic, headers, payload, time, answer), answers are
scripted per token or for the next pushes (status codes and delays), and each delivered push
can call back, for example to let a test's Wallet device fetch its updated passes.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from passkit.devcerts.tls import make_tls_server_chain
from passkit.testing.apns_checks import PATH, ProviderKey, Request, check_request
from passkit.testing.apns_h2 import Counters, H2Server, Reply

_REASONS = {
    400: "BadDeviceToken",
    403: "BadCertificate",
    410: "Unregistered",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


@dataclass(frozen=True)
class ApnsAnswer:
    """A scripted answer: the status, APNs's reason (the usual one for the status when not
    given) and a delay before answering, in seconds."""

    status: int = 200
    reason: str | None = None
    delay: float = 0.0

    @property
    def why(self) -> str | None:
        return None if self.status == 200 else self.reason or _REASONS.get(self.status, "")


@dataclass(frozen=True)
class ApnsPush:
    """One request the stand-in received, and its answer."""

    token: str
    topic: str | None
    headers: Mapping[str, str]
    payload: bytes
    time: float  # time.time() when it arrived
    status: int
    reason: str | None
    connection: int  # which connection (1, 2, ...) carried it

    @property
    def delivered(self) -> bool:
        return self.status == 200


ApnsAnswerLike = ApnsAnswer | int
ApnsPushCallback = Callable[[ApnsPush], object]


def _answer(value: ApnsAnswerLike) -> ApnsAnswer:
    return value if isinstance(value, ApnsAnswer) else ApnsAnswer(status=value)


KeyLike = ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey | bytes | str


def _public_key(key: KeyLike) -> ec.EllipticCurvePublicKey:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    loaded = (
        serialization.load_pem_private_key(data, None).public_key()
        if b"PRIVATE KEY" in data
        else serialization.load_pem_public_key(data)
    )
    if not isinstance(loaded, ec.EllipticCurvePublicKey):
        raise ValueError("APNs token keys are EC P-256 keys")
    return loaded


class ApnsStandIn:
    """A local APNs for tests; see the module's documentation. Use it as a context manager."""

    def __init__(
        self,
        *,
        client_ca: str | Path | bytes | None = None,
        topics: Iterable[str] | None = None,
        token_keys: Mapping[str, tuple[str, KeyLike]] | None = None,
        max_concurrent_streams: int = 1000,
    ) -> None:
        """`client_ca`: the CA (PEM path or bytes) client certificates must chain to;
        `token_keys`: {key id: (team id, EC public or private key, or PEM)} accepted for
        provider tokens; `topics`: the only pass type ids accepted (default: any that the
        credentials allow)."""
        if client_ca is None and not token_keys:
            raise ValueError("give client_ca (certificates) or token_keys (provider tokens)")
        self.client_ca = client_ca
        self.topics = frozenset(topics) if topics is not None else None
        self.keys = {
            kid: ProviderKey(team, _public_key(key))
            for kid, (team, key) in (token_keys or {}).items()
        }
        self.max_concurrent_streams = max_concurrent_streams
        self.url = ""
        self.ca_file = Path()
        self.default = ApnsAnswer()
        self._lock = threading.Lock()
        self._pushes: list[ApnsPush] = []
        self._per_token: dict[str, deque[ApnsAnswer]] = {}
        self._next: deque[ApnsAnswer] = deque()
        self._callbacks: list[ApnsPushCallback] = []
        self._wakers: dict[str, list[ApnsPushCallback]] = {}
        self._callback_errors: list[BaseException] = []
        self._callbacks_pending: list[Future[None]] = []
        self._counters = Counters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: H2Server | None = None
        self._folder: Path | None = None
        self._executor: ThreadPoolExecutor | None = None

    # Scripting ---------------------------------------------------------------------------

    def answer(self, token: str, *answers: ApnsAnswerLike) -> None:
        """ApnsAnswer the next pushes to `token` with `answers`, in turn (then the default)."""
        with self._lock:
            self._per_token.setdefault(token.lower(), deque()).extend(map(_answer, answers))

    def answer_next(self, *answers: ApnsAnswerLike) -> None:
        """ApnsAnswer the next pushes, whatever their token, with `answers`, in turn."""
        with self._lock:
            self._next.extend(map(_answer, answers))

    def on_push(self, callback: ApnsPushCallback) -> None:
        """Call `callback(push)` after every delivered push (on a thread of the stand-in's)."""
        with self._lock:
            self._callbacks.append(callback)

    def wake(self, token: str, callback: ApnsPushCallback) -> None:
        """Call `callback(push)` after every delivered push to `token`: a device's wake-up."""
        with self._lock:
            self._wakers.setdefault(token.lower(), []).append(callback)

    def disconnect(self) -> None:
        """Close every open connection with a GOAWAY, as APNs does now and then: a client
        must open a new one for its next pushes."""
        if self._loop is not None and self._server is not None:
            asyncio.run_coroutine_threadsafe(self._server.goaway(), self._loop).result(10)

    # What was seen -----------------------------------------------------------------------

    @property
    def pushes(self) -> list[ApnsPush]:
        """Every request received, in order of arrival, refused ones included."""
        with self._lock:
            return list(self._pushes)

    @property
    def delivered(self) -> list[ApnsPush]:
        """The pushes answered 200."""
        return [push for push in self.pushes if push.delivered]

    @property
    def connections(self) -> int:
        """TLS connections accepted so far."""
        return self._counters.connections

    @property
    def most_concurrent_streams(self) -> int:
        """The most requests that were in flight at once on all connections."""
        return self._counters.most_streams

    @property
    def refused_handshakes(self) -> list[str]:
        """Why each refused TLS handshake failed (OpenSSL's reason), in order."""
        return list(self._counters.refused_handshakes)

    def wait_for_refusals(self, count: int, timeout: float = 10.0) -> list[str]:
        """Wait until `count` TLS handshakes were refused. With TLS 1.3 the client may see the
        refusal before the stand-in's own thread has noted it, so a test waits here."""
        deadline = time.monotonic() + timeout
        while len(self._counters.refused_handshakes) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"APNs stand-in: expected {count} refused handshakes within {timeout}s,"
                    f" got {len(self._counters.refused_handshakes)}"
                )
            time.sleep(0.005)
        return self.refused_handshakes

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ApnsPush]:
        """Wait until `count` pushes were received and their callbacks have run."""
        deadline = time.monotonic() + timeout
        while len(self.pushes) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"APNs stand-in: expected {count} pushes within {timeout}s, got"
                    f" {len(self.pushes)}"
                )
            time.sleep(0.005)
        self._run_callbacks_to_end(max(0.0, deadline - time.monotonic()))
        return self.pushes

    # Life --------------------------------------------------------------------------------

    def start(self) -> ApnsStandIn:
        chain = make_tls_server_chain()
        self._folder = Path(tempfile.mkdtemp(prefix="passkit-apns-"))
        self.ca_file = self._folder / "ca.pem"
        self.ca_file.write_bytes(chain.ca_pem)
        identity = self._folder / "server.pem"
        identity.write_bytes(chain.certificate_pem + chain.key_pem)
        context = self._server_context(identity)
        identity.unlink()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="apns-stand-in-callbacks")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="apns-stand-in", daemon=True)
        self._thread.start()
        server = H2Server(context, self._decide, self._counters, self.max_concurrent_streams)
        self._server = server
        port = asyncio.run_coroutine_threadsafe(server.start("127.0.0.1"), loop).result(10)
        self.url = f"https://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        """Stop serving; re-raise the first error a callback raised."""
        loop, server = self._loop, self._server
        if loop is not None and server is not None:
            asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        if loop is not None:
            loop.close()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._loop = self._thread = self._server = self._executor = None
        self._raise_callback_error()

    def __enter__(self) -> ApnsStandIn:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.stop()
        except BaseException:
            if error is None:
                raise  # a callback's error, unless the test already failed otherwise

    def _server_context(self, identity: Path) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["h2"])
        context.load_cert_chain(identity)
        if self.client_ca is not None:
            ca = self.client_ca
            if isinstance(ca, bytes):
                context.load_verify_locations(cadata=ca.decode("ascii"))
            else:
                context.load_verify_locations(cafile=str(ca))
            # Provider tokens need no certificate; with no token key, one is required.
            context.verify_mode = ssl.CERT_OPTIONAL if self.keys else ssl.CERT_REQUIRED
        return context

    # Answering (on the server's thread) --------------------------------------------------

    def _decide(self, request: Request, connection: int) -> Reply:
        path = PATH.fullmatch(request.header(":path") or "")
        token = path.group(1) if path else ""
        refused = check_request(request, topics=self.topics, keys=self.keys)
        with self._lock:
            if refused is not None:
                answer = ApnsAnswer(refused.status, refused.reason)
            else:
                queue = self._per_token.get(token.lower())
                if queue:
                    answer = queue.popleft()
                elif self._next:
                    answer = self._next.popleft()
                else:
                    answer = self.default
            push = ApnsPush(
                token=token,
                topic=request.header("apns-topic"),
                headers=dict(request.headers),
                payload=request.body,
                time=time.time(),
                status=answer.status,
                reason=answer.why,
                connection=connection,
            )
            self._pushes.append(push)
            callbacks = [*self._callbacks, *self._wakers.get(token.lower(), [])]
            if push.delivered and callbacks and self._executor is not None:
                # Submitted before the lock is let go: `wait_for` then sees the push and the
                # callback that goes with it together.
                future = self._executor.submit(self._call, callbacks, push)
                self._callbacks_pending.append(future)
        return _reply(answer, request)

    def _call(self, callbacks: list[ApnsPushCallback], push: ApnsPush) -> None:
        for callback in callbacks:
            try:
                callback(push)
            except BaseException as error:  # kept for the test; the server goes on
                with self._lock:
                    self._callback_errors.append(error)

    def _run_callbacks_to_end(self, timeout: float) -> None:
        with self._lock:
            pending, self._callbacks_pending = self._callbacks_pending, []
        for future in pending:
            future.result(timeout)
        self._raise_callback_error()

    def _raise_callback_error(self) -> None:
        """Raise the first error a callback raised, once (the next ones are its echoes)."""
        with self._lock:
            errors, self._callback_errors = self._callback_errors, []
        if errors:
            raise errors[0]


def _reply(answer: ApnsAnswer, request: Request) -> Reply:
    apns_id = request.header("apns-id") or str(uuid.uuid4()).upper()
    headers = (("apns-id", apns_id),)
    if answer.status == 200:
        return Reply(200, headers=headers, delay=answer.delay)
    body: dict[str, object] = {"reason": answer.why}
    if answer.status == 410:
        body["timestamp"] = int(time.time() * 1000)
    return Reply(answer.status, json.dumps(body).encode(), headers, answer.delay)
