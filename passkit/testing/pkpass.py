"""`open_pkpass`: a read-only view of an Apple Wallet bundle, and `Bundle.verify`.

Opening checks that the archive is safe and that pass.json and manifest.json are valid JSON;
everything else (hashes, signature, chain, Wallet's rules, images, translations) is checked by
`verify`, which lists every problem rather than stopping at the first.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.resources
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from passkit.apple_rules import rule
from passkit.errors import BundleError, SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited
from passkit.testing.archive import (
    DEFAULT_LIMITS,
    Archive,
    ArchiveLimits,
    read_archive,
    read_source,
)
from passkit.testing.cms_verify import SignatureCheck, check_signature
from passkit.testing.frozen import FrozenDict, parse_frozen_json, parse_json
from passkit.testing.named_rules import check_image_rules
from passkit.testing.rules import FIELD_GROUP_KEYS, check_pass_json, style_of
from passkit.testing.strings import parse_strings
from passkit.testing.views import BARCODE_FORMATS, BarcodeView, FieldView, count, find_field

MANIFEST = "manifest.json"
SIGNATURE = "signature"
PASS_JSON = "pass.json"
_IMAGE_NAME = re.compile(r"^(?P<role>[A-Za-z]+)(?:@(?P<scale>[23])x)?\.png$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")

CaSource = bytes | str | Path | x509.Certificate | Sequence[x509.Certificate]


class VerificationError(BundleError, AssertionError):
    """A bundle is not valid; the message lists every problem. Fails a test like an assert."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{source} is not a valid pass ({count(len(problems), 'problem')}):\n{listing}"
        )


@dataclass(frozen=True)
class Report:
    """The outcome of `Bundle.check`: problems (empty when valid) and notes on what was checked."""

    problems: list[str]
    notes: list[str] = field(default_factory=list)
    signature: SignatureCheck | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


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
        anchors = load_certificates(ca, "ca") if ca is not None else None
        problems = self._manifest_problems()
        notes: list[str] = []
        signature_check: SignatureCheck | None = None
        manifest = self._archive.get(MANIFEST)
        if self.signature is None:
            problems.append("signature: the bundle is not signed (no 'signature' file)")
        elif manifest is not None:
            signature_check = check_signature(
                self.signature, manifest, anchors=anchors, apple_wwdr=apple_wwdr(), now=now
            )
            problems += signature_check.problems
            notes += signature_check.notes
            if signature_check.signer is not None:
                try:
                    problems += self._identity_problems(signature_check.signer)
                except ValueError as exc:  # a subject that cryptography cannot read
                    problems.append(f"signature: the signing certificate is malformed ({exc})")
        problems += check_pass_json(self.pass_json)
        problems += self._content_problems()
        return Report(problems, notes, signature_check)

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

    def _manifest_problems(self) -> list[str]:
        if MANIFEST not in self._archive:
            return ["manifest.json: missing; every bundle lists its files' SHA-1 hashes in it"]
        problems = [
            f"{name!r} is a directory entry; a pass bundle holds only files, each listed in"
            " manifest.json (zip the bundle's files, not its folder)"
            for name in self._archive.directories
        ]
        for name in self._archive:
            if name in (MANIFEST, SIGNATURE):
                continue
            if name not in self.manifest:
                problems.append(f"manifest.json: {name!r} is in the bundle but not in the manifest")
                continue
            expected = self.manifest[name]
            actual = hashlib.sha1(self._archive[name], usedforsecurity=False).hexdigest()
            if not _SHA1_HEX.match(expected):
                problems.append(f"manifest.json: the hash of {name!r} is not a SHA-1 hex digest")
            elif not hmac.compare_digest(expected.lower(), actual):
                problems.append(
                    f"manifest.json: {name!r} has SHA-1 {actual}, but the manifest says {expected} "
                    "(the file was changed after the manifest was made)"
                )
        for name in self.manifest:
            if name not in self._archive:
                problems.append(f"manifest.json: lists {name!r}, which is not in the bundle")
        return problems

    def _identity_problems(self, signer: x509.Certificate) -> list[str]:
        problems = []
        for key, oid, part in (
            ("passTypeIdentifier", NameOID.USER_ID, "UID"),
            ("teamIdentifier", NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
        ):
            values = [str(a.value) for a in signer.subject.get_attributes_for_oid(oid)]
            expected = values[0] if values else None
            actual = self.pass_json.get(key)
            if expected is None:
                problems.append(
                    f"signature: the signing certificate has no {part}; it is not a Pass Type ID "
                    "certificate"
                )
            elif actual != expected:
                problems.append(
                    f"pass.json: {key} {actual!r} differs from the signing certificate's "
                    f"{part} {expected!r}; Wallet refuses such a pass"
                )
        return problems

    def _content_problems(self) -> list[str]:
        problems = []
        # The icon may be localised: then it sits in the language folders instead.
        if not any(name.rpartition("/")[2] == "icon.png" for name in self._archive):
            problems.append(rule("apple.images.icon").problem(file=None, where="icon.png"))
        problems += check_image_rules(self._archive, self.style)
        for name in self._archive:
            base = name.rpartition("/")[2]
            try:
                if base.endswith(".png"):
                    png_size(self._archive[name], name)
                elif base.endswith(".strings"):
                    parse_strings(self._archive[name], name)
            except BundleError as exc:
                problems.append(str(exc))
        return problems


def png_size(data: bytes, where: str) -> tuple[int, int]:
    """Width and height of a PNG, read from its header; `BundleError` if it is not a PNG."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise BundleError(f"{where}: not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise BundleError(f"{where}: PNG image of size {width}x{height}")
    return width, height


@functools.cache
def apple_wwdr() -> x509.Certificate | None:
    """Apple's WWDR G4 intermediate, shipped with passkit (None if the file is absent)."""
    resource = importlib.resources.files("passkit") / "data" / "AppleWWDRCAG4.pem"
    try:
        return x509.load_pem_x509_certificate(resource.read_bytes())
    except (FileNotFoundError, ValueError):
        return None


def load_certificates(source: CaSource, what: str) -> list[x509.Certificate]:
    """Certificates from PEM/DER bytes, PEM text, a path, or certificate objects."""
    if isinstance(source, x509.Certificate):
        return [source]
    if isinstance(source, Sequence) and not isinstance(source, str | bytes):
        return list(source)
    name = what
    if isinstance(source, str) and "-----BEGIN" in source:
        data = source.encode("ascii", "replace")
    elif isinstance(source, str | Path):
        name = str(source)
        try:
            data = read_limited(Path(source), CREDENTIAL_LIMIT, "certificate", SigningError)
        except OSError as exc:
            raise SigningError(f"{name}: cannot read the certificate ({exc.strerror})") from None
    else:
        data = bytes(source)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, x509.InvalidVersion):
        raise SigningError(
            f"{name}: not a certificate (expected PEM with BEGIN CERTIFICATE, or DER)"
        ) from None


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
