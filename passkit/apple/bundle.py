"""The `.pkpass` bundle: pass.json, images, localisations, manifest.json and signature, zipped.

Per pass the work is: pass.json and its SHA-1, the manifest, the signature and the zip. Images
come from the prepared-image cache (`passkit.apple.images`), so a campaign of 100,000 passes
resizes and hashes each image once.

Localisation: each language of `Pass.translations` gets `<lang>.lproj/pass.strings` and its
localised images. When there are translations, the pass's own language also gets an `.lproj`
(with an empty pass.strings): otherwise Wallet, finding a single localisation, would show the
translation to everyone. Apple's guide says not to put an image both at the top level and in
an `.lproj` (the top-level one is found first), so an image localised in any language is
written into every language's `.lproj` (the pass's own image where a language has none) and
not at the top level. A translation's image that comes out byte-identical to the pass's own
is no localisation: such a role is written once, at the top level, where every language finds
it, rather than once per language. The icon cannot be localised: Wallet needs it at the top
level.

`Pass.bundle` says how the bundle is written: the images' quality (lossless unless a
quality is given, `passkit.apple.png_optimise`) and the encoding of `pass.strings` (UTF-8
unless UTF-16 is asked for, `passkit.apple.strings`).
"""

from __future__ import annotations

import functools
import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from passkit.apple.bundle_file import BundleFile
from passkit.apple.images import image_files, on_clear_cache, record_hits
from passkit.apple.passjson import pass_json_bytes
from passkit.apple.strings import encode_strings
from passkit.apple.styles import (
    STYLE_IMAGES,
    STYLE_OF_KIND,
    describe_kind,
    list_words,
)
from passkit.apple.zipwriter import (
    STORED_BLOCKS,
    ArchiveStart,
    archive_crc,
    archive_start,
    zip_member,
    zip_parts,
)
from passkit.apple_rules import rule
from passkit.errors import WalletRuleError
from passkit.files import atomic_write
from passkit.images import ImageSource
from passkit.model.choices import StringsEncoding
from passkit.model.looks import Images
from passkit.model.pass_ import Pass

if TYPE_CHECKING:
    from passkit.apple.signing import AppleSigner

PASS_JSON = "pass.json"
MANIFEST = "manifest.json"
SIGNATURE = "signature"
# The language tags Pass accepts for translations (and Apple's older en_US form).
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")


def bundle_files(p: Pass, *, pass_type_id: str, team_id: str) -> list[tuple[str, bytes]]:
    """Every file of the bundle but manifest.json and signature, in bundle order."""
    return [(f.name, f.data) for f in collect_files(p, pass_type_id=pass_type_id, team_id=team_id)]


def collect_files(p: Pass, *, pass_type_id: str, team_id: str) -> list[BundleFile]:
    """`bundle_files` with each file's SHA-1, CRC-32 and compression."""
    pass_json, shared = _pass_json_and_shared(p, pass_type_id=pass_type_id, team_id=team_id)
    return [pass_json, *shared.files]


def _pass_json_and_shared(
    p: Pass, *, pass_type_id: str, team_id: str
) -> tuple[BundleFile, _SharedFiles]:
    style = STYLE_OF_KIND[p.kind]
    key = _shared_key(p)
    shared = _shared.get(key)
    if shared is None:
        check_images(p, style)
    pass_json = pass_json_bytes(p, pass_type_id=pass_type_id, team_id=team_id)
    pass_json_file = BundleFile.of(PASS_JSON, pass_json, deflate=True, level=STORED_BLOCKS)
    if shared is None:
        shared = _remember(key, _SharedFiles.of(*_shared_files(p, style)))
    else:
        record_hits(shared.lookups)
    return pass_json_file, shared


@dataclass(frozen=True, slots=True)
class _SharedFiles:
    """The images and localisations of a bundle: everything but pass.json.

    With them, what every bundle that holds them repeats: their members at the start of the
    archive, and manifest.json around the entry of pass.json.
    """

    files: tuple[BundleFile, ...]
    # How many prepared images they hold, counted as cache hits when they are reused.
    lookups: int
    archive_start: ArchiveStart
    manifest_head: str  # manifest.json up to pass.json's entry
    manifest_tail: str  # and after it

    @classmethod
    def of(cls, files: tuple[BundleFile, ...], lookups: int) -> _SharedFiles:
        # Images and localisations are named <role>.png and <lang>.lproj/...: never pass.json.
        entries = sorted((file.name, file.manifest_entry) for file in files)
        before = [entry for name, entry in entries if name < PASS_JSON]
        after = [entry for name, entry in entries if name > PASS_JSON]
        return cls(
            files,
            lookups,
            archive_start(file.member for file in files),
            "{" + "".join(entry + "," for entry in before),
            "".join("," + entry for entry in after) + "}",
        )

    def manifest(self, pass_json: BundleFile) -> bytes:
        """manifest.json of a bundle of these files and `pass_json`."""
        return (self.manifest_head + pass_json.manifest_entry + self.manifest_tail).encode("ascii")


# Passes of one layout share their images and translations: the files made of them, and the
# checks of which images a style shows, are done once per content (kind, language, images,
# translation tables) rather than once per pass.
_shared: dict[tuple[object, ...], _SharedFiles] = {}
_SHARED_SIZE = 64
_shared_lock = threading.Lock()


def _shared_key(p: Pass) -> tuple[object, ...]:
    translations = tuple(
        (language, tuple(t.strings.items()), _image_sources(t.images))
        for language, t in p.translations.items()
    )
    return (p.kind, p.language, _image_sources(p.images), translations, p.bundle)


def _image_sources(images: Images) -> tuple[object, ...]:
    # The model's values in field order (one per role); the same as reading each role.
    return tuple(images.__dict__.values())


def _remember(key: tuple[object, ...], shared: _SharedFiles) -> _SharedFiles:
    with _shared_lock:  # only when a new set is made: lookups need no lock
        if len(_shared) >= _SHARED_SIZE:
            _shared.pop(next(iter(_shared)), None)
        _shared[key] = shared
    return shared


def _shared_files(p: Pass, style: str) -> tuple[tuple[BundleFile, ...], int]:
    files: list[BundleFile] = []
    lookups = 0
    localised = _localised_roles(p, style)
    for role in STYLE_IMAGES[style]:
        source = getattr(p.images, role)
        if source is not None and role not in localised:
            files.extend(image_files(source, role, style, p.bundle.image_quality))
            lookups += 1
    if p.translations:
        if not _LANGUAGE.fullmatch(p.language):
            raise WalletRuleError(
                f"language: {p.language!r} is not a language tag, and it names the pass's own "
                "localisation directory; use forms like 'en', 'pt-BR' or 'zh-Hans'"
            )
        for language in sorted({*p.translations, p.language}):
            lproj, prepared = _lproj(p, language, style, localised)
            files.extend(lproj)
            lookups += prepared
    return tuple(files), lookups


def build_pkpass(p: Pass, signer: AppleSigner, *, now: datetime | None = None) -> bytes:
    """The signed `.pkpass` bytes of `p`. `now` (default: the current time) is the signing time.

    The pass type id and team id are the pass's own when it gives them (the signer then checks
    that its certificate is for them), otherwise the certificate's.
    """
    return b"".join(pkpass_parts(p, signer, now=now))


def pkpass_parts(p: Pass, signer: AppleSigner, *, now: datetime | None = None) -> list[bytes]:
    """`build_pkpass` as consecutive pieces, for a writer that need not join them first."""
    return sign_bundle(unsigned_bundle(p, signer, now=now), signer)


@dataclass(frozen=True, slots=True)
class UnsignedBundle:
    """A bundle's files and manifest, checked and ready for its signature."""

    pass_json: BundleFile
    shared: _SharedFiles
    manifest: bytes
    signing_time: datetime

    @property
    def files(self) -> list[BundleFile]:
        """Every file but manifest.json and signature, pass.json first."""
        return [self.pass_json, *self.shared.files]

    def crc_of(self, parts: Sequence[bytes]) -> int:
        """The CRC-32 of the signed archive that `sign_bundle(self, ...)` returned as `parts`,
        for an archive of bundles: the files every pass shares are not read again."""
        return archive_crc(parts, self.shared.archive_start)


def unsigned_bundle(p: Pass, signer: AppleSigner, *, now: datetime | None = None) -> UnsignedBundle:
    """Everything of `p`'s bundle but the signature; raises for a pass Apple would refuse."""
    now = _aware(now)
    signer.check(now=now, pass_type_id=p.pass_type_id, team_id=p.team_id)
    pass_json, shared = _pass_json_and_shared(
        p,
        pass_type_id=p.pass_type_id or signer.pass_type_id,
        team_id=p.team_id or signer.team_id,
    )
    return UnsignedBundle(pass_json, shared, shared.manifest(pass_json), now)


def sign_bundle(bundle: UnsignedBundle, signer: AppleSigner) -> list[bytes]:
    """The signed `.pkpass` of `bundle`, as consecutive pieces of the zip archive.

    The archive holds the files every pass of the layout shares first (one constant piece),
    then pass.json, manifest.json and the signature.
    """
    manifest = bundle.manifest
    signature = signer.sign(manifest, signing_time=bundle.signing_time)
    members = (
        bundle.pass_json.member,
        zip_member(MANIFEST, manifest, zlib.crc32(manifest), deflate=True, level=STORED_BLOCKS),
        zip_member(SIGNATURE, signature, zlib.crc32(signature), deflate=False),
    )
    return zip_parts(members, bundle.shared.archive_start)


def write_pkpass(
    path: str | Path, p: Pass, signer: AppleSigner, *, now: datetime | None = None
) -> Path:
    """Build `p` and write it to `path` atomically (never a half-written file)."""
    return atomic_write(path, build_pkpass(p, signer, now=now))


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    # A clock without a time zone is taken as UTC, the zone of the signature's signing time.
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def check_images(p: Pass, style: str) -> None:
    """Apple's image rules for the style: an icon, only images the style shows, and so on."""
    if p.images.icon is None:
        raise rule("apple.images.icon").error(where="images.icon")
    _check_roles(p.images, "images", p, style)
    for language, translation in p.translations.items():
        where = f"translations.{language}.images"
        if translation.images.icon is not None:
            raise WalletRuleError(
                f"{where}.icon: Apple Wallet reads the icon only from the top level of the "
                "pass, so it cannot be localised; remove the localised icon"
            )
        _check_roles(translation.images, where, p, style)


def _check_roles(images: Images, where: str, p: Pass, style: str) -> None:
    shown = STYLE_IMAGES[style]
    for role, _ in images.items():
        if role not in shown:
            raise rule("apple.images.role").error(
                where=f"{where}.{role}",
                role=role,
                kind=describe_kind(p.kind),
                shown=list_words(list(shown)),
            )
    if style == "eventTicket":
        strip = images.strip or p.images.strip
        if strip is not None:
            for other in ("background", "thumbnail"):
                if getattr(images, other) is not None or getattr(p.images, other) is not None:
                    raise rule("apple.images.strip-alone").error(
                        where=f"{where}.strip", other=other
                    )


def _localised_roles(p: Pass, style: str) -> set[str]:
    """The roles whose image differs in some language from the pass's own."""
    roles: set[str] = set()
    for translation in p.translations.values():
        for role, source in translation.images.items():
            own = getattr(p.images, role)
            if role in roles:
                continue
            if own is None or not _same_image(source, own, role, style, p):
                roles.add(role)
    return roles


def _same_image(one: ImageSource, other: ImageSource, role: str, style: str, p: Pass) -> bool:
    """Whether two sources come out as the same files (the same source file always does)."""
    if one.digest == other.digest:
        return True
    quality = p.bundle.image_quality
    return [f.data for f in image_files(one, role, style, quality)] == [
        f.data for f in image_files(other, role, style, quality)
    ]


def _lproj(p: Pass, language: str, style: str, localised: set[str]) -> tuple[list[BundleFile], int]:
    """The files of one language's directory, and how many prepared images they hold."""
    directory = f"{language}.lproj"
    translation = p.translations.get(language)
    table = translation.strings if translation is not None else {}
    files = [_strings_file(directory, tuple(table.items()), p.bundle.strings_encoding)]
    prepared = 0
    for role in STYLE_IMAGES[style]:
        if role not in localised:
            continue
        source: ImageSource | None = None
        if translation is not None:
            source = getattr(translation.images, role)
        if source is None:
            source = getattr(p.images, role)
        if source is not None:
            quality = p.bundle.image_quality
            moved = (_moved(file, directory) for file in image_files(source, role, style, quality))
            files.extend(moved)
            prepared += 1
    return files, prepared


# A layout's translations are the same for every pass: encode, hash and compress each
# pass.strings once (keyed by its content), not once per pass.
@functools.lru_cache(maxsize=256)
def _strings_file(
    directory: str, entries: tuple[tuple[str, str], ...], encoding: StringsEncoding
) -> BundleFile:
    try:
        strings = encode_strings(dict(entries), encoding)
    except UnicodeEncodeError as exc:
        language = directory.removesuffix(".lproj")
        raise WalletRuleError(
            f"translations.{language}.strings: {exc.object[exc.start : exc.end]!r} is not "
            "valid text; fix the translation"
        ) from None
    return BundleFile.of(f"{directory}/pass.strings", strings, deflate=True)


@functools.lru_cache(maxsize=256)
def _moved(file: BundleFile, directory: str) -> BundleFile:
    return file.moved_to(directory)


on_clear_cache(_shared.clear)
on_clear_cache(_strings_file.cache_clear)
on_clear_cache(_moved.cache_clear)
