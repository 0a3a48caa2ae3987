"""`GooglePass`: a pass compiled for Google Wallet, its class and object, and their JSON text
as save links and the REST client send them.

The class is shared by every pass of a layout (`CompiledClass`, memoised by
`passkit.google.class_cache`); the object belongs to one pass. A save link's payload is
spliced from the class's text, written once, and the object's (`PayloadFrame`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import orjson

from passkit.google.json_writing import JsonDict, compact_json, compact_json_plain, json_copy
from passkit.google.kinds import GoogleKind, google_kind


@dataclass(frozen=True)
class CompiledClass:
    """A memoised class: its JSON (shared, never handed out to be changed), its compact JSON
    text (spliced into save links as is), the object fields it implies, and its notices."""

    json: JsonDict
    text: bytes
    shared_object_fields: JsonDict
    notices: tuple[str, ...]
    # `shared_object_fields` as text to parse into a fresh copy for each object (faster than
    # json_copy, docs/performance.md), or None (see `parse_source`).
    shared_object_source: bytes | None = None

    def shared_object_copy(self) -> JsonDict:
        """A fresh copy of `shared_object_fields`, for one object to own."""
        if self.shared_object_source is not None:
            copied: JsonDict = orjson.loads(self.shared_object_source)
            return copied
        copied = json_copy(self.shared_object_fields)
        return copied


@dataclass(frozen=True)
class PayloadFrame:
    """The compact JSON around the class and the object in a save-link payload of one type."""

    full_head: bytes  # {"loyaltyClasses":[
    full_middle: bytes  # ],"loyaltyObjects":[
    object_head: bytes  # {"loyaltyObjects":[
    tail: bytes = b"]}"


@lru_cache(maxsize=32)
def payload_frame(kind: str) -> PayloadFrame:
    google = google_kind(kind)
    class_key = google.class_payload_key.encode("ascii")
    object_key = google.object_payload_key.encode("ascii")
    return PayloadFrame(
        full_head=b'{"' + class_key + b'":[',
        full_middle=b'],"' + object_key + b'":[',
        object_head=b'{"' + object_key + b'":[',
    )


@dataclass(frozen=True)
class GooglePass:
    """A pass compiled for Google Wallet: its class and object, ready to sign or insert.

    `class_json` is a fresh copy on every access (the class itself is shared by every pass of
    the layout); `object_json` belongs to this pass alone.
    """

    kind: str  # "loyalty", "giftCard", "generic", "offer", "eventTicket", "flight", "transit"
    class_id: str
    object_id: str
    compiled_class: CompiledClass = field(repr=False)
    object_json: JsonDict
    notices: tuple[str, ...] = ()  # what was left out or changed, for a person to read
    origins: tuple[str, ...] = ()  # the layout's google.origins, used by save links by default
    # True when every float `compile_google` put in `object_json` is one that json and orjson
    # write alike (`plain_float`), so that the object may be written by orjson.
    plain_floats: bool = field(default=False, repr=False, compare=False)

    @property
    def class_json(self) -> JsonDict:
        copied: JsonDict = json_copy(self.compiled_class.json)
        return copied

    @property
    def class_text(self) -> bytes:
        """The class as compact UTF-8 JSON, computed once per class."""
        return self.compiled_class.text

    @property
    def object_text(self) -> bytes:
        """`object_json` as compact UTF-8 JSON, written again on every call (the dict is the
        caller's to change).

        For an object `compile_google` made, orjson writes it (docs/performance.md): the bytes of
        the json module for everything a JSON object holds, floats included as long as they
        are `plain_float`. A caller who adds a float outside that range, NaN, or a value the
        json module refuses but orjson writes (an enum, a UUID) gets orjson's spelling
        (0.00001 for 1e-05, null for NaN) instead of json's text or error.
        """
        if self.plain_floats:
            return compact_json_plain(self.object_json)
        return compact_json(self.object_json)

    @property
    def google_kind(self) -> GoogleKind:
        return google_kind(self.kind)

    @property
    def class_payload_key(self) -> str:
        return self.google_kind.class_payload_key

    @property
    def object_payload_key(self) -> str:
        return self.google_kind.object_payload_key

    def payload(self) -> JsonDict:
        """The save-link JWT payload carrying the class and the object in full."""
        return {
            self.class_payload_key: [self.class_json],
            self.object_payload_key: [self.object_json],
        }

    def payload_text(self) -> bytes:
        """`payload()` as compact JSON, without serialising the shared class again."""
        frame = payload_frame(self.kind)
        return b"".join(
            (
                frame.full_head,
                self.compiled_class.text,
                frame.full_middle,
                self.object_text,
                frame.tail,
            )
        )

    def object_payload_text(self) -> bytes:
        """The payload of a link whose class Google holds already: the object alone."""
        frame = payload_frame(self.kind)
        return b"".join((frame.object_head, self.object_text, frame.tail))

    def skinny_payload(self) -> JsonDict:
        """The payload of a link to a class and object inserted beforehand: ids only."""
        return {self.object_payload_key: [{"id": self.object_id, "classId": self.class_id}]}

    def skinny_payload_text(self) -> bytes:
        """`skinny_payload()` as compact JSON."""
        if type(self.object_id) is str and type(self.class_id) is str:
            # Text alone: orjson writes json's bytes (or refuses, and json decides).
            return compact_json_plain(self.skinny_payload())
        return compact_json(self.skinny_payload())
