"""The fields of a pass as the Google compilers read them: all of them in display order, and
those that go to a place of their own on Google (roles: loyalty points, a seat, a value shown
elsewhere) rather than to a text module.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from passkit.model.fields import FIELD_GROUPS, PassField
from passkit.model.pass_ import Pass

# The groups of the card front; the back follows them in the details.
FRONT_GROUPS = FIELD_GROUPS[:4]


class PassFields(NamedTuple):
    """Every field of a pass in display order, their keys, and how many each group holds."""

    fields: tuple[PassField, ...]
    keys: tuple[str, ...]
    sizes: tuple[int, ...]  # per FIELD_GROUPS


_GROUPS = attrgetter(*FIELD_GROUPS)
_last: tuple[Pass | None, PassFields] = (None, PassFields((), (), ()))


def pass_fields(p: Pass) -> PassFields:
    """The `PassFields` of `p`. Those of the last pass asked for are kept: several steps of a
    compilation ask for them (a pass and its tuples of fields cannot change)."""
    global _last
    last = _last  # read once: another thread may replace it meanwhile
    if last[0] is p:
        return last[1]
    groups = _GROUPS(p)
    fields: tuple[PassField, ...] = sum(groups, ())
    found = PassFields(fields, tuple([f.key for f in fields]), tuple(map(len, groups)))
    _last = (p, found)
    return found


def normalized_key(key: str) -> str:
    return key.lower().replace("-", "_").replace(".", "_")


def match_roles(p: Pass, role_keys: dict[str, tuple[str, ...]]) -> dict[str, PassField]:
    """For each role, the first field whose key is one of the role's candidate keys.

    Keys compare case-insensitively with '-' and '.' read as '_'; a field fills one role.
    """
    fields, keys, _ = pass_fields(p)
    positions = _role_positions(keys, tuple(role_keys.items()))
    return {role: fields[index] for role, index in positions}


@lru_cache(maxsize=512)
def _role_positions(
    keys: tuple[str, ...], role_keys: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[tuple[str, int], ...]:
    """`match_roles` on the keys alone (the same for every pass of a layout): (role, position
    of its field)."""
    by_key: dict[str, int] = {}
    for index, key in enumerate(keys):
        by_key.setdefault(normalized_key(key), index)
    roles: list[tuple[str, int]] = []
    used: set[str] = set()
    for role, candidates in role_keys:
        for candidate in candidates:
            found = by_key.get(candidate)
            if found is not None and keys[found] not in used:
                roles.append((role, found))
                used.add(keys[found])
                break
    return tuple(roles)


def fields_showing(p: Pass, values: Sequence[object]) -> dict[str, PassField]:
    """The fields whose value is one of `values` (a moment or a text Google shows in a place of
    its own), as roles named after their keys: they are not repeated as text modules."""
    wanted = [(type(value), value) for value in values if value is not None]
    shown: dict[str, PassField] = {}
    if not wanted:
        return shown
    for f in pass_fields(p).fields:
        value = f.value
        for kind, candidate in wanted:
            if type(value) is kind and value == candidate:
                shown[f"shown:{f.key}"] = f
                break
    return shown
