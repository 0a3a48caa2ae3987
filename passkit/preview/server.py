"""`passkit serve`: a live preview of layouts in the browser.

A small Starlette application served by uvicorn on 127.0.0.1. It lists the layouts, draws the
chosen one with its sample record in both wallets, and the page refreshes itself: watchfiles
bumps a version number whenever a layout, a record or an image is saved, and the page polls
that number twice a second and fetches the new drawing. A layout that fails to load or render
shows its error (file, line, field) in the page; the server keeps running.

When signing is configured (PASSKIT_APPLE_* and PASSKIT_GOOGLE_* variables), the page offers
the built .pkpass and the Google save link.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
import watchfiles
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from passkit.errors import DataError, LayoutError, PasskitError
from passkit.files import LAYOUT_LIMIT, read_limited
from passkit.languages import matching_language
from passkit.layout.library import LAYOUT_SUFFIXES, find_layout
from passkit.preview.compose import WALLETS, faces
from passkit.preview.html import STYLE, preview_fragment
from passkit.preview.sample import Sample, read_record, sample_of
from passkit.preview.warnings import layout_warnings

if TYPE_CHECKING:
    from passkit.layout import Layout

POLL_MS = 500

PAGE_STYLE = """
nav { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; margin-bottom: 16px; }
nav a { color: #0a58ca; text-decoration: none; padding: 2px 8px; border-radius: 6px; }
nav a.current { background: #fff; font-weight: 600; }
.controls { display: flex; gap: 16px; align-items: center; margin-bottom: 16px; }
.downloads a { margin-right: 12px; }
"""

SCRIPT = """
const state = {version: null};
async function poll() {
  try {
    const answer = await fetch("/version", {cache: "no-store"});
    const {version} = await answer.json();
    if (state.version !== null && version !== state.version) {
      const page = await fetch(location.pathname + "/fragment" + location.search,
                               {cache: "no-store"});
      document.getElementById("preview").innerHTML = await page.text();
      document.body.dataset.version = version;
    }
    state.version = version;
  } catch (error) { /* the server restarts or is gone: try again */ }
  setTimeout(poll, %(poll)d);
}
function choose(name, value) {
  const query = new URLSearchParams(location.search);
  query.set(name, value);
  location.search = query.toString();
}
poll();
"""


def discover_layouts(target: Path) -> list[Path]:
    """The layout files of a directory (base layouts marked abstract left out), or the file."""
    if target.is_file():
        return [target] if is_layout_file(target) else []
    return [path for path in sorted(target.iterdir()) if is_layout_file(path)]


def is_layout_file(path: Path) -> bool:
    """A .yaml, .yml or .json file that is a layout one can draw: a mapping with a `kind` or an
    `extends`, not marked abstract. A file that cannot be parsed counts: opening it shows why."""
    if path.suffix.lower() not in LAYOUT_SUFFIXES or not path.is_file():
        return False
    try:
        data = yaml.safe_load(read_limited(path, LAYOUT_LIMIT, "layout").decode("utf-8"))
    except (OSError, PasskitError, yaml.YAMLError, UnicodeDecodeError):
        return True
    if not isinstance(data, dict):
        return False
    return data.get("abstract") is not True and ("kind" in data or "extends" in data)


def describe_error(exc: Exception) -> str:
    """An error as the page shows it: file, line and field on their own lines when known."""
    if isinstance(exc, LayoutError):
        lines = []
        if exc.file:
            lines.append(f"File:  {exc.file}")
        if exc.line:
            lines.append(f"Line:  {exc.line}")
        if exc.field:
            lines.append(f"Field: {exc.field}")
        lines.append(f"Error: {exc.detail}")
        return "\n".join(lines)
    if isinstance(exc, PasskitError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


@dataclass
class Rendered:
    html: str
    ok: bool


@dataclass
class PreviewState:
    """The layouts served, the version the watcher bumps, and drawings cached per version."""

    target: Path
    data: Path | None = None
    version: int = 0
    cache: dict[tuple[str, str, str, int], Rendered] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def layouts(self) -> dict[str, Path]:
        return {path.stem: path for path in discover_layouts(self.target)}

    def watch_roots(self) -> list[Path]:
        roots = {self.target if self.target.is_dir() else self.target.parent}
        if self.data is not None:
            roots.add(self.data.parent)
        for name in self.layouts():
            with contextlib.suppress(Exception):  # a broken layout is watched by its folder
                roots.update(source.parent for source in self.load(name).sources)
        resolved = sorted({root.resolve() for root in roots})
        # watchfiles watches folders recursively: keep only the outermost ones.
        return [r for r in resolved if not any(o != r and o in r.parents for o in resolved)]

    def bump(self) -> None:
        with self.lock:
            self.version += 1
            self.cache.clear()

    def load(self, name: str) -> Layout:
        from passkit.layout import load_layout

        path = self.layouts().get(name)
        if path is None:
            raise LayoutError("no such layout here", file=name)
        return load_layout(path)

    def sample(self, name: str) -> Sample:
        """The named layout, loaded afresh, with the record it is drawn with."""
        return sample_of(self.load(name), self.data)

    def render(self, name: str, language: str | None, wallet: str) -> Rendered:
        key = (name, language or "", wallet, self.version)
        with self.lock:
            found = self.cache.get(key)
            if found is not None:
                return found
            try:
                sample = self.sample(name)
                layout, p = sample.layout, sample.render()
                languages = [p.language, *p.translations]
                matched = matching_language(languages, language) if language else None
                chosen = matched or p.language
                drawn = faces(p, wallet=wallet, language=chosen, google=layout.google)  # type: ignore[arg-type]
                warnings = layout_warnings(layout, p)
                body = _language_picker(languages, chosen) + preview_fragment(
                    drawn, p, chosen, warnings
                )
                result = Rendered(body, True)
            except Exception as exc:  # shown in the page; the server keeps serving
                message = escape(describe_error(exc))
                result = Rendered(f'<div class="error" role="alert">{message}</div>', False)
            self.cache[key] = result
            return result


def _language_picker(languages: list[str], chosen: str) -> str:
    options = "".join(
        f'<option value="{escape(tag)}"{" selected" if tag == chosen else ""}>{escape(tag)}'
        "</option>"
        for tag in languages
    )
    return (
        '<p class="controls"><label>Language <select id="language" '
        f"onchange=\"choose('lang', this.value)\">{options}</select></label></p>"
    )


def _nav(state: PreviewState, current: str | None) -> str:
    links = "".join(
        f'<a href="/layouts/{escape(name)}"{" class=current" if name == current else ""}>'
        f"{escape(name)}</a>"
        for name in state.layouts()
    )
    return f"<nav><strong>Layouts</strong>{links}</nav>"


def _page(title: str, body: str, version: int) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} — passkit preview</title>"
        f"<style>{STYLE}{PAGE_STYLE}</style></head>"
        f'<body data-version="{version}"><main>{body}</main>'
        f"<script>{SCRIPT % {'poll': POLL_MS}}</script></body></html>\n"
    )


def create_app(state: PreviewState) -> Starlette:
    async def index(request: Request) -> Response:
        layouts = state.layouts()
        if len(layouts) == 1:
            return RedirectResponse(f"/layouts/{next(iter(layouts))}")
        items = "".join(
            f'<li><a href="/layouts/{escape(name)}">{escape(name)}</a> '
            f"<small>{escape(str(path))}</small></li>"
            for name, path in layouts.items()
        )
        body = f"<h1>Layouts in {escape(str(state.target))}</h1><ul>{items or 'none'}</ul>"
        return HTMLResponse(_page("Layouts", body, state.version))

    async def version(request: Request) -> Response:
        return JSONResponse({"version": state.version})

    def _choices(request: Request) -> tuple[str, str | None, str]:
        name = request.path_params["name"]
        wallet = request.query_params.get("wallet", "both")
        if wallet not in WALLETS:
            wallet = "both"
        return name, request.query_params.get("lang"), wallet

    async def layout_page(request: Request) -> Response:
        name, language, wallet = _choices(request)
        if name not in state.layouts():
            return HTMLResponse(
                _page(
                    "Unknown layout",
                    _nav(state, None) + f'<div class="error">No layout '
                    f"named {escape(name)} in {escape(str(state.target))}</div>",
                    state.version,
                ),
                status_code=404,
            )
        rendered = await asyncio.to_thread(state.render, name, language, wallet)
        wallet_links = " ".join(
            f'<label><input type="radio" name="wallet" value="{w}"'
            f"{' checked' if w == wallet else ''} onchange=\"choose('wallet', '{w}')\"> {w}"
            "</label>"
            for w in WALLETS
        )
        downloads = (
            f'<span class="downloads"><a href="/layouts/{escape(name)}/pass.pkpass">Download '
            f'.pkpass</a><a href="/layouts/{escape(name)}/google">Google save link</a>'
            f'<a href="/layouts/{escape(name)}/preview.png?wallet={wallet}">PNG</a></span>'
        )
        body = (
            _nav(state, name)
            + f"<h1>{escape(name)}</h1>"
            + f'<div class="controls">Wallet {wallet_links} {downloads}</div>'
            + f'<div id="preview">{rendered.html}</div>'
        )
        return HTMLResponse(_page(name, body, state.version))

    async def fragment(request: Request) -> Response:
        name, language, wallet = _choices(request)
        if name not in state.layouts():
            return _unknown(state, name)
        rendered = await asyncio.to_thread(state.render, name, language, wallet)
        return HTMLResponse(rendered.html, headers={"Cache-Control": "no-store"})

    async def preview_png(request: Request) -> Response:
        from passkit.preview import render_png

        name, language, wallet = _choices(request)
        if name not in state.layouts():
            return _unknown(state, name)

        def draw() -> bytes:
            sample = state.sample(name)
            p = sample.render()
            return render_png(
                p,
                wallet=wallet,  # type: ignore[arg-type]
                language=matching_language([p.language, *p.translations], language or ""),
                google=sample.layout.google,
            )

        try:
            return Response(await asyncio.to_thread(draw), media_type="image/png")
        except PasskitError as exc:
            return PlainTextResponse(str(exc), status_code=422)

    async def pkpass(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in state.layouts():
            return _unknown(state, name)
        return await asyncio.to_thread(_download_pkpass, state, name)

    async def google_link(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in state.layouts():
            return _unknown(state, name)
        return await asyncio.to_thread(_google_link, state, name)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/version", version),
            Route("/layouts/{name}", layout_page),
            Route("/layouts/{name}/fragment", fragment),
            Route("/layouts/{name}/preview.png", preview_png),
            Route("/layouts/{name}/pass.pkpass", pkpass),
            Route("/layouts/{name}/google", google_link),
        ]
    )


def _unknown(state: PreviewState, name: str) -> Response:
    return PlainTextResponse(f"No layout named {name} in {state.target}", status_code=404)


def _download_pkpass(state: PreviewState, name: str) -> Response:
    from passkit.apple.bundle import build_pkpass
    from passkit.batch.build_plan import AppleCredentials

    try:
        credentials = AppleCredentials.resolve()
        if credentials is None:
            return PlainTextResponse(
                "Apple signing is not configured: set PASSKIT_APPLE_CERT and PASSKIT_APPLE_KEY "
                "(or PASSKIT_APPLE_P12) before starting passkit serve",
                status_code=404,
            )
        p = state.sample(name).render()
        body = build_pkpass(p, credentials.signer(), now=datetime.now(UTC))
    except PasskitError as exc:
        return PlainTextResponse(str(exc), status_code=422)
    return Response(
        body,
        media_type="application/vnd.apple.pkpass",
        headers={"Content-Disposition": f'attachment; filename="{name}.pkpass"'},
    )


def _google_link(state: PreviewState, name: str) -> Response:
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google import compile_google, save_link
    from passkit.google.publish import needs_class_notice

    try:
        credentials = GoogleCredentials.resolve()
        if credentials is None:
            return PlainTextResponse(
                "Google signing is not configured: set PASSKIT_GOOGLE_SERVICE_ACCOUNT and "
                "PASSKIT_GOOGLE_ISSUER_ID before starting passkit serve",
                status_code=404,
            )
        sample = state.sample(name)
        compiled = compile_google(
            sample.render(), issuer_id=credentials.issuer_id, options=sample.layout.google
        )
        link = save_link(
            compiled, credentials.account(), origins=credentials.origins, class_inserted=True
        )
    except PasskitError as exc:
        return PlainTextResponse(str(exc), status_code=422)
    if link.too_long is not None:
        # A link naming an object nobody inserted would not work: none is offered.
        return PlainTextResponse(
            f"no save link: {link.too_long}; shorten those, or build the pass with "
            "passkit build --google-insert",
            status_code=422,
        )
    needs = needs_class_notice(name, (link.class_id,), 1)
    return HTMLResponse(
        f'<!DOCTYPE html><meta charset="utf-8"><title>{escape(name)} save link</title>'
        f'<p><a id="save-link" href="{escape(link.url)}">Add to Google Wallet</a></p>'
        f'<p id="needs-class">{escape(needs[0].upper() + needs[1:])}.</p>'
        f"<textarea rows=6 cols=100 readonly>{escape(link.url)}</textarea>"
    )


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


def resolve_target(target: Path, data: Path | None) -> Path:
    """The layout file or folder to serve (a shipped layout may be named: "loyalty")."""
    if not target.exists():
        try:
            target = find_layout(target)
        except LayoutError:
            raise LayoutError(
                "no such layout file or folder; give a layout file, a folder of layouts or the "
                "name of a shipped layout",
                file=str(target),
            ) from None
    if target.is_dir() and not discover_layouts(target):
        raise LayoutError("this folder holds no layout (.yaml, .yml or .json)", file=str(target))
    if not target.is_dir() and not discover_layouts(target):
        raise LayoutError(
            "not a layout: give a .yaml, .yml or .json file with a `kind` (or an `extends`),"
            " or a folder of layouts",
            file=str(target),
        )
    if data is not None:
        read_record(data)  # fail now, with the reason, rather than in the page
        if not data.is_file():
            raise DataError("not a file", input=str(data))
    return target


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
