"""The schema: the migrations make exactly the tables `passkit.service.schema` describes."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from passkit.service.database import (
    DatabaseError,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    migrate,
)
from passkit.service.schema import metadata
from tests.service.support import PostgresServer


def differences(url: str) -> list[object]:
    engine = make_engine(url)
    assert migrate(engine) is None
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        found: list[object] = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    return found


def test_the_migrations_make_the_described_schema_on_sqlite(tmp_path: Path) -> None:
    assert differences(f"sqlite:///{tmp_path / 'passes.db'}") == []


def test_the_migrations_make_the_described_schema_on_postgresql(postgres: PostgresServer) -> None:
    assert differences(postgres.database()) == []


def test_a_shared_database_is_never_migrated_behind_its_operators_back(
    postgres: PostgresServer,
) -> None:
    engine = make_engine(postgres.database())
    with pytest.raises(DatabaseError, match="passkit service migrate"):
        ensure_schema(engine)
    migrate(engine)
    ensure_schema(engine)
    engine.dispose()


def test_database_urls_are_checked(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="not a database URL"):
        make_engine("no url at all://")
    with pytest.raises(DatabaseError, match="SQLite or PostgreSQL"):
        make_engine("mysql://user@host/passes")
    with pytest.raises(DatabaseError, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path / 'missing' / 'p.db'}")
    with pytest.raises(DatabaseError, match="cannot open"):
        ensure_schema(make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"))


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_a_database_of_the_previous_revision_keeps_its_passes_when_migrated(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import sqlalchemy as sa
    from alembic import command

    from passkit.service.database import _alembic_config

    if where == "sqlite":
        url = f"sqlite:///{tmp_path / 'passes.db'}"
    else:
        url = request.getfixturevalue("postgres").database()
    engine = make_engine(url)
    with engine.connect() as connection:
        command.upgrade(_alembic_config(connection), "0002")
        connection.execute(
            sa.text(
                "INSERT INTO passes (serial, pass_type_id, layout, layout_hash, record, status, "
                "content_hash, token_key, tag, issued_at, updated_at) VALUES ('s1', 'pass.x', "
                "'loyalty', 'h', '{}', 'active', 'c', '', 1, :now, :now)"
            ),
            {"now": "2026-12-06 06:00:00+00:00"},
        )
        connection.commit()
    assert migrate(engine) == "0002"
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT serial, wallet_state FROM passes")).one()
        assert tuple(row) == ("s1", "issued")
        empty = sa.text("SELECT count(*) FROM google_classes, google_notifications")
        assert connection.execute(empty).scalar_one() == 0
    engine.dispose()
