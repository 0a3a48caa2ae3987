"""Checks of a whole layout that no single key can make, done once when the layout loads."""

from __future__ import annotations

from collections.abc import Callable

from passkit.apple_rules import MAX_BEACONS, MAX_LOCATIONS
from passkit.errors import LayoutError
from passkit.layout.layout_spec import LayoutSpec
from passkit.model.fields import FIELD_GROUPS

Loc = tuple[str | int, ...]
Fail = Callable[[Loc, str], LayoutError]


def check_field_keys(spec: LayoutSpec, fail: Fail) -> None:
    """Fields shown on every pass have keys of their own."""
    seen: dict[str, Loc] = {}
    for group in FIELD_GROUPS:
        for index, field in enumerate(getattr(spec.fields, group)):
            if field.when is not None:
                continue  # fields shown under conditions may share a key
            loc: Loc = ("fields", group, index, "key")
            if field.key in seen:
                raise fail(
                    loc,
                    f"the key {field.key!r} is already used by "
                    f"{'.'.join(map(str, seen[field.key][:2]))}[{seen[field.key][2]}]; "
                    "every field needs its own key",
                )
            seen[field.key] = loc


def check_counts(spec: LayoutSpec, fail: Fail) -> None:
    """Lists every pass shows in full (no item under `when:`) are within the wallets'
    limits: checked once here, where a record could only fail the same way each time."""
    for name, limit, what, advice in (
        ("locations", MAX_LOCATIONS, "locations", "keep the ones nearest to where it is used"),
        ("beacons", MAX_BEACONS, "iBeacons", "remove some"),
    ):
        shown = [
            index
            for index, item in enumerate(getattr(spec, name))
            if item.when is None or item.when is True
        ]
        if len(shown) > limit:
            raise fail(
                (name, shown[limit]),
                f"a pass holds at most {limit} {what}, and every pass of this layout would "
                f"hold {len(shown)}; {advice} (or show some under 'when:')",
            )
