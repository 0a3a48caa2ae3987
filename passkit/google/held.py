"""What the class of a layout holds for every pass, instead of each object: the marks of it.

`load_layout` finds what every pass of a layout shows alike (`GoogleOptions.class_fields` and
the `class_*` flags); `held_in_class` turns those options into the set an `ObjectContext`
carries: the keys of fixed fields, and a mark for each other part the class holds.
"""

from __future__ import annotations

from functools import lru_cache

from passkit.google.options import GoogleOptions

# Marks beside field keys (which hold no colon).
HELD_LINKS = ":links"
HELD_LOCATIONS = ":locations"
HELD_MESSAGES = ":messages"
HELD_CARRIER = ":carrier"


def held_in_class(options: GoogleOptions) -> frozenset[str]:
    """What the class holds for every pass of the layout (see `ObjectContext.in_class`)."""
    return _held(
        options.class_fields,
        options.class_links,
        options.class_locations,
        options.class_messages,
        options.class_carrier,
    )


@lru_cache(maxsize=64)
def _held(fields: tuple[str, ...], *flags: bool) -> frozenset[str]:
    marks = (HELD_LINKS, HELD_LOCATIONS, HELD_MESSAGES, HELD_CARRIER)
    return frozenset(fields).union(mark for mark, held in zip(marks, flags, strict=True) if held)
