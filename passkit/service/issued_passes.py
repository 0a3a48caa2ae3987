"""`IssuedPasses`: what every job of the registry shares, and reading the passes it issued.

The store that holds the passes, the layouts they are rendered through and the maker that
renders and signs them; reading one pass, listing them, giving a pass's bundle as it is now,
and rendering a stored pass again. Issuing (`passkit.service.issuing`) and changing
(`passkit.service.changing`) build on it, and so does `Registry`; the Google sender and the
issuance links take it, so that none of them needs the registry itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passkit.model.choices import Status
from passkit.service.layouts import LayoutSet
from passkit.service.maker import Made, PassMaker
from passkit.service.state import StoredPass, WalletState, parse_status_or_state
from passkit.service.store import Store

if TYPE_CHECKING:
    from passkit.apple.signing import AppleSigner
    from passkit.service.auth import PassTokenKeys


class IssuedPasses:
    """A registry's passes: `store`, `layouts` (which may be swapped for another set) and
    `maker`, with the signer, secret and web service URL the maker was made with."""

    def __init__(self, store: Store, layouts: LayoutSet, maker: PassMaker) -> None:
        self.store = store
        self.layouts = layouts
        self.maker = maker

    @property
    def apple(self) -> AppleSigner | None:
        """The signer of the passes' bundles (None: no Apple passes)."""
        return self.maker.apple

    @property
    def keys(self) -> PassTokenKeys | None:
        """The keys of the passes' tokens (None: passes are not updatable)."""
        return self.maker.keys

    @property
    def web_service_url(self) -> str | None:
        """The web service URL written into passes (None: passes are not updatable)."""
        return self.maker.web_service_url

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

    def made(self, stored: StoredPass) -> Made:
        """The stored pass rendered again through the layout it was last rendered with."""
        loaded = self.layouts.get(stored.layout, content_hash=stored.layout_hash)
        return self.maker.make(loaded, stored.state, record_name=f"pass {stored.serial}")
