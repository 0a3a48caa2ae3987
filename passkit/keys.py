"""Private keys loaded without OpenSSL's slow consistency check, and proven by a signature.

Loading an RSA key runs OpenSSL's check of its internal consistency, which costs every
process's start-up (a batch worker's, a web server's) more than a hundred signatures
(docs/performance.md). Both
wallets' signers load keys without it and instead check what it protects: that the key makes
signatures its public key (or its certificate) verifies. A damaged key fails that check.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

_TRIAL_MESSAGE = b"passkit: does this key make signatures its public key verifies?"


def load_private_key(data: bytes, password: bytes | None) -> PrivateKeyTypes:
    """A PEM or DER private key, without the consistency check (prove it with
    `signs_verifiably`). Raises what cryptography's loaders raise."""
    if b"-----BEGIN" in data:
        return serialization.load_pem_private_key(
            data, password, unsafe_skip_rsa_key_validation=True
        )
    return serialization.load_der_private_key(data, password, unsafe_skip_rsa_key_validation=True)


def signs_verifiably(key: PrivateKeyTypes, public: PublicKeyTypes) -> bool:
    """Whether a signature of `key` verifies with `public`; True for key types not checked."""
    try:
        if isinstance(key, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey):
            pkcs1v15, sha256 = padding.PKCS1v15(), hashes.SHA256()
            public.verify(
                key.sign(_TRIAL_MESSAGE, pkcs1v15, sha256), _TRIAL_MESSAGE, pkcs1v15, sha256
            )
        elif isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(
            public, ec.EllipticCurvePublicKey
        ):
            ecdsa = ec.ECDSA(hashes.SHA256())
            public.verify(key.sign(_TRIAL_MESSAGE, ecdsa), _TRIAL_MESSAGE, ecdsa)
    except (InvalidSignature, ValueError):
        return False
    return True
