"""`passkit service`: the database's schema, the Wallet web service on its own, and the
senders that push changes to the devices."""

from __future__ import annotations

import os
import threading

import click

from passkit.cli.options import google_api_url_option
from passkit.cli.text import shown
from passkit.environment import (
    ENV_DATABASE_URL,
    ENV_GOOGLE_API_URL,
    ENV_LAYOUTS,
    ENV_WEB_SERVICE_URL,
)

DATABASE_HELP = (
    "Database URL or SQLite file [env PASSKIT_DATABASE_URL; default sqlite:///passkit.db]."
)
# Checked by ServiceConfig, which reads PASSKIT_GOOGLE_API_URL too.
service_google_api_url_option = google_api_url_option(
    "The Google Wallet REST API to apply changes through [env PASSKIT_GOOGLE_API_URL; "
    "default: Google's]; its access tokens then come from /token on the same server.",
    checked_here=False,
)


@click.group()
def service() -> None:
    """The pass service: migrate its database, run its web service, push its changes."""


@service.command()
@click.option("--database", help=DATABASE_HELP)
def migrate(database: str | None) -> None:
    """Create the database's tables, or bring them to this passkit's schema."""
    from passkit.service.config import ServiceConfig
    from passkit.service.database import head_revision, make_engine
    from passkit.service.database import migrate as run_migrations

    config = ServiceConfig.load(database_url=database)
    engine = make_engine(config.database_url)
    before = run_migrations(engine)
    head = head_revision()
    where = engine.url.render_as_string(hide_password=True)
    if before == head:
        click.echo(f"{shown(where)}: the schema is current (revision {head})")
    else:
        click.echo(f"{shown(where)}: migrated from revision {before or 'none'} to {head}")


@service.command()
@click.option("--database", help=DATABASE_HELP)
@click.option("--layouts", help="Folder of layouts [env PASSKIT_LAYOUTS; default: shipped].")
@click.option(
    "--web-service-url",
    help="Public address written into passes [env PASSKIT_WEB_SERVICE_URL]; the service "
    "answers at its path.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
@service_google_api_url_option
def run(
    database: str | None,
    layouts: str | None,
    web_service_url: str | None,
    host: str,
    port: int,
    workers: int,
    google_api_url: str | None,
) -> None:
    """Serve Apple's Wallet web service with uvicorn, with the issuance links' pages (and
    Google's callbacks, when PASSKIT_GOOGLE_CALLBACK_ROOT_KEYS is set) under the same URL.

    The secret comes from PASSKIT_SERVICE_SECRET only (never from the command line, where
    other users could read it). Several workers share the database: use PostgreSQL for more
    than one machine.
    """
    import uvicorn

    from passkit.service.config import ServiceConfig

    config = ServiceConfig.load(
        database_url=database,
        layouts=layouts,
        web_service_url=web_service_url,
        google_api_url=google_api_url,
    )
    config.require_web_service()
    # Checked here, once, so that a wrong setting is one line now and not one per worker.
    config.registry()
    assert config.web_service_url is not None
    os.environ[ENV_DATABASE_URL] = config.database_url
    os.environ[ENV_WEB_SERVICE_URL] = config.web_service_url
    if config.layouts is not None:
        os.environ[ENV_LAYOUTS] = str(config.layouts)
    if config.google_api_url is not None:
        os.environ[ENV_GOOGLE_API_URL] = config.google_api_url
    plural = "" if workers == 1 else "s"
    click.echo(
        f"serving {shown(config.web_service_url)} on http://{shown(host)}:{port}"
        f" ({workers} worker{plural})"
    )
    uvicorn.run(
        "passkit.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # Bounds on what a client may send before the application sees it.
        h11_max_incomplete_event_size=16384,
        timeout_keep_alive=5,
        limit_concurrency=1000,
    )


@service.command()
@click.option("--database", help=DATABASE_HELP)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--once", is_flag=True, help="Send what is due, then stop.")
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.05, 3600),
    help="Seconds between looks at the outbox when nothing is due.",
)
@click.option(
    "--lease",
    default=300.0,
    show_default=True,
    type=click.FloatRange(1, 86400),
    help="Seconds a claimed change is held before another sender may take it again (a "
    "sender that died holds it no longer than this).",
)
@service_google_api_url_option
def push(
    database: str | None,
    workers: int,
    once: bool,
    poll: float,
    lease: float,
    google_api_url: str | None,
) -> None:
    """Push the outbox's changes to the devices that hold the passes (APNs).

    Credentials as for the web service (PASSKIT_APPLE_*, or PASSKIT_APNS_KEY_FILE, _KEY_ID and
    _TEAM_ID); PASSKIT_APNS_URL says where to push. With Google credentials, the changes are
    applied to the passes' Google objects too, through --google-api-url. Several workers, on
    one machine or many, share a PostgreSQL outbox without sending a change twice.
    """
    from passkit.service.config import ServiceConfig
    from passkit.service.push_worker import (
        WorkerSettings,
        run_worker,
        run_workers,
        stop_on_signals,
    )

    config = ServiceConfig.load(database_url=database, google_api_url=google_api_url)
    settings = WorkerSettings(
        config.database_url,
        once=once,
        poll=poll,
        lease=lease,
        google_api_url=config.google_api_url,
    )
    if workers > 1:
        raise SystemExit(run_workers(settings, workers))
    stop = threading.Event()
    stop_on_signals(stop)
    report = run_worker(settings, stop)
    if once:
        click.echo(
            f"{report.rows} changes pushed to {report.delivered} devices; "
            f"{report.dropped} registrations removed; {report.kept} kept for later"
        )
