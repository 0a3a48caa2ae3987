"""The pass service in tests: registries on SQLite, a real PostgreSQL server, and the web
service run by uvicorn in a process of its own, as `passkit service run` runs it."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.service import Registry

SECRET = "a service secret for the tests only"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def uses_of(engine: sa.Engine, link_id: str) -> int:
    """How many times the registry counted a link as used."""
    from passkit.service.linkuses import link_uses

    with engine.connect() as connection:
        return link_uses(connection, link_id)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def registry_at(database_url: str, signer: AppleSigner, **options: Any) -> Registry:
    """A registry signing with `signer` whose passes name a web service on 127.0.0.1 (no
    server answers there): for the tests that drive its outbox themselves."""
    options.setdefault("push", False)
    return Registry(
        database_url,
        apple=signer,
        web_service_url="http://127.0.0.1:9/passes",
        secret=SECRET,
        **options,
    )


def service_settings(
    certs: DevCertificates, database_url: str, web_service_url: str
) -> dict[str, str]:
    """The PASSKIT_* settings of a pass service signing with the development certificates."""
    return {
        "PASSKIT_DATABASE_URL": database_url,
        "PASSKIT_WEB_SERVICE_URL": web_service_url,
        "PASSKIT_SERVICE_SECRET": SECRET,
        "PASSKIT_APPLE_CERT": str(certs.pass_certificate),
        "PASSKIT_APPLE_KEY": str(certs.pass_key),
        "PASSKIT_WWDR": str(certs.wwdr),
    }


def use_service_settings(
    monkeypatch: pytest.MonkeyPatch,
    certs: DevCertificates,
    web_service_url: str,
    database_url: str | None = None,
) -> None:
    """Set the service's PASSKIT_* variables for a test (no database URL: the default,
    passkit.db in the working directory)."""
    settings = service_settings(certs, database_url or "", web_service_url)
    if database_url is None:
        del settings["PASSKIT_DATABASE_URL"]
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def service_env(certs: DevCertificates, database_url: str, web_service_url: str) -> dict[str, str]:
    """The environment `passkit service run` (and every uvicorn worker) reads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    env.update(service_settings(certs, database_url, web_service_url))
    env["PASSKIT_PUSH"] = "off"
    env["PASSKIT_CACHE_DIR"] = os.environ.get("PASSKIT_CACHE_DIR", "")
    return env


@contextlib.contextmanager
def running_service(
    certs: DevCertificates,
    database_url: str,
    *,
    workers: int = 1,
    path: str = "/passes",
    settings: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`passkit service run` on 127.0.0.1 until the block ends; yields the web service URL.

    `settings`: more PASSKIT_* variables (Google's, say)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    command = [sys.executable, "-m", "passkit", "service", "run", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command,
        env={**service_env(certs, database_url, url), **(settings or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_serving(process, url, workers)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_serving(process: subprocess.Popen[str], url: str, workers: int) -> None:
    deadline = time.monotonic() + 60
    # The log endpoint answers 200 to any device: each worker is up once it does.
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"passkit service run ended ({process.returncode}): {output}")
        try:
            if httpx.post(f"{url}/v1/log", json={"logs": []}, timeout=2).status_code == 200:
                if workers > 1:
                    time.sleep(1.5)  # the other workers start alongside the first
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("passkit service run did not answer within 60 s")


# -- PostgreSQL -------------------------------------------------------------------------------


def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database for a test parametrised "sqlite" or "postgresql": a SQLite file (an
    empty one is migrated on first use), or a database of the session's PostgreSQL server
    migrated by `passkit service migrate`."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'passes.db'}"
    from passkit.service.database import head_revision
    from tests.support.cli import passkit

    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.database()
    migrated = passkit("service", "migrate", "--database", url)
    assert migrated.returncode == 0, migrated.stderr
    assert f"migrated from revision none to {head_revision()}" in migrated.stdout
    return url


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL's programs (initdb, pg_ctl), or None if not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parents[1].name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server on 127.0.0.1 in a temporary folder."""

    bin: Path
    folder: Path
    port: int
    as_user: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=200 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def database(self) -> str:
        """A new, empty database; its URL."""
        name = f"passkit_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_user, str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer | str]:
    """A running server, or the reason there is none (PostgreSQL not installed)."""
    bin = postgres_bin()
    if bin is None:
        yield "PostgreSQL is not installed (Debian's postgresql package; .ci/run installs it)"
        return
    folder = Path(tempfile.mkdtemp(prefix="passkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: the server runs as nobody, in a folder of its own.
        shutil.chown(folder, user="nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    server = PostgresServer(bin, folder, free_port(), as_user)
    try:
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
