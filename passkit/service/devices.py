"""The web service's reads and writes: devices, their registrations, and the passes they fetch.

Registering twice at once (two workers, one device) must make one registration: the inserts
use the database's own "insert unless it exists" (ON CONFLICT DO NOTHING / DO UPDATE), whose
row count says whether the registration is new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from passkit.service import schema
from passkit.service.database import reading, writing
from passkit.service.state import WalletState, utc
from passkit.service.store import now_utc
from passkit.service.walletstate import registered_anywhere, set_wallet_state

passes, devices, registrations = schema.passes, schema.devices, schema.registrations
signed_passes = schema.signed_passes

# Built once, as in `passkit.service.store`: the web service runs these on every request.
_SERIAL: sa.BindParameter[str] = sa.bindparam("key_serial")
_PASS_TYPE: sa.BindParameter[str] = sa.bindparam("key_pass_type")
_DEVICE: sa.BindParameter[str] = sa.bindparam("key_device")
_PASS_EXISTS = sa.select(passes.c.serial).where(
    (passes.c.serial == _SERIAL) & (passes.c.pass_type_id == _PASS_TYPE)
)
_DEVICE_PASSES = (
    sa.select(passes.c.serial, passes.c.tag)
    .join(registrations, registrations.c.serial == passes.c.serial)
    .where((registrations.c.device_id == _DEVICE) & (passes.c.pass_type_id == _PASS_TYPE))
    .order_by(passes.c.tag)
)
_UPDATED_SINCE = _DEVICE_PASSES.where(passes.c.tag > sa.bindparam("since"))
_LATEST = (
    sa.select(signed_passes.c.pkpass, passes.c.updated_at, passes.c.tag)
    .join(signed_passes, signed_passes.c.serial == passes.c.serial)
    .where((passes.c.serial == _SERIAL) & (passes.c.pass_type_id == _PASS_TYPE))
)


@dataclass(frozen=True)
class Latest:
    """A pass's signed bundle as it is now, and when it last changed."""

    pkpass: bytes
    updated_at: datetime
    tag: int


class DeviceStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        from sqlalchemy.dialects import postgresql, sqlite

        # Both dialects spell "insert unless it exists" alike.
        dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert: Any = dialect.insert

    def register(
        self, device_id: str, push_token: str, pass_type_id: str, serial: str
    ) -> bool | None:
        """Register the device for the pass; True if new, False if it was, None if no such pass."""
        now = now_utc()
        with writing(self.engine) as connection:
            if not _pass_exists(connection, pass_type_id, serial):
                return None
            device = self._insert(devices).values(
                device_id=device_id, push_token=push_token, created_at=now, updated_at=now
            )
            connection.execute(
                device.on_conflict_do_update(
                    index_elements=[devices.c.device_id],
                    set_={"push_token": push_token, "updated_at": now},
                )
            )
            registration = self._insert(registrations).values(
                device_id=device_id, serial=serial, created_at=now
            )
            # A row comes back only when this insert made it.
            made = registration.on_conflict_do_nothing().returning(registrations.c.serial)
            created = connection.execute(made).first() is not None
            if created:
                set_wallet_state(connection, WalletState.INSTALLED, now, serial=serial)
            return created

    def unregister(self, device_id: str, pass_type_id: str, serial: str) -> bool:
        """Remove the registration (and the device, once it holds none); False if no such pass.

        The pass is removed from wallets once its last registration goes."""
        with writing(self.engine) as connection:
            if not _pass_exists(connection, pass_type_id, serial):
                return False
            gone = connection.execute(
                registrations.delete().where(
                    (registrations.c.device_id == device_id) & (registrations.c.serial == serial)
                )
            )
            if gone.rowcount and not registered_anywhere(connection, serial):
                set_wallet_state(connection, WalletState.REMOVED, now_utc(), serial=serial)
            left = sa.select(registrations.c.serial).where(registrations.c.device_id == device_id)
            connection.execute(
                devices.delete().where((devices.c.device_id == device_id) & ~sa.exists(left))
            )
            return True

    def updated_since(
        self, device_id: str, pass_type_id: str, since: int | None
    ) -> tuple[list[str], int]:
        """The serials of the device's passes of this type tagged after `since` (all when None),
        and the highest of their tags."""
        keys = {"key_device": device_id, "key_pass_type": pass_type_id}
        with reading(self.engine) as connection:
            if since is None:
                rows = connection.execute(_DEVICE_PASSES, keys).all()
            else:
                rows = connection.execute(_UPDATED_SINCE, {**keys, "since": since}).all()
        return [row.serial for row in rows], max((int(row.tag) for row in rows), default=0)

    def latest(self, pass_type_id: str, serial: str) -> Latest | None:
        keys = {"key_serial": serial, "key_pass_type": pass_type_id}
        with reading(self.engine) as connection:
            row = connection.execute(_LATEST, keys).first()
        if row is None:
            return None
        return Latest(bytes(row.pkpass), utc(row.updated_at), int(row.tag))

    def registered(self, serial: str) -> list[tuple[str, str]]:
        """The devices registered for a pass, with their push tokens."""
        query = (
            sa.select(devices.c.device_id, devices.c.push_token)
            .join(registrations, registrations.c.device_id == devices.c.device_id)
            .where(registrations.c.serial == serial)
            .order_by(devices.c.device_id)
        )
        with reading(self.engine) as connection:
            return [(row.device_id, row.push_token) for row in connection.execute(query)]


def _pass_exists(connection: Connection, pass_type_id: str, serial: str) -> bool:
    keys = {"key_serial": serial, "key_pass_type": pass_type_id}
    return connection.execute(_PASS_EXISTS, keys).first() is not None
