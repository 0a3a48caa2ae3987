"""The HTML of the live preview's pages: the style, the script that polls for a new version
and fetches the new drawing, the layouts' links and the choice of language."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from passkit.preview.html import STYLE

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


def language_picker(languages: list[str], chosen: str) -> str:
    """The choice of the pass's languages, `chosen` selected."""
    options = "".join(
        f'<option value="{escape(tag)}"{" selected" if tag == chosen else ""}>{escape(tag)}'
        "</option>"
        for tag in languages
    )
    return (
        '<p class="controls"><label>Language <select id="language" '
        f"onchange=\"choose('lang', this.value)\">{options}</select></label></p>"
    )


def nav(layouts: Iterable[str], current: str | None) -> str:
    """The links to every layout served, the current one marked."""
    links = "".join(
        f'<a href="/layouts/{escape(name)}"{" class=current" if name == current else ""}>'
        f"{escape(name)}</a>"
        for name in layouts
    )
    return f"<nav><strong>Layouts</strong>{links}</nav>"


def page(title: str, body: str, version: int) -> str:
    """A whole page of the server: `body` with the style and the script that polls for a new
    version."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} — passkit preview</title>"
        f"<style>{STYLE}{PAGE_STYLE}</style></head>"
        f'<body data-version="{version}"><main>{body}</main>'
        f"<script>{SCRIPT % {'poll': POLL_MS}}</script></body></html>\n"
    )
