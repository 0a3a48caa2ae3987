"""What the database keeps for issuance links and Google callbacks.

A link's uses are counted in its row of `links`, made on the link's first use. A use holds
the row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write transactions are serial)
from the count's check until the pass it issues is stored, in one transaction: however many
requests arrive at once, on however many workers, a link never gives more than `max_uses`
passes, and a personal link's second visit finds the pass its first one stored.

Nonces of Google callbacks live in `callback_nonces` until their messages expire; the primary
key makes "add unless present" atomic across processes. Google's root keys are read when the
registry is made, so that a wrong file is one line at start-up.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from passkit.service import schema
from passkit.service.database import writing
from passkit.service.linktokens import LinkPayload
from passkit.service.state import RegistryError

if TYPE_CHECKING:
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.service.google_callbacks import CallbackVerifier, RootKey

links, passes, nonces = schema.links, schema.passes, schema.callback_nonces


def _dialect_insert(connection: Connection) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert


def lock_link(connection: Connection, payload: LinkPayload, now: datetime) -> int:
    """The number of times the link was used, with its row locked until the transaction ends
    (the row is made on the link's first use)."""
    insert = _dialect_insert(connection)(links).values(
        link_id=payload.link_id,
        layout=payload.layout,
        kind=payload.kind.value,
        max_uses=payload.max_uses,
        uses=0,
        first_used_at=now,
        last_used_at=now,
    )
    connection.execute(insert.on_conflict_do_nothing())
    query = sa.select(links.c.uses).where(links.c.link_id == payload.link_id).with_for_update()
    return int(connection.execute(query).scalar_one())


def count_use(connection: Connection, payload: LinkPayload, now: datetime) -> None:
    """One more use of the locked link."""
    connection.execute(
        links.update()
        .where(links.c.link_id == payload.link_id)
        .values(uses=links.c.uses + 1, last_used_at=now)
    )


def pass_of_link(connection: Connection, link_id: str) -> str | None:
    """The serial of the (first) pass the link issued, or None."""
    query = (
        sa.select(passes.c.serial)
        .where(passes.c.link_id == link_id)
        .order_by(passes.c.issued_at, passes.c.serial)
        .limit(1)
    )
    serial: str | None = connection.execute(query).scalar()
    return serial


def link_of_pass(connection: Connection, serial: str) -> tuple[bool, str | None]:
    """Whether a pass has this serial, and the link that issued it."""
    row = connection.execute(sa.select(passes.c.link_id).where(passes.c.serial == serial)).first()
    return (row is not None, row.link_id if row is not None else None)


def link_uses(connection: Connection, link_id: str) -> int:
    """How many times a link was used (0 if never)."""
    found = connection.execute(sa.select(links.c.uses).where(links.c.link_id == link_id)).scalar()
    return int(found or 0)


class DatabaseNonceStore:
    """A `NonceStore` (see `passkit.service.google_callbacks`) in the registry's database,
    shared by every worker and machine of the service."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_if_new(self, nonce: str, *, expires_at: datetime, now: datetime) -> bool:
        with writing(self.engine) as connection:
            connection.execute(nonces.delete().where(nonces.c.expires_at < now))
            insert = _dialect_insert(connection)(nonces).values(nonce=nonce, expires_at=expires_at)
            made = insert.on_conflict_do_nothing().returning(nonces.c.nonce)
            return connection.execute(made).first() is not None


def root_keys(path: str | Path | None, google: GoogleCredentials | None) -> tuple[RootKey, ...]:
    """Google's root keys for callbacks from their file, read now (at start-up); none
    without a file."""
    if path is None:
        return ()
    if google is None:
        raise RegistryError(
            "Google callbacks need Google credentials (google=, or PASSKIT_GOOGLE_*): the "
            "issuer id is part of what their signatures cover"
        )
    from passkit.service.google_callbacks import load_root_keys

    return load_root_keys(Path(path))


def callback_verifier(
    keys: tuple[RootKey, ...], google: GoogleCredentials | None, engine: Engine
) -> CallbackVerifier | None:
    """The verifier of Google's callbacks, its nonces in the database; None without keys."""
    if not keys or google is None:
        return None
    from passkit.service.google_callbacks import CallbackVerifier

    return CallbackVerifier(
        issuer_id=google.issuer_id, root_keys=keys, nonces=DatabaseNonceStore(engine)
    )
