"""Changing issued passes: their record, their status, their places, or a fresh rendering.

Every change renders the pass again through its layout and checks every rule; one the layout
refuses raises and changes nothing. A change that alters the bundle is signed and stored with a
new update tag and an outbox row (for each wallet the registry serves) in one transaction; one
that alters nothing bumps nothing. `Changing` is the registry's part that changes passes
(`Registry` is one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from passkit.errors import DataError
from passkit.model.choices import Status
from passkit.service.issued_passes import IssuedPasses
from passkit.service.maker import Made
from passkit.service.places import PlaceAction, changed_places
from passkit.service.state import PassState, RegistryError, StoredPass, json_record, parse_status
from passkit.service.store import Change

# What a change does: the pass's new state, from the stored pass and (made on demand) the
# pass as it is now.
StateChange = Callable[[StoredPass, Callable[[], Made]], PassState]


class Changing(IssuedPasses):
    """Changes issued passes (see the module)."""

    def update(self, serial: str, changes: Mapping[str, Any], message: str | None = None) -> bool:
        """Merge `changes` into the pass's record; returns whether the pass changed.

        `message` goes with the change to the wallets that show one (the outbox keeps it).
        """
        if not isinstance(changes, Mapping):
            raise DataError("changes are a mapping of input names to new values")
        merged = json_record(changes)

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

    def _after_change(self) -> None:
        """Called after a change that altered a bundle has committed (the registry wakes its
        sender here); nothing by default."""

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
        change: StateChange,
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
            self._after_change()  # after the commit: the sender sees the row
        return changed

    @functools.cached_property
    def _targets(self) -> tuple[str, ...]:
        """The wallets each change goes to (an outbox row for each)."""
        on = (("apple", self.apple), ("google", self.maker.google))
        return tuple(target for target, given in on if given is not None)
