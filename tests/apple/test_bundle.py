"""Signed .pkpass bundles of every style, checked by openssl, zipfile, unzip and our own eyes."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from passkit.apple import AppleSigner, build_pkpass, bundle_files, write_pkpass
from passkit.devcerts import DevCertificates
from passkit.errors import SigningError, WalletRuleError
from passkit.testing import assert_field, open_pkpass
from passkit.testing.strings import parse_strings
from tests.support.apple import (
    BACKGROUND,
    FOOTER_BOX,
    ICON,
    LOGO_BOX,
    STRIP,
    STYLES,
    THUMBNAIL_BOX,
    drawn_image,
    make_pass,
    manifest_mismatches,
    members,
    openssl_verify,
    pass_json,
    pixel_size,
    rezip,
)

# What each style must carry (Apple's Table 4-1), with the size in points of each image.
EXPECTED_IMAGES = {
    "storeCard": {"icon": ICON, "logo": LOGO_BOX, "strip": STRIP["storeCard"]},
    "coupon": {"icon": ICON, "logo": LOGO_BOX, "strip": STRIP["coupon"]},
    "eventTicket": {
        "icon": ICON,
        "logo": LOGO_BOX,
        "thumbnail": THUMBNAIL_BOX,
        "background": BACKGROUND,
    },
    "generic": {"icon": ICON, "logo": LOGO_BOX, "thumbnail": THUMBNAIL_BOX},
    "boardingPass": {"icon": ICON, "logo": LOGO_BOX, "footer": FOOTER_BOX},
}

CASES = [(kind, None) for kind in STYLES if kind != "boarding_pass"] + [
    ("boarding_pass", transit) for transit in ("air", "boat", "bus", "train", "generic")
]


@pytest.mark.parametrize(("kind", "transit"), CASES)
def test_every_style_builds_a_bundle_openssl_verifies(
    now: datetime,
    kind: str,
    transit: str | None,
    dev_signer: AppleSigner,
    dev_certs: DevCertificates,
    tmp_path: Path,
) -> None:
    extra = {"transit_type": transit} if transit else {}
    bundle = build_pkpass(make_pass(kind, **extra), dev_signer, now=now)
    files = members(bundle)
    style = STYLES[kind]

    result = openssl_verify(files, dev_certs.root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    assert (tmp_path / "verified").read_bytes() == files["manifest.json"]
    assert manifest_mismatches(files) == []

    document = json.loads(files["pass.json"])
    assert style in document
    assert document["passTypeIdentifier"] == dev_certs.pass_type_id
    assert document["teamIdentifier"] == dev_certs.team_id
    if transit:
        assert document[style]["transitType"] == "PKTransitType" + transit.capitalize()

    images = {name for name in files if name.endswith(".png")}
    expected = EXPECTED_IMAGES[style]
    assert images == {f"{role}{suffix}.png" for role in expected for suffix in ("", "@2x", "@3x")}
    for role, (width, height) in expected.items():
        for scale, suffix in ((1, ""), (2, "@2x"), (3, "@3x")):
            assert pixel_size(files[f"{role}{suffix}.png"]) == (width * scale, height * scale)


def test_a_tampered_file_no_longer_matches_the_manifest(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    files = members(build_pkpass(make_pass("loyalty"), dev_signer, now=now))
    document = json.loads(files["pass.json"])
    document["storeCard"]["primaryFields"][0]["value"] = "Mallory"
    files["pass.json"] = json.dumps(document).encode()
    files["strip@2x.png"] = files["strip@2x.png"][:-1] + b"\x00"
    tampered = members(rezip(files))

    assert sorted(manifest_mismatches(tampered)) == ["pass.json", "strip@2x.png"]
    # The signature covers the manifest, which is intact: only the hashes reveal the change.
    assert openssl_verify(tampered, dev_certs.root, tmp_path).returncode == 0


def test_a_tampered_manifest_fails_the_signature_check(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    files = members(build_pkpass(make_pass("coupon"), dev_signer, now=now))
    manifest = json.loads(files["manifest.json"])
    forged = b'{"forged": true}'
    manifest["pass.json"] = hashlib.sha1(forged).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()
    files["pass.json"] = forged

    assert manifest_mismatches(files) == []
    result = openssl_verify(files, dev_certs.root, tmp_path)
    assert result.returncode != 0
    assert "Verification successful" not in result.stderr


def test_a_signature_from_another_root_fails(
    now: datetime, dev_signer: AppleSigner, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from passkit.devcerts import write_dev_certificates

    other = write_dev_certificates(tmp_path_factory.mktemp("other-root"))
    files = members(build_pkpass(make_pass("generic"), dev_signer, now=now))
    assert openssl_verify(files, other.root, tmp_path).returncode != 0


def test_the_same_pass_and_clock_give_the_same_bytes(
    now: datetime, dev_signer: AppleSigner
) -> None:
    first = build_pkpass(make_pass("event_ticket"), dev_signer, now=now)
    second = build_pkpass(make_pass("event_ticket"), dev_signer, now=now)
    assert first == second


def test_another_clock_changes_only_the_signature(now: datetime, dev_signer: AppleSigner) -> None:
    early = members(build_pkpass(make_pass("loyalty"), dev_signer, now=now))
    late = members(build_pkpass(make_pass("loyalty"), dev_signer, now=now + timedelta(hours=1)))
    assert list(early) == list(late)
    differing = [name for name in early if early[name] != late[name]]
    assert differing == ["signature"]


def test_zip_layout_is_fixed(now: datetime, dev_signer: AppleSigner, tmp_path: Path) -> None:
    bundle = build_pkpass(make_pass("event_ticket"), dev_signer, now=now)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [info.filename for info in infos]
    # What every pass of a layout shares comes first (one constant piece), then its own files.
    assert names[-3:] == ["pass.json", "manifest.json", "signature"]
    assert names[:-3] == [
        f"{role}{suffix}.png"
        for role in ("icon", "logo", "thumbnail", "background")
        for suffix in ("", "@2x", "@3x")
    ]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        expected = zipfile.ZIP_DEFLATED if info.filename.endswith(".json") else zipfile.ZIP_STORED
        assert info.compress_type == expected, info.filename

    # A second reader of the archive: Info-ZIP's unzip tests every CRC.
    if shutil.which("unzip"):
        path = tmp_path / "ticket.pkpass"
        path.write_bytes(bundle)
        result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No errors detected" in result.stdout


def test_localised_strings_and_images(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    french_logo = drawn_image((640, 200), (0, 150, 0))
    p = make_pass(
        "loyalty",
        translations={
            "fr": {
                "strings": {
                    "Name": "Nom",
                    "Member since": "Membre depuis",
                    'Say "hi"': "Dis « salut »",
                },
                "images": {"logo": french_logo},
            },
            "ar": {"strings": {"Name": "الاسم"}},
        },
    )
    files = members(build_pkpass(p, dev_signer, now=now))
    assert manifest_mismatches(files) == []
    assert openssl_verify(files, dev_certs.root, tmp_path).returncode == 0

    # The localised logo is in every language's .lproj, never at the top level.
    assert "logo.png" not in files
    for language in ("ar", "en", "fr"):
        assert parse_strings(files[f"{language}.lproj/pass.strings"]) is not None
        for suffix in ("", "@2x", "@3x"):
            assert f"{language}.lproj/logo{suffix}.png" in files
    assert files["fr.lproj/logo@2x.png"] != files["en.lproj/logo@2x.png"]
    assert files["ar.lproj/logo@2x.png"] == files["en.lproj/logo@2x.png"]
    assert pixel_size(files["fr.lproj/logo@3x.png"]) == (480, 150)

    assert parse_strings(files["fr.lproj/pass.strings"])['Say "hi"'] == "Dis « salut »"
    assert parse_strings(files["ar.lproj/pass.strings"]) == {"Name": "الاسم"}
    # The pass's own language gets an empty table, so English devices do not pick French.
    assert parse_strings(files["en.lproj/pass.strings"]) == {}
    # UTF-8 by default, without a byte-order mark: what every tool reads.
    assert "Dis « salut »".encode() in files["fr.lproj/pass.strings"]
    assert not files["fr.lproj/pass.strings"].startswith((b"\xff\xfe", b"\xef\xbb\xbf"))


TRANSLATIONS = {"fr": {"strings": {"Name": "Nom", "Terms": "Conditions 🎉"}}}


@pytest.mark.parametrize(
    ("encoding", "start"), [("utf-8", b'"Name"'), ("utf-16", b'\xff\xfe"\x00N\x00')]
)
def test_strings_are_written_in_the_chosen_encoding_and_read_by_the_testing_toolkit(
    encoding: str, start: bytes, now: datetime, dev_signer: AppleSigner
) -> None:
    p = make_pass("coupon", translations=TRANSLATIONS, bundle={"strings_encoding": encoding})
    built = build_pkpass(p, dev_signer, now=now)
    data = members(built)["fr.lproj/pass.strings"]
    assert data.startswith(start)
    assert data.decode(encoding) == '"Name" = "Nom";\n"Terms" = "Conditions 🎉";\n'
    bundle = open_pkpass(built)
    assert bundle.translations["fr"] == {"Name": "Nom", "Terms": "Conditions 🎉"}
    assert_field(bundle, "main", "Ada Lovelace", label="Nom", lang="fr")


def test_a_localised_image_identical_to_the_pass_own_is_written_once_at_the_top(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    own = make_pass("loyalty").images.logo
    assert own is not None
    # The same image saved again (other bytes, same pixels) comes out byte-identical.
    again = io.BytesIO()
    Image.open(io.BytesIO(own.data)).save(again, format="PNG", compress_level=1)
    assert again.getvalue() != own.data
    translations = {"fr": {"strings": {"Name": "Nom"}, "images": {"logo": again.getvalue()}}}
    p = make_pass("loyalty", translations=translations)
    files = members(build_pkpass(p, dev_signer, now=now))
    assert manifest_mismatches(files) == []
    assert openssl_verify(files, dev_certs.root, tmp_path).returncode == 0
    assert {"logo.png", "logo@2x.png", "logo@3x.png"} <= set(files)
    assert not [name for name in files if "lproj/logo" in name]


def test_the_pass_language_must_be_a_language_tag(dev_signer: AppleSigner, now: datetime) -> None:
    p = make_pass("coupon", language="../../etc", translations={"fr": {"strings": {"a": "b"}}})
    with pytest.raises(WalletRuleError, match=r"^language: '\.\./\.\./etc' is not a language tag"):
        build_pkpass(p, dev_signer, now=now)


def test_no_translations_means_no_lproj(now: datetime, dev_signer: AppleSigner) -> None:
    files = members(build_pkpass(make_pass("coupon"), dev_signer, now=now))
    assert not any(".lproj/" in name for name in files)


def test_pass_type_and_team_come_from_the_certificate_or_must_match_it(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates
) -> None:
    matching = make_pass("generic", pass_type_id=dev_certs.pass_type_id, team_id=dev_certs.team_id)
    assert pass_json(build_pkpass(matching, dev_signer, now=now))["teamIdentifier"] == (
        dev_certs.team_id
    )

    with pytest.raises(SigningError, match=r"pass type identifier 'pass\.com\.other\.card'"):
        build_pkpass(make_pass("generic", pass_type_id="pass.com.other.card"), dev_signer, now=now)
    with pytest.raises(SigningError, match=r"team identifier 'ZZZZZZZZZZ' differs"):
        build_pkpass(make_pass("generic", team_id="ZZZZZZZZZZ"), dev_signer, now=now)


def test_an_expired_certificate_is_refused_before_signing(
    now: datetime, dev_signer: AppleSigner
) -> None:
    with pytest.raises(SigningError, match="expired"):
        build_pkpass(make_pass("generic"), dev_signer, now=now + timedelta(days=365 * 30))


def test_bundle_files_lists_everything_but_manifest_and_signature(
    dev_certs: DevCertificates,
) -> None:
    files = bundle_files(make_pass("coupon"), pass_type_id="pass.test", team_id="TEAM")
    names = [name for name, _ in files]
    assert names[0] == "pass.json"
    assert "manifest.json" not in names and "signature" not in names
    assert json.loads(dict(files)["pass.json"])["passTypeIdentifier"] == "pass.test"


def test_write_pkpass_writes_atomically(
    now: datetime, dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "card.pkpass"
    written = write_pkpass(target, make_pass("loyalty"), dev_signer, now=now)
    assert written == target
    assert written.read_bytes() == build_pkpass(make_pass("loyalty"), dev_signer, now=now)

    failing = make_pass("loyalty", pass_type_id="pass.com.not.mine")
    with pytest.raises(SigningError):
        write_pkpass(tmp_path / "out" / "bad.pkpass", failing, dev_signer, now=now)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["card.pkpass"]
