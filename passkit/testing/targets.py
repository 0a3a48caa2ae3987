"""Open whatever a person points a command at: a .pkpass file, a save link, a JWT, or a file
holding a link (``<serial>.google.txt``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from passkit.errors import BundleError
from passkit.testing.pkpass import Bundle, open_pkpass
from passkit.testing.savelink import SaveLinkView, open_save_link

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def is_bundle_file(path: Path) -> bool:
    """Whether `path` is a file that starts like a zip archive."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) in _ZIP_SIGNATURES
    except (OSError, ValueError):
        return False


def open_target(target: str | Path, *, public_key: Any = None) -> Bundle | SaveLinkView:
    """A `Bundle` for a zip file, else a `SaveLinkView` of the link the text or file holds."""
    path = Path(target)
    text = str(target).strip()
    if _exists(path, "file"):
        if path.suffix.lower() == ".pkpass" or is_bundle_file(path):
            return open_pkpass(path)
        return open_save_link(path, public_key)
    # A JWT's header is base64url JSON, so it always starts with "eyJ" ('{"').
    if isinstance(target, str) and ("://" in text or text.startswith("eyJ")):
        return open_save_link(text, public_key)
    if _exists(path, "dir"):
        raise BundleError(f"{target}: is a directory; give a .pkpass file, a save link or a JWT")
    raise BundleError(f"{target}: no such file, and not a save link or a JWT either")


def _exists(path: Path, kind: str) -> bool:
    # A long link is not a valid file name: the system says so with an error, not False.
    try:
        return path.is_file() if kind == "file" else path.is_dir()
    except (OSError, ValueError):
        return False
