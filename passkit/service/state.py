"""What the registry holds about one pass, as the Python API shows it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from passkit.errors import DataError, PasskitError
from passkit.model.choices import Status


class UnknownPass(PasskitError):
    """No pass with this serial number was issued by the registry."""

    def __init__(self, serial: str) -> None:
        self.serial = serial
        super().__init__(
            f"no pass with serial number {serial!r} was issued; `passkit pass list` shows those "
            "that were"
        )


class RegistryError(PasskitError):
    """A change to a pass that the registry refuses (the message says why and what to do)."""


class WalletState(StrEnum):
    """Whether a pass is in a wallet, kept apart from its status (active, redeemed, voided,
    expired): a redeemed pass may still be installed, a removed one may still be active.

    issued     no wallet has reported it yet
    installed  a device registered it with the web service, or Google said it was saved
    removed    its last device unregistered (or its push token is gone: APNs 410), or Google
               said it was deleted; installing it again makes it installed again
    """

    ISSUED = "issued"
    INSTALLED = "installed"
    REMOVED = "removed"


STATUSES = tuple(status.value for status in Status)
WALLET_STATES = tuple(state.value for state in WalletState)


def parse_status(value: str | Status) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise RegistryError(
            f"{value!r} is not a status; use one of {', '.join(STATUSES)}"
        ) from None


def parse_status_or_state(value: str | Status | WalletState) -> Status | WalletState:
    """A status, or a wallet state (for listing passes by either)."""
    if isinstance(value, Status | WalletState):
        return value
    if value in WALLET_STATES:
        return WalletState(value)
    try:
        return Status(value)
    except ValueError:
        raise RegistryError(
            f"{value!r} is neither a status nor a wallet state; use one of "
            f"{', '.join(STATUSES + WALLET_STATES)}"
        ) from None


@dataclass(frozen=True)
class PassState:
    """What a pass is made from: enough to render it again, byte for byte."""

    serial: str
    layout: str
    record: Mapping[str, Any]
    status: Status = Status.ACTIVE
    # When the pass was set to expired: its expiration date from then on.
    expired_at: datetime | None = None
    # None: the layout's own; a list (of Apple's JSON objects) once changed for this pass.
    locations: tuple[Mapping[str, Any], ...] | None = None
    beacons: tuple[Mapping[str, Any], ...] | None = None
    # When the pass was issued: the clock every rendering of it uses, so that an unchanged
    # record makes an unchanged pass.
    issued_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The id of the key of the service secret its authentication token comes from.
    token_key: str = ""


@dataclass(frozen=True)
class StoredPass:
    """A pass as the registry holds it (`Registry.get`)."""

    serial: str
    pass_type_id: str
    layout: str
    layout_hash: str
    # What the bundle holds (see `passkit.service.maker`).
    content_hash: str
    record: Mapping[str, Any]
    status: Status
    tag: int
    issued_at: datetime
    updated_at: datetime
    expired_at: datetime | None = None
    locations: tuple[Mapping[str, Any], ...] | None = None
    beacons: tuple[Mapping[str, Any], ...] | None = None
    token_key: str = ""
    wallet_state: WalletState = WalletState.ISSUED
    wallet_changed_at: datetime | None = None
    link_id: str | None = None

    @property
    def state(self) -> PassState:
        return PassState(
            serial=self.serial,
            layout=self.layout,
            record=self.record,
            status=self.status,
            expired_at=self.expired_at,
            locations=self.locations,
            beacons=self.beacons,
            issued_at=self.issued_at,
            token_key=self.token_key,
        )

    def summary(self) -> dict[str, Any]:
        """The pass as plain JSON-ready data (what `passkit pass show` prints)."""
        return {
            "serial": self.serial,
            "pass_type_id": self.pass_type_id,
            "layout": self.layout,
            "layout_hash": self.layout_hash,
            "status": self.status.value,
            "wallet_state": self.wallet_state.value,
            "wallet_changed_at": self.wallet_changed_at.isoformat()
            if self.wallet_changed_at
            else None,
            "tag": self.tag,
            "issued_at": self.issued_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "expired_at": self.expired_at.isoformat() if self.expired_at else None,
            "record": dict(self.record),
            "locations": list(self.locations) if self.locations is not None else None,
            "beacons": list(self.beacons) if self.beacons is not None else None,
        }


def utc(moment: datetime) -> datetime:
    """A time read from the database as an aware UTC time (SQLite keeps no offset)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as JSON stores it (dates as ISO text), so that what is rendered from the
    database later is what is rendered now."""
    if not isinstance(record, Mapping):
        raise DataError("a record is a mapping of input names to values")
    try:
        loaded: dict[str, Any] = json.loads(json.dumps(dict(record), default=_json_value))
    except (TypeError, ValueError) as exc:
        raise DataError(f"the record cannot be stored as JSON: {exc}") from None
    return loaded


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} values cannot be stored; give text or numbers")
