"""The card front of a Google class: which text modules fill its rows (at most 3 rows of 1 to
3), chosen by the layout (`google.card_rows`) or taken from the front fields in order, and the
`classTemplateInfo` that shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from passkit.google.field_roles import FRONT_GROUPS, pass_fields
from passkit.google.ids import safe_module_id
from passkit.google.json_writing import JsonDict
from passkit.model.pass_ import Pass


def card_rows(
    p: Pass, consumed: set[str], chosen: Sequence[Sequence[str]] | None, notices: list[str]
) -> tuple[tuple[str, ...], ...]:
    """The text-module ids of each row of the card front (at most 3 rows of 1 to 3)."""
    _, keys, sizes = pass_fields(p)
    frozen_chosen = None if chosen is None else tuple(tuple(row) for row in chosen)
    rows, row_notices = _card_rows(keys, sizes, frozenset(consumed), frozen_chosen)
    notices.extend(row_notices)
    return rows


# The same for every pass of a layout: worked out once from the keys.
@lru_cache(maxsize=512)
def _card_rows(
    keys: tuple[str, ...],
    sizes: tuple[int, ...],
    consumed: frozenset[str],
    chosen: tuple[tuple[str, ...], ...] | None,
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """(rows, notices) of `card_rows`, from the field keys and the size of each group."""
    notices: list[str] = []
    if chosen is not None:
        known = set(keys)
        rows = []
        for row in chosen:
            kept = []
            for key in row:
                if key not in known or key in consumed:
                    reason = (
                        "is not a field of the pass"
                        if key not in known
                        else "has its own Google place"
                    )
                    notices.append(f"google.card_rows: field {key!r} {reason}; it is left out")
                else:
                    kept.append(safe_module_id(key))
            if kept:
                rows.append(tuple(kept))
        return tuple(rows), tuple(notices)
    groups = [
        [safe_module_id(key) for key in group_keys if key not in consumed]
        for group_keys in _split(keys, sizes)[: len(FRONT_GROUPS)]
    ]
    per_group = [tuple(g[i : i + 3]) for g in groups for i in range(0, len(g), 3)]
    if len(per_group) <= 3:
        return tuple(per_group), ()
    flat = [key for g in groups for key in g]
    packed = [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]
    if len(packed) > 3:
        notices.append(
            f"the pass has {len(flat)} front fields; the Google card front shows 9 (3 rows of "
            "3), the others appear in the details"
        )
    return tuple(packed[:3]), tuple(notices)


def _split(keys: tuple[str, ...], sizes: tuple[int, ...]) -> list[tuple[str, ...]]:
    """The keys of each group, from all the keys and the size of each group."""
    groups = []
    start = 0
    for size in sizes:
        groups.append(keys[start : start + size])
        start += size
    return groups


def _template_item(module_id: str, class_modules: Sequence[str]) -> JsonDict:
    holder = "class" if module_id in class_modules else "object"
    path = f"{holder}.textModulesData['{module_id}']"
    return {"firstValue": {"fields": [{"fieldPath": path}]}}


def class_template(
    rows: Sequence[Sequence[str]], class_modules: Sequence[str] = ()
) -> JsonDict | None:
    """The card rows, each text module read from the class when the class holds it."""
    infos: list[JsonDict] = []
    for row in rows:
        items = [_template_item(module_id, class_modules) for module_id in row]
        if len(items) == 1:
            infos.append({"oneItem": {"item": items[0]}})
        elif len(items) == 2:
            infos.append({"twoItems": {"startItem": items[0], "endItem": items[1]}})
        else:
            infos.append(
                {"threeItems": {"startItem": items[0], "middleItem": items[1], "endItem": items[2]}}
            )
    if not infos:
        return None
    return {"cardTemplateOverride": {"cardRowTemplateInfos": infos}}
