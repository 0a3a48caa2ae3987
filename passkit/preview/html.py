"""The preview as one self-contained HTML page: the same images, inlined, and the warnings.

The faces are the very images of the PNG preview, inlined as `data:` URIs, so the page looks
like the PNG and needs no other file: it can be attached to a design review or mailed. Under the
images, the text of every field is listed, so that it can be searched, copied and read by a
screen reader.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from html import escape

from PIL import Image

from passkit.google.options import GoogleOptions
from passkit.model.pass_ import Pass
from passkit.preview.canvas import SCALE, Face
from passkit.preview.compose import WalletChoice, faces
from passkit.preview.design_warning import WALLET_NAMES, DesignWarning
from passkit.preview.values import field_label, field_value

STYLE = """
body { margin: 0; background: #ececf1; color: #3c3c43;
       font: 14px/1.4 -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { padding: 24px; }
h1 { font-size: 18px; margin: 0 0 16px; }
.faces { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 8px; }
figure img { display: block; }
.warnings { margin-top: 24px; color: #3c3c43; }
.warnings h2 { color: #965000; font-size: 15px; margin: 0 0 8px; }
.warnings li { margin: 4px 0; }
.warnings .where { font-family: ui-monospace, monospace; }
.error { background: #fff0f0; border: 1px solid #d33; border-radius: 8px; padding: 12px 16px;
         color: #900; white-space: pre-wrap; font-family: ui-monospace, monospace; }
details { margin-top: 24px; }
table { border-collapse: collapse; background: #fff; border-radius: 8px; }
td, th { text-align: left; padding: 4px 12px; border-bottom: 1px solid #e5e5ea; }
"""


def png_data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def faces_html(drawn: Sequence[Face], p: Pass) -> str:
    figures = []
    for face in drawn:
        width = face.image.width // SCALE
        alt = f"{face.title}: {p.description}"
        figures.append(
            f'<figure data-wallet="{face.wallet}"><figcaption>{escape(face.title)}</figcaption>'
            f'<img src="{png_data_uri(face.image)}" width="{width}" alt="{escape(alt)}">'
            "</figure>"
        )
    return f'<div class="faces">{"".join(figures)}</div>'


def warnings_html(warnings: Sequence[DesignWarning]) -> str:
    if not warnings:
        return '<section class="warnings" data-count="0"><p>No design warnings.</p></section>'
    count = len(warnings)
    items = "".join(
        f'<li data-code="{escape(w.code)}"><span class="where">{escape(w.where)}</span>: '
        f"{escape(w.message)} <em>({WALLET_NAMES[w.wallet]})</em></li>"
        for w in warnings
    )
    return (
        f'<section class="warnings" data-count="{count}"><h2>⚠ {count} design '
        f"warning{'s' if count != 1 else ''}</h2><ul>{items}</ul></section>"
    )


def fields_html(p: Pass, language: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(group)}</td><td>{escape(field_label(p, field, language))}</td>"
        f'<td class="value">{escape(field_value(p, field, language))}</td></tr>'
        for group, field in p.fields()
    )
    return (
        "<details open><summary>Text of the pass</summary><table>"
        "<tr><th>Group</th><th>Label</th><th>Value</th></tr>"
        f"{rows}</table></details>"
    )


def preview_fragment(
    drawn: Sequence[Face], p: Pass, language: str, warnings: Sequence[DesignWarning]
) -> str:
    """The part of the page that shows one pass: images, warnings, texts."""
    return faces_html(drawn, p) + warnings_html(warnings) + fields_html(p, language)


def render_html(
    p: Pass,
    *,
    wallet: WalletChoice = "both",
    language: str | None = None,
    warnings: Sequence[DesignWarning] = (),
    google: GoogleOptions | None = None,
    title: str | None = None,
) -> str:
    """A self-contained HTML page of the preview (images inlined as data: URIs)."""
    language = language or p.language
    drawn = faces(p, wallet=wallet, language=language, google=google)
    heading = title or f"{p.organization} — {p.description}"
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(heading)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(heading)}</h1>"
        f"{preview_fragment(drawn, p, language, warnings)}</main></body></html>\n"
    )
