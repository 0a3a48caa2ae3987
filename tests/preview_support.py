"""Helpers for the preview tests: pictures made on the spot, passes of each kind, a decoder."""

from __future__ import annotations

import io
from typing import Any

import zxingcpp
from PIL import Image, ImageDraw

from passkit.images import ImageSource
from passkit.model import Pass

HOST = "https://cdn.example.com/"


def picture(width: int, height: int, color: str = "#1d4ed8", *, url: bool = True) -> ImageSource:
    """A PNG of the given size: a solid colour with a white disc, hosted when `url`."""
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), "white"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    name = f"{color.lstrip('#')}-{width}x{height}.png"
    return ImageSource.from_bytes(buffer.getvalue(), name=name, url=HOST + name if url else None)


def good_images() -> dict[str, ImageSource]:
    """Images of the right shapes for a store card, every one hosted."""
    return {
        "icon": picture(87, 87),
        "logo": picture(150, 50),
        "strip": picture(1125, 432, "#0f172a"),
    }


def loyalty_pass(**changes: Any) -> Pass:
    """A store card with nothing to warn about, changed by `changes`."""
    data: dict[str, Any] = {
        "kind": "loyalty",
        "serial_number": "M-0042",
        "organization": "Lumen",
        "description": "Lumen Rewards card",
        "title": "Lumen Rewards",
        "logo_text": "Lumen",
        "background_color": "#0f172a",
        "foreground_color": "#ffffff",
        "label_color": "#cbd5e1",
        "images": good_images(),
        "header": [{"key": "tier", "label": "Tier", "value": "Gold"}],
        "primary": [{"key": "points", "label": "Points", "value": 1280}],
        "secondary": [{"key": "member", "label": "Member", "value": "Camille Durand"}],
        "back": [{"key": "terms", "label": "Terms", "value": "One point per euro."}],
        "barcode": {"format": "qr", "message": "4012883310", "alt_text": "4012 8833 10"},
        "translations": {
            "fr": {"strings": {"Points": "Solde de points", "Member": "Membre", "Tier": "Niveau"}}
        },
    }
    data.update(changes)
    return Pass(**data)


def decode_all(png_or_image: bytes | Image.Image) -> list[tuple[str, str]]:
    """Every barcode a real decoder (zxing-cpp) finds in a picture: (format, text) pairs."""
    image = (
        Image.open(io.BytesIO(png_or_image)) if isinstance(png_or_image, bytes) else png_or_image
    )
    return [(str(found.format), found.text) for found in zxingcpp.read_barcodes(image.convert("L"))]
