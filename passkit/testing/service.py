"""`PasskitService`: passkit's own pass service, running for a test, wired to an APNs stand-in.

    with ApnsStandIn(client_ca=certs.root) as apns, PasskitService(signer, apns) as service:
        issued = service.registry.issue("loyalty", record)
        device = WalletDevice(); device.add(issued.pkpass)
        service.registry.update(issued.serial, {"points": 1250})
        apns.wait_for(1)

The registry keeps its passes in a SQLite file of a temporary folder and serves Apple's web
service with uvicorn on 127.0.0.1 (a free port, plain HTTP, which Wallet's protocol allows on
loopback for development). Each change is pushed from a thread of the registry, as in
production, to the stand-in over TLS and HTTP/2, with the signer's pass type certificate.
Given a `GoogleStandIn` (and the key file of the service account it accepts), the registry
issues Google passes too and applies each change to the stand-in's objects from that thread.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

    from passkit.apple.signing import AppleSigner
    from passkit.service.layouts import LayoutSource
    from passkit.service.registry import Registry
    from passkit.testing.apns import ApnsStandIn
    from passkit.testing.google import GoogleStandIn

PATH = "/passes"


class PasskitService:
    """A pass service for a test: `registry`, `url` (its web service URL); see the module."""

    def __init__(
        self,
        signer: AppleSigner,
        apns: ApnsStandIn,
        *,
        layouts: LayoutSource = None,
        folder: str | Path | None = None,
        google: GoogleStandIn | None = None,
        google_account: str | Path | None = None,
        issuer_id: str = "3388000000000000001",
    ) -> None:
        if google is not None and google_account is None:
            raise ValueError("a Google stand-in needs google_account: the key file it accepts")
        self.signer = signer
        self.apns = apns
        self.google = google
        self.google_account = google_account
        self.issuer_id = issuer_id
        self.layouts = layouts
        self._given_folder = Path(folder) if folder is not None else None
        self.folder = Path()
        self.url = ""
        self._registry: Registry | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            raise RuntimeError("the service is not running: use it as a context manager")
        return self._registry

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.folder / 'passes.db'}"

    def start(self) -> PasskitService:
        import uvicorn

        from passkit.service.apns import ApnsClient, CertificateAuth
        from passkit.service.app import mounted
        from passkit.service.registry import Registry

        self.folder = self._given_folder or Path(tempfile.mkdtemp(prefix="passkit-service-"))
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        port = listening.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}{PATH}"
        apns = ApnsClient(
            CertificateAuth.from_signer(self.signer), url=self.apns.url, ca_file=self.apns.ca_file
        )
        self._registry = Registry(
            self.database_url,
            layouts=self.layouts,
            apple=self.signer,
            web_service_url=self.url,
            secret=secrets.token_urlsafe(32),
            push=True,
            apns=apns,
            **self._google_options(),
        )
        config = uvicorn.Config(mounted(self._registry), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        server = self._server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listening]}, name="passkit-service", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the pass service did not start within 30 s")
            time.sleep(0.01)
        return self

    def _google_options(self) -> dict[str, Any]:
        """The registry's Google credentials and client, for the Google stand-in."""
        if self.google is None or self.google_account is None:
            return {}
        from passkit.batch.build_plan import GoogleCredentials

        credentials = GoogleCredentials.resolve(
            service_account=str(self.google_account), issuer_id=self.issuer_id
        )
        assert credentials is not None
        client = self.google.client(credentials.account())
        return {"google": credentials, "google_client": client}

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._registry is not None:
            self._registry.close()
        if self._given_folder is None and self.folder != Path():
            shutil.rmtree(self.folder, ignore_errors=True)
        self._server = self._thread = self._registry = None

    def __enter__(self) -> PasskitService:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
