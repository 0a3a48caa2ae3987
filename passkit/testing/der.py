"""A small reader of ASN.1 DER (and the BER lengths OpenSSL sometimes writes), for CMS.

Only what checking a pass signature needs: walking tags, lengths and contents of a structure
that may have been crafted to mislead. Every length is checked against the bytes actually
there and nesting is bounded, so hostile input ends in `DerError`, never in a crash or a hang.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

MAX_DEPTH = 40

# Universal tags (with the constructed bit where the type is always constructed).
INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
SEQUENCE = 0x30
SET = 0x31


class DerError(ValueError):
    """The bytes are not the ASN.1 structure they should be."""


@dataclass(frozen=True)
class Node:
    """One ASN.1 element: its identifier octet, its whole encoding and its contents."""

    tag: int
    encoded: bytes
    content: bytes
    indefinite: bool = False

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list[Node]:
        if not self.constructed:
            raise DerError(f"element with tag 0x{self.tag:02x} has no parts")
        return parse_all(self.content, depth=1, indefinite=self.indefinite)

    def child(self, index: int, tag: int | None = None) -> Node:
        parts = self.children()
        if index >= len(parts):
            raise DerError(f"expected at least {index + 1} parts, found {len(parts)}")
        node = parts[index]
        if tag is not None and node.tag != tag:
            raise DerError(f"expected tag 0x{tag:02x} at part {index}, found 0x{node.tag:02x}")
        return node

    def expect(self, tag: int) -> Node:
        if self.tag != tag:
            raise DerError(f"expected tag 0x{tag:02x}, found 0x{self.tag:02x}")
        return self

    def oid(self) -> str:
        return decode_oid(self.expect(OID).content)

    def integer(self) -> int:
        content = self.expect(INTEGER).content
        if not content:
            raise DerError("empty INTEGER")
        return int.from_bytes(content, "big", signed=True)

    def octets(self) -> bytes:
        if self.tag == OCTET_STRING:
            return self.content
        if self.tag == OCTET_STRING | 0x20:  # BER: a string cut into pieces
            return b"".join(part.octets() for part in self.children())
        raise DerError(f"expected an OCTET STRING, found tag 0x{self.tag:02x}")

    def time(self) -> datetime:
        return decode_time(self)


def parse(data: bytes) -> Node:
    """The single element encoded by `data` (nothing may follow it)."""
    node, end = _element(data, 0, 0)
    if end != len(data):
        raise DerError(f"{len(data) - end} unexpected bytes after the structure")
    return node


def parse_all(data: bytes, *, depth: int = 0, indefinite: bool = False) -> list[Node]:
    nodes: list[Node] = []
    pos = 0
    while pos < len(data):
        if indefinite and data[pos : pos + 2] == b"\x00\x00":
            break
        node, pos = _element(data, pos, depth)
        nodes.append(node)
    return nodes


def _element(data: bytes, start: int, depth: int) -> tuple[Node, int]:
    if depth > MAX_DEPTH:
        raise DerError("structure nested too deeply")
    if start + 2 > len(data):
        raise DerError("structure cut short")
    tag = data[start]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not used in CMS signatures")
    first = data[start + 1]
    pos = start + 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        if not tag & 0x20:
            raise DerError("indefinite length on a primitive element")
        return _indefinite(data, start, pos, tag, depth)
    else:
        count = first & 0x7F
        if count > 4 or pos + count > len(data):
            raise DerError("impossible length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError("an element claims more bytes than there are")
    return Node(tag, data[start:end], data[pos:end]), end


def _indefinite(data: bytes, start: int, pos: int, tag: int, depth: int) -> tuple[Node, int]:
    content_start = pos
    while True:
        if pos + 2 > len(data):
            raise DerError("indefinite-length element never ends")
        if data[pos : pos + 2] == b"\x00\x00":
            break
        _, pos = _element(data, pos, depth + 1)
    end = pos + 2
    return Node(tag, data[start:end], data[content_start:end], indefinite=True), end


def decode_oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise DerError("malformed OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(arc) for arc in head + arcs[1:])


def decode_time(node: Node) -> datetime:
    try:
        text = node.content.decode("ascii")
    except UnicodeDecodeError:
        raise DerError("time is not ASCII") from None
    if not text.endswith("Z"):
        raise DerError(f"time {text!r} is not in UTC")
    digits = text[:-1]
    if node.tag == UTC_TIME and len(digits) in (10, 12) and digits.isdigit():
        year = int(digits[:2])
        digits = f"{1900 + year if year >= 50 else 2000 + year}{digits[2:]}"
    elif node.tag != GENERALIZED_TIME or "." in digits:
        raise DerError(f"unsupported time {text!r}")
    if len(digits) == 12:
        digits += "00"
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise DerError(f"malformed time {text!r}") from None
