"""The parts of a pass beyond its fields: the barcode, where and near what the pass is
relevant (locations, iBeacons), the web service and NFC of Apple passes, links and messages
shown with it, and the event or trip it is for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from passkit import apple_rules
from passkit.apple_rules import (
    MAX_BEACON_NUMBER,
    MAX_LATITUDE,
    MAX_LONGITUDE,
    MAX_NFC_MESSAGE_BYTES,
    rule,
)
from passkit.model.base import Model
from passkit.model.choices import BarcodeFormat, LinkKind
from passkit.web_service import token_breach, url_breach


class Barcode(Model):
    field_rules: ClassVar[Mapping[str, str]] = {"message": "apple.barcode.message"}

    format: BarcodeFormat = BarcodeFormat.QR
    message: Annotated[str, Field(min_length=1)]
    encoding: str = "iso-8859-1"
    alt_text: str | None = None

    @model_validator(mode="after")
    def _encodable(self) -> Self:
        try:
            "".encode(self.encoding)
        except LookupError:
            raise apple_rules.rule("apple.barcode.encoding").error(
                where="barcode.encoding", encoding=self.encoding
            ) from None
        try:
            self.message.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = self.message[exc.start : exc.end]
            raise apple_rules.rule("apple.barcode.encodable").error(
                where="barcode.message", text=bad, encoding=self.encoding
            ) from None
        if self.format is BarcodeFormat.CODE128 and not self.message.isascii():
            raise apple_rules.rule("apple.barcode.code128-ascii").error(where="barcode.message")
        return self


class Location(Model):
    field_rules: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("latitude", "longitude"), "apple.location.coordinates"
    )

    latitude: Annotated[float, Field(ge=-MAX_LATITUDE, le=MAX_LATITUDE)]
    longitude: Annotated[float, Field(ge=-MAX_LONGITUDE, le=MAX_LONGITUDE)]
    altitude: float | None = None
    relevant_text: str | None = None


class Beacon(Model):
    field_rules: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("major", "minor"), "apple.beacon.numbers"
    )

    proximity_uuid: UUID
    major: Annotated[int, Field(ge=0, le=MAX_BEACON_NUMBER)] | None = None
    minor: Annotated[int, Field(ge=0, le=MAX_BEACON_NUMBER)] | None = None
    relevant_text: str | None = None

    @field_validator("proximity_uuid", mode="before")
    @classmethod
    def _uuid(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                problem = f"{value!r} is not a UUID"
                raise rule("apple.beacon.uuid").broken(problem=problem) from None
        return value

    @model_validator(mode="after")
    def _minor_needs_major(self) -> Self:
        if self.minor is not None and self.major is None:
            raise rule("apple.beacon.minor-needs-major").broken()
        return self


class WebService(Model):
    """Where the wallet asks for updates of the pass, and the secret it proves itself with."""

    url: str
    authentication_token: str

    @field_validator("url", "authentication_token")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        # An https:// address (http:// only on this machine), and a token long enough.
        breach = (url_breach if info.field_name == "url" else token_breach)(value)
        if breach is not None:
            raise breach
        return value


class Nfc(Model):
    field_rules: ClassVar[Mapping[str, str]] = {"message": "apple.nfc.message"}

    message: Annotated[str, Field(min_length=1)]
    encryption_public_key: str | None = None
    requires_authentication: bool = False

    @field_validator("message")
    @classmethod
    def _short(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if size > MAX_NFC_MESSAGE_BYTES:
            raise rule("apple.nfc.message").broken(
                problem=f"an NFC message holds at most {MAX_NFC_MESSAGE_BYTES} bytes, got {size}"
            )
        return value


class Link(Model):
    """A link shown with the pass: a web page, an e-mail address, a phone number or a place."""

    kind: LinkKind = LinkKind.WEB
    uri: Annotated[str, Field(min_length=1)]
    label: str | None = None
    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")] | None = None


class Message(Model):
    """A message shown to the holder (on the back of an Apple pass, in Google's message list)."""

    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$")]
    header: str
    body: str


class Event(Model):
    field_rules: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("starts_at", "ends_at", "doors_open_at"), "apple.date.time-zone"
    )

    name: str
    venue_name: str | None = None
    venue_address: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    doors_open_at: AwareDatetime | None = None


class Place(Model):
    code: str | None = None
    name: str | None = None


class Trip(Model):
    """The journey of a boarding pass, for wallets that show it in a structured way."""

    field_rules: ClassVar[Mapping[str, str]] = dict.fromkeys(
        ("departs_at", "arrives_at"), "apple.date.time-zone"
    )

    origin: Place
    destination: Place
    departs_at: AwareDatetime | None = None
    arrives_at: AwareDatetime | None = None
    carrier: str | None = None
    number: str | None = None
    passenger: str | None = None
    seat: str | None = None
    gate: str | None = None
    platform: str | None = None
