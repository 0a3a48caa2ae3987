"""Helpers for the passkit.testing tests: bundles assembled by hand, byte by byte.

These bundles are made without passkit's own bundle builder, so that the reader and verifier
are tested against an independent construction (and can be given every kind of defect).
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from passkit.apple.signing import AppleSigner

# Session certificates are valid from years before to years after today: sign at the present.
SIGNING_TIME = datetime.now(UTC).replace(microsecond=0)


def png(width: int, height: int) -> bytes:
    """A real, minimal PNG of the given size (one grey channel, all black)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pass_json(pass_type_id: str, team_id: str, **overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": pass_type_id,
        "teamIdentifier": team_id,
        "serialNumber": "M-1001",
        "organizationName": "Example Coffee",
        "description": "Example Coffee loyalty card",
        "backgroundColor": "rgb(20, 40, 60)",
        "expirationDate": "2026-12-01T00:00:00+01:00",
        "storeCard": {
            "headerFields": [{"key": "tier", "label": "TIER", "value": "Gold"}],
            "primaryFields": [{"key": "points", "label": "Points", "value": 120}],
            "secondaryFields": [{"key": "member", "label": "Member", "value": "Ada Lovelace"}],
            "backFields": [{"key": "terms", "label": "Terms", "value": "Be nice."}],
        },
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": "M-1001",
                "messageEncoding": "iso-8859-1",
                "altText": "M-1001",
            }
        ],
        "locations": [{"latitude": 48.8566, "longitude": 2.3522, "relevantText": "Hi"}],
    }
    document.update(overrides)
    return document


def default_files(pass_type_id: str, team_id: str, **overrides: Any) -> dict[str, bytes]:
    return {
        "pass.json": json.dumps(pass_json(pass_type_id, team_id, **overrides)).encode(),
        "icon.png": png(29, 29),
        "icon@2x.png": png(58, 58),
        "logo.png": png(120, 40),
        "fr.lproj/pass.strings": '"Points" = "Points fidélité";\n"TIER" = "NIVEAU";\n'.encode(
            "utf-16"
        ),
    }


def manifest_for(files: Mapping[str, bytes]) -> bytes:
    return json.dumps(
        {name: hashlib.sha1(data).hexdigest() for name, data in files.items()}, indent=2
    ).encode()


def zip_bytes(
    entries: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def signed_bundle(
    signer: AppleSigner,
    files: Mapping[str, bytes] | None = None,
    *,
    manifest: bytes | None = None,
    signature: bytes | None = None,
    extra: Mapping[str, bytes] | None = None,
    signing_time: datetime = SIGNING_TIME,
) -> bytes:
    """A complete bundle: `files`, their manifest, its signature, then `extra` files."""
    files = dict(files) if files is not None else default_files(signer.pass_type_id, signer.team_id)
    manifest = manifest if manifest is not None else manifest_for(files)
    if signature is None:
        signature = signer.sign(manifest, signing_time=signing_time)
    entries = [*files.items(), ("manifest.json", manifest), ("signature", signature)]
    entries += list((extra or {}).items())
    return zip_bytes(entries)


def rezip(data: bytes, change: Mapping[str, bytes | None]) -> bytes:
    """The same bundle with some files replaced (or removed, for None) and nothing else changed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    result = []
    for name, content in entries:
        if name in change:
            replacement = change[name]
            if replacement is None:
                continue
            content = replacement
        result.append((name, content))
    names = {name for name, _ in entries}
    result += [(name, c) for name, c in change.items() if name not in names and c is not None]
    return zip_bytes(result)
