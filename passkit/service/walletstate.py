"""Whether each pass is in a wallet: installed and removed, as the wallets report it.

Apple tells through the web service: a device's first registration for a pass makes it
installed, the unregistration of its last device makes it removed (as does the sender when
APNs answers 410 for the last device's push token). Google tells through its save and delete
callbacks, which name the pass's object. The last report wins: a pass removed from one phone
and saved on another is installed. These changes are not the pass's own: they change no
bundle and no update tag.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from passkit.service import schema
from passkit.service.database import reading, writing
from passkit.service.state import STATUSES, WALLET_STATES, WalletState

passes, registrations = schema.passes, schema.registrations


def set_wallet_state(
    connection: Connection, state: WalletState, now: datetime, *, serial: str
) -> bool:
    """Set the pass's wallet state; False when no pass has this serial."""
    done = connection.execute(
        passes.update()
        .where(passes.c.serial == serial)
        .values(wallet_state=state.value, wallet_changed_at=now)
    )
    return bool(done.rowcount)


def registered_anywhere(connection: Connection, serial: str) -> bool:
    """Whether any device still holds a registration for the pass."""
    query = sa.select(registrations.c.serial).where(registrations.c.serial == serial).limit(1)
    return connection.execute(query).first() is not None


class WalletStates:
    """Reads and writes of the passes' wallet states."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def mark(self, serial: str, state: WalletState, now: datetime) -> bool:
        with writing(self.engine) as connection:
            return set_wallet_state(connection, state, now, serial=serial)

    def mark_google_object(self, object_id: str, state: WalletState, now: datetime) -> str | None:
        """Set the state of the pass whose Google object is `object_id`; its serial, or None."""
        with writing(self.engine) as connection:
            serial: str | None = connection.execute(
                sa.select(passes.c.serial).where(passes.c.google_object_id == object_id)
            ).scalar()
            if serial is not None:
                set_wallet_state(connection, state, now, serial=serial)
        return serial

    def counts(self) -> dict[str, dict[str, int]]:
        """Per layout: how many passes, and how many of each status and wallet state."""
        query = sa.select(
            passes.c.layout, passes.c.status, passes.c.wallet_state, sa.func.count()
        ).group_by(passes.c.layout, passes.c.status, passes.c.wallet_state)
        tallies: dict[str, Counter[str]] = {}
        with reading(self.engine) as connection:
            for layout, status, wallet_state, count in connection.execute(query):
                tally = tallies.setdefault(layout, Counter())
                tally["passes"] += count
                tally[status] += count
                tally[wallet_state] += count
        names = ("passes", *STATUSES, *WALLET_STATES)
        return {
            layout: {name: tallies[layout][name] for name in names} for layout in sorted(tallies)
        }
