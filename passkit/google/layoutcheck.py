"""Google rules a layout breaks whatever the record: found once, when the layout loads.

A pass type whose Google class needs a logo (a loyalty card, a transit ticket) needs one with a
public address, and a fixed link must be a link of its kind. Only Google cares about these, so
they are reported beside the layout (`Layout.google_problems`) rather than raised: an Apple
build goes on, and a build of save links stops before its first record.

Light on purpose: loading a layout must not import the compilers and their JSON libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from passkit.errors import LayoutError
from passkit.google.images import HOW_TO_HOST
from passkit.google.uris import link_uri
from passkit.images import ImageSource
from passkit.model.choices import Kind, LinkKind, TransitType

Loc = tuple[str | int, ...]

# The Google types whose class cannot do without a logo, by the pass kind they come from.
LOYALTY_CARD = "loyalty card"
TRANSIT_TICKET = "transit ticket"


def logo_required_by(kind: Kind, transit_type: TransitType | None) -> str | None:
    """The Google type that needs a logo for every pass of a layout, if any (an air
    boarding pass may become a flight, which does not, so the record decides there)."""
    if kind is Kind.LOYALTY:
        return LOYALTY_CARD
    if kind is Kind.BOARDING_PASS and transit_type is not TransitType.AIR:
        return TRANSIT_TICKET
    return None


def layout_problems(
    kind: Kind,
    transit_type: TransitType | None,
    fixed_links: Sequence[tuple[int, LinkKind, str]],
    images: Mapping[Loc, ImageSource],
    fail: Callable[[Loc, str], LayoutError],
) -> tuple[LayoutError, ...]:
    """Every Google rule a layout breaks for all its passes alike, as file:line errors.

    `fixed_links` are the (index, kind, uri) of the layout's links whose address is no
    template; `images` its images by where they are written (("images", "icon"), ...).
    """
    problems: list[LayoutError] = []
    needed_by = logo_required_by(kind, transit_type)
    if needed_by is not None:
        problem = _logo_problem(needed_by, images, fail)
        if problem is not None:
            problems.append(problem)
    for index, link_kind, uri in fixed_links:
        if link_uri(link_kind, uri) is not None:
            continue
        problems.append(
            fail(
                ("links", index, "uri"),
                f"{uri!r} is not a valid {link_kind.value} link for Google Wallet; give a "
                "web address, an e-mail address, a phone number or a postal address as its "
                "kind says",
            )
        )
    return tuple(problems)


_SQUARE_LOGOS: Sequence[Loc] = (("google", "program_logo"), ("images", "icon"), ("images", "logo"))


def _logo_problem(
    needed_by: str,
    images: Mapping[Loc, ImageSource],
    fail: Callable[[Loc, str], LayoutError],
) -> LayoutError | None:
    present = [(loc, images[loc]) for loc in _SQUARE_LOGOS if loc in images]
    if any(source.url for _, source in present):
        return None
    if not present:
        return fail(
            ("images",),
            f"a Google {needed_by} needs a logo: give the layout google.program_logo, "
            f"images.icon or images.logo, and {HOW_TO_HOST}",
        )
    loc, source = present[0]
    return fail(
        loc,
        f"a Google {needed_by} needs a logo, but {source.name} has no public URL and Google "
        f"Wallet only shows hosted images: {HOW_TO_HOST}",
    )
