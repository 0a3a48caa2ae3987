"""`open_save_link`: a read-only view of a Google Wallet save link, with the helpers of bundles.

The JWT is decoded (and, given a key, verified) by `passkit.google.links.read_save_link`; this
module makes what it holds easy to assert on: classes and objects by Google type
(`google_views`), and for its only object `field(key)`, `barcode` and `state`, as for an Apple
bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from passkit.errors import BundleError
from passkit.files import open_limited
from passkit.testing.frozen import freeze
from passkit.testing.google_views import GoogleClassView, GoogleObjectView
from passkit.testing.link_keys import KeySource, load_public_key
from passkit.testing.views import BarcodeView, FieldNotFound, FieldView


class SaveLinkView:
    """What a save link holds. Build it with `open_save_link`."""

    def __init__(
        self,
        *,
        jwt: str,
        header: Mapping[str, Any],
        claims: Mapping[str, Any],
        classes: list[GoogleClassView],
        objects: list[GoogleObjectView],
        verified: bool,
        source: str,
    ) -> None:
        self.jwt = jwt
        self.header = header
        self.claims = claims
        self.verified = verified
        self.source = source
        self._classes = classes
        self._objects = objects

    def __repr__(self) -> str:
        ids = ", ".join(str(o.id) for o in self._objects)
        return f"<SaveLinkView {ids or 'no objects'}{' (skinny)' if self.skinny else ''}>"

    @property
    def url(self) -> str:
        from passkit.google.links import SAVE_URL

        return SAVE_URL + self.jwt

    @property
    def classes(self) -> dict[str, list[GoogleClassView]]:
        """Classes carried in full, by Google type (loyalty, giftCard, generic...)."""
        return _by_kind(self._classes)

    @property
    def objects(self) -> dict[str, list[GoogleObjectView]]:
        """Objects by Google type; in a skinny link they hold only their id and class id."""
        return _by_kind(self._objects)

    @property
    def all_objects(self) -> list[GoogleObjectView]:
        return list(self._objects)

    @property
    def skinny(self) -> bool:
        """True when the link names its objects by their ids only (and holds no class)."""
        return not self._classes and all(o.skinny for o in self._objects)

    @property
    def holds(self) -> str:
        """What the link holds, in words: "holds the object; names class X, which must be
        published", "names object ids only (...)", "holds the object and its class X"."""
        if not self._objects:
            return "holds no object"
        return "; ".join(item.holds for item in self._objects)

    def object(self, id: str | None = None) -> GoogleObjectView:
        """The object with this id (or id suffix); without an id, the link's only object."""
        if id is None:
            if len(self._objects) != 1:
                raise FieldNotFound(
                    f"{self.source}: holds {len(self._objects)} objects; name one: "
                    + ", ".join(str(o.id) for o in self._objects)
                )
            return self._objects[0]
        for candidate in self._objects:
            if candidate.id is not None and (candidate.id == id or candidate.id.endswith("." + id)):
                return candidate
        raise FieldNotFound(
            f"{self.source}: no object {id!r}; objects: "
            + (", ".join(str(o.id) for o in self._objects) or "none")
        )

    def problems(self) -> list[str]:
        """What is wrong with the link as a save link (empty when nothing is)."""
        found: list[str] = []
        if not self.verified:
            found.append(
                f"{self.source}: the signature was not checked; give the service account's "
                "public key (or key file) to verify it"
            )
        for claim, expected in (("aud", "google"), ("typ", "savetowallet")):
            if self.claims.get(claim) != expected:
                found.append(
                    f"{self.source}: claim {claim!r} is {self.claims.get(claim)!r}, "
                    f"not {expected!r}"
                )
        if not isinstance(self.claims.get("iss"), str) or "@" not in self.claims["iss"]:
            found.append(f"{self.source}: claim 'iss' must be the service account's e-mail")
        if not self._objects:
            found.append(f"{self.source}: the payload holds no object: nothing would be saved")
        class_ids = {c.id for c in self._classes}
        for item in self._objects:
            if not item.id or not item.class_id:
                found.append(f"{self.source}: an object lacks its id or classId")
            elif class_ids and item.class_id not in class_ids:
                found.append(
                    f"{self.source}: object {item.id} belongs to class {item.class_id}, which the "
                    "link does not carry"
                )
        return found

    # The helpers of the only object, so that a link reads like a bundle in tests.

    def field(self, key: str) -> FieldView:
        return self.object().field(key)

    @property
    def fields(self) -> list[FieldView]:
        return self.object().fields

    @property
    def barcode(self) -> BarcodeView | None:
        return self.object().barcode

    @property
    def state(self) -> str | None:
        return self.object().state


def _by_kind(items: Iterable[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    return grouped


def open_save_link(
    url_or_jwt: str | Path, public_key: KeySource | None = None, *, source: str | None = None
) -> SaveLinkView:
    """Decode a save link, its bare JWT, or a file holding one (e.g. ``M-1001.google.txt``).

    With `public_key` (PEM text or bytes of a public key, certificate or private key; a
    cryptography key or certificate; a `ServiceAccount`; or the path of a service-account JSON
    key) the RS256 signature and the "google" audience are verified, else `BundleError`.
    """
    from passkit.google.links import read_save_link

    text, label = _link_text(url_or_jwt)
    label = source or label
    key = load_public_key(public_key) if public_key is not None else None
    try:
        decoded = read_save_link(text, verify_with=key, source=label)
    except RecursionError:
        raise BundleError(f"{label}: the JWT claims are nested too deeply") from None
    try:
        classes = [GoogleClassView(kind, freeze(raw)) for kind, raw in decoded.classes]
        by_id = {c.id: c for c in classes if c.id}
        objects = [
            GoogleObjectView(kind, freeze(raw), by_id.get(str(raw.get("classId"))), label)
            for kind, raw in decoded.objects
        ]
        header, claims = freeze(decoded.header), freeze(decoded.claims)
    except RecursionError:
        raise BundleError(f"{label}: the JWT claims are nested too deeply") from None
    return SaveLinkView(
        jwt=decoded.jwt,
        header=header,
        claims=claims,
        classes=classes,
        objects=objects,
        verified=decoded.verified,
        source=label,
    )


_MAX_LINK_FILE = 1024 * 1024


def _link_text(value: str | Path) -> tuple[str, str]:
    looks_like_jwt = isinstance(value, str) and value.count(".") == 2 and "/" not in value
    if isinstance(value, str) and (looks_like_jwt or "://" in value):
        return value.strip(), "save link"
    path = Path(value)
    try:
        with open_limited(path, _MAX_LINK_FILE, "save link file", BundleError) as handle:
            data = handle.read(_MAX_LINK_FILE + 1)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        if isinstance(value, str):
            return value.strip(), "save link"  # not a file: let the decoder say what is wrong
        raise BundleError(f"{path}: cannot be read") from None
    if len(data) > _MAX_LINK_FILE:
        raise BundleError(f"{path}: too large to hold a save link")
    try:
        return data.decode("utf-8").strip(), str(path)
    except UnicodeDecodeError:
        raise BundleError(f"{path}: not UTF-8 text; expected a save link") from None


def pretty_json(value: Any) -> str:
    from passkit.testing.frozen import thaw

    return json.dumps(thaw(value), indent=2, ensure_ascii=False, default=str)
