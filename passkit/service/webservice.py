"""Apple's Wallet web service ("Wallet Passes web service reference") over a registry.

Paths below the pass's webServiceURL:

    POST   /v1/devices/{device}/registrations/{passTypeId}/{serial}   register  (201 new, 200)
    DELETE /v1/devices/{device}/registrations/{passTypeId}/{serial}   unregister (200)
    GET    /v1/devices/{device}/registrations/{passTypeId}[?passesUpdatedSince=tag]
                                                     serials updated since tag (200, 204)
    GET    /v1/passes/{passTypeId}/{serial}          the latest pass (200, 304)
    POST   /v1/log                                   the device's log lines (200)

Calls about one pass carry ``Authorization: ApplePass <token>``: a wrong token is 401, checked
before the database is read so it takes the same time whether or not the pass exists; an
unknown pass or pass type is 404. Every input is bounded (`Limits`): a body over its limit is
413, a path segment longer than an identifier can be is 404, malformed JSON is 400, and at most
so many log lines of so many characters are kept. Header sizes are bounded by the server
that runs the application (`passkit service run` gives uvicorn a limit of 16 KiB).

The list of serials answers a device it does not know with 204, as for a device with nothing
new: that call carries no token, so it must not tell who is registered. A `passesUpdatedSince`
that is not one of this service's tags (a number) lists every pass of the device.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from passkit.service import schema
from passkit.service.auth import PassTokenKeys
from passkit.service.devices import DeviceStore
from passkit.service.store import Store

PKPASS_TYPE = "application/vnd.apple.pkpass"
log = logging.getLogger("passkit.service.devices")


@dataclass(frozen=True)
class Limits:
    """How much of each input the web service reads."""

    # A registration's body is {"pushToken": "<64 hex digits>"}; a log body holds lines.
    body_bytes: int = 4096
    log_body_bytes: int = 65536
    log_lines: int = 50
    log_line_chars: int = 1000
    authorization_chars: int = 256


class _Refused(Exception):
    """A request answered with `status` before it reaches the database."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        self.detail = detail


def web_service(
    store: Store,
    keys: PassTokenKeys,
    *,
    limits: Limits | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI application (see the module) over the registry's store, with `extra_routes`
    (the issuance links' pages) beside Apple's."""
    handlers = _Handlers(DeviceStore(store.engine), keys, limits or Limits())
    registration = "/v1/devices/{device}/registrations/{pass_type_id}/{serial}"
    routes = [
        Route(registration, handlers.register, methods=["POST"]),
        Route(registration, handlers.unregister, methods=["DELETE"]),
        Route("/v1/devices/{device}/registrations/{pass_type_id}", handlers.updated_since),
        Route("/v1/passes/{pass_type_id}/{serial}", handlers.latest),
        Route("/v1/log", handlers.log, methods=["POST"]),
        *extra_routes,
    ]
    return Starlette(routes=routes, exception_handlers={_Refused: _refused})


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, _Refused)
    if exc.detail:
        return JSONResponse({"error": exc.detail}, status_code=exc.status)
    return Response(status_code=exc.status)


class _Handlers:
    def __init__(self, devices: DeviceStore, keys: PassTokenKeys, limits: Limits) -> None:
        self.devices = devices
        self.keys = keys
        self.limits = limits

    async def register(self, request: Request) -> Response:
        device, pass_type_id, serial = self._pass_path(request, with_device=True)
        self._authorize(request, serial)
        body = await self._json(request, self.limits.body_bytes)
        token = body.get("pushToken")
        if not isinstance(token, str) or not 0 < len(token) <= schema.PUSH_TOKEN_LENGTH:
            raise _Refused(400, 'the body must be {"pushToken": "..."}')
        created = await run_in_threadpool(
            self.devices.register, device, token, pass_type_id, serial
        )
        if created is None:
            raise _Refused(404)
        return Response(status_code=201 if created else 200)

    async def unregister(self, request: Request) -> Response:
        device, pass_type_id, serial = self._pass_path(request, with_device=True)
        self._authorize(request, serial)
        known = await run_in_threadpool(self.devices.unregister, device, pass_type_id, serial)
        return Response(status_code=200 if known else 404)

    async def updated_since(self, request: Request) -> Response:
        device = _segment(request, "device", schema.IDENTIFIER_LENGTH)
        pass_type_id = _segment(request, "pass_type_id", schema.IDENTIFIER_LENGTH)
        since = request.query_params.get("passesUpdatedSince")
        tag = int(since) if since is not None and since.isdigit() and len(since) < 19 else None
        serials, last = await run_in_threadpool(
            self.devices.updated_since, device, pass_type_id, tag
        )
        if not serials:
            return Response(status_code=204)
        return JSONResponse({"serialNumbers": serials, "lastUpdated": str(last)})

    async def latest(self, request: Request) -> Response:
        _, pass_type_id, serial = self._pass_path(request, with_device=False)
        self._authorize(request, serial)
        latest = await run_in_threadpool(self.devices.latest, pass_type_id, serial)
        if latest is None:
            raise _Refused(404)
        headers = {
            "Last-Modified": format_datetime(latest.updated_at, usegmt=True),
            "ETag": f'"{latest.tag}"',
            "Cache-Control": "no-cache",
        }
        if _not_modified(request, latest.updated_at, headers["ETag"]):
            return Response(status_code=304, headers=headers)
        return Response(latest.pkpass, media_type=PKPASS_TYPE, headers=headers)

    async def log(self, request: Request) -> Response:
        body = await self._json(request, self.limits.log_body_bytes)
        lines = body.get("logs")
        if not isinstance(lines, list):
            raise _Refused(400, 'the body must be {"logs": ["..."]}')
        limits = self.limits
        for line in lines[: limits.log_lines]:
            text = line if isinstance(line, str) else json.dumps(line)[: limits.log_line_chars]
            # repr: a line cannot forge another line of the server's log.
            log.info("device log: %r", text[: limits.log_line_chars])
        if len(lines) > limits.log_lines:
            log.info("device log: %d more lines not kept", len(lines) - limits.log_lines)
        return Response(status_code=200)

    def _pass_path(self, request: Request, *, with_device: bool) -> tuple[str, str, str]:
        device = _segment(request, "device", schema.IDENTIFIER_LENGTH) if with_device else ""
        return (
            device,
            _segment(request, "pass_type_id", schema.IDENTIFIER_LENGTH),
            _segment(request, "serial", schema.SERIAL_LENGTH),
        )

    def _authorize(self, request: Request, serial: str) -> None:
        given = request.headers.get("authorization", "")
        if len(given) > self.limits.authorization_chars:
            given = ""
        if not self.keys.matches(serial, given):
            raise _Refused(401)

    async def _json(self, request: Request, limit: int) -> dict[str, Any]:
        """The request's body as a JSON object, read no further than `limit` bytes."""
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise _Refused(413 if declared.isdigit() else 400)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _Refused(413)
            chunks.append(chunk)
        try:
            body = json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise _Refused(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise _Refused(400, "the body must be a JSON object")
        return body


def _segment(request: Request, name: str, limit: int) -> str:
    value = request.path_params[name]
    assert isinstance(value, str)
    if not value or len(value) > limit:
        raise _Refused(404)
    return value


def _not_modified(request: Request, updated_at: datetime, etag: str) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in (part.strip() for part in match.split(","))
    since = request.headers.get("if-modified-since")
    if since is None or len(since) > 64:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        return False
    return updated_at <= moment
