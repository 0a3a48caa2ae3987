"""The database engine of the pass service, and its schema's migrations.

SQLite (the default, one file) and PostgreSQL (several processes or machines) are both
reached through SQLAlchemy. On SQLite every transaction that writes starts with BEGIN IMMEDIATE,
so that two processes never both read and then both try to write (which SQLite would refuse
to one of them); readers go on reading meanwhile, the file being in WAL mode.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from passkit.errors import PasskitError


class DatabaseError(PasskitError):
    """The database cannot be reached, or its schema is not the one this passkit uses."""


# The SQLite connection's wait for a lock another process holds, in seconds.
SQLITE_BUSY_TIMEOUT = 30
_WRITE = "passkit_write"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_migrated: set[str] = set()
_migrating = threading.Lock()


def database_url(given: str) -> str:
    """A SQLAlchemy URL for `given`: a URL as it is, a bare file path as a SQLite file."""
    if "://" in given:
        return given
    return f"sqlite:///{Path(given).expanduser()}"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite set up for several processes (see the module)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise DatabaseError(
            f"{_safe(url)} is not a database URL; use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/NAME"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"{_safe(url)}: passkit keeps passes in SQLite or PostgreSQL; use sqlite:///FILE "
            "or postgresql+psycopg://USER@HOST/NAME"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # The driver passkit installs (the `postgres` extra) is psycopg 3.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise DatabaseError(
            f"cannot use {_safe(url)}: {exc}; for PostgreSQL install passkit[postgres]"
        ) from None


def _sqlite_engine(url: sa.URL) -> Engine:
    if url.database and url.database != ":memory:":
        # Absolute: the file stays the same whatever the working directory becomes.
        path = Path(url.database).expanduser().resolve()
        if not path.parent.is_dir():
            raise DatabaseError(f"{url.database}: the folder {path.parent} does not exist")
        url = url.set(database=str(path))
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # passkit says when transactions begin (below), not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode, NORMAL never corrupts the file; a power cut may undo the last commits
        # (not a crash of the process). It spares an fsync per change: a third of an update.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed at the end, rolled back on an exception."""
    with engine.connect().execution_options(**{_WRITE: True}) as connection, connection.begin():
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A transaction that only reads."""
    with engine.connect() as connection, connection.begin():
        yield connection


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> str | None:
    """Bring the schema to this passkit's newest revision; returns the revision it was at."""
    from alembic import command

    with engine.connect() as connection:
        before = current_revision(connection)
        command.upgrade(_alembic_config(connection), "head")
        connection.commit()
    return before


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision: str | None = MigrationContext.configure(connection).get_current_revision()
    return revision


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def ensure_schema(engine: Engine) -> None:
    """Check that the schema is current, once per process and database.

    An empty SQLite database is migrated here, on first use: a file database is created by
    passkit for one machine, and making its tables is part of creating it. Any other database
    that is behind (and every PostgreSQL one) is left alone with a message saying to run
    `passkit service migrate`, since a shared schema is changed by its operator, once.
    """
    key = engine.url.render_as_string(hide_password=True)
    if key in _migrated:
        return
    with _migrating:
        if key in _migrated:
            return
        try:
            with engine.connect() as connection:
                revision = current_revision(connection)
                empty = revision is None and not sa.inspect(connection).get_table_names()
        except sa.exc.OperationalError as exc:
            raise DatabaseError(f"cannot open {_safe(key)}: {exc.orig}") from None
        head = head_revision()
        if revision != head:
            if not (empty and engine.dialect.name == "sqlite"):
                raise DatabaseError(
                    f"the database {_safe(key)} is at schema revision {revision or 'none'}, "
                    f"this passkit needs {head}: run `passkit service migrate --database URL`"
                )
            migrate(engine)
        _migrated.add(key)


def _safe(url: str) -> str:
    """`url` without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "the database URL given"
