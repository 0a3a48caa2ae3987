"""Helpers for the preview tests: images made on the spot, passes of each kind, a decoder."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image, ImageDraw

from passkit.images import ImageSource
from passkit.model import Pass

HOST = "https://cdn.example.com/"


def png(width: int, height: int, color: str = "#1d4ed8") -> bytes:
    """A PNG of the given size: a solid colour with a white disc."""
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).ellipse(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), "white"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def drawn_image(
    width: int, height: int, color: str = "#1d4ed8", *, url: bool = True
) -> ImageSource:
    """`png` as an image source, hosted when `url`."""
    name = f"{color.lstrip('#')}-{width}x{height}.png"
    return ImageSource.from_bytes(
        png(width, height, color), name=name, url=HOST + name if url else None
    )


def good_images() -> dict[str, ImageSource]:
    """Images of the right shapes for a store card, every one hosted."""
    return {
        "icon": drawn_image(87, 87),
        "logo": drawn_image(150, 50),
        "strip": drawn_image(1125, 432, "#0f172a"),
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


# A gift card layout with nothing to warn about in either wallet: images of the right shapes
# (written beside it by `write_card`), readable colours, short texts, hosted Google images.
CARD_LAYOUT = """\
kind: gift_card
organization: Example Books
description: Example Books gift card
serial_number: "gift-{{ number }}"
inputs:
  number: string
  holder: string
  balance: {type: money, currency: EUR}
colors:
  background: "#102a43"
  foreground: "#ffffff"
  label: "#f0b429"
images:
  icon: icon.png
  logo: logo.png
fields:
  primary:
    - key: balance
      label: Balance
      value: "{{ balance }}"
  secondary:
    - {key: holder, label: For, value: "{{ holder }}"}
barcode:
  format: qr
  message: "{{ number }}"
translations:
  fr:
    strings: {Balance: Solde, For: Pour}
google:
  program_logo: round.png
  image_base_url: https://static.example/cards/
"""
CARD_RECORD: dict[str, Any] = {"number": "1234", "holder": "Noah", "balance": "25.00 EUR"}


def write_card(directory: Path, layout: str = CARD_LAYOUT) -> Path:
    """`layout` (the well-made card unless given) as card.yaml, with the images it names."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, size in (("icon", (87, 87)), ("logo", (480, 150)), ("round", (660, 660))):
        (directory / f"{name}.png").write_bytes(png(*size, color="#102a43"))
    path = directory / "card.yaml"
    path.write_text(layout, encoding="utf-8")
    return path


def write_record(path: Path, **changes: Any) -> Path:
    """CARD_RECORD, changed by `changes`, as a JSON file."""
    path.write_text(json.dumps({**CARD_RECORD, **changes}), encoding="utf-8")
    return path


def decode_all(png_or_image: bytes | Image.Image) -> list[tuple[str, str]]:
    """Every barcode a real decoder (zxing-cpp) finds in an image: (format, text) pairs."""
    image = (
        Image.open(io.BytesIO(png_or_image)) if isinstance(png_or_image, bytes) else png_or_image
    )
    return [(str(found.format), found.text) for found in zxingcpp.read_barcodes(image.convert("L"))]
