"""Issuing passes: rendering, signing and storing a new one, and giving back one issued before.

`Issuing` is the registry's part that issues (`Registry` is one); issuance links
(`passkit.service.linkissuer`) issue through it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passkit.model.pass_ import Pass
from passkit.service.issued_passes import IssuedPasses
from passkit.service.maker import Made, PassMaker
from passkit.service.state import PassState, RegistryError, UnknownPass, json_record
from passkit.service.store import Change


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


class Issuing(IssuedPasses):
    """Issues new passes into the store, and gives back those issued before."""

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
            record=json_record(record),
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
        made = self.made(stored)
        link = self.maker.google_link(made)
        return Issued(
            serial,
            self.store.signed(serial),
            link.url if link else None,
            stored.tag,
            link is not None and link.skinny,
            made.pass_,
        )
