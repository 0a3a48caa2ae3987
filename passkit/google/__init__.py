"""Google Wallet: classes and objects compiled from a `Pass`, signed save links, a REST client.

account = ServiceAccount.from_file("service-account.json")
gp = compile_google(p, issuer_id="3388000000012345678", options=layout.google)
link = save_link(gp, account)          # link.url, or link.skinny + link.notice
WalletClient(account).upsert(gp)        # when the link is skinny: insert first

Names are imported on first use: loading a layout reads `passkit.google.options`, and an
Apple-only build should not pay for the JWT library, the HTTP client and the compilers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passkit.lazy import LazyExports

if TYPE_CHECKING:
    from passkit.google.compile import compile_google as compile_google
    from passkit.google.credentials import ServiceAccount as ServiceAccount
    from passkit.google.google_pass import GooglePass as GooglePass
    from passkit.google.kinds import KINDS as KINDS
    from passkit.google.kinds import GoogleKind as GoogleKind
    from passkit.google.links import DecodedSaveLink as DecodedSaveLink
    from passkit.google.links import SaveLink as SaveLink
    from passkit.google.links import read_save_link as read_save_link
    from passkit.google.links import save_link as save_link
    from passkit.google.options import GoogleOptions as GoogleOptions
    from passkit.google.rest import WalletClient as WalletClient

_exports = LazyExports(
    __name__,
    {
        "KINDS": "passkit.google.kinds",
        "DecodedSaveLink": "passkit.google.links",
        "GoogleKind": "passkit.google.kinds",
        "GoogleOptions": "passkit.google.options",
        "GooglePass": "passkit.google.google_pass",
        "SaveLink": "passkit.google.links",
        "ServiceAccount": "passkit.google.credentials",
        "WalletClient": "passkit.google.rest",
        "compile_google": "passkit.google.compile",
        "read_save_link": "passkit.google.links",
        "save_link": "passkit.google.links",
    },
)

__all__ = _exports.all


def __getattr__(name: str) -> Any:
    return _exports.get(name)


def __dir__() -> list[str]:
    return _exports.dir(globals())
