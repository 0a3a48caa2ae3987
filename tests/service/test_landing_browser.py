"""The issuance links' pages in headless Chromium, served by the pass service as users run it.

`passkit service run` (uvicorn, in a process of its own) serves a registry on a temporary
SQLite file, with the shipped layouts (the membership card asking also for an e-mail address),
the development certificates and a Google service account; the links are made with
`Registry.issuance_link` and `passkit link create`. The test fills the form with the keyboard,
sees the error of a wrong value next to its field, gets the pass page, reaches both wallet
buttons with Tab, downloads the pass behind the Apple button from the service's own route
(its signature checked by passkit.testing and by openssl) and verifies the Google link, finds
the pass in the registry (a second visit of a personal link gives the same pass, a campaign
link counts a use), measures the contrast of every text, and takes screenshots on a
phone-sized and a desktop window.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from passkit.colors import Color
from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.linkroutes import DOWNLOADS_PATH, LinkLimits
from passkit.service.linktokens import LinkKeyring
from passkit.testing import open_pkpass, open_save_link
from tests.service.landing_support import member_layout
from tests.service.support import SECRET, running_service, service_env, uses_of
from tests.support.apple import openssl_verify
from tests.support.browser import chromium, needs_chromium, wait_for
from tests.support.cli import passkit

ISSUER_ID = "3388000000012345678"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
DOCS = Path(__file__).resolve().parents[2] / "docs"
# The passes stay valid a year from today, whenever the test runs.
VALID_UNTIL = (date.today() + timedelta(days=365)).isoformat()


@dataclass
class Site:
    """The running service: its web service URL, its settings, and a registry on its database
    (for making links and finding what the service issued)."""

    url: str
    settings: dict[str, str]
    registry: Registry

    def link_id(self, link: str) -> str:
        return LinkKeyring.from_text(SECRET).open(link.rsplit("/", 1)[1]).link_id


@pytest.fixture
def site(tmp_path: Path, dev_certs: DevCertificates) -> Iterator[Site]:
    member_layout(tmp_path)
    layouts = tmp_path / "layouts"
    database_url = f"sqlite:///{tmp_path / 'passes.db'}"
    settings = {
        "PASSKIT_LAYOUTS": str(layouts),
        "PASSKIT_GOOGLE_SERVICE_ACCOUNT": str(dev_certs.google_service_account),
        "PASSKIT_GOOGLE_ISSUER_ID": ISSUER_ID,
    }
    with (
        running_service(dev_certs, database_url, settings=settings) as url,
        Registry(
            database_url, layouts=layouts, web_service_url=url, secret=SECRET, push=False
        ) as registry,
    ):
        env = {**service_env(dev_certs, database_url, url), **settings}
        yield Site(url, env, registry)


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


def downloaded(site: Site, href: str, dev_certs: DevCertificates, work: Path) -> Any:
    """The pass behind an Apple button, from the service's download route: its signature
    checked by passkit.testing and by openssl."""
    assert href.startswith(f"{site.url}{DOWNLOADS_PATH}/"), href
    answer = httpx.get(href, timeout=60)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.apple.pkpass"
    bundle = open_pkpass(answer.content)
    bundle.assert_valid(ca=dev_certs.root)
    files = {name: bundle.read(name) for name in ("manifest.json", "signature")}
    checked = openssl_verify(files, dev_certs.root, work)
    assert checked.returncode == 0, checked.stderr
    return bundle


def wallet_buttons(browser: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "a.wallet")))


def assert_keyboard_order(browser: Any) -> None:
    """The keyboard reaches every field of the form, then its button, in reading order, each
    with our focus ring."""
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


def send_a_wrong_date(browser: Any) -> None:
    """Fill the form by keyboard with a wrong date: the form comes back with the message next
    to the field, and what was typed kept."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

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


@needs_chromium
def test_link_page_on_a_phone(site: Site, tmp_path: Path, dev_certs: DevCertificates) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    link = site.registry.issuance_link(
        "generic",
        prefill={"member_id": "HAC-204817"},
        expires=datetime.now(UTC) + timedelta(days=30),
        max_uses=1,
    )
    with chromium(tmp_path, width=390, height=844, user_agent=IPHONE) as browser:
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
        )
        browser.get(link)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert not browser.find_elements(By.TAG_NAME, "script")
        screenshot(browser, tmp_path / "phone-form.png")

        assert_keyboard_order(browser)
        send_a_wrong_date(browser)
        screenshot(browser, tmp_path / "phone-form-error.png")
        assert site.registry.get("HAC-204817") is None

        # Corrected: the pass page, Apple first on an iPhone.
        browser.execute_script("document.getElementById('f-valid_until').type = 'text'")
        field = browser.find_element(By.ID, "f-valid_until")
        field.clear()
        field.send_keys(VALID_UNTIL, Keys.ENTER)
        buttons = wallet_buttons(browser)
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
        # The member comes back to the link: the same pass, not the form again (its save
        # link signed anew, at the time of the visit).
        browser.get(link)
        apple_again, google_again = (b.get_attribute("href") for b in wallet_buttons(browser))
        assert apple_again == apple

    # The buttons' links work: a valid signed pass, a verified Google link, same member.
    bundle = downloaded(site, apple, dev_certs, tmp_path / "openssl")
    assert bundle.field("name").value == "Ada Lovelace"
    assert bundle.field("plan").value == "Family"
    assert bundle.serial_number == "HAC-204817"
    for link_to_google in (google, google_again):
        view = open_save_link(link_to_google, dev_certs.google_service_account)
        assert view.verified
        assert [o.id for o in view.all_objects] == [f"{ISSUER_ID}.generic.HAC-204817"]
    # The service stored the pass, as issued by this link, with what was typed.
    stored = site.registry.get("HAC-204817")
    assert stored is not None and stored.link_id == site.link_id(link)
    assert stored.record["member_name"] == "Ada Lovelace"
    assert stored.record["valid_until"] == VALID_UNTIL
    assert uses_of(site.registry.store.engine, site.link_id(link)) == 1


@needs_chromium
def test_link_page_on_a_desktop_and_refusals(
    site: Site, tmp_path: Path, dev_certs: DevCertificates
) -> None:
    from selenium.webdriver.common.by import By

    link = site.registry.issuance_link(
        "generic",
        prefill={
            "member_id": "HAC-204818",
            "member_name": "Jordan Alvarez",
            "plan": "Premium",
            "valid_until": VALID_UNTIL,
        },
        expires=datetime.now(UTC) + timedelta(days=30),
    )
    token = link.rsplit("/", 1)[1]
    with chromium(tmp_path, width=1280, height=800) as browser:
        browser.get(link)
        buttons = wallet_buttons(browser)
        assert [b.get_attribute("data-wallet") for b in buttons] == ["apple", "google"]
        assert assert_contrast(browser, "h1, p, a.wallet") >= 3
        shot = screenshot(browser, tmp_path / "desktop-pass.png")
        if os.environ.get("PASSKIT_DOCS_SCREENSHOTS"):
            shutil.copyfile(shot, DOCS / "landing-page.png")
        first = buttons[0].get_attribute("href")
        # A second visit gives the same pass, and counts no second use.
        browser.get(link)
        assert wallet_buttons(browser)[0].get_attribute("href") == first
        browser.get(f"{site.url}/links/{token[:-4]}AAAA")
        assert browser.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
        screenshot(browser, tmp_path / "desktop-invalid.png")
    assert downloaded(site, first, dev_certs, tmp_path / "openssl").serial_number == "HAC-204818"
    assert uses_of(site.registry.store.engine, site.link_id(link)) == 1
    answer = httpx.get(f"{site.url}/links/{token[:20]}", timeout=30)
    assert answer.status_code == 404
    # Refused from its declared length, without waiting for a body that never ends.
    too_large = b"x" * (LinkLimits().form_bytes + 1)
    assert httpx.post(link, content=too_large, timeout=10).status_code == 413


@needs_chromium
def test_campaign_link_on_a_desktop(site: Site, tmp_path: Path, dev_certs: DevCertificates) -> None:
    """A campaign link made with `passkit link create` asks for the member id; each member's
    pass is a use of the link."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    made = passkit(
        "link", "create", "generic", "--campaign", "--max-uses", "5",
        "--prefill", "member_name=Jordan Alvarez", "--prefill", "plan=Premium",
        "--prefill", f"valid_until={VALID_UNTIL}",
        env=site.settings,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    assert link.startswith(f"{site.url}/links/")
    with chromium(tmp_path, width=1280, height=800) as browser:
        browser.get(link)
        assert assert_contrast(browser, "h1, p, label, .hint, button, input") >= 3
        order = [f["name"] or f["tag"] for f in tab_through(browser, 3)]
        assert order == ["member_id", "email", "BUTTON"]
        browser.find_element(By.ID, "f-member_id").send_keys("HAC-300001", Keys.ENTER)
        apple = wallet_buttons(browser)[0].get_attribute("href")
        screenshot(browser, tmp_path / "desktop-campaign.png")
    bundle = downloaded(site, apple, dev_certs, tmp_path / "openssl")
    assert bundle.serial_number == "HAC-300001"
    assert bundle.field("name").value == "Jordan Alvarez"
    stored = site.registry.get("HAC-300001")
    assert stored is not None and stored.link_id == site.link_id(link)
    assert uses_of(site.registry.store.engine, site.link_id(link)) == 1
