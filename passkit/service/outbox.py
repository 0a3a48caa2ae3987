"""The outbox as senders use it: claim what is due, then delete it once sent or give it back.

A sender claims rows in a short transaction and pushes outside it, so that no change of a pass
ever waits for APNs. Claiming sets a row to 'sending' with `not_before` at the end of a lease;
its sender deletes it after the push went out (at least once: a row is never deleted before
its push), or gives it back ('pending', with a back-off) when APNs asked to wait. A row whose
lease ran out belongs to a sender that died: the next claim takes it again, and its pushes go
out again (a push is idempotent: the device asks what changed and finds it).

On PostgreSQL the claim selects with FOR UPDATE SKIP LOCKED: several senders claim at once
without waiting for each other and never claim the same row. On SQLite, claims are write
transactions (BEGIN IMMEDIATE) and so one at a time.

A change made while its row is being sent adds a new pending row (the push may have left
before the change committed); a row given back while a newer pending row exists is deleted,
the newer one standing for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from passkit.service import schema
from passkit.service.database import reading, writing
from passkit.service.state import WalletState, utc
from passkit.service.store import now_utc
from passkit.service.walletstate import registered_anywhere, set_wallet_state

outbox, passes = schema.outbox, schema.passes
devices, registrations = schema.devices, schema.registrations

PENDING, SENDING = "pending", "sending"
# The longest text of an error kept on a row.
_ERROR_CHARS = 500


@dataclass(frozen=True)
class Claimed:
    """An outbox row a sender holds: what to send and for which pass type."""

    id: int
    serial: str
    target: str
    tag: int
    message: str | None
    attempts: int
    pass_type_id: str


@dataclass(frozen=True)
class Holder:
    """A device registered for a pass, with its push token."""

    device_id: str
    serial: str
    push_token: str


class Outbox:
    """The outbox of one database, for senders (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, target: str, limit: int, lease: float) -> list[Claimed]:
        """Up to `limit` due rows of `target`, oldest first, held for `lease` seconds."""
        now = now_utc()
        pending_due = (outbox.c.state == PENDING) & (
            outbox.c.not_before.is_(None) | (outbox.c.not_before <= now)
        )
        abandoned = (outbox.c.state == SENDING) & (outbox.c.not_before <= now)
        query = (
            sa.select(
                outbox.c.id,
                outbox.c.serial,
                outbox.c.target,
                outbox.c.tag,
                outbox.c.message,
                outbox.c.attempts,
                passes.c.pass_type_id,
            )
            .join(passes, passes.c.serial == outbox.c.serial)
            .where((outbox.c.target == target) & (pending_due | abandoned))
            .order_by(outbox.c.id)
            .limit(limit)
            # Rendered on PostgreSQL only; SQLite's write transactions are serial.
            .with_for_update(skip_locked=True, of=outbox)
        )
        with writing(self.engine) as connection:
            rows = connection.execute(query).all()
            if rows:
                connection.execute(
                    outbox.update()
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(state=SENDING, not_before=now + timedelta(seconds=lease))
                )
        return [
            Claimed(
                int(row.id),
                row.serial,
                row.target,
                int(row.tag),
                row.message,
                int(row.attempts),
                row.pass_type_id,
            )
            for row in rows
        ]

    def done(self, rows: Iterable[Claimed]) -> None:
        """Delete rows whose pushes went out."""
        ids = [row.id for row in rows]
        if not ids:
            return
        with writing(self.engine) as connection:
            connection.execute(
                outbox.delete().where(outbox.c.id.in_(ids) & (outbox.c.state == SENDING))
            )

    def extend(self, rows: Iterable[Claimed], lease: float) -> None:
        """Hold claimed rows for `lease` seconds more (a long batch renews its claim as it
        goes, so that no other sender takes it meanwhile)."""
        ids = [row.id for row in rows]
        until = now_utc() + timedelta(seconds=lease)
        with writing(self.engine) as connection:
            connection.execute(
                outbox.update()
                .where(outbox.c.id.in_(ids) & (outbox.c.state == SENDING))
                .values(not_before=until)
            )

    def give_back(
        self, rows: Iterable[Claimed], *, delay: float, error: str, attempt: bool = True
    ) -> None:
        """Make rows pending again, due in `delay` seconds, with the error that kept them
        (counted as an attempt unless `attempt` is False)."""
        now = now_utc()
        with writing(self.engine) as connection:
            for row in rows:
                _give_back(connection, row, now + timedelta(seconds=delay), error, attempt)

    def holders(self, serials: Sequence[str]) -> list[Holder]:
        """The devices registered for these passes, with their push tokens."""
        if not serials:
            return []
        query = (
            sa.select(registrations.c.device_id, registrations.c.serial, devices.c.push_token)
            .join(devices, devices.c.device_id == registrations.c.device_id)
            .where(registrations.c.serial.in_(list(serials)))
            .order_by(registrations.c.serial, registrations.c.device_id)
        )
        with reading(self.engine) as connection:
            return [Holder(r.device_id, r.serial, r.push_token) for r in connection.execute(query)]

    def drop(self, holders: Iterable[Holder]) -> list[str]:
        """Remove the registrations whose token APNs refuses for good (only while the device
        still has that token: it may have registered again with a new one since), and the
        devices left with none; returns the passes no device holds any more, which are now
        removed from wallets (`WalletState.REMOVED`)."""
        now, emptied = now_utc(), []
        dropped = list(holders)
        with writing(self.engine) as connection:
            for holder in dropped:
                same_token = sa.select(devices.c.device_id).where(
                    (devices.c.device_id == holder.device_id)
                    & (devices.c.push_token == holder.push_token)
                )
                connection.execute(
                    registrations.delete().where(
                        (registrations.c.device_id == holder.device_id)
                        & (registrations.c.serial == holder.serial)
                        & sa.exists(same_token)
                    )
                )
                left = sa.select(registrations.c.serial).where(
                    registrations.c.device_id == holder.device_id
                )
                connection.execute(
                    devices.delete().where(
                        (devices.c.device_id == holder.device_id) & ~sa.exists(left)
                    )
                )
            for serial in sorted({holder.serial for holder in dropped}):
                if not registered_anywhere(connection, serial):
                    set_wallet_state(connection, WalletState.REMOVED, now, serial=serial)
                    emptied.append(serial)
        return emptied

    def next_due(self, target: str) -> float | None:
        """Seconds until the earliest row of `target` waiting out a back-off or a lease is due
        (0 when one is due now), or None when none waits."""
        query = sa.select(sa.func.min(outbox.c.not_before)).where(
            (outbox.c.target == target) & outbox.c.not_before.is_not(None)
        )
        with reading(self.engine) as connection:
            earliest = connection.execute(query).scalar()
        if earliest is None:
            return None
        return max(0.0, (utc(earliest) - now_utc()).total_seconds())

    def count(self, target: str, state: str = PENDING) -> int:
        """How many rows of `target` are in `state`."""
        query = sa.select(sa.func.count()).where(
            (outbox.c.target == target) & (outbox.c.state == state)
        )
        with reading(self.engine) as connection:
            return int(connection.execute(query).scalar_one())


def _give_back(
    connection: Connection, row: Claimed, due: object, error: str, attempt: bool
) -> None:
    # The pass's row lock orders this with a change of the pass that adds a pending row.
    connection.execute(
        sa.select(passes.c.serial).where(passes.c.serial == row.serial).with_for_update()
    )
    newer = sa.select(outbox.c.id).where(
        (outbox.c.serial == row.serial)
        & (outbox.c.target == row.target)
        & (outbox.c.state == PENDING)
    )
    if connection.execute(newer).first() is not None:
        connection.execute(outbox.delete().where(outbox.c.id == row.id))
        return
    connection.execute(
        outbox.update()
        .where((outbox.c.id == row.id) & (outbox.c.state == SENDING))
        .values(
            state=PENDING,
            attempts=row.attempts + (1 if attempt else 0),
            not_before=due,
            last_error=error[:_ERROR_CHARS],
            updated_at=now_utc(),
        )
    )
