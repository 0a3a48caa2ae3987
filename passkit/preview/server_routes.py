"""The routes of the live preview server and what answers each:

    GET /                               the layouts (or the only one's page)
    GET /version                        the version the file watcher bumps
    GET /layouts/{name}                 the page of one layout, drawn with its sample record
    GET /layouts/{name}/fragment        the drawing alone, which the page fetches on a new version
    GET /layouts/{name}/preview.png     the drawing as PNG
    GET /layouts/{name}/pass.pkpass     the sample pass, signed
    GET /layouts/{name}/google          its Google save link

`?wallet=apple|google|both` and `?lang=` choose what is drawn. A layout not served is a 404
on every route; drawing runs in a worker thread, so the server keeps answering.
"""

from __future__ import annotations

import asyncio
from html import escape

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from passkit.errors import PasskitError
from passkit.languages import matching_language
from passkit.preview import render_png
from passkit.preview.compose import WALLETS
from passkit.preview.server_downloads import download_pkpass, google_link_page
from passkit.preview.server_pages import nav, page
from passkit.preview.server_state import PreviewState


def preview_routes(state: PreviewState) -> list[Route]:
    """The routes of the server over `state` (see the module)."""
    handlers = PreviewHandlers(state)
    return [
        Route("/", handlers.index),
        Route("/version", handlers.version),
        Route("/layouts/{name}", handlers.layout_page),
        Route("/layouts/{name}/fragment", handlers.fragment),
        Route("/layouts/{name}/preview.png", handlers.preview_png),
        Route("/layouts/{name}/pass.pkpass", handlers.pkpass),
        Route("/layouts/{name}/google", handlers.google_link),
    ]


class PreviewHandlers:
    """What answers each route (see the module)."""

    def __init__(self, state: PreviewState) -> None:
        self.state = state

    async def index(self, request: Request) -> Response:
        state = self.state
        layouts = state.layouts()
        if len(layouts) == 1:
            return RedirectResponse(f"/layouts/{next(iter(layouts))}")
        items = "".join(
            f'<li><a href="/layouts/{escape(name)}">{escape(name)}</a> '
            f"<small>{escape(str(path))}</small></li>"
            for name, path in layouts.items()
        )
        body = f"<h1>Layouts in {escape(str(state.target))}</h1><ul>{items or 'none'}</ul>"
        return HTMLResponse(page("Layouts", body, state.version))

    async def version(self, request: Request) -> Response:
        return JSONResponse({"version": self.state.version})

    async def layout_page(self, request: Request) -> Response:
        state = self.state
        name, language, wallet = _choices(request)
        if name not in state.layouts():
            return HTMLResponse(
                page(
                    "Unknown layout",
                    nav(state.layouts(), None) + f'<div class="error">No layout '
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
            nav(state.layouts(), name)
            + f"<h1>{escape(name)}</h1>"
            + f'<div class="controls">Wallet {wallet_links} {downloads}</div>'
            + f'<div id="preview">{rendered.html}</div>'
        )
        return HTMLResponse(page(name, body, state.version))

    async def fragment(self, request: Request) -> Response:
        name, language, wallet = _choices(request)
        if name not in self.state.layouts():
            return self._unknown(name)
        rendered = await asyncio.to_thread(self.state.render, name, language, wallet)
        return HTMLResponse(rendered.html, headers={"Cache-Control": "no-store"})

    async def preview_png(self, request: Request) -> Response:
        state = self.state
        name, language, wallet = _choices(request)
        if name not in state.layouts():
            return self._unknown(name)

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

    async def pkpass(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.state.layouts():
            return self._unknown(name)
        return await asyncio.to_thread(download_pkpass, self.state, name)

    async def google_link(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.state.layouts():
            return self._unknown(name)
        return await asyncio.to_thread(google_link_page, self.state, name)

    def _unknown(self, name: str) -> Response:
        return PlainTextResponse(f"No layout named {name} in {self.state.target}", status_code=404)


def _choices(request: Request) -> tuple[str, str | None, str]:
    """The layout's name, the language and the wallet a request asks for."""
    name = request.path_params["name"]
    wallet = request.query_params.get("wallet", "both")
    if wallet not in WALLETS:
        wallet = "both"
    return name, request.query_params.get("lang"), wallet
