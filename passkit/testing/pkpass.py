"""`open_pkpass`: a read-only view of an Apple Wallet bundle, and `Bundle.verify`.

Opening checks that the archive is safe and that pass.json and manifest.json are valid JSON;
everything else (hashes, signature, chain, Wallet's rules, images, translations) is checked by
`verify` (`bundle_check.py`), which lists every problem rather than stopping at the first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from passkit.errors import BundleError
from passkit.testing.archive import (
    DEFAULT_LIMITS,
    Archive,
    ArchiveLimits,
    read_archive,
    read_source,
)
from passkit.testing.bundle_check import (
    MANIFEST,
    SIGNATURE,
    Report,
    VerificationError,
    check_bundle,
)
from passkit.testing.certificates import CaSource
from passkit.testing.frozen import FrozenDict, parse_frozen_json, parse_json
from passkit.testing.png import png_size
from passkit.testing.rules import FIELD_GROUP_KEYS, style_of
from passkit.testing.strings import parse_strings
from passkit.testing.views import BARCODE_FORMATS, BarcodeView, FieldView, find_field

PASS_JSON = "pass.json"
_IMAGE_NAME = re.compile(r"^(?P<role>[A-Za-z]+)(?:@(?P<scale>[23])x)?\.png$")


def open_pkpass(
    source: bytes | bytearray | memoryview | str | Path, *, limits: ArchiveLimits | None = None
) -> Bundle:
    """Open a .pkpass from its bytes or a file path; `BundleError` if unsafe or malformed."""
    limits = limits or DEFAULT_LIMITS
    data, label = read_source(source, limits)
    return Bundle(read_archive(data, source=label, limits=limits))


class Bundle:
    """What an Apple Wallet bundle holds, read-only. Build it with `open_pkpass`."""

    def __init__(self, archive: Archive) -> None:
        self._archive = archive
        self.source = archive.source
        if PASS_JSON not in archive:
            present = ", ".join(archive) or "nothing"
            raise BundleError(f"{self.source}: has no pass.json (it holds {present})")
        pass_json = parse_frozen_json(archive[PASS_JSON], f"{self.source}: pass.json")
        if not isinstance(pass_json, FrozenDict):
            raise BundleError(f"{self.source}: pass.json must hold a JSON object")
        self.pass_json: Mapping[str, Any] = pass_json
        manifest: Any = FrozenDict({})
        if MANIFEST in archive:
            manifest = parse_frozen_json(archive[MANIFEST], f"{self.source}: manifest.json")
            if not isinstance(manifest, FrozenDict) or not all(
                isinstance(value, str) for value in manifest.values()
            ):
                raise BundleError(
                    f"{self.source}: manifest.json must map file names to SHA-1 hex strings"
                )
        self.manifest: Mapping[str, str] = manifest
        self.signature: bytes | None = archive.get(SIGNATURE)

    def __repr__(self) -> str:
        return f"<Bundle {self.source}: {self.style} {self.serial_number!r}>"

    # -- what the bundle holds ------------------------------------------------------------

    @property
    def files(self) -> list[tuple[str, int]]:
        """Every file, in archive order, with its size in bytes."""
        return [(entry.name, entry.size) for entry in self._archive.entries]

    @property
    def directories(self) -> list[str]:
        """Directory entries of the archive: a valid bundle has none (`check` reports them)."""
        return list(self._archive.directories)

    def read(self, name: str) -> bytes:
        try:
            return self._archive[name]
        except KeyError:
            raise BundleError(f"{self.source}: has no file {name!r}") from None

    def json(self, name: str = PASS_JSON) -> Any:
        """A fresh, changeable copy of a JSON file of the bundle."""
        return parse_json(self.read(name), f"{self.source}: {name}")

    @property
    def style(self) -> str | None:
        """storeCard, generic, coupon, eventTicket or boardingPass."""
        return style_of(self.pass_json)

    @property
    def pass_type_identifier(self) -> str | None:
        return _text(self.pass_json.get("passTypeIdentifier"))

    @property
    def team_identifier(self) -> str | None:
        return _text(self.pass_json.get("teamIdentifier"))

    @property
    def serial_number(self) -> str | None:
        return _text(self.pass_json.get("serialNumber"))

    @property
    def organization_name(self) -> str | None:
        return _text(self.pass_json.get("organizationName"))

    @property
    def description(self) -> str | None:
        return _text(self.pass_json.get("description"))

    @property
    def expiration_date(self) -> datetime | None:
        return self._date("expirationDate")

    @property
    def relevant_date(self) -> datetime | None:
        return self._date("relevantDate")

    @property
    def voided(self) -> bool:
        return self.pass_json.get("voided") is True

    def _date(self, key: str) -> datetime | None:
        value = self.pass_json.get(key)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise BundleError(f"{self.source}: pass.json {key} {value!r} is not a date") from None

    @property
    def fields(self) -> list[FieldView]:
        """Every field, group by group (header, primary, secondary, auxiliary, back)."""
        style = self.style
        structure = self.pass_json.get(style) if style else None
        if not isinstance(structure, Mapping):
            return []
        translations = self.translations
        views: list[FieldView] = []
        for group_key in FIELD_GROUP_KEYS:
            items = structure.get(group_key)
            if not isinstance(items, Sequence) or isinstance(items, str):
                continue
            group = group_key.removesuffix("Fields")
            for item in items:
                if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
                    continue
                label = _text(item.get("label"))
                value = item.get("value")
                views.append(
                    FieldView(
                        key=item["key"],
                        value=value,
                        label=label,
                        group=group,
                        raw=item,
                        label_translations=_translated(label, translations),
                        value_translations=_translated(value, translations),
                    )
                )
        return views

    def field(self, key: str) -> FieldView:
        """The field with this key, whatever its group; `FieldNotFound` lists the others."""
        return find_field(self.fields, key, self.source)

    @property
    def barcodes(self) -> list[BarcodeView]:
        items = self.pass_json.get("barcodes")
        if not isinstance(items, Sequence) or isinstance(items, str) or not items:
            single = self.pass_json.get("barcode")
            items = [single] if single is not None else []
        views = []
        for item in items:
            if isinstance(item, Mapping):
                raw_format = str(item.get("format"))
                views.append(
                    BarcodeView(
                        format=BARCODE_FORMATS.get(raw_format, raw_format),
                        message=str(item.get("message", "")),
                        alt_text=_text(item.get("altText")),
                        encoding=_text(item.get("messageEncoding")),
                        raw=item,
                    )
                )
        return views

    @property
    def barcode(self) -> BarcodeView | None:
        """The barcode Wallet shows (the first of `barcodes`), or None."""
        barcodes = self.barcodes
        return barcodes[0] if barcodes else None

    @property
    def locations(self) -> list[Mapping[str, Any]]:
        return _objects(self.pass_json.get("locations"))

    @property
    def beacons(self) -> list[Mapping[str, Any]]:
        return _objects(self.pass_json.get("beacons"))

    @functools.cached_property
    def images(self) -> dict[str, dict[int, tuple[int, int]]]:
        """Top-level images: {role: {scale: (width, height) in pixels}}."""
        return self._images_in("")

    def localized_images(self, language: str) -> dict[str, dict[int, tuple[int, int]]]:
        """Images of one language folder (``fr.lproj/logo.png``...)."""
        folder = next(
            (name for name in self.languages if name.casefold() == language.casefold()), language
        )
        return self._images_in(f"{folder}.lproj/")

    def _images_in(self, prefix: str) -> dict[str, dict[int, tuple[int, int]]]:
        found: dict[str, dict[int, tuple[int, int]]] = {}
        for name in self._archive:
            if not name.startswith(prefix):
                continue
            match = _IMAGE_NAME.match(name[len(prefix) :])
            if match:
                scale = int(match["scale"] or 1)
                size = png_size(self._archive[name], f"{self.source}: {name}")
                found.setdefault(match["role"], {})[scale] = size
        return {role: dict(sorted(scales.items())) for role, scales in found.items()}

    @property
    def languages(self) -> list[str]:
        """The language folders of the bundle (``fr`` for ``fr.lproj/``)."""
        found: list[str] = []
        for name in self._archive:
            folder, _, _ = name.partition("/")
            if folder.endswith(".lproj") and "/" in name:
                language = folder.removesuffix(".lproj")
                if language not in found:
                    found.append(language)
        return found

    @functools.cached_property
    def translations(self) -> dict[str, dict[str, str]]:
        """{language: {text: translation}} from every ``xx.lproj/pass.strings``."""
        tables: dict[str, dict[str, str]] = {}
        for language in self.languages:
            name = f"{language}.lproj/pass.strings"
            if name in self._archive:
                tables[language] = parse_strings(self._archive[name], f"{self.source}: {name}")
        return tables

    # -- verification ---------------------------------------------------------------------

    def check(self, ca: CaSource | None = None, *, now: datetime | None = None) -> Report:
        """Verify everything; the report lists problems and notes on what was checked."""
        return check_bundle(
            self._archive, self.pass_json, self.manifest, self.signature, ca, now=now
        )

    def verify(self, ca: CaSource | None = None, *, now: datetime | None = None) -> list[str]:
        """Every problem found (empty when the bundle is valid).

        With `ca` (a root certificate: PEM/DER bytes, a path, or `x509.Certificate`s) the chain
        is checked up to it. Without, it is checked up to the intermediate the signature carries,
        which must be Apple's WWDR G4 (Apple's root is not shipped with passkit).
        """
        return self.check(ca, now=now).problems

    def assert_valid(self, ca: CaSource | None = None, *, now: datetime | None = None) -> None:
        """Raise `VerificationError` (an AssertionError too) listing every problem."""
        problems = self.verify(ca, now=now)
        if problems:
            raise VerificationError(self.source, problems)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _objects(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _translated(text: Any, translations: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    if not isinstance(text, str):
        return {}
    return {lang: table[text] for lang, table in translations.items() if text in table}
