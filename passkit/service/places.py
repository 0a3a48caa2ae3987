"""Changing a pass's locations or iBeacons: replace them, append to them, delete some or all.

A pass starts with its layout's places; once changed, its own list is stored and rendered in
their place. Items are given as the pass model writes them (``latitude``, ``longitude``,
``altitude``, ``relevant_text``; ``proximity_uuid``, ``major``, ``minor``, ``relevant_text``)
and are checked, and counted (at most 10 of each), before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from passkit.model.parts import Beacon, Location
from passkit.model.pass_ import Pass
from passkit.service.maker import places
from passkit.service.state import RegistryError

PlaceAction = Literal["replace", "append", "delete"]
ACTIONS: tuple[str, ...] = get_args(PlaceAction)


def changed_places(
    current: Pass, what: str, action: str, items: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], ...]:
    """The pass's `what` ("locations" or "beacons") after `action` with `items`."""
    model: type[Location] | type[Beacon] = Location if what == "locations" else Beacon
    have = [_plain(item) for item in getattr(current, what)]
    given = [_plain(item) for item in places(model, tuple(items), what)]
    if action == "replace":
        result = given
    elif action == "append":
        result = have + given
    elif action == "delete":
        result = [] if not items else _without(have, given, what)
    else:
        raise RegistryError(f"{action!r} is not an action on {what}; use {', '.join(ACTIONS)}")
    # Checked again as a whole: an append may go over the limit.
    places(model, tuple(result), what)
    return tuple(result)


def _without(
    have: list[dict[str, Any]], gone: list[dict[str, Any]], what: str
) -> list[dict[str, Any]]:
    for item in gone:
        if item not in have:
            raise RegistryError(
                f"{what}: {item} is not one of the pass's {what}, so it cannot be deleted"
            )
    return [item for item in have if item not in gone]


def _plain(item: Location | Beacon) -> dict[str, Any]:
    return item.model_dump(mode="json", exclude_none=True)
