"""The issuance link's pages in headless Chromium, served by a real HTTP server on 127.0.0.1.

A small Starlette app stands where the web service will: it answers the link with
`LinkPages`, and serves the `.pkpass` files its issuer signed with the development
certificates. The test fills the form with the keyboard, sees the error of a wrong value next
to its field, gets the pass page, reaches both wallet buttons with Tab, downloads the pass
behind the Apple button and verifies the Google link, measures the contrast of every text,
and takes screenshots on a phone-sized and a desktop window.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from passkit.apple import build_pkpass
from passkit.apple.signing import AppleSigner
from passkit.colors import Color
from passkit.devcerts import DevCertificates
from passkit.google import ServiceAccount, compile_google, save_link
from passkit.model import Pass
from passkit.service.landing import LinkPages
from passkit.testing import open_pkpass, open_save_link
from tests.service.landing_support import NOW, Issuer, keyring, member_layout, personal_link
from tests.support.browser import chromium, free_port, needs_chromium, wait_for

ISSUER_ID = "3388000000012345678"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
DOCS = Path(__file__).resolve().parents[2] / "docs"
MAX_FORM_BYTES = 16 * 1024


def make_app(
    pages: LinkPages, issuer: Issuer, signer: AppleSigner, signed_at: datetime
) -> Starlette:
    async def link(request: Request) -> Response:
        token = request.path_params["token"]
        agent = request.headers.get("user-agent")
        action = request.url.path
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                return HTMLResponse("too large", status_code=413)
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            page = await asyncio.to_thread(
                pages.post, token, form, action=action, user_agent=agent, now=NOW
            )
        else:
            page = await asyncio.to_thread(
                pages.get, token, action=action, user_agent=agent, now=NOW
            )
        return HTMLResponse(page.html, status_code=page.status)

    async def pkpass(request: Request) -> Response:
        record = issuer.records.get(request.path_params["serial"])
        if record is None:
            return Response("no such pass", status_code=404)
        data = build_pkpass(issuer.layout.render(record, now=NOW), signer, now=signed_at)
        return Response(data, media_type="application/vnd.apple.pkpass")

    return Starlette(
        routes=[
            Route("/l/{token}", link, methods=["GET", "POST"]),
            Route("/passes/{serial}.pkpass", pkpass),
        ]
    )


@contextlib.contextmanager
def serving(app: Starlette, port: int) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, timeout=20)
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def site(
    tmp_path: Path, dev_certs: DevCertificates, dev_signer: AppleSigner, now: datetime
) -> Iterator[tuple[str, Issuer]]:
    layout = member_layout(tmp_path)
    account = ServiceAccount.from_file(dev_certs.google_service_account)

    def google_link(p: Pass) -> str:
        return save_link(compile_google(p, issuer_id=ISSUER_ID, options=layout.google), account).url

    port = free_port()
    issuer = Issuer(layout, base_url=f"http://127.0.0.1:{port}", google_link=google_link)
    pages = LinkPages(keyring=keyring(), layout_for=lambda name: layout, issue=issuer)
    with serving(make_app(pages, issuer, dev_signer, now), port):
        yield f"http://127.0.0.1:{port}", issuer


CONTRAST_SCRIPT = """
function background(element) {
  for (let e = element; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
  }
  return 'rgb(255, 255, 255)';
}
return Array.from(document.querySelectorAll(arguments[0])).map(e => ({
  what: e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30),
  color: getComputedStyle(e).color, background: background(e)
}));
"""


def rgb(css: str) -> Color:
    numbers = [int(float(n)) for n in re.findall(r"[\d.]+", css)[:3]]
    return Color(*numbers)


def assert_contrast(browser: Any, selector: str) -> int:
    """WCAG AA: every text at least 4.5:1 against the background it is drawn on."""
    seen = browser.execute_script(CONTRAST_SCRIPT, selector)
    for item in seen:
        ratio = rgb(item["color"]).contrast_ratio(rgb(item["background"]))
        assert ratio >= 4.5, f"{item['what']}: contrast {ratio:.2f} < 4.5"
    return len(seen)


def tab_through(browser: Any, presses: int) -> list[dict[str, Any]]:
    """Press Tab from the top of the page; what had the focus after each press."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.execute_script("document.activeElement && document.activeElement.blur()")
    focused = []
    for _ in range(presses):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused.append(
            browser.execute_script(
                "const e = document.activeElement, s = getComputedStyle(e);"
                "return {tag: e.tagName, name: e.name || '', wallet: e.dataset.wallet || '',"
                " outline: s.outlineStyle, width: parseFloat(s.outlineWidth),"
                " outlineColor: s.outlineColor}"
            )
        )
    return focused


def screenshot(browser: Any, path: Path) -> Path:
    assert browser.save_screenshot(str(path)) and path.stat().st_size > 5_000
    return path


@needs_chromium
def test_link_page_on_a_phone(
    site: tuple[str, Issuer], tmp_path: Path, dev_certs: DevCertificates
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, issuer = site
    token = keyring().seal(personal_link(member_id="HAC-204817"))
    with chromium(tmp_path, width=390, height=844, user_agent=IPHONE) as browser:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
        )
        browser.get(f"{url}/l/{token}")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert not browser.find_elements(By.TAG_NAME, "script")
        screenshot(browser, tmp_path / "phone-form.png")

        # The keyboard reaches every field, then the button, in reading order.
        # (a date box takes a Tab per part: day, month and year)
        order = tab_through(browser, 8)
        names = [f["name"] or f["tag"] for f in order]
        assert [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]][:5] == [
            "member_name",
            "plan",
            "valid_until",
            "email",
            "BUTTON",
        ]
        # each control shows our focus ring when it gets the focus (the date box's calendar
        # button, its last part, has the browser's own)
        firsts = [f for i, f in enumerate(order) if i == 0 or f["name"] != order[i - 1]["name"]]
        assert all(f["outline"] == "solid" and f["width"] >= 2 for f in firsts[:5]), firsts
        ring = rgb(firsts[0]["outlineColor"])
        assert ring.contrast_ratio(rgb("rgb(255, 255, 255)")) >= 3
        assert ring.contrast_ratio(rgb("rgb(242, 242, 247)")) >= 3

        # A wrong date: the form comes back with the message next to the field.
        browser.find_element(By.ID, "f-member_name").send_keys("Ada Lovelace")
        browser.find_element(By.ID, "f-plan").send_keys("Family")
        browser.find_element(By.ID, "f-valid_until").send_keys("x")  # a date box takes no letters
        browser.execute_script("document.getElementById('f-valid_until').type = 'text'")
        browser.find_element(By.ID, "f-valid_until").send_keys("next spring")
        browser.find_element(By.ID, "f-valid_until").send_keys(Keys.ENTER)
        error = wait_for(lambda: browser.find_elements(By.ID, "e-valid_until"))[0]
        assert "expected a date such as 2026-12-01" in error.text
        field = browser.find_element(By.ID, "f-valid_until")
        assert field.get_attribute("aria-invalid") == "true"
        assert "e-valid_until" in (field.get_attribute("aria-describedby") or "")
        assert browser.find_element(By.ID, "f-member_name").get_attribute("value") == "Ada Lovelace"
        assert browser.find_element(By.CSS_SELECTOR, "[role=alert]").is_displayed()
        assert assert_contrast(browser, "h1, p, label, .error, .hint, button, input, select") >= 8
        screenshot(browser, tmp_path / "phone-form-error.png")

        # Corrected: the pass page, Apple first on an iPhone.
        browser.execute_script("document.getElementById('f-valid_until').type = 'text'")
        field = browser.find_element(By.ID, "f-valid_until")
        field.clear()
        field.send_keys("2027-01-31", Keys.ENTER)
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "a.wallet"))
        buttons = browser.find_elements(By.CSS_SELECTOR, "a.wallet")
        assert [b.text for b in buttons] == ["Add to Apple Wallet", "Save to Google Wallet"]
        assert buttons[0].location["y"] < buttons[1].location["y"]
        preview = browser.find_element(By.CSS_SELECTOR, "img.preview")
        assert browser.execute_script("return arguments[0].naturalWidth", preview) > 300
        assert preview.size["width"] <= 390
        assert "Harbor Athletic Club membership card" in preview.get_attribute("alt")
        assert [f["wallet"] for f in tab_through(browser, 2)] == ["apple", "google"]
        assert assert_contrast(browser, "h1, p, a.wallet") >= 3
        screenshot(browser, tmp_path / "phone-pass.png")
        apple, google = (b.get_attribute("href") for b in buttons)

    # The buttons' links work: a valid signed pass, a verified Google link, same member.
    answer = httpx.get(apple, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.apple.pkpass"
    bundle = open_pkpass(answer.content)
    bundle.assert_valid(ca=dev_certs.root)
    assert bundle.field("name").value == "Ada Lovelace"
    assert bundle.field("plan").value == "Family"
    assert bundle.pass_json["serialNumber"] == "HAC-204817"
    view = open_save_link(google, dev_certs.google_service_account)
    assert view.verified
    assert list(issuer.records) == ["HAC-204817"]


@needs_chromium
def test_link_page_on_a_desktop_and_refusals(site: tuple[str, Issuer], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    url, _ = site
    full = personal_link(
        member_id="HAC-204817",
        member_name="Jordan Alvarez",
        plan="Premium",
        valid_until="2027-01-31",
    )
    token = keyring().seal(full)
    with chromium(tmp_path, width=1280, height=800) as browser:
        browser.get(f"{url}/l/{token}")
        buttons = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "a.wallet"))
        assert [b.get_attribute("data-wallet") for b in buttons] == ["apple", "google"]
        assert assert_contrast(browser, "h1, p, a.wallet") >= 3
        shot = screenshot(browser, tmp_path / "desktop-pass.png")
        if os.environ.get("PASSKIT_DOCS_SCREENSHOTS"):
            shutil.copyfile(shot, DOCS / "landing-page.png")
        browser.get(f"{url}/l/{token[:-4]}AAAA")
        assert browser.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
        screenshot(browser, tmp_path / "desktop-invalid.png")
    answer = httpx.get(f"{url}/l/{token[:20]}", timeout=30)
    assert answer.status_code == 404
    started = time.monotonic()
    answer = httpx.post(f"{url}/l/{token}", content=b"x" * (MAX_FORM_BYTES + 1), timeout=30)
    assert answer.status_code == 413 and time.monotonic() - started < 10
