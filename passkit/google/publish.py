"""The class a save link names: published once per layout, and said plainly when it must be.

A link `passkit build` writes holds its object and names its class, which is the same for every
pass of the layout and is published apart, once: `passkit google publish LAYOUT` (or a build
with --google-insert, which also inserts each object). Until Google holds the class, the links
do not work, and whatever writes them says so with `needs_class_notice`.
"""

from __future__ import annotations

from collections.abc import Collection

# Shown in full up to this many; a layout whose class depends on the record (an event, a
# flight) may name many.
_NAMED = 3


def needs_class_notice(layout: str, class_ids: Collection[str], links: int) -> str:
    """What the `links` save links written from `layout` need before they work."""
    named = sorted(class_ids)
    shown = ", ".join(named[:_NAMED])
    if len(named) > _NAMED:
        shown += f" and {len(named) - _NAMED} more"
    classes = "class" if len(named) == 1 else "classes"
    return (
        f"the {links} Google save link(s) hold their objects and name {classes} {shown}, which "
        f"Google must hold for them to work: publish the class once with `passkit google "
        f"publish {layout}` (the same service account and issuer id; --data RECORD for a "
        "class that depends on the record), or build with --google-insert"
    )
