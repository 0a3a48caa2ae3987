"""The registry's reads and writes, each in one transaction (see `passkit.service.schema`).

Update tags come from one counter row, incremented in the transaction of the change it tags:
the row stays locked until that transaction commits, so tags are committed in the order they
are given, and a device that was told "lastUpdated: 41" can never miss a pass tagged 40 that
committed later. Changes to one pass are serialised by locking its row (SELECT ... FOR UPDATE
on PostgreSQL; SQLite's write transactions are serial anyway).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from passkit.model.choices import Status
from passkit.service import schema
from passkit.service.database import ensure_schema, reading, writing
from passkit.service.state import PassState, StoredPass, UnknownPass, WalletState, utc

passes, signed_passes, outbox = schema.passes, schema.signed_passes, schema.outbox

# The statements of every change, built once: SQLAlchemy then reuses their compiled SQL
# without building and keying a new statement each time (a fifth of a change's time).
_KEY: sa.BindParameter[str] = sa.bindparam("key_serial")
_LOCK = sa.select(passes).where(passes.c.serial == _KEY).with_for_update()
_GET = sa.select(passes).where(passes.c.serial == _KEY)
_UPDATE = passes.update().where(passes.c.serial == _KEY)
_SIGNED = sa.select(signed_passes.c.pkpass).where(signed_passes.c.serial == _KEY)
_UPDATE_SIGNED = signed_passes.update().where(signed_passes.c.serial == _KEY)
_UPDATE_PENDING = outbox.update().where(
    (outbox.c.serial == _KEY)
    & (outbox.c.target == sa.bindparam("key_target"))
    & (outbox.c.state == "pending")
)
_NEXT_TAG = (
    schema.counters.update()
    .where(schema.counters.c.name == schema.TAG_COUNTER)
    .values(value=schema.counters.c.value + 1)
    .returning(schema.counters.c.value)
)


@dataclass(frozen=True)
class Change:
    """The new state of a pass and what its bundle became, to be written in one transaction."""

    state: PassState
    pass_type_id: str
    layout_hash: str
    content_hash: str
    pkpass: bytes | None
    # Set when the pass is issued: the link that issued it, its Google object.
    link_id: str | None = None
    google_object_id: str | None = None


def now_utc() -> datetime:
    return datetime.now(UTC)


class Store:
    """The registry's database: one engine, shared by the threads of a process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_schema(engine)

    @contextmanager
    def locked(self, serial: str) -> Iterator[tuple[Connection, StoredPass]]:
        """A write transaction holding the row of `serial`; UnknownPass when there is none."""
        with writing(self.engine) as connection:
            row = connection.execute(_LOCK, {"key_serial": serial}).mappings().first()
            if row is None:
                raise UnknownPass(serial)
            yield connection, stored_pass(row)

    def insert(self, change: Change, connection: Connection | None = None) -> int:
        """Store a newly issued pass (in `connection`'s transaction when given); returns its
        tag. IntegrityError if the serial exists."""
        if connection is None:
            with writing(self.engine) as own:
                return self.insert(change, own)
        state = change.state
        tag = _next_tag(connection)
        connection.execute(
            passes.insert().values(
                serial=state.serial,
                **_state_values(change),
                tag=tag,
                issued_at=state.issued_at,
                updated_at=_whole_second(state.issued_at),
                wallet_state=WalletState.ISSUED.value,
                link_id=change.link_id,
                google_object_id=change.google_object_id,
            )
        )
        self._write_signed(connection, state.serial, tag, change.pkpass)
        return tag

    def write(
        self,
        connection: Connection,
        before: StoredPass,
        change: Change,
        *,
        bundle_changed: bool,
        message: str | None,
        targets: tuple[str, ...],
    ) -> int:
        """Write `change` to the locked pass `before`; a new tag and outbox rows when the bundle
        changed. Returns the pass's tag."""
        values = _state_values(change)
        tag = before.tag
        if bundle_changed:
            tag = _next_tag(connection)
            values["tag"] = tag
            values["updated_at"] = max(_whole_second(now_utc()), before.updated_at + _SECOND)
            self._write_signed(connection, before.serial, tag, change.pkpass)
            for target in targets:
                self._queue(connection, before.serial, target, tag, message)
        connection.execute(_UPDATE, {"key_serial": before.serial, **values})
        return tag

    def get(self, serial: str) -> StoredPass | None:
        with reading(self.engine) as connection:
            row = connection.execute(_GET, {"key_serial": serial}).mappings().first()
        return stored_pass(row) if row is not None else None

    def list(
        self,
        *,
        layout: str | None = None,
        status: Status | WalletState | None = None,
        limit: int | None = None,
    ) -> list[StoredPass]:
        query = sa.select(passes).order_by(passes.c.issued_at, passes.c.serial)
        if layout is not None:
            query = query.where(passes.c.layout == layout)
        if isinstance(status, WalletState):
            query = query.where(passes.c.wallet_state == status.value)
        elif status is not None:
            query = query.where(passes.c.status == status.value)
        if limit is not None:
            query = query.limit(limit)
        with reading(self.engine) as connection:
            return [stored_pass(row) for row in connection.execute(query).mappings()]

    def signed(self, serial: str) -> bytes | None:
        with reading(self.engine) as connection:
            pkpass: bytes | None = connection.execute(_SIGNED, {"key_serial": serial}).scalar()
        return pkpass

    def _write_signed(
        self, connection: Connection, serial: str, tag: int, pkpass: bytes | None
    ) -> None:
        if pkpass is None:
            return
        values = {"tag": tag, "pkpass": pkpass}
        done = connection.execute(_UPDATE_SIGNED, {"key_serial": serial, **values})
        if done.rowcount == 0:
            connection.execute(signed_passes.insert().values(serial=serial, **values))

    def _queue(
        self, connection: Connection, serial: str, target: str, tag: int, message: str | None
    ) -> None:
        """The pending outbox row of (serial, target), made or brought up to date (the pass's
        row lock keeps two changes of one pass from racing here)."""
        now = now_utc()
        values: dict[str, Any] = {"tag": tag, "updated_at": now}
        if message is not None:
            values["message"] = message
        keys = {"key_serial": serial, "key_target": target}
        done = connection.execute(_UPDATE_PENDING, {**keys, **values})
        if done.rowcount == 0:
            connection.execute(
                outbox.insert().values(
                    serial=serial,
                    target=target,
                    tag=tag,
                    message=message,
                    state="pending",
                    created_at=now,
                    updated_at=now,
                )
            )


_SECOND = timedelta(seconds=1)


def _whole_second(moment: datetime) -> datetime:
    # HTTP dates (Last-Modified) have whole seconds: each change of a pass gets a later one.
    return moment.replace(microsecond=0)


def _next_tag(connection: Connection) -> int:
    return int(connection.execute(_NEXT_TAG).scalar_one())


def _state_values(change: Change) -> dict[str, Any]:
    state = change.state
    return {
        "pass_type_id": change.pass_type_id,
        "layout": state.layout,
        "layout_hash": change.layout_hash,
        "record": dict(state.record),
        "status": state.status.value,
        "expired_at": state.expired_at,
        "locations": _json_list(state.locations),
        "beacons": _json_list(state.beacons),
        "content_hash": change.content_hash,
        "token_key": state.token_key,
    }


def _json_list(items: tuple[Mapping[str, Any], ...] | None) -> list[dict[str, Any]] | None:
    return None if items is None else [dict(item) for item in items]


def stored_pass(m: RowMapping) -> StoredPass:
    return StoredPass(
        serial=m["serial"],
        pass_type_id=m["pass_type_id"],
        layout=m["layout"],
        layout_hash=m["layout_hash"],
        content_hash=m["content_hash"],
        record=m["record"],
        status=Status(m["status"]),
        tag=int(m["tag"]),
        issued_at=utc(m["issued_at"]),
        updated_at=utc(m["updated_at"]),
        expired_at=utc(m["expired_at"]) if m["expired_at"] is not None else None,
        locations=tuple(m["locations"]) if m["locations"] is not None else None,
        beacons=tuple(m["beacons"]) if m["beacons"] is not None else None,
        token_key=m["token_key"],
        wallet_state=WalletState(m["wallet_state"]),
        wallet_changed_at=utc(m["wallet_changed_at"]) if m["wallet_changed_at"] else None,
        link_id=m["link_id"],
    )
