"""Images on Google Wallet: Google fetches them from public URLs, it takes no image bytes.

Each `ImageSource` may carry the public address of the same image (`url`); a layout sets
`google.image_base_url` so that every image gets one. An image Google requires (a loyalty
program logo, a transit logo) without an address is an error that says how to give it one; an
optional image without an address is left out and said in the notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from passkit.errors import WalletRuleError
from passkit.images import ImageSource

HOW_TO_HOST = (
    "set google.image_base_url in the layout to where its images are published "
    "(or give the image a url)"
)


def image_json(source: ImageSource, description: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"sourceUri": {"uri": source.url}}
    if description is not None:
        result["contentDescription"] = description
    return result


def _check_url(source: ImageSource, role: str) -> str:
    url = source.url or ""
    if not url.startswith(("https://", "http://")) or len(url) < 10:
        raise WalletRuleError(
            f"google {role}: the url {url!r} of image {source.name} is not a public http(s) "
            f"address; {HOW_TO_HOST}"
        )
    return url


def pick_image(
    candidates: Sequence[tuple[str, ImageSource | None]],
    *,
    role: str,
    required_by: str | None,
    notices: list[str],
) -> ImageSource | None:
    """The first candidate that has a public URL.

    `candidates` are (name, source) pairs in order of preference, e.g. the layout's
    `google.program_logo`, then its icon, then its logo. `required_by` names the Google type
    that cannot do without the image (None when it is optional).
    """
    present = [(name, source) for name, source in candidates if source is not None]
    for _, source in present:
        if source.url:
            _check_url(source, role)
            return source
    names = " or ".join(name for name, _ in candidates)
    if required_by is not None:
        if not present:
            raise WalletRuleError(
                f"google {role}: a Google {required_by} needs a {role}; give the layout "
                f"{names}, and {HOW_TO_HOST}"
            )
        name, source = present[0]
        raise WalletRuleError(
            f"google {role}: a Google {required_by} needs a {role}, but image {source.name} "
            f"({name}) has no public URL; Google Wallet only shows hosted images: {HOW_TO_HOST}"
        )
    if present:
        name, source = present[0]
        notices.append(
            f"the {role} ({name}, {source.name}) is left out of the Google pass because it has "
            f"no public URL; {HOW_TO_HOST}"
        )
    return None
