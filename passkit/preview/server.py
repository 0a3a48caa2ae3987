"""`passkit serve`: a live preview of layouts in the browser.

A small Starlette application served by uvicorn on 127.0.0.1. It lists the layouts, draws the
chosen one with its sample record in both wallets, and the page refreshes itself: watchfiles
bumps a version number whenever a layout, a record or an image is saved, and the page polls
that number twice a second and fetches the new drawing. A layout that fails to load or render
shows its error (file, line, field) in the page; the server keeps running.

When signing is configured (PASSKIT_APPLE_* and PASSKIT_GOOGLE_* variables), the page offers
the built .pkpass and the Google save link.

This module puts the application together and runs it; the routes and what answers them are in
`passkit.preview.server_routes`, the layouts served and their drawings in `server_state`, the
pages' HTML in `server_pages`, the downloads in `server_downloads`, and which files are
layouts in `served_layouts`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
import watchfiles
from starlette.applications import Starlette

from passkit.errors import PasskitError
from passkit.preview.served_layouts import resolve_target
from passkit.preview.server_routes import preview_routes
from passkit.preview.server_state import PreviewState


def create_app(state: PreviewState) -> Starlette:
    """The application over `state` (its routes: `passkit.preview.server_routes`)."""
    return Starlette(routes=preview_routes(state))


async def watch(state: PreviewState, stop: asyncio.Event) -> None:
    """Bump the version whenever a file under the watched folders changes."""
    async for _ in watchfiles.awatch(*state.watch_roots(), stop_event=stop, debounce=200):
        state.bump()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or a PasskitError that says the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PasskitError(
                f"port {port} on {host} is already in use (another passkit serve?); choose "
                "another with --port, or --port 0 for any free port"
            ) from None
        raise PasskitError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    return sock


def serve(
    target: Path,
    *,
    data: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    announce: Any = print,
) -> None:
    """Serve the live preview until interrupted."""
    target = resolve_target(target, data)
    state = PreviewState(target=target, data=data)
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    app = create_app(state)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(watch(state, stop))
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=2)

    app.router.lifespan_context = lifespan
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"passkit preview on http://{shown_host}:{actual_port}/ (Ctrl-C to stop)")
    server.run(sockets=[sock])
