"""Previews for designers: images of a pass in Apple Wallet and Google Wallet, a live preview
page, and design warnings.

    from passkit import preview
    image = preview.render(p, wallet="both", language="fr")        # a PIL image
    png = preview.render_png(p)                                      # PNG bytes
    page = preview.render_html(p, warnings=preview.lint_pass(p))     # one self-contained page
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image

from passkit.google.options import GoogleOptions
from passkit.model.pass_ import Pass
from passkit.preview.compose import WalletChoice, compose, faces
from passkit.preview.design_warning import DesignWarning
from passkit.preview.html import render_html
from passkit.preview.warnings import lint_layout, lint_pass

__all__ = [
    "DesignWarning",
    "lint_layout",
    "lint_pass",
    "render",
    "render_html",
    "render_png",
]


def render(
    p: Pass,
    *,
    wallet: WalletChoice = "both",
    language: str | None = None,
    warnings: Sequence[DesignWarning] = (),
    google: GoogleOptions | None = None,
) -> Image.Image:
    """The pass as the chosen wallet(s) show it, side by side, with `warnings` in the margin.

    `language` picks a translation of the pass (its own language by default); `google` gives
    a layout's Google-only choices (program logo, hero image, issuer name).
    """
    return compose(faces(p, wallet=wallet, language=language, google=google), warnings)


def render_png(
    p: Pass,
    *,
    wallet: WalletChoice = "both",
    language: str | None = None,
    warnings: Sequence[DesignWarning] = (),
    google: GoogleOptions | None = None,
) -> bytes:
    """`render` as PNG bytes (the same pass always gives the same bytes)."""
    image = render(p, wallet=wallet, language=language, warnings=warnings, google=google)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()
