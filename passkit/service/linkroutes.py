"""The web routes of issuance links and Google callbacks, beside Apple's web service.

Paths below the web service's URL:

    GET, POST /links/{token}                   the link's page (`passkit.service.landing`)
    GET       /downloads/{key}/{serial}.pkpass  the pass the page issued
    POST      /google/callback                 Google's save and delete callbacks

A download's key is an HMAC of the serial under the service secret (see
`passkit.service.auth`): only the page that issued a pass gives its address. A callback that
verifies sets the pass's wallet state (save: installed, del: removed) and is answered 200, as
is a repeated delivery; one that does not verify is 400, and an unknown pass is acknowledged
with 200 (Google would retry it otherwise). Bodies are bounded (a form at 16 KiB, a callback at
Google's 16 KiB), tokens and keys by their lengths; no token, secret or form value is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from passkit.errors import PasskitError
from passkit.layout import Layout
from passkit.model.pass_ import Pass
from passkit.service.google_callbacks import CallbackError, CallbackReplay, CallbackVerifier
from passkit.service.landing import IssuedPass, LinkPages, Page, refusal_page
from passkit.service.linkissuer import LINKS_PATH, LinkIssuer
from passkit.service.linktokens import MAX_TOKEN_CHARS, LinkPayload
from passkit.service.schema import SERIAL_LENGTH
from passkit.service.state import WalletState
from passkit.service.walletstate import WalletStates

log = logging.getLogger("passkit.service.links")
PKPASS_TYPE = "application/vnd.apple.pkpass"
DOWNLOADS_PATH = "/downloads"
CALLBACK_PATH = "/google/callback"
# Pages carry their token in the address: never sent on to another site, never cached.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class LinkLimits:
    form_bytes: int = 16 * 1024
    form_fields: int = 100
    callback_bytes: int = 16 * 1024


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, read no further than `limit` bytes (_TooLarge beyond)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def link_routes(
    links: LinkIssuer,
    wallets: WalletStates,
    *,
    verifier: CallbackVerifier | None = None,
    limits: LinkLimits | None = None,
) -> list[BaseRoute]:
    """The routes (see the module); the callback's only with a verifier."""
    handlers = _LinkHandlers(links, wallets, verifier, limits or LinkLimits())
    routes: list[BaseRoute] = [
        Route(LINKS_PATH + "/{token}", handlers.page, methods=["GET", "POST"]),
        Route(DOWNLOADS_PATH + "/{key}/{name:path}", handlers.download),
    ]
    if verifier is not None:
        routes.append(Route(CALLBACK_PATH, handlers.callback, methods=["POST"]))
    return routes


class _LinkHandlers:
    def __init__(
        self,
        links: LinkIssuer,
        wallets: WalletStates,
        verifier: CallbackVerifier | None,
        limits: LinkLimits,
    ) -> None:
        self.links = links
        self.passes = links.passes
        self.wallets = wallets
        self.verifier = verifier
        self.limits = limits
        self.pages = LinkPages(
            keyring=links.keyring, layout_for=self._layout, issue=self._issue, given=self._given
        )

    def _layout(self, name: str) -> Layout:
        return self.passes.layouts.get(name).layout

    def _issue(self, payload: LinkPayload, record: dict[str, object]) -> IssuedPass:
        issued = self.links.issue(payload, record)
        return self._shown(issued.serial, issued.pass_, issued.google_link)

    def _given(self, payload: LinkPayload) -> IssuedPass | None:
        earlier = self.links.given(payload)
        if earlier is None:
            return None
        return self._shown(earlier.serial, earlier.pass_, earlier.google_link)

    def _shown(self, serial: str, pass_: Pass | None, google_link: str | None) -> IssuedPass:
        """What the page shows of a pass: the pass, its download address, its save link."""
        assert pass_ is not None
        keys = self.passes.keys
        assert keys is not None and self.passes.web_service_url is not None
        name = quote(serial, safe="") + ".pkpass"
        key = keys.download_key(serial)
        url = f"{self.passes.web_service_url}{DOWNLOADS_PATH}/{key}/{name}"
        return IssuedPass(pass_=pass_, pkpass_url=url, google_save_url=google_link)

    async def page(self, request: Request) -> Response:
        token = str(request.path_params["token"])[: MAX_TOKEN_CHARS + 1]
        agent = request.headers.get("user-agent", "")[:512]
        action = self.links.url(token)
        if request.method == "GET":
            page = await run_in_threadpool(
                self._answer, self.pages.get, token, action=action, user_agent=agent
            )
            return _html(page)
        try:
            body = await _body(request, self.limits.form_bytes)
        except _TooLarge:
            return PlainTextResponse("the form is larger than a pass's form can be", 413)
        if body.count(b"&") >= self.limits.form_fields:
            return PlainTextResponse("the form has too many fields", 413)
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        page = await run_in_threadpool(
            self._answer, self.pages.post, token, form, action=action, user_agent=agent
        )
        return _html(page)

    @staticmethod
    def _answer(handler: Callable[..., Page], *args: Any, **kwargs: Any) -> Page:
        """The page, or one saying the pass cannot be issued (a record the layout refuses, a
        serial issued by another link, a layout gone): the reason is logged, not shown."""
        try:
            return handler(*args, **kwargs)
        except PasskitError as exc:
            log.warning("a link's pass was not issued: %s", type(exc).__name__)
            return refusal_page("unavailable")

    async def download(self, request: Request) -> Response:
        key = str(request.path_params["key"])
        name = str(request.path_params["name"])
        serial = name.removesuffix(".pkpass")
        keys = self.passes.keys
        assert keys is not None
        if (
            not name.endswith(".pkpass")
            or len(serial) > SERIAL_LENGTH
            or len(key) > 64
            or not keys.download_matches(serial, key)
        ):
            return PlainTextResponse("no such pass", 404)
        pkpass = await run_in_threadpool(self.passes.pkpass, serial)
        if pkpass is None:
            return PlainTextResponse("no such pass", 404)
        return Response(
            pkpass,
            media_type=PKPASS_TYPE,
            headers={
                "Content-Disposition": 'attachment; filename="pass.pkpass"',
                **_PAGE_HEADERS,
            },
        )

    async def callback(self, request: Request) -> Response:
        assert self.verifier is not None
        try:
            body = await _body(request, self.limits.callback_bytes)
        except _TooLarge:
            return PlainTextResponse("the body is larger than a callback can be", 413)
        try:
            event = await run_in_threadpool(self.verifier.verify, body)
        except CallbackReplay:
            return PlainTextResponse("already received")
        except CallbackError as exc:
            log.warning("Google callback refused: %s", exc.check)
            return PlainTextResponse(f"refused: {exc.check}", 400)
        state = WalletState.INSTALLED if event.saved else WalletState.REMOVED
        now = datetime.now(UTC)
        serial = await run_in_threadpool(
            self.wallets.mark_google_object, event.object_id, state, now
        )
        if serial is None:
            log.info("Google callback for an object this service did not issue")
        return PlainTextResponse("ok")


def _html(page: Page) -> Response:
    return HTMLResponse(page.html, status_code=page.status, headers=_PAGE_HEADERS)
