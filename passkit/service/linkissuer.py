"""Issuance links over a registry: making them, and issuing the passes they give.

A link is `<web service URL>/links/<token>`, the token sealed with keys derived from the
service secret (`passkit.service.linktokens`). A use of a link (see `passkit.service.linkuses`
for the counting) goes:

- a personal link that issued its pass already gives that pass again, counting nothing;
- a link used `max_uses` times is used up (`LinkUsedUp`);
- otherwise the pass is made from the record and stored with the link's id, and the use
  counted, in the transaction that holds the link's row. A record whose serial a pass of the
  same link has already (a campaign's member who comes back) gives that pass again; one whose
  serial another pass has is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from passkit.layout import Layout
from passkit.service.database import reading, writing
from passkit.service.linkform import asked_inputs
from passkit.service.linktokens import LinkKeyring, LinkKind, LinkPayload, LinkUsedUp
from passkit.service.linkuses import (
    count_use,
    link_of_pass,
    link_uses,
    lock_link,
    pass_of_link,
)
from passkit.service.state import RegistryError

if TYPE_CHECKING:
    from passkit.service.registry import Issued, Registry

LINKS_PATH = "/links"


def expiry_instant(expires: datetime | date | str | None) -> datetime | None:
    """When a link stops working: an aware date-time as it is, a date at the end of that day
    (UTC), text in ISO 8601 (2027-01-31, or 2027-01-31T18:00:00+01:00)."""
    if expires is None or isinstance(expires, datetime):
        return expires
    if isinstance(expires, str):
        try:
            parsed: datetime | date = (
                datetime.fromisoformat(expires) if "T" in expires else date.fromisoformat(expires)
            )
        except ValueError:
            raise RegistryError(
                f"expiry {expires!r}: write a date (2027-01-31) or a date and time with its "
                "offset (2027-01-31T18:00:00+01:00)"
            ) from None
        if isinstance(parsed, datetime) and parsed.tzinfo is None:
            raise RegistryError(
                f"expiry {expires!r}: give the time's offset (+01:00, or Z for UTC)"
            )
        return expiry_instant(parsed)
    return datetime.combine(expires + timedelta(days=1), time(0), tzinfo=UTC)


def check_prefill(layout: Layout, name: str, prefill: Mapping[str, Any]) -> None:
    """Refuse, when the link is made, what its page could only refuse later: a name that is
    not one of the layout's inputs, or (when the link asks nothing) a record the layout
    refuses."""
    unknown = sorted(set(prefill) - set(layout.inputs))
    if unknown:
        raise RegistryError(
            f"layout {name!r} has no input called {', '.join(map(repr, unknown))}; its inputs "
            f"are {', '.join(layout.inputs)}"
        )
    if not asked_inputs(layout, prefill):
        layout.check(dict(prefill), record_name="the link's pre-filled values")


class LinkIssuer:
    """The registry's links (see the module)."""

    def __init__(self, registry: Registry) -> None:
        if registry.keys is None or registry.web_service_url is None:
            raise RegistryError(
                "issuance links need the web service's URL and secret (web_service_url= and "
                "secret=, or PASSKIT_WEB_SERVICE_URL and PASSKIT_SERVICE_SECRET)"
            )
        self.registry = registry
        self.keyring = LinkKeyring(registry.keys.keys, current=registry.keys.current)
        self.base_url = f"{registry.web_service_url}{LINKS_PATH}"

    def link(
        self,
        layout: str,
        prefill: Mapping[str, Any],
        *,
        expires: datetime | date | str | None,
        max_uses: int | None,
        kind: LinkKind | str,
    ) -> tuple[str, LinkPayload]:
        """The URL of a new link, and what its token holds."""
        loaded = self.registry.layouts.get(layout)
        check_prefill(loaded.layout, loaded.name, prefill)
        payload = LinkPayload(
            layout=loaded.name,
            prefill=dict(prefill),
            expires_at=expiry_instant(expires),
            max_uses=max_uses,
            kind=LinkKind(kind),
        )
        return self.url(self.keyring.seal(payload)), payload

    def url(self, token: str) -> str:
        return f"{self.base_url}/{token}"

    def given(self, payload: LinkPayload) -> Issued | None:
        """The pass a personal link gave already; None before its first use, and for a
        campaign link (whose every use is a new pass)."""
        if payload.kind is not LinkKind.PERSONAL:
            return None
        with reading(self.registry.store.engine) as connection:
            serial = pass_of_link(connection, payload.link_id)
        return self.registry.issued(serial) if serial is not None else None

    def issue(self, payload: LinkPayload, record: Mapping[str, Any]) -> Issued:
        """The pass of one use of the link (see the module)."""
        registry = self.registry
        # Read first, without a lock: a return visit or a used-up link costs no signature.
        earlier = self.given(payload)
        if earlier is not None:
            return earlier
        with reading(registry.store.engine) as connection:
            used = link_uses(connection, payload.link_id)
        if payload.max_uses is not None and used >= payload.max_uses:
            raise LinkUsedUp("this link has been used up", payload=payload)
        fresh = registry.new_pass(payload.layout, record, link_id=payload.link_id)
        serial = fresh.change.state.serial
        now = datetime.now(UTC)
        with writing(registry.store.engine) as connection:
            uses = lock_link(connection, payload, now)
            given = pass_of_link(connection, payload.link_id)
            again: str | None
            if payload.kind is LinkKind.PERSONAL and given is not None:
                again = given
            else:
                exists, issuer = link_of_pass(connection, serial)
                if exists and issuer != payload.link_id:
                    from passkit.service.registry import already_issued

                    raise already_issued(serial)
                again = serial if exists else None
            if again is None:
                if payload.max_uses is not None and uses >= payload.max_uses:
                    raise LinkUsedUp("this link has been used up", payload=payload)
                try:
                    tag = registry.store.insert(fresh.change, connection)
                except sa.exc.IntegrityError:  # pragma: no cover - the link's lock prevents it
                    raise RegistryError(f"pass {serial} was issued meanwhile; try again") from None
                count_use(connection, payload, now)
        if again is not None:
            return registry.issued(again)
        return fresh.issued(registry.maker, tag)
