"""The web service as a whole ASGI application, mounted at its URL's path.

`create_app` reads the configuration from the environment (PASSKIT_DATABASE_URL,
PASSKIT_WEB_SERVICE_URL, PASSKIT_SERVICE_SECRET, PASSKIT_LAYOUTS, PASSKIT_APPLE_*): it is the
factory uvicorn imports in each worker process (`passkit service run --workers N`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.routing import Mount

from passkit.service.config import ServiceConfig
from passkit.service.registry import Registry


def mounted(registry: Registry) -> Starlette:
    """The registry's web service at the path of its web service URL (say /passes)."""
    assert registry.web_service_url is not None
    path = urlsplit(registry.web_service_url).path.rstrip("/")
    service = registry.web_service()
    if not path:
        return service  # type: ignore[return-value]
    return Starlette(routes=[Mount(path, service)])


def create_app() -> Starlette:
    config = ServiceConfig.load()
    config.require_web_service()
    return mounted(config.registry())
