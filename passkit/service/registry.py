"""`Registry`: the passes a service issued, changed only in ways that keep phones current.

Every change renders the pass again through its layout and checks every rule; one the layout
refuses raises and changes nothing. A change that alters the bundle is signed and stored with a
new update tag and an outbox row in one transaction; one that alters nothing bumps nothing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from passkit.errors import DataError
from passkit.model.choices import Status
from passkit.model.pass_ import Pass
from passkit.service.auth import PassTokenKeys
from passkit.service.config import (
    DEFAULT_DATABASE_URL,
    check_google_api_url,
    check_secret,
    check_web_service_url,
)
from passkit.service.database import database_url, make_engine
from passkit.service.layouts import LayoutSet, LayoutSource
from passkit.service.linkuses import root_keys
from passkit.service.maker import Made, PassMaker
from passkit.service.places import PlaceAction, changed_places
from passkit.service.state import (
    PassState,
    RegistryError,
    StoredPass,
    UnknownPass,
    WalletState,
    parse_status,
    parse_status_or_state,
)
from passkit.service.store import Change, Store
from passkit.service.walletstate import WalletStates

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from passkit.apple.signing import AppleSigner
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google.rest import WalletClient
    from passkit.service.apns import ApnsClient
    from passkit.service.linkissuer import LinkIssuer
    from passkit.service.linktokens import LinkKind, LinkPayload
    from passkit.service.sender import DrainReport
    from passkit.service.webservice import Limits


@dataclass(frozen=True)
class Issued:
    """A pass just issued: its serial, signed bundle (with Apple signing) and Google link.

    A pass too large for a whole save link gets a skinny one (`google_skinny`), naming its
    class and object only: insert them through the REST API (`passkit.google.WalletClient`)
    before the link is used.
    """

    serial: str
    pkpass: bytes | None
    google_link: str | None
    tag: int
    google_skinny: bool = False
    # The pass itself (what the link's page shows).
    pass_: Pass | None = None


@dataclass(frozen=True)
class NewPass:
    """A pass made and signed for issuing, and the change that stores it."""

    made: Made
    change: Change

    def issued(self, maker: PassMaker, tag: int) -> Issued:
        link = maker.google_link(self.made)
        skinny = link is not None and link.skinny
        url = link.url if link else None
        pkpass = self.change.pkpass
        return Issued(self.change.state.serial, pkpass, url, tag, skinny, self.made.pass_)


def already_issued(serial: str) -> RegistryError:
    return RegistryError(
        f"a pass with serial number {serial!r} was issued already; change it "
        "with update (`passkit pass update`)"
    )


class Registry:
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
        self.web_service_url = (
            check_web_service_url(web_service_url) if web_service_url is not None else None
        )
        self.keys = secret if not isinstance(secret, str | bytes) else check_secret(secret)
        self.layouts = LayoutSet(layouts)
        self.apple = apple
        if apple is not None:
            apple.check()
        self.store = Store(make_engine(database_url(database)))
        self.maker = PassMaker(
            apple=apple, google=google, web_service_url=self.web_service_url, keys=self.keys
        )
        self._targets = tuple(
            target for target, on in (("apple", apple), ("google", google)) if on is not None
        )
        self.google_root_keys = root_keys(google_callback_root_keys, google)
        from passkit.service.pushing import Pushing

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

    # -- issuing and reading -----------------------------------------------------------------

    def issue(self, layout: str, record: Mapping[str, Any]) -> Issued:
        """Render, sign and store a new pass; RegistryError if its serial was issued before."""
        fresh = self.new_pass(layout, record)
        try:
            tag = self.store.insert(fresh.change)
        except sa.exc.IntegrityError:
            raise already_issued(fresh.change.state.serial) from None
        return fresh.issued(self.maker, tag)

    def new_pass(
        self, layout: str, record: Mapping[str, Any], *, link_id: str | None = None
    ) -> NewPass:
        """A pass rendered and signed, not stored yet (`issue` and links store it)."""
        if self.apple is None and self.maker.google is None:
            raise RegistryError(
                "issuing needs Apple signing (apple=, or PASSKIT_APPLE_*) and/or Google "
                "credentials (google=, or PASSKIT_GOOGLE_*)"
            )
        loaded = self.layouts.get(layout)
        state = PassState(
            serial="",
            layout=loaded.name,
            record=_json_record(record),
            issued_at=datetime.now(UTC).replace(microsecond=0),
            token_key=self.keys.current if self.keys is not None else "",
        )
        made = self.maker.make(loaded, state, record_name="record")
        state = replace(state, serial=made.pass_.serial_number)
        pkpass = self.maker.sign(made) if made.unsigned is not None else None
        google_id = made.google.object_id if made.google is not None else None
        change = Change(
            state,
            made.pass_type_id,
            loaded.content_hash,
            made.content_hash,
            pkpass,
            link_id=link_id,
            google_object_id=google_id,
        )
        return NewPass(made, change)

    def issued(self, serial: str) -> Issued:
        """A pass issued before, as `issue` gave it (its bundle and Google link as they are
        now); UnknownPass if none has this serial."""
        stored = self.store.get(serial)
        if stored is None:
            raise UnknownPass(serial)
        loaded = self.layouts.get(stored.layout, content_hash=stored.layout_hash)
        made = self.maker.make(loaded, stored.state, record_name=f"pass {serial}")
        link = self.maker.google_link(made)
        return Issued(
            serial,
            self.store.signed(serial),
            link.url if link else None,
            stored.tag,
            link is not None and link.skinny,
            made.pass_,
        )

    def get(self, serial: str) -> StoredPass | None:
        """The pass issued with `serial`, or None."""
        return self.store.get(serial)

    def passes(
        self,
        *,
        layout: str | None = None,
        status: str | Status | WalletState | None = None,
        limit: int | None = None,
    ) -> list[StoredPass]:
        """The issued passes, oldest first; only those of a layout, or of a status or wallet
        state (installed, say) when given, and the first `limit` of them."""
        wanted = parse_status_or_state(status) if status is not None else None
        return self.store.list(layout=layout, status=wanted, limit=limit)

    def pkpass(self, serial: str) -> bytes | None:
        """The signed bundle of the pass as it is now (None without Apple signing)."""
        return self.store.signed(serial)

    # -- changing ------------------------------------------------------------------------------

    def update(self, serial: str, changes: Mapping[str, Any], message: str | None = None) -> bool:
        """Merge `changes` into the pass's record; returns whether the pass changed.

        `message` goes with the change to the wallets that show one (the outbox keeps it).
        """
        if not isinstance(changes, Mapping):
            raise DataError("changes are a mapping of input names to new values")
        merged = _json_record(changes)

        def change(before: StoredPass, made: Callable[[], Made]) -> PassState:
            return replace(before.state, record={**before.record, **merged})

        return self._change(serial, change, message=message)

    def set_status(self, serial: str, status: str | Status, message: str | None = None) -> bool:
        """Make the pass active, redeemed, voided or expired; returns whether it changed.

        The phone shows it: a pass that is not active is marked voided, an expired one carries
        its expiration date (the moment it was set to expired, unless it expired before).
        """
        wanted = parse_status(status)

        def change(before: StoredPass, made: Callable[[], Made]) -> PassState:
            expired_at = before.expired_at
            if wanted is Status.EXPIRED and before.status is not Status.EXPIRED:
                expired_at = datetime.now(UTC).replace(microsecond=0)
            elif wanted is not Status.EXPIRED:
                expired_at = None
            return replace(before.state, status=wanted, expired_at=expired_at)

        return self._change(serial, change, message=message)

    def refresh(self, serial: str) -> bool:
        """Render the pass again from its layout file as it is now.

        Returns False, and does nothing, when no pass has this serial; True otherwise (the
        pass's tag grows only when the bundle changed).
        """
        if self.store.get(serial) is None:
            return False
        self._change(serial, lambda before, made: before.state, reload=True)
        return True

    def change_locations(
        self, serial: str, action: PlaceAction, items: Sequence[Mapping[str, Any]] = ()
    ) -> bool:
        """`replace` the pass's locations with `items`, `append` them, or `delete` them (all
        when none are given); at most 10. Returns whether the pass changed."""
        return self._change_places(serial, "locations", action, items)

    def change_beacons(
        self, serial: str, action: PlaceAction, items: Sequence[Mapping[str, Any]] = ()
    ) -> bool:
        """As `change_locations`, for the pass's iBeacons (at most 10)."""
        return self._change_places(serial, "beacons", action, items)

    def _change_places(
        self, serial: str, what: str, action: PlaceAction, items: Sequence[Mapping[str, Any]]
    ) -> bool:
        def change(before: StoredPass, made: Callable[[], Made]) -> PassState:
            now = changed_places(made().pass_, what, action, items)
            if what == "locations":
                return replace(before.state, locations=now)
            return replace(before.state, beacons=now)

        return self._change(serial, change)

    def _change(
        self,
        serial: str,
        change: Callable[[StoredPass, Callable[[], Made]], PassState],
        *,
        message: str | None = None,
        reload: bool = False,
    ) -> bool:
        with self.store.locked(serial) as (connection, before):
            if reload:
                loaded = self.layouts.reload(before.layout)
            else:
                loaded = self.layouts.get(before.layout, content_hash=before.layout_hash)
            name = f"pass {serial}"
            state = change(before, lambda: self.maker.make(loaded, before.state, record_name=name))
            made = self.maker.make(loaded, state, record_name=name)
            if made.pass_.serial_number != serial:
                raise RegistryError(
                    f"pass {serial}: the change would make its serial number "
                    f"{made.pass_.serial_number!r}; a pass keeps its serial number for life, "
                    "so issue a new pass instead"
                )
            changed = made.content_hash != before.content_hash
            pkpass = self.maker.sign(made) if changed and made.unsigned is not None else None
            record = Change(
                state, made.pass_type_id, loaded.content_hash, made.content_hash, pkpass
            )
            self.store.write(
                connection,
                before,
                record,
                bundle_changed=changed,
                message=message,
                targets=self._targets,
            )
        if changed:
            self.pushing.wake()  # after the commit: the sender sees the row
        return changed

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
        from passkit.service.linkissuer import LinkIssuer

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
        from passkit.service.linkroutes import link_routes
        from passkit.service.linkuses import callback_verifier
        from passkit.service.webservice import web_service

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


def _json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as JSON stores it (dates as ISO text), so that what is rendered from the
    database later is what is rendered now."""
    if not isinstance(record, Mapping):
        raise DataError("a record is a mapping of input names to values")
    try:
        loaded: dict[str, Any] = json.loads(json.dumps(dict(record), default=_json_value))
    except (TypeError, ValueError) as exc:
        raise DataError(f"the record cannot be stored as JSON: {exc}") from None
    return loaded


def _json_value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} values cannot be stored; give text or numbers")
