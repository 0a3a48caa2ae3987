"""The floor: detached PKCS#7 signatures over distinct manifests, key loaded once, nothing else.

Run as a whole process (start-up included), like passkit's own runs it is compared with:
    python benchmarks/floor.py CERT.pem KEY.pem WWDR.pem COUNT
"""

from __future__ import annotations

import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7


def main() -> None:
    cert_path, key_path, wwdr_path, count = sys.argv[1:5]
    certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    wwdr = x509.load_pem_x509_certificate(Path(wwdr_path).read_bytes())
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    for index in range(int(count)):
        manifest = (
            b'{"icon.png":"3f786850e387550fdab836ed7e6dc881de23001b","pass.json":"%040x"}' % index
        )
        (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(manifest)
            .add_signer(certificate, key, hashes.SHA256())
            .add_certificate(wwdr)
            .sign(serialization.Encoding.DER, options)
        )


if __name__ == "__main__":
    main()
