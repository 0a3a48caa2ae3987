"""`Registry`: the passes a service issued, changed only in ways that keep phones current.

The registry is the one public entry of the pass service: it issues passes (its part
`passkit.service.issuing`), changes them (`passkit.service.changing`), reads and lists them
(`passkit.service.issued_passes`), and holds what the changes need to leave it: the senders of
pushes and Google changes (`passkit.service.pushing`), the issuance links
(`passkit.service.linkissuer`) and the web service (`passkit.service.webservice`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passkit.service.auth import PassTokenKeys
from passkit.service.changing import Changing
from passkit.service.database import database_url, make_engine
from passkit.service.issuing import Issued, Issuing
from passkit.service.layouts import LayoutSet, LayoutSource
from passkit.service.linkissuer import LinkIssuer
from passkit.service.linkroutes import link_routes
from passkit.service.linktokens import LinkKind, LinkPayload
from passkit.service.linkuses import callback_verifier, root_keys
from passkit.service.maker import PassMaker
from passkit.service.pushing import Pushing
from passkit.service.sender import DrainReport
from passkit.service.setting_checks import (
    DEFAULT_DATABASE_URL,
    check_google_api_url,
    check_secret,
    check_web_service_url,
)
from passkit.service.state import RegistryError, WalletState
from passkit.service.store import Store
from passkit.service.walletstate import WalletStates
from passkit.service.webservice import Limits, web_service

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from passkit.apple.signing import AppleSigner
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google.rest import WalletClient
    from passkit.service.apns import ApnsClient


class Registry(Issuing, Changing):
    """Issued passes in a database (SQLite or PostgreSQL), one object per process.

    `layouts` is a folder of layouts or a list of layout files and shipped layouts' names
    (None: the shipped layouts); `apple` signs bundles; `web_service_url` (https, or http on
    loopback) and `secret` make passes updatable: each carries the URL and a token derived
    from the secret (one secret of 32+ characters, or ``kid:secret`` entries, the current
    first, as in PASSKIT_SERVICE_SECRET). `google` (GoogleCredentials) makes a save link for
    each pass too; `google_callback_root_keys` (a file of Google's root signing keys, in
    Google's format) lets the web service take Google's save and delete callbacks.

    With Apple signing, each change is pushed to the devices that hold the pass from a thread
    of this process, right after it commits (`push=True`, the default unless PASSKIT_PUSH is
    "off"); with `push=False` the outbox waits for `passkit service push` or `push_pending()`.
    `apns` is the APNs client to push with (default: `ApnsClient` from the PASSKIT_APNS_*
    settings and this signer's certificate, made on the first push). With `google`, each
    change is applied to the pass's Google object the same way, through `google_client`
    (default: a `WalletClient` of the service account for `google_api_url`, Google's own API
    when None).
    """

    def __init__(
        self,
        database: str = DEFAULT_DATABASE_URL,
        *,
        layouts: LayoutSource = None,
        apple: AppleSigner | None = None,
        web_service_url: str | None = None,
        secret: str | bytes | PassTokenKeys | None = None,
        google: GoogleCredentials | None = None,
        push: bool | None = None,
        apns: ApnsClient | None = None,
        google_client: WalletClient | None = None,
        google_callback_root_keys: str | Path | None = None,
        google_api_url: str | None = None,
    ) -> None:
        if web_service_url is not None and secret is None:
            raise RegistryError("a web service URL needs a secret for the passes' tokens")
        url = check_web_service_url(web_service_url) if web_service_url is not None else None
        keys = secret if not isinstance(secret, str | bytes) else check_secret(secret)
        layout_set = LayoutSet(layouts)
        if apple is not None:
            apple.check()
        store = Store(make_engine(database_url(database)))
        maker = PassMaker(apple=apple, google=google, web_service_url=url, keys=keys)
        super().__init__(store, layout_set, maker)
        self.google_root_keys = root_keys(google_callback_root_keys, google)
        api_url = check_google_api_url(google_api_url) if google_api_url is not None else None
        self.pushing = Pushing(
            self, push=push, apns=apns, google_client=google_client, google_api_url=api_url
        )

    def push_pending(self) -> DrainReport:
        """Send every Apple push that is due now, and apply every Google change that is, in
        this thread; ApnsRefusedError stops the pushes (Google changes are applied first, so
        that it never holds them up)."""
        return self.pushing.drain()

    def wait_for_pushes(self, timeout: float = 30.0) -> bool:
        """Wait until the background sender has sent what the changes so far queued (or
        kept it for later); False on time-out. Raises the error that stopped it, if any."""
        return self.pushing.wait(timeout)

    @property
    def push_report(self) -> DrainReport:
        """What the background sender sent so far (an empty report when there is none)."""
        return self.pushing.report

    def close(self) -> None:
        """Stop the background sender and close the APNs connections (pushes not sent yet
        stay in the outbox)."""
        self.pushing.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        url = self.store.engine.url.render_as_string(hide_password=True)
        return f"<Registry {url} {self.layouts!r}>"

    def _after_change(self) -> None:
        self.pushing.wake()

    # -- issuance links and wallets ----------------------------------------------------------

    def issuance_link(
        self,
        layout_name: str,
        prefill: Mapping[str, Any] | None = None,
        *,
        expires: datetime | date | str | None = None,
        max_uses: int | None = None,
        kind: LinkKind | str = "personal",
    ) -> str:
        """The URL of a new issuance link (`<web service URL>/links/<token>`).

        A personal link (pre-filling what the serial depends on) gives one pass, the same on
        every visit; a campaign link gives a new pass per use, up to `max_uses` (None: no
        limit). `expires`: an aware date-time, a date (the link works through that day, UTC)
        or ISO text. See `passkit.service.linkissuer`.
        """
        url, _ = self.links.link(
            layout_name, prefill or {}, expires=expires, max_uses=max_uses, kind=kind
        )
        return url

    def issue_for_link(self, payload: LinkPayload, record: Mapping[str, Any]) -> Issued:
        """The pass of one use of a link; LinkUsedUp once it has given all it may."""
        return self.links.issue(payload, record)

    @functools.cached_property
    def links(self) -> LinkIssuer:
        return LinkIssuer(self)

    def mark_installed(self, serial: str) -> bool:
        """Record that a wallet holds the pass; False when no pass has this serial."""
        return self._wallets.mark(serial, WalletState.INSTALLED, datetime.now(UTC))

    def mark_removed(self, serial: str) -> bool:
        """Record that the pass left the wallets (say its last device's push token is gone:
        APNs 410); False when no pass has this serial."""
        return self._wallets.mark(serial, WalletState.REMOVED, datetime.now(UTC))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per layout: the number of passes, of each status and of each wallet state."""
        return self._wallets.counts()

    @functools.cached_property
    def _wallets(self) -> WalletStates:
        return WalletStates(self.store.engine)

    # -- serving ---------------------------------------------------------------------------------

    def web_service(self, limits: Limits | None = None) -> ASGIApp:
        """Apple's Wallet web service over this registry, with the issuance links' pages and
        Google's callbacks (`passkit.service.linkroutes`), to mount where `web_service_url`
        points: ``app.mount("/passes", registry.web_service())``."""
        if self.keys is None:
            raise RegistryError(
                "the web service needs the service secret: set PASSKIT_SERVICE_SECRET "
                "or give the registry a secret"
            )
        routes = []
        if self.web_service_url is not None:
            verifier = callback_verifier(
                self.google_root_keys, self.maker.google, self.store.engine
            )
            routes = link_routes(self.links, self._wallets, verifier=verifier)
        return web_service(self.store, self.keys, limits=limits, extra_routes=routes)
