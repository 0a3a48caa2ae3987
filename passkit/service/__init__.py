"""The pass service: what happens to a pass after it is issued, and how it reaches people.

The registry of issued passes and Apple's Wallet web service over it:

    from passkit.service import Registry

    registry = Registry("sqlite:///passes.db", layouts="layouts/", apple=signer,
                        web_service_url="https://example.com/passes/", secret=secret)
    issued = registry.issue("loyalty", {"member_id": "4012883310", ...})
    registry.update(issued.serial, {"points": 1250})
    app.mount("/passes", registry.web_service())

Names are imported on first use, so that importing the package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passkit.lazy import LazyExports

if TYPE_CHECKING:
    from passkit.service.config import ServiceConfig as ServiceConfig
    from passkit.service.database import DatabaseError as DatabaseError
    from passkit.service.issuing import Issued as Issued
    from passkit.service.registry import Registry as Registry
    from passkit.service.setting_checks import ConfigError as ConfigError
    from passkit.service.state import RegistryError as RegistryError
    from passkit.service.state import StoredPass as StoredPass
    from passkit.service.state import UnknownPass as UnknownPass
    from passkit.service.webservice import Limits as Limits

_exports = LazyExports(
    __name__,
    {
        "ConfigError": "passkit.service.setting_checks",
        "ServiceConfig": "passkit.service.config",
        "DatabaseError": "passkit.service.database",
        "Issued": "passkit.service.issuing",
        "Registry": "passkit.service.registry",
        "StoredPass": "passkit.service.state",
        "RegistryError": "passkit.service.state",
        "UnknownPass": "passkit.service.state",
        "Limits": "passkit.service.webservice",
    },
)

__all__ = _exports.all


def __getattr__(name: str) -> Any:
    return _exports.get(name)


def __dir__() -> list[str]:
    return _exports.dir(globals())
