"""Preview images and pages: faces, colours, translations, fonts, determinism, HTML."""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from passkit.model import Pass
from passkit.preview import render, render_html, render_png
from passkit.preview.apple import draw_back, draw_front
from passkit.preview.canvas import px
from passkit.preview.compose import faces
from passkit.preview.fonts import font
from passkit.preview.google import draw_card
from passkit.preview.values import field_value
from passkit.preview.warnings import DesignWarning
from tests.preview.support import decode_all, drawn_image, loyalty_pass


def test_wallet_choice_picks_the_faces() -> None:
    p = loyalty_pass()
    assert [f.title for f in faces(p)] == [
        "Apple Wallet — front",
        "Apple Wallet — back",
        "Google Wallet",
    ]
    assert [f.wallet for f in faces(p, wallet="google")] == ["google"]
    both, apple, google = (render(p, wallet=w).width for w in ("both", "apple", "google"))  # type: ignore[arg-type]
    assert both > apple > google
    with pytest.raises(ValueError, match="wallet must be one of"):
        faces(p, wallet="android")  # type: ignore[arg-type]


def test_colours_come_from_the_pass() -> None:
    p = loyalty_pass(background_color="#7c2d12", images={"icon": drawn_image(87, 87)})
    front = draw_front(p, "en").image
    assert front.getpixel((px(4), px(70)))[:3] == (0x7C, 0x2D, 0x12)
    card = draw_card(p, "en").image
    assert card.getpixel((px(4), px(80)))[:3] == (0x7C, 0x2D, 0x12)


def test_strip_is_drawn_where_the_style_shows_it() -> None:
    red_strip = drawn_image(1125, 432, "#ff0000")
    p = loyalty_pass(images={"icon": drawn_image(87, 87), "strip": red_strip}, primary=[])
    front = draw_front(p, "en").image
    # Just under the top row, across the whole width: the strip (its red edge).
    assert front.getpixel((px(6), px(66)))[:3] == (255, 0, 0)
    plain = draw_front(loyalty_pass(images={"icon": drawn_image(87, 87)}, primary=[]), "en").image
    assert plain.getpixel((px(6), px(66)))[:3] != (255, 0, 0)


def test_translation_changes_the_image_and_the_page() -> None:
    p = loyalty_pass()
    assert render_png(p, language="en") != render_png(p, language="fr")
    page = render_html(p, language="fr")
    assert "Solde de points" in page and '<html lang="fr">' in page


def test_text_uses_a_truetype_font() -> None:
    face = font(24)
    assert face.getname()[0] == "Noto Sans"
    assert font(24, 700).getlength("Lumen") > font(24, 400).getlength("Lumen")


def test_same_pass_same_bytes() -> None:
    p = loyalty_pass()
    assert render_png(p) == render_png(p)


def test_values_are_formatted_for_the_language() -> None:
    when = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    p = loyalty_pass(
        secondary=[
            {"key": "when", "label": "Date", "value": when},
            {"key": "money", "label": "Balance", "value": {"amount": "1250.5", "currency": "EUR"}},
            {"key": "share", "label": "Share", "value": 0.25, "number_style": "percent"},
        ],
        barcode={"format": "pdf417", "message": "x"},
    )
    values = {lang: [field_value(p, f, lang) for f in p.secondary] for lang in ("en", "fr")}
    assert values["en"] == ["Dec 1, 2026, 9:30\u202fAM", "€1,250.50", "25%"]
    assert values["fr"] == ["1 déc. 2026, 09:30", "1\u202f250,50\u00a0€", "25\u00a0%"]


def test_a_long_value_is_cut_with_an_ellipsis() -> None:
    name = "Maximilian Alexander von Hohenzollern-Sigmaringen"
    p = loyalty_pass(header=[{"key": "member", "label": "Member", "value": name}], secondary=[])
    cuts = draw_front(p, "en").cuts
    cut = next(c for c in cuts if c.where == "header[0].value")
    assert cut.text == name
    assert cut.shown.endswith("…") and name.startswith(cut.shown[:-1])


def test_back_lists_fields_links_and_messages() -> None:
    p = loyalty_pass(
        back=[{"key": "terms", "label": "Terms", "value": "Long text. " * 40}],
        links=[{"kind": "web", "uri": "https://lumen.example", "label": "Website"}],
        messages=[{"key": "m1", "header": "Welcome", "body": "Thanks for joining"}],
    )
    short = draw_back(loyalty_pass(back=[]), "en").image
    long = draw_back(p, "en").image
    assert long.height > short.height  # long text wraps onto more lines


def test_warnings_go_into_the_margin() -> None:
    p = loyalty_pass()
    warning = DesignWarning("truncated", "a warning for the margin", "secondary[0].value", "apple")
    plain = render(p)
    with_margin = render(p, warnings=[warning])
    assert with_margin.width == plain.width and with_margin.height > plain.height


def test_html_is_self_contained_and_shows_the_same_images() -> None:
    p = loyalty_pass()
    warning = DesignWarning("low-contrast", "labels are hard to read", "label_color", "apple")
    page = render_html(p, warnings=[warning])
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    sources = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(sources) == 3
    images = [Image.open(io.BytesIO(base64.b64decode(s))) for s in sources]
    assert [image.size for image in images] == [f.image.size for f in faces(p)]
    assert decode_all(images[0]) == [("QR Code", "4012883310")]
    assert "labels are hard to read" in page and 'data-count="1"' in page
    assert "Camille Durand" in page


def test_google_refusal_is_drawn_not_raised() -> None:
    p = loyalty_pass(images={})  # a Google loyalty card cannot do without a logo
    card = draw_card(p, "en")
    assert card.wallet == "google" and card.image.height < 300


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("generic", {"images": {"icon": drawn_image(87, 87), "thumbnail": drawn_image(90, 90)}}),
        ("coupon", {}),
        (
            "gift_card",
            {
                "primary": [
                    {
                        "key": "balance",
                        "label": "Balance",
                        "value": {"amount": "25", "currency": "EUR"},
                    }
                ]
            },
        ),
        (
            "event_ticket",
            {
                "event": {"name": "Jazz Night"},
                "images": {"icon": drawn_image(87, 87), "background": drawn_image(180, 220)},
            },
        ),
        (
            "boarding_pass",
            {
                "transit_type": "train",
                "primary": [
                    {"key": "from", "label": "From", "value": "PAR"},
                    {"key": "to", "label": "To", "value": "LYS"},
                ],
                "images": {"icon": drawn_image(87, 87), "footer": drawn_image(286, 15)},
            },
        ),
    ],
)
def test_every_kind_draws_with_a_readable_barcode(kind: str, extra: dict[str, object]) -> None:
    p: Pass = loyalty_pass(kind=kind, **extra)
    found = decode_all(render_png(p))
    assert found == [("QR Code", "4012883310"), ("QR Code", "4012883310")]
