"""The parts of a pass beyond its fields: the barcode, where and near what the pass is
relevant (locations, iBeacons), the web service and NFC of Apple passes, links and messages
shown with it, and the event or trip it is for."""

from __future__ import annotations

from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from passkit import apple_rules
from passkit.model.base import Model
from passkit.model.choices import BarcodeFormat, LinkKind
from passkit.web_service import token_problem, url_problem


class Barcode(Model):
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
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    altitude: float | None = None
    relevant_text: str | None = None


class Beacon(Model):
    proximity_uuid: UUID
    major: Annotated[int, Field(ge=0, le=65535)] | None = None
    minor: Annotated[int, Field(ge=0, le=65535)] | None = None
    relevant_text: str | None = None

    @field_validator("proximity_uuid", mode="before")
    @classmethod
    def _uuid(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return UUID(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a UUID; use the form E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"
                ) from None
        return value

    @model_validator(mode="after")
    def _minor_needs_major(self) -> Self:
        if self.minor is not None and self.major is None:
            raise ValueError("a beacon with a minor number needs a major number too")
        return self


class WebService(Model):
    """Where the wallet asks for updates of the pass, and the secret it proves itself with."""

    url: str
    authentication_token: str

    @field_validator("url", "authentication_token")
    @classmethod
    def _safe(cls, value: str, info: ValidationInfo) -> str:
        # An https:// address (http:// only on this machine), and a token long enough.
        problem = (url_problem if info.field_name == "url" else token_problem)(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class Nfc(Model):
    message: Annotated[str, Field(min_length=1)]
    encryption_public_key: str | None = None
    requires_authentication: bool = False

    @field_validator("message")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value.encode("utf-8")) > 64:
            raise ValueError("an NFC message holds at most 64 bytes")
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
