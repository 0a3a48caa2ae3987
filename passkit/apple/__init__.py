"""Apple Wallet: compile a `Pass` to pass.json, images and localisations, sign and zip it.

    from passkit.apple import AppleSigner, build_pkpass, write_pkpass
    signer = AppleSigner.from_pem("pass-cert.pem", "pass-key.pem")
    write_pkpass("out/member.pkpass", the_pass, signer)

Modules: `passjson` (the pass.json mapping and Apple's field rules), `styles` (what each style
shows and allows), `images` (sizing and caching the images), `strings` (pass.strings),
`bundle` (manifest, signature, zip), `signing` (certificates and the signature).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passkit.apple.bundle import build_pkpass, bundle_files, write_pkpass
from passkit.apple.passjson import compile_pass_json

if TYPE_CHECKING:
    from passkit.apple.signing import AppleSigner

__all__ = ["AppleSigner", "build_pkpass", "bundle_files", "compile_pass_json", "write_pkpass"]


def __getattr__(name: str) -> Any:
    # The signer pulls in the certificate machinery; import it only when asked for.
    if name == "AppleSigner":
        from passkit.apple.signing import AppleSigner

        return AppleSigner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
