"""passkit: declarative layouts in, signed Apple Wallet bundles and Google Wallet links out.

    from passkit import AppleSigner, build_pkpass, load_layout

    layout = load_layout("layouts/loyalty.yaml")            # checked and prepared once
    signer = AppleSigner.from_env()                         # PASSKIT_APPLE_* variables
    pass_ = layout.render({"member_id": "4012883310", "member_name": "Ada", "points": 120})
    pkpass = build_pkpass(pass_, signer)                    # signed .pkpass bytes

Names are imported on first use, so `import passkit` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passkit.lazy import LazyExports

if TYPE_CHECKING:
    from passkit.apple.bundle import build_pkpass as build_pkpass
    from passkit.apple.bundle import write_pkpass as write_pkpass
    from passkit.apple.signing import AppleSigner as AppleSigner
    from passkit.errors import BundleError as BundleError
    from passkit.errors import DataError as DataError
    from passkit.errors import ImageError as ImageError
    from passkit.errors import LayoutError as LayoutError
    from passkit.errors import PasskitError as PasskitError
    from passkit.errors import SigningError as SigningError
    from passkit.errors import WalletRuleError as WalletRuleError
    from passkit.google import ServiceAccount as ServiceAccount
    from passkit.google import compile_google as compile_google
    from passkit.google import save_link as save_link
    from passkit.layout import Layout as Layout
    from passkit.layout import load_layout as load_layout
    from passkit.model import Pass as Pass
    from passkit.model import PassField as PassField

_exports = LazyExports(
    __name__,
    {
        "AppleSigner": "passkit.apple.signing",
        "build_pkpass": "passkit.apple.bundle",
        "write_pkpass": "passkit.apple.bundle",
        "BundleError": "passkit.errors",
        "DataError": "passkit.errors",
        "ImageError": "passkit.errors",
        "LayoutError": "passkit.errors",
        "PasskitError": "passkit.errors",
        "SigningError": "passkit.errors",
        "WalletRuleError": "passkit.errors",
        "ServiceAccount": "passkit.google",
        "compile_google": "passkit.google",
        "save_link": "passkit.google",
        "Layout": "passkit.layout",
        "load_layout": "passkit.layout",
        "Pass": "passkit.model",
        "PassField": "passkit.model",
    },
)

__all__ = _exports.all


def __getattr__(name: str) -> Any:
    return _exports.get(name)


def __dir__() -> list[str]:
    return _exports.dir(globals())
