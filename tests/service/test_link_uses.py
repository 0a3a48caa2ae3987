"""The database's side of links and callbacks: the nonce store shared by workers, and the
schema revision that brought links and wallet states to a registry with passes in it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from passkit.service.database import _alembic_config, head_revision, make_engine, migrate
from passkit.service.linkuses import DatabaseNonceStore
from passkit.service.store import Store
from tests.service.support import PostgresServer

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'passes.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.database()
    made = make_engine(url)
    migrate(made)
    yield made
    made.dispose()


def test_a_nonce_is_accepted_once(engine: sa.Engine) -> None:
    nonces = DatabaseNonceStore(engine)
    soon = NOW + timedelta(minutes=5)
    assert nonces.add_if_new("n1", expires_at=soon, now=NOW)
    assert not nonces.add_if_new("n1", expires_at=soon, now=NOW)
    # Once its message has expired, the nonce is forgotten (the verifier refuses the message
    # as expired before it asks).
    later = soon + timedelta(seconds=1)
    assert nonces.add_if_new("n1", expires_at=later + timedelta(minutes=5), now=later)


def test_concurrent_deliveries_of_one_nonce_accept_one(engine: sa.Engine) -> None:
    nonces = DatabaseNonceStore(engine)
    soon = NOW + timedelta(minutes=5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        accepted = list(
            pool.map(lambda _: nonces.add_if_new("same", expires_at=soon, now=NOW), range(16))
        )
    assert accepted.count(True) == 1


def test_a_registry_at_revision_0001_keeps_its_passes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.connect() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.commit()
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO passes (serial, pass_type_id, layout, layout_hash, record, status,"
                " content_hash, token_key, tag, issued_at, updated_at) VALUES ('HAC-1', "
                "'pass.x', 'generic', 'h', '{}', 'active', 'c', 'k0', 1, :t, :t)"
            ),
            {"t": NOW},
        )
    assert migrate(engine) == "0001"
    stored = Store(engine).get("HAC-1")
    assert stored is not None
    assert stored.wallet_state == "issued" and stored.link_id is None
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM links")).scalar() == 0
    assert head_revision() != "0001"
