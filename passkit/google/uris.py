"""Link targets as Google's links module wants them: web addresses, mailto:, tel: and geo: URIs.

Kept apart from the compilers (and their JSON libraries) so that loading a layout can check
its fixed links without importing them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote_plus

from passkit.model.choices import LinkKind

_WEB = re.compile(r"(?:https?://)?[^\s/@]+\.[^\s]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?:mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+", re.IGNORECASE)
_PHONE = re.compile(r"(?:tel:)?\+?[0-9 ()./\-]*[0-9][0-9 ()./\-]*", re.IGNORECASE)


# Pure, and called with the same few links (the layout's) for every pass.
@lru_cache(maxsize=1024, typed=True)
def link_uri(kind: LinkKind, target: str) -> str | None:
    """A Google links-module URI (web address, mailto:, tel: or geo:), or None when `target`
    is not a link of that kind (a sentence with an address in it, say)."""
    target = target.strip()
    lowered = target.lower()
    if kind is LinkKind.EMAIL:
        if not _EMAIL.fullmatch(target):
            return None
        return target if lowered.startswith("mailto:") else f"mailto:{target}"
    if kind is LinkKind.PHONE:
        if not _PHONE.fullmatch(target) or sum(c.isdigit() for c in target) < 3:
            return None
        return "tel:" + "".join(c for c in target.removeprefix("tel:") if c.isdigit() or c == "+")
    if kind is LinkKind.ADDRESS:
        if lowered.startswith(("geo:", "https://", "http://")):
            return target if " " not in target else None
        return f"geo:0,0?q={quote_plus(target)}" if target else None
    if not _WEB.fullmatch(target):
        return None
    # Google requires a scheme; a bare host name is a web site.
    return target if lowered.startswith(("http://", "https://")) else f"https://{target}"
