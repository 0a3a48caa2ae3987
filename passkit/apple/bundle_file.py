"""A file of a pass bundle, made ready once for both the zip archive and manifest.json."""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import NamedTuple

from passkit.apple.zipwriter import DEFLATE_LEVEL, ZipMember, zip_member


class BundleFile(NamedTuple):
    """One file of a pass bundle, with what the manifest and the zip need about it.

    Its zip member (header, compressed payload, directory record) and its manifest entry are
    made when the file is: an image or a translation table, the same for every pass of a
    layout, is compressed and framed once per process, not once per pass.
    """

    name: str
    data: bytes
    sha1: str
    crc: int
    deflate: bool
    member: ZipMember
    manifest_entry: str

    @classmethod
    def of(cls, name: str, data: bytes, *, deflate: bool, level: int = DEFLATE_LEVEL) -> BundleFile:
        """The file `name` holding `data`; when `deflate`, compressed at `level`."""
        sha1 = hashlib.sha1(data).hexdigest()
        crc = zlib.crc32(data)
        return cls(
            name,
            data,
            sha1,
            crc,
            deflate,
            zip_member(name, data, crc, deflate=deflate, level=level),
            manifest_entry(name, sha1),
        )

    def moved_to(self, directory: str) -> BundleFile:
        name = f"{directory}/{self.name}"
        return BundleFile(
            name,
            self.data,
            self.sha1,
            self.crc,
            self.deflate,
            self.member.renamed(name),
            manifest_entry(name, self.sha1),
        )


# The names of bundle files are few (pass.json, images, localisations): quote each once.
_quoted_names: dict[str, str] = {}


def manifest_entry(name: str, sha1: str) -> str:
    """The file's `"name":"sha1"` pair of manifest.json, written as json.dumps writes it."""
    quoted = _quoted_names.get(name)
    if quoted is None:
        quoted = json.dumps(name)
        if len(_quoted_names) < 1024:
            _quoted_names[name] = quoted
    return f'{quoted}:"{sha1}"'
