"""The order in which a line of mixed left-to-right and right-to-left text is drawn.

Pillow's text layout (libraqm) orders and shapes the text of one call, in one font. A line the
preview draws is cut into runs of one font each (Hebrew from Noto Sans Hebrew, the digits and
spaces around it from Noto Sans), so the order of those runs on the line is decided here, by the
Unicode Bidirectional Algorithm (UAX #9) for a single line without explicit embeddings: the
paragraph's direction from its first strong letter (P2, P3), the weak types (W1-W7), the neutrals
(N1, N2), the levels (I1, I2), trailing white space (L1) and the reordering of runs (L2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

Item = TypeVar("Item")

_STRONG_RIGHT = frozenset({"R", "AL"})
_NUMBERS = frozenset({"EN", "AN"})
_SEPARATORS = frozenset({"ES", "CS", "ET"})


def paragraph_level(text: str) -> int:
    """1 when the first strong letter is right to left (Hebrew, Arabic), else 0."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return 0
        if kind in _STRONG_RIGHT:
            return 1
    return 0


def _weak_types(text: str, base: int) -> list[str]:
    """The bidirectional types after the weak rules W1-W7."""
    start = "R" if base else "L"
    types = [unicodedata.bidirectional(character) or "L" for character in text]
    strong = start
    for index, kind in enumerate(types):
        if kind == "NSM":  # W1: a mark takes the type of what it marks
            kind = types[index - 1] if index else start
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":  # W2: digits in Arabic text are Arabic numbers
            kind = "AN"
        types[index] = kind
    types = ["R" if kind == "AL" else kind for kind in types]  # W3
    for index in range(1, len(types) - 1):  # W4: 1,000 and 3.5 stay one number
        before, kind, after = types[index - 1], types[index], types[index + 1]
        if before == after == "EN" and kind in ("ES", "CS"):
            types[index] = "EN"
        elif before == after == "AN" and kind == "CS":
            types[index] = "AN"
    _terminators_join_numbers(types)  # W5
    types = ["ON" if kind in _SEPARATORS else kind for kind in types]  # W6
    strong = start
    for index, kind in enumerate(types):  # W7: digits in left-to-right text are left to right
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[index] = "L"
    return types


def _terminators_join_numbers(types: list[str]) -> None:
    """W5: currency signs, percent and the like next to European digits become digits."""
    index = 0
    while index < len(types):
        if types[index] != "ET":
            index += 1
            continue
        end = index
        while end < len(types) and types[end] == "ET":
            end += 1
        touches = (index > 0 and types[index - 1] == "EN") or (
            end < len(types) and types[end] == "EN"
        )
        if touches:
            types[index:end] = ["EN"] * (end - index)
        index = end


def levels(text: str) -> list[int]:
    """The embedding level of each character of one line: even is left to right, odd right to
    left."""
    base = paragraph_level(text)
    types = _weak_types(text, base)
    # N1, N2: neutrals between two runs of the same direction take it (digits count as right to
    # left there), the others take the paragraph's.
    direction = ["R" if kind in _NUMBERS or kind == "R" else kind for kind in types]
    edge = "R" if base else "L"
    index = 0
    while index < len(direction):
        if direction[index] in ("L", "R"):
            index += 1
            continue
        end = index
        while end < len(direction) and direction[end] not in ("L", "R"):
            end += 1
        before = direction[index - 1] if index else edge
        after = direction[end] if end < len(direction) else edge
        fill = before if before == after else edge
        direction[index:end] = [fill] * (end - index)
        index = end
    resolved: list[int] = []
    for kind, side in zip(types, direction, strict=True):
        if kind in _NUMBERS:  # I1, I2: numbers are always drawn left to right
            resolved.append(base + 1 if base else 2)
        elif side == "R":
            resolved.append(1)
        else:
            resolved.append(2 if base else 0)
    _trailing_space_to_base(text, resolved, base)
    return resolved


def _trailing_space_to_base(text: str, resolved: list[int], base: int) -> None:
    """L1: white space at the end of the line takes the paragraph's level."""
    index = len(text) - 1
    while index >= 0 and unicodedata.bidirectional(text[index]) in ("WS", "S", "B", "BN"):
        resolved[index] = base
        index -= 1


def visual_order(items: Sequence[Item], item_levels: Sequence[int]) -> list[Item]:
    """L2: items (runs of one level each) in the order they are drawn from left to right."""
    order = list(range(len(items)))
    ranks = list(item_levels)
    if not ranks:
        return []
    lowest_odd = min(level for level in ranks if level % 2) if any(r % 2 for r in ranks) else None
    if lowest_odd is None:
        return list(items)
    for level in range(max(ranks), lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if ranks[index] < level:
                index += 1
                continue
            end = index
            while end < len(order) and ranks[end] >= level:
                end += 1
            order[index:end] = reversed(order[index:end])
            ranks[index:end] = reversed(ranks[index:end])
            index = end
    return [items[position] for position in order]
