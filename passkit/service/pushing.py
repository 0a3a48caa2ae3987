"""How a registry's changes leave it: its Apple sender, its Google sender, and the thread that
runs both after each change (see `passkit.service.sender`, `passkit.service.google_sender`
and `passkit.service.background`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from passkit.environment import ENV_PUSH
from passkit.google.rest import WalletClient, api_endpoints
from passkit.service.background import BackgroundSender
from passkit.service.google_sender import GoogleSender
from passkit.service.issued_passes import IssuedPasses
from passkit.service.sender import DrainReport, Sender, apns_client_for

if TYPE_CHECKING:
    from passkit.service.apns import ApnsClient


class Pushing:
    """The senders of one registry's passes, made on first need (see `Registry`'s `push`)."""

    def __init__(
        self,
        registry: IssuedPasses,
        *,
        push: bool | None,
        apns: ApnsClient | None,
        google_client: WalletClient | None,
        google_api_url: str | None = None,
    ) -> None:
        self.registry = registry
        self._apns = apns
        self._google_client = google_client
        self._google_api_url = google_api_url
        self._apple: Sender | None = None
        self._google: GoogleSender | None = None
        self.background: BackgroundSender | None = None
        if push is None:
            push = os.environ.get(ENV_PUSH, "background").strip().lower() != "off"
        if push and (registry.apple is not None or registry.maker.google is not None):
            apple = self.apple if registry.apple is not None else None
            self.background = BackgroundSender(apple, self.google)

    @property
    def apple(self) -> Sender:
        """The sender of the registry's Apple pushes (its APNs client made on first push)."""
        if self._apple is None:
            signer, given = self.registry.apple, self._apns
            self._apple = Sender(
                self.registry.store.engine,
                given if given is not None else lambda: apns_client_for(signer),
            )
        return self._apple

    @property
    def google(self) -> GoogleSender | None:
        """The sender of the registry's changes to Google (None without Google)."""
        credentials = self.registry.maker.google
        if self._google is None and credentials is not None:
            client = self._google_client
            if client is None:
                base_url, token_url = api_endpoints(self._google_api_url)
                client = WalletClient(credentials.account(), base_url=base_url, token_url=token_url)
            self._google = GoogleSender(self.registry, client)
        return self._google

    def wake(self) -> None:
        if self.background is not None:
            self.background.wake()

    def drain(self) -> DrainReport:
        """Google changes, then Apple pushes, in this thread (so that a stopped APNs never
        holds up Google)."""
        report = DrainReport()
        if self.google is not None:
            report.add(self.google.drain())
        if self.registry.apple is not None:
            report.add(self.apple.drain())
        return report

    def wait(self, timeout: float) -> bool:
        if self.background is None:
            return True
        idle = self.background.wait_idle(timeout)
        if self.background.error is not None:
            raise self.background.error
        return idle

    @property
    def report(self) -> DrainReport:
        return self.background.report if self.background is not None else DrainReport()

    def close(self) -> None:
        if self.background is not None:
            self.background.stop()
            return
        if self._apple is not None:
            self._apple.close()
        if self._google is not None:
            self._google.close()
