"""Open, verify and assert on what passkit builds: Apple bundles and Google save links; play
APNs for the pushes that update passes (`ApnsStandIn`) and Google's Wallet API for the patches
and messages that update Google passes (`GoogleStandIn`).

    from passkit.testing import open_pkpass, assert_field

    bundle = open_pkpass("out/M-1001.pkpass")
    bundle.assert_valid(ca="certs/root.pem")
    assert_field(bundle, "points", 120, label="Points", group="primary")

Names are imported on first use, so that the pytest plugin (which imports this package) costs
nothing to a test suite that does not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passkit.lazy import LazyExports

if TYPE_CHECKING:
    from passkit.testing.apns import ApnsAnswer as ApnsAnswer
    from passkit.testing.apns import ApnsPush as ApnsPush
    from passkit.testing.apns import ApnsStandIn as ApnsStandIn
    from passkit.testing.archive import ArchiveLimits as ArchiveLimits
    from passkit.testing.assertions import PassAssertionError as PassAssertionError
    from passkit.testing.assertions import assert_barcode as assert_barcode
    from passkit.testing.assertions import assert_field as assert_field
    from passkit.testing.assertions import assert_valid as assert_valid
    from passkit.testing.bundle_check import Report as Report
    from passkit.testing.bundle_check import VerificationError as VerificationError
    from passkit.testing.device import WalletDevice as WalletDevice
    from passkit.testing.device import WebServiceRuleError as WebServiceRuleError
    from passkit.testing.google import GoogleStandIn as GoogleStandIn
    from passkit.testing.google_views import GoogleClassView as GoogleClassView
    from passkit.testing.google_views import GoogleObjectView as GoogleObjectView
    from passkit.testing.pkpass import Bundle as Bundle
    from passkit.testing.pkpass import open_pkpass as open_pkpass
    from passkit.testing.savelink import SaveLinkView as SaveLinkView
    from passkit.testing.savelink import open_save_link as open_save_link
    from passkit.testing.service import PasskitService as PasskitService
    from passkit.testing.views import BarcodeView as BarcodeView
    from passkit.testing.views import FieldNotFound as FieldNotFound
    from passkit.testing.views import FieldView as FieldView

_exports = LazyExports(
    __name__,
    {
        "ApnsAnswer": "passkit.testing.apns",
        "ApnsPush": "passkit.testing.apns",
        "ApnsStandIn": "passkit.testing.apns",
        "ArchiveLimits": "passkit.testing.archive",
        "PassAssertionError": "passkit.testing.assertions",
        "assert_barcode": "passkit.testing.assertions",
        "assert_field": "passkit.testing.assertions",
        "assert_valid": "passkit.testing.assertions",
        "WalletDevice": "passkit.testing.device",
        "WebServiceRuleError": "passkit.testing.device",
        "GoogleStandIn": "passkit.testing.google",
        "Bundle": "passkit.testing.pkpass",
        "Report": "passkit.testing.bundle_check",
        "VerificationError": "passkit.testing.bundle_check",
        "open_pkpass": "passkit.testing.pkpass",
        "PasskitService": "passkit.testing.service",
        "GoogleClassView": "passkit.testing.google_views",
        "GoogleObjectView": "passkit.testing.google_views",
        "SaveLinkView": "passkit.testing.savelink",
        "open_save_link": "passkit.testing.savelink",
        "BarcodeView": "passkit.testing.views",
        "FieldNotFound": "passkit.testing.views",
        "FieldView": "passkit.testing.views",
    },
)

__all__ = _exports.all


def __getattr__(name: str) -> Any:
    return _exports.get(name)


def __dir__() -> list[str]:
    return _exports.dir(globals())
