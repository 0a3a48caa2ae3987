"""Making Google hold a batch's passes (`passkit build --google-insert`): each pass's class and
object inserted through the Google Wallet REST API, several objects at a time, by a client of
each process's own."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from passkit.errors import GoogleApiError, PasskitError

if TYPE_CHECKING:
    from passkit.google import GooglePass, ServiceAccount, WalletClient

# Objects a process inserts through the Google Wallet REST API at once (each insert is mostly
# a wait for the network).
INSERTS_IN_FLIGHT = 8


class GoogleInserts:
    """Inserts into the Google Wallet API at `base_url` with `account`'s access tokens (from
    `token_url`, or the account's own token endpoint); after a failure that the next passes
    would meet too, they fail at once."""

    def __init__(self, account: ServiceAccount, base_url: str, token_url: str | None) -> None:
        self.account, self.base_url, self.token_url = account, base_url, token_url
        # The REST client and insert threads of each process (see `_io`), and why inserting
        # stopped.
        self._io_of: dict[int, tuple[WalletClient, ThreadPoolExecutor]] = {}
        self._down: str | None = None

    def check_access(self) -> None:
        """Get an access token now: a key Google refuses, or an API out of reach, would fail
        every pass alike."""
        self._io()[0].access_token()

    def insert(self, passes: Sequence[GooglePass]) -> list[PasskitError | None]:
        """Make Google hold the passes' classes (once per process) and objects: for each pass,
        the error that stopped it, or None.

        Each insert waits on the network, so the objects are sent INSERTS_IN_FLIGHT at a time,
        after their class.
        """
        client, threads = self._io()
        # (A class this process has upserted already costs no request.)
        errors = [self._call(client.upsert_class, google_pass) for google_pass in passes]
        waiting = [index for index, error in enumerate(errors) if error is None]
        answers = threads.map(
            lambda index: self._call(client.upsert_object, passes[index]), waiting
        )
        for index, answer in zip(waiting, answers, strict=True):
            errors[index] = answer
        return errors

    def _call(
        self, request: Callable[[GooglePass], object], google_pass: GooglePass
    ) -> PasskitError | None:
        """`request(google_pass)`, and the error it raised, if any."""
        if self._down is not None:
            return GoogleApiError(
                f"not inserted: {self._down}; run again with --skip-existing to build "
                "the passes left"
            )
        try:
            request(google_pass)
        except GoogleApiError as exc:
            if exc.status is None or exc.status in (401, 403):
                # Out of reach, timed out or refusing the account: the next records would fare
                # no better, each after its own wait. They fail at once instead.
                self._down = f"the Google Wallet API failed earlier in this batch ({exc})"
            return exc
        return None

    def _io(self) -> tuple[WalletClient, ThreadPoolExecutor]:
        """This process's REST client and insert threads, made on first use.

        Neither an HTTP client's connections nor threads survive a fork: each process makes
        its own, and leaves those it inherited untouched.
        """
        made = self._io_of.get(os.getpid())
        if made is None:
            from passkit.google import WalletClient

            client = WalletClient(self.account, base_url=self.base_url, token_url=self.token_url)
            threads = ThreadPoolExecutor(INSERTS_IN_FLIGHT, thread_name_prefix="google-insert")
            made = self._io_of[os.getpid()] = (client, threads)
        return made
