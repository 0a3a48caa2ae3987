"""The page an issuance link opens: the pass, and buttons to add it to either wallet.

`LinkPages` answers a link's GET and POST with a `Page` (status and HTML), given the link
keyring, a way to find a layout by name, and the registry's `issue` function. The pages work
without JavaScript and are plain HTML from one jinja2 template (autoescaped):

- A personal link that pre-fills every required input issues its pass on GET (issuing it
  again gives the same pass, so a visit by a link-preview robot costs nothing) and shows the
  pass's description, an image of it, and "Add to Apple Wallet" / "Save to Google Wallet"
  buttons, the wallet of the visitor's phone first.
- A personal link that has given its pass shows that pass on every later visit, even one
  whose form asked for answers (when the pages are given a way to find it, `given`).
- Anything else shows a form first: the inputs the link does not pre-fill (`linkform`), or
  only a "Get my pass" button for a campaign link, so that each pass of a campaign is issued
  by a person's POST, never by a robot's GET. A wrong answer shows the form again with the
  message next to its field.
- Expired, used-up and invalid links get a page that says so (410, 410 and 404), and a use
  the registry refuses one too (409).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import jinja2

from passkit.layout import Layout
from passkit.model.pass_ import Pass
from passkit.preview.compose import WalletChoice
from passkit.service.linkform import FormField, FormResult, form_fields, read_form
from passkit.service.linktokens import (
    LinkExpired,
    LinkKeyring,
    LinkKind,
    LinkPayload,
    LinkTokenError,
    LinkUsedUp,
)

Wallet = Literal["apple", "google"]
PAGE_LANGUAGE = "en"  # the language of the page's own words


@dataclass(frozen=True)
class IssuedPass:
    """What the registry gives back for a link's use: the pass and where to get it."""

    pass_: Pass
    pkpass_url: str
    google_save_url: str | None = None
    preview_url: str | None = None  # None: the image is drawn and inlined in the page


@dataclass(frozen=True)
class Page:
    status: int
    html: str


IssueFunction = Callable[[LinkPayload, dict[str, Any]], IssuedPass]
# The pass a personal link gave already, or None.
GivenFunction = Callable[[LinkPayload], IssuedPass | None]


def wallet_order(user_agent: str | None) -> tuple[Wallet, Wallet]:
    """Which wallet's button comes first: Google on Android, Apple elsewhere.

    iPhone, iPad and Mac Safari lead with Apple Wallet (iPads also call themselves Macintosh
    Safari); Android leads with Google Wallet; every other browser gets Apple first too.
    """
    if user_agent and "android" in user_agent.lower():
        return ("google", "apple")
    return ("apple", "google")


def _preview_wallet(user_agent: str | None) -> WalletChoice:
    agent = (user_agent or "").lower()
    if "android" in agent:
        return "google"
    if re.search(r"iphone|ipod|ipad", agent):
        return "apple"
    return "both"


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("passkit.service", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_REFUSALS: dict[str, tuple[int, str, str]] = {
    "expired": (410, "This link has expired", "Ask whoever sent it for a new one."),
    "used_up": (
        410,
        "This link has been used up",
        "It has given all the passes it was made for. Ask whoever sent it for a new one.",
    ),
    "unavailable": (
        409,
        "This pass cannot be issued",
        "Check what you entered and try again, or ask whoever sent the link for help.",
    ),
    "invalid": (
        404,
        "This link is not valid",
        "It may be incomplete or altered. Open it again from the message you received, "
        "or ask for a new one.",
    ),
}


def refusal_page(
    reason: Literal["expired", "used_up", "unavailable", "invalid"], detail: str = ""
) -> Page:
    """The page for a link that cannot be used; `detail` is shown under the reason."""
    status, title, advice = _REFUSALS[reason]
    html = _ENVIRONMENT.get_template("link.html").render(
        page="refusal", lang=PAGE_LANGUAGE, title=title, detail=detail, advice=advice
    )
    return Page(status, html)


def pass_page(issued: IssuedPass, *, user_agent: str | None) -> Page:
    """The page with the pass's image and both wallets' buttons."""
    p = issued.pass_
    preview = issued.preview_url or _inline_preview(p, _preview_wallet(user_agent))
    buttons = []
    for wallet in wallet_order(user_agent):
        if wallet == "apple":
            buttons.append(("apple", "Add to Apple Wallet", issued.pkpass_url))
        elif issued.google_save_url:
            buttons.append(("google", "Save to Google Wallet", issued.google_save_url))
    html = _ENVIRONMENT.get_template("link.html").render(
        page="pass",
        lang=PAGE_LANGUAGE,
        pass_lang=p.language,
        title=p.description,
        organization=p.organization,
        preview=preview,
        buttons=buttons,
    )
    return Page(200, html)


def form_page(
    layout: Layout,
    fields: tuple[FormField, ...],
    *,
    action: str,
    error: str | None = None,
    status: int = 200,
) -> Page:
    """The page asking for what the link leaves open (or only a "Get my pass" button)."""
    description = layout.spec.description
    heading = description if isinstance(description, str) else "Your pass"
    html = _ENVIRONMENT.get_template("link.html").render(
        page="form",
        lang=PAGE_LANGUAGE,
        pass_lang=layout.spec.language,
        title=heading,
        fields=fields,
        action=action,
        error=error,
        has_errors=bool(error) or any(f.error for f in fields),
    )
    return Page(status, html)


def _inline_preview(p: Pass, wallet: WalletChoice) -> str:
    from passkit.preview import render_png

    png = render_png(p, wallet=wallet)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class LinkPages:
    """A link's pages, from its token: what the web service's link route calls."""

    def __init__(
        self,
        *,
        keyring: LinkKeyring,
        layout_for: Callable[[str], Layout],
        issue: IssueFunction,
        given: GivenFunction | None = None,
    ) -> None:
        self.keyring = keyring
        self.layout_for = layout_for
        self.issue = issue
        self.given = given

    def get(
        self, token: str, *, action: str, user_agent: str | None, now: datetime | None = None
    ) -> Page:
        """GET of the link; `action` is the URL the form posts back to (the link itself)."""
        opened = self._open(token, now)
        if isinstance(opened, Page):
            return opened
        # A member who comes back to their link gets their pass, not its form again.
        if opened.kind is LinkKind.PERSONAL and self.given is not None:
            earlier = self.given(opened)
            if earlier is not None:
                return pass_page(earlier, user_agent=user_agent)
        layout = self.layout_for(opened.layout)
        fields = form_fields(layout, opened.prefill)
        # Optional inputs alone do not hold a personal link's pass back.
        if any(f.required for f in fields) or opened.kind is LinkKind.CAMPAIGN:
            return form_page(layout, fields, action=action)
        return self._issue(opened, dict(opened.prefill), user_agent)

    def post(
        self,
        token: str,
        form: Mapping[str, str],
        *,
        action: str,
        user_agent: str | None,
        now: datetime | None = None,
    ) -> Page:
        """POST of the link's form: the pass page, or the form again with its errors (422)."""
        opened = self._open(token, now)
        if isinstance(opened, Page):
            return opened
        layout = self.layout_for(opened.layout)
        result: FormResult = read_form(layout, opened.prefill, form)
        if result.record is None:
            return form_page(layout, result.fields, action=action, error=result.error, status=422)
        return self._issue(opened, result.record, user_agent)

    def _open(self, token: str, now: datetime | None) -> LinkPayload | Page:
        try:
            return self.keyring.open(token, now=now)
        except LinkExpired as exc:
            when = f"{exc.expired_at:%Y-%m-%d at %H:%M:%S} UTC" if exc.expired_at else "earlier"
            return refusal_page("expired", f"It expired on {when}.")
        except LinkTokenError:
            return refusal_page("invalid")

    def _issue(self, payload: LinkPayload, record: dict[str, Any], user_agent: str | None) -> Page:
        try:
            issued = self.issue(payload, record)
        except LinkUsedUp:
            return refusal_page("used_up")
        return pass_page(issued, user_agent=user_agent)
