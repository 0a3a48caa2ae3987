"""Helpers for the Apple compiler tests: images drawn with pillow, passes of every style,
and independent checks of a built bundle (zip, manifest hashes, openssl signature check)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from passkit.apple.signing import AppleSigner
from passkit.model import Pass


def signing_clock(signer: AppleSigner) -> datetime:
    """A fixed moment inside the validity of the (freshly made) development certificate."""
    start: datetime = signer.certificate.not_valid_before_utc
    return start.replace(microsecond=0) + timedelta(days=1)


# Apple's allotted space in points, written out here rather than imported so that the tests
# check the compiler against the documentation, not against itself.
ICON = (29, 29)
LOGO_BOX = (160, 50)
FOOTER_BOX = (286, 15)
THUMBNAIL_BOX = (90, 90)
BACKGROUND = (180, 220)
STRIP = {"eventTicket": (375, 98), "coupon": (375, 144), "storeCard": (375, 144)}


def drawn_image(
    size: tuple[int, int], colour: tuple[int, int, int] = (200, 40, 40), *, disc: bool = True
) -> Image.Image:
    """An opaque image with a black disc in its middle (to see distortion and cropping)."""
    image = Image.new("RGB", size, colour)
    if disc:
        draw = ImageDraw.Draw(image)
        radius = min(size) // 4
        cx, cy = size[0] // 2, size[1] // 2
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(0, 0, 0))
    return image


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# The pass.json style key of each kind of pass, as Apple names it.
STYLES = {
    "loyalty": "storeCard",
    "gift_card": "storeCard",
    "coupon": "coupon",
    "event_ticket": "eventTicket",
    "generic": "generic",
    "boarding_pass": "boardingPass",
}

# Sources whose shape matches the allotted space, so that the expected sizes are exact.
IMAGES_BY_STYLE: dict[str, dict[str, Image.Image]] = {
    "storeCard": {"strip": drawn_image((1125, 432), (20, 120, 20))},
    "coupon": {"strip": drawn_image((1125, 432), (20, 20, 160))},
    "eventTicket": {
        "thumbnail": drawn_image((270, 270), (90, 90, 0)),
        "background": drawn_image((540, 660), (10, 60, 90)),
    },
    "generic": {"thumbnail": drawn_image((270, 270), (90, 0, 90))},
    "boardingPass": {"footer": drawn_image((858, 45), (60, 60, 60), disc=False)},
}


def make_pass(kind: str, **extra: Any) -> Pass:
    """A complete pass of `kind` with an icon, a logo and the images its style shows."""
    style = STYLES[kind]
    images: dict[str, Any] = {
        "icon": drawn_image((300, 300), (250, 200, 0)),
        "logo": drawn_image((640, 200), (0, 0, 200)),
        **IMAGES_BY_STYLE[style],
    }
    data: dict[str, Any] = {
        "kind": kind,
        "serial_number": f"{kind}-0001",
        "organization": "Example Coffee",
        "description": f"Example {kind.replace('_', ' ')}",
        "background_color": "#102030",
        "foreground_color": "white",
        "label_color": "#ffcc00",
        "logo_text": "Example",
        "images": images,
        "primary": [{"key": "main", "label": "Name", "value": "Ada Lovelace"}],
        "secondary": [{"key": "since", "label": "Member since", "value": 2019}],
        "back": [{"key": "terms", "label": "Terms", "value": "Be nice.\nNo refunds."}],
        "barcode": {"format": "qr", "message": f"{kind}-0001", "alt_text": "0001"},
    }
    data.update(extra)
    return Pass(**data)


def members(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def pass_json(bundle: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(members(bundle)["pass.json"])
    return loaded


def manifest_mismatches(files: dict[str, bytes]) -> list[str]:
    """Names whose SHA-1 differs from manifest.json, or that the manifest misses or invents."""
    manifest: dict[str, str] = json.loads(files["manifest.json"])
    problems = []
    content = {n: d for n, d in files.items() if n not in ("manifest.json", "signature")}
    for name, data in content.items():
        if manifest.get(name) != hashlib.sha1(data).hexdigest():
            problems.append(name)
    problems.extend(name for name in manifest if name not in content)
    return problems


def openssl_verify(
    files: dict[str, bytes], root: Path, workdir: Path
) -> subprocess.CompletedProcess[str]:
    """`openssl cms -verify` of the detached signature over manifest.json, against `root`."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "manifest.json").write_bytes(files["manifest.json"])
    (workdir / "signature").write_bytes(files["signature"])
    return subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-in", str(workdir / "signature"),
            "-content", str(workdir / "manifest.json"),
            "-CAfile", str(root), "-purpose", "any", "-out", str(workdir / "verified"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pixel_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def png_chunk_types(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, types = 8, []
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        types.append(data[at + 4 : at + 8].decode("ascii"))
        at += 12 + length
    return types


def dark_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the (nearly) black pixels: the disc drawn by `image`."""
    rgba = image.convert("RGBA")
    dark = rgba.convert("L").point(lambda v: 255 if v < 30 else 0)
    opaque = rgba.getchannel("A").point(lambda v: 255 if v > 128 else 0)
    box = ImageChops.multiply(dark, opaque).getbbox()
    assert box is not None, "the disc is gone"
    return box
