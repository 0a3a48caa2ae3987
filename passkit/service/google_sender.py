"""`GoogleSender`: applies the outbox's Google rows to the passes' Google Wallet objects.

Each row names a pass that changed (several changes before the sync are one row, with the
latest message). The sender renders the pass as the registry holds it now and lets
`GoogleSync` make Google hold it: the object patched (state, values, validity, locations),
the class patched once when its layout changed it (the class's hash is kept in the database),
and the change message added as a notification while the pass's three a day last, then as
plain text (the count is kept in the database, for every sender). A row is deleted once Google
holds the change. Any failure (Google unreachable, a quota, a refusal) gives the row back with
a back-off, to be tried again; it never touches the Apple rows, which are sent on their own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from passkit.errors import PasskitError
from passkit.service.google_store import ClassHashes, DatabaseNotificationBudget
from passkit.service.google_sync import GoogleSync
from passkit.service.issued_passes import IssuedPasses
from passkit.service.outbox import Claimed, Outbox
from passkit.service.sender import DrainReport, RowBackoff

if TYPE_CHECKING:
    from passkit.google.rest import WalletClient

log = logging.getLogger("passkit.sender")

GOOGLE = "google"


class GoogleSender:
    """Drains the Google rows of `registry`'s outbox through `client` (see the module)."""

    def __init__(
        self,
        registry: IssuedPasses,
        client: WalletClient,
        *,
        batch: int = 50,
        lease: float = 300.0,
        backoff: RowBackoff | None = None,
    ) -> None:
        engine = registry.store.engine
        self.registry = registry
        self.client = client
        self.outbox = Outbox(engine)
        self.sync = GoogleSync(client, DatabaseNotificationBudget(engine))
        self.classes = ClassHashes(engine)
        self.batch = batch
        self.lease = lease
        self.backoff = backoff or RowBackoff()

    def close(self) -> None:
        self.client.close()

    def drain(self) -> DrainReport:
        """Apply every due row, batch after batch, until none is."""
        report = DrainReport()
        while True:
            rows = self.outbox.claim(GOOGLE, self.batch, self.lease)
            if not rows:
                return report
            for row in rows:
                if self._apply(row):
                    report.rows += 1
                else:
                    report.kept += 1

    def _apply(self, row: Claimed) -> bool:
        """Apply one row; True when Google holds the change (the row is deleted)."""
        try:
            stored = self.registry.get(row.serial)
            if stored is not None:
                made = self.registry.made(stored)
                if made.google is not None:
                    result = self.sync.apply(
                        made.pass_,
                        made.google,
                        status=stored.status.value,
                        message=row.message,
                        class_hash=self.classes.get(made.google.class_id),
                    )
                    if result.class_patched:
                        self.classes.put(made.google.class_id, result.class_hash)
        except PasskitError as error:
            delay = self.backoff.delay(row.attempts + 1)
            self.outbox.give_back([row], delay=delay, error=str(error))
            log.warning("pass %s: Google change kept for %.0fs: %s", row.serial, delay, error)
            return False
        self.outbox.done([row])
        return True
