"""End to end: `passkit serve` in a real process, the page in headless Chromium.

The page must redraw by itself when the layout file is saved, and show the error of a broken
layout instead of the preview, without the server going down.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from passkit.devcerts import DevCertificates
from passkit.layout import LAYOUTS_DIR
from passkit.testing import open_pkpass, open_save_link
from tests.support.browser import chromium, free_port, needs_chromium, wait_for


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    copy = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, copy)
    return copy


@contextlib.contextmanager
def running_server(layouts: Path, env: dict[str, str]) -> Iterator[str]:
    """`passkit serve` in its own process on a free port; its URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "passkit", "serve", str(layouts), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/version", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"passkit serve did not start: {output}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def unsigned_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}


@pytest.fixture
def server(layouts: Path) -> Iterator[str]:
    with running_server(layouts, unsigned_env()) as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    with chromium(tmp_path, width=1600, height=1200) as driver:
        yield driver


@needs_chromium
def test_page_follows_the_layout_file(
    server: str, layouts: Path, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(server + "/")
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "ul a")]
    assert "loyalty" in links and "gift_card" in links

    browser.get(server + "/layouts/loyalty")
    figures = browser.find_elements(By.CSS_SELECTOR, "#preview figure")
    assert [f.get_attribute("data-wallet") for f in figures] == ["apple", "apple", "google"]
    first = browser.find_element(By.CSS_SELECTOR, "#preview figure img").get_attribute("src")
    assert first and first.startswith("data:image/png;base64,")
    before = tmp_path / "before.png"
    assert browser.save_screenshot(str(before)) and before.stat().st_size > 10_000

    # Save a change to the layout: the page redraws by itself, no reload. The change is ours
    # (a new label, translated), whatever the shipped layout's texts are today.
    browser.execute_script("window.notReloaded = true")
    layout = layouts / "loyalty.yaml"
    data = yaml.safe_load(layout.read_text(encoding="utf-8"))
    data["fields"]["primary"][0]["label"] = "Stars earned"
    data.setdefault("translations", {}).setdefault("fr", {}).setdefault("strings", {})
    data["translations"]["fr"]["strings"]["Stars earned"] = "Étoiles gagnées"
    layout.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    started = time.monotonic()
    wait_for(lambda: "Stars earned" in browser.find_element(By.ID, "preview").text)
    assert time.monotonic() - started < 5
    assert browser.execute_script("return window.notReloaded") is True
    after = browser.find_element(By.CSS_SELECTOR, "#preview figure img").get_attribute("src")
    assert after != first
    browser.save_screenshot(str(tmp_path / "after.png"))

    # Break the layout: the page shows the error with the file and line, the server lives on.
    layout.write_text(
        layout.read_text(encoding="utf-8") + "\nfields: [unclosed\n", encoding="utf-8"
    )
    error = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#preview .error"))
    text = error[0].text  # type: ignore[index]
    assert "loyalty.yaml" in text and "Line:" in text
    browser.save_screenshot(str(tmp_path / "broken.png"))

    # Switch wallet and language from the page's own controls.
    layout.write_text(
        layout.read_text(encoding="utf-8").replace("\nfields: [unclosed\n", ""), encoding="utf-8"
    )
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#preview figure"))
    browser.find_element(By.CSS_SELECTOR, "input[value=google]").click()
    wait_for(lambda: "wallet=google" in browser.current_url)
    figures = browser.find_elements(By.CSS_SELECTOR, "#preview figure")
    assert [f.get_attribute("data-wallet") for f in figures] == ["google"]
    browser.execute_script(
        "const s = document.getElementById('language'); s.value = 'fr';"
        "s.dispatchEvent(new Event('change'));"
    )
    wait_for(lambda: "lang=fr" in browser.current_url)
    assert browser.find_element(By.TAG_NAME, "select").get_attribute("value") == "fr"


def test_a_regional_language_shows_its_base_translation(server: str) -> None:
    fragment = httpx.get(server + "/layouts/loyalty/fragment?lang=fr-CA", timeout=60)
    assert fragment.status_code == 200
    assert '<option value="fr" selected>' in fragment.text
    image = httpx.get(server + "/layouts/loyalty/preview.png?lang=fr-CA", timeout=60)
    english = httpx.get(server + "/layouts/loyalty/preview.png?lang=en", timeout=60)
    french = httpx.get(server + "/layouts/loyalty/preview.png?lang=fr", timeout=60)
    assert image.status_code == 200 and image.content == french.content != english.content


def test_downloads_say_when_signing_is_not_configured(server: str) -> None:
    answer = httpx.get(server + "/layouts/loyalty/pass.pkpass", timeout=30)
    assert answer.status_code == 404 and "PASSKIT_APPLE_CERT" in answer.text
    answer = httpx.get(server + "/layouts/loyalty/google", timeout=30)
    assert answer.status_code == 404 and "PASSKIT_GOOGLE_SERVICE_ACCOUNT" in answer.text
    answer = httpx.get(server + "/layouts/nope", timeout=30)
    assert answer.status_code == 404 and "No layout named nope" in answer.text


def test_downloads_when_signing_is_configured(layouts: Path, dev_certs: DevCertificates) -> None:
    env = unsigned_env() | {
        "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
        "PASSKIT_APPLE_KEY": str(dev_certs.pass_key),
        "PASSKIT_WWDR": str(dev_certs.wwdr),
        "PASSKIT_GOOGLE_SERVICE_ACCOUNT": str(dev_certs.google_service_account),
        "PASSKIT_GOOGLE_ISSUER_ID": "3388000000012345678",
    }
    with running_server(layouts, env) as url:
        answer = httpx.get(url + "/layouts/gift_card/pass.pkpass", timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/vnd.apple.pkpass"
        open_pkpass(answer.content).assert_valid(ca=dev_certs.root)
        page = httpx.get(url + "/layouts/gift_card/google", timeout=60)
    assert page.status_code == 200, page.text
    link = re.search(r'id="save-link" href="([^"]+)"', page.text)
    assert link is not None
    view = open_save_link(html.unescape(link.group(1)), dev_certs.google_service_account)
    assert view.verified
    # The link holds the object alone, and the page says the class must be published.
    assert not view.classes and not view.skinny
    (held,) = view.all_objects
    assert f"name class {held.class_id}, which Google must hold" in html.unescape(page.text)
    assert "passkit google publish gift_card" in html.unescape(page.text)
