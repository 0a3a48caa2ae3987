"""The APNs stand-in's server: TLS with ALPN h2 and HTTP/2 spoken with the `h2` library.

Each connection is accepted as plain TCP and then upgraded to TLS here, so that a refused
handshake (no client certificate, one from another CA) is counted and named rather than lost
inside asyncio. Requests are read as h2 events; each complete request is handed to the
stand-in, which decides the answer, and answered after the delay the answer asks for, so that
slow answers overlap as they do at APNs. Everything read is bounded: header lists, bodies,
the number of streams at once, the time a handshake may take.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from cryptography import x509
from cryptography.x509.oid import NameOID

from passkit.testing.apns_checks import MAX_PAYLOAD, Request

HANDSHAKE_TIMEOUT = 10.0
MAX_HEADER_LIST = 8192


@dataclass(frozen=True)
class Reply:
    """What to send back: status, JSON body (empty for 200), headers, and a delay."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


@dataclass
class Counters:
    """What the server has seen, for tests to assert on."""

    connections: int = 0
    open_streams: int = 0
    most_streams: int = 0
    refused_handshakes: list[str] = field(default_factory=list)


Decide = Callable[[Request, int], Reply]


def certificate_topic(der: bytes | None) -> str | None:
    """The UID (pass type id) of a verified client certificate; "" for a certificate without
    one (not a Pass Type ID certificate), None for no certificate."""
    if not der:
        return None
    values = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.USER_ID)
    value = values[0].value if values else None
    return value if isinstance(value, str) else ""


class H2Server:
    """Listens on `host`, speaks HTTP/2 over TLS, asks `decide` for every answer."""

    def __init__(
        self, context: ssl.SSLContext, decide: Decide, counters: Counters, max_streams: int
    ) -> None:
        self.context = context
        self.decide = decide
        self.counters = counters
        self.max_streams = max_streams
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.open: set[_Connection] = set()

    async def start(self, host: str) -> int:
        self._server = await asyncio.start_server(self._accept, host, 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def goaway(self) -> None:
        """End every open connection as a server going away does: GOAWAY, then close."""
        for connection in list(self.open):
            connection.h2.close_connection()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await connection.flush()
            connection.tls.writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(_Tls(self.context, reader, writer))
        except (ConnectionError, ssl.SSLError, TimeoutError):
            pass  # the client went away, or broke TLS after the handshake
        except asyncio.CancelledError:
            pass  # the stand-in is stopping: the connection ends here
        finally:
            self._tasks.discard(task)
            writer.transport.abort()

    async def _serve(self, tls: _Tls) -> None:
        try:
            await asyncio.wait_for(tls.handshake(), HANDSHAKE_TIMEOUT)
        except (OSError, TimeoutError, ssl.SSLError) as error:
            reason = getattr(error, "reason", None) or type(error).__name__
            self.counters.refused_handshakes.append(str(reason))
            # The TLS alert naming the refusal is on its way; let the client read it before
            # the connection closes, as a real server does.
            with contextlib.suppress(OSError, TimeoutError, ssl.SSLError):
                await asyncio.wait_for(tls.drain_peer(), 1.0)
            return
        if tls.tls.selected_alpn_protocol() != "h2":
            self.counters.refused_handshakes.append("NO_ALPN_H2")
            return
        self.counters.connections += 1
        number = self.counters.connections
        topic = certificate_topic(tls.tls.getpeercert(binary_form=True))
        await _Connection(self, tls, number, topic).run()


class _Tls:
    """TLS over a plain stream with OpenSSL's memory buffers, so that the alert of a refused
    handshake is sent (asyncio's own TLS closes without sending it)."""

    def __init__(
        self, context: ssl.SSLContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.reader, self.writer = reader, writer

    async def handshake(self) -> None:
        while True:
            try:
                self.tls.do_handshake()
                await self._send()
                return
            except ssl.SSLWantReadError:
                await self._send()
                await self._receive()
            except ssl.SSLError:
                await self._send()  # the alert
                raise

    async def read(self) -> bytes:
        """Decrypted bytes, at least one; b"" at the end of the connection."""
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLWantReadError:
                if not await self._receive():
                    return b""
            except ssl.SSLZeroReturnError:
                return b""

    async def write(self, data: bytes) -> None:
        self.tls.write(data)
        await self._send()

    async def drain_peer(self) -> None:
        while await self.reader.read(65536):
            pass

    async def _send(self) -> None:
        data = self.outgoing.read()
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def _receive(self) -> bool:
        data = await self.reader.read(65536)
        if not data:
            self.incoming.write_eof()
            return False
        self.incoming.write(data)
        return True


@dataclass
class _Stream:
    headers: list[tuple[str, str]]
    body: bytearray = field(default_factory=bytearray)


class _Connection:
    def __init__(
        self,
        server: H2Server,
        tls: _Tls,
        number: int,
        topic: str | None,
    ) -> None:
        self.server, self.tls = server, tls
        self.number, self.topic = number, topic
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config)
        self.h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: server.max_streams,
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: MAX_HEADER_LIST,
            },
        )
        self.streams: dict[int, _Stream] = {}
        self.answering: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        self.server.open.add(self)
        self.h2.initiate_connection()
        await self.flush()
        try:
            while True:
                data = await self.tls.read()
                if not data:
                    return
                try:
                    events = self.h2.receive_data(data)
                except h2.exceptions.ProtocolError:
                    await self.flush()
                    return
                for event in events:
                    if self.handle(event):
                        await self.flush()
                        return
                await self.flush()
        except (ConnectionError, ssl.SSLError):
            return
        finally:
            self.server.open.discard(self)
            for task in self.answering:
                task.cancel()

    def handle(self, event: h2.events.Event) -> bool:
        """Act on one event; True when the connection ends."""
        counters = self.server.counters
        if isinstance(event, h2.events.RequestReceived) and event.stream_id is not None:
            headers = [(str(k), str(v)) for k, v in event.headers or ()]
            self.streams[event.stream_id] = _Stream(headers)
            counters.open_streams += 1
            counters.most_streams = max(counters.most_streams, counters.open_streams)
        elif isinstance(event, h2.events.DataReceived) and event.stream_id is not None:
            stream = self.streams.get(event.stream_id)
            if stream is not None and len(stream.body) <= MAX_PAYLOAD:
                stream.body += (event.data or b"")[: MAX_PAYLOAD + 1 - len(stream.body)]
            self.h2.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id is not None:
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                task = asyncio.ensure_future(self.answer(event.stream_id, stream))
                self.answering.add(task)
                task.add_done_callback(self.answering.discard)
        elif (
            isinstance(event, h2.events.StreamReset)
            and self.streams.pop(event.stream_id or 0, None) is not None
        ):
            counters.open_streams -= 1
        return isinstance(event, h2.events.ConnectionTerminated)

    async def answer(self, stream_id: int, stream: _Stream) -> None:
        request = Request(stream.headers, bytes(stream.body), self.topic)
        reply = self.server.decide(request, self.number)
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if self.streams.pop(stream_id, None) is None:
                return  # reset by the client meanwhile
            self.server.counters.open_streams -= 1
            headers = [(":status", str(reply.status)), *reply.headers]
            if reply.body:
                headers += [("content-type", "application/json"),
                            ("content-length", str(len(reply.body)))]  # fmt: skip
            self.h2.send_headers(stream_id, headers, end_stream=not reply.body)
            if reply.body:
                self.h2.send_data(stream_id, reply.body, end_stream=True)
            await self.flush()
        except (h2.exceptions.ProtocolError, ConnectionError, ssl.SSLError):
            return

    async def flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            await self.tls.write(data)
