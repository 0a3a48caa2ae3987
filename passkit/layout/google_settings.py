"""What a layout tells Google Wallet: its `GoogleOptions`, made from the `google:` section and
from what every pass of the layout shows alike, the check of its card rows, and the check of
the Google pass type it needs (run only when save links are built)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from passkit.errors import LayoutError, WalletRuleError
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.layout.checks import Fail, Loc
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.templating import Template
from passkit.model.fields import FIELD_GROUPS


def google_options(
    spec: LayoutSpec, name: str, images: Mapping[Loc, ImageSource], fail: Fail
) -> GoogleOptions:
    """The layout's `GoogleOptions`; a value Google refuses is a LayoutError at its key."""
    google = spec.google
    try:
        return GoogleOptions(
            class_suffix=google.class_suffix or _safe_suffix(name),
            issuer_name=google.issuer_name,
            program_logo=images.get(("google", "program_logo")),
            hero_image=images.get(("google", "hero_image")),
            origins=tuple(google.origins),
            card_rows=(
                tuple(tuple(row) for row in google.card_rows)
                if google.card_rows is not None
                else None
            ),
            redemption_channel=google.redemption_channel,
            **_fixed_parts(spec),
        )
    except WalletRuleError as exc:
        head, _, rest = str(exc).partition(": ")
        raise fail(("google", head), rest or str(exc)) from None


def check_card_rows(spec: LayoutSpec, fail: Fail) -> None:
    """Every key of `google.card_rows` names a field of the layout."""
    if spec.google.card_rows is None:
        return
    keys = {field.key for group in FIELD_GROUPS for field in getattr(spec.fields, group)}
    for row_index, row in enumerate(spec.google.card_rows):
        for index, key in enumerate(row):
            if key not in keys:
                close = difflib.get_close_matches(key, sorted(keys), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise fail(
                    ("google", "card_rows", row_index, index),
                    f"no field has the key {key!r}{hint}",
                )


def google_check(
    spec: LayoutSpec, images: Mapping[Loc, ImageSource], fail: Fail
) -> Callable[[], tuple[LayoutError, ...]]:
    """The check of the Google rules the layout breaks for all its passes alike, to run when
    save links are built (`Layout.google_check`)."""
    fixed_links = [
        (index, link.kind, link.uri)
        for index, link in enumerate(spec.links)
        if isinstance(link.uri, str)
    ]

    def google_problems() -> tuple[LayoutError, ...]:
        # Imported when asked (by a build of save links): an Apple-only build reads no more
        # of passkit.google than the options.
        from passkit.google.layoutcheck import layout_problems

        return layout_problems(spec.kind, spec.transit_type, fixed_links, images, fail)

    return google_problems


def _fixed(item: Any, *names: str) -> bool:
    """Whether `item` (a field, link, location or message) is shown on every pass and its
    parts `names` are written out rather than templates."""
    if item.when not in (None, True):
        return False
    return not any(isinstance(getattr(item, name), Template) for name in names)


def _fixed_parts(spec: LayoutSpec) -> dict[str, Any]:
    """What every pass of the layout shows alike (see `GoogleOptions.class_fields`)."""
    fields = [
        field.key
        for group in FIELD_GROUPS
        for field in getattr(spec.fields, group)
        if field.value is not None and _fixed(field, "label", "value")
    ]
    carrier = spec.trip.carrier if spec.trip is not None else None
    return {
        "class_fields": tuple(fields),
        "class_links": all(_fixed(link, "uri", "label") for link in spec.links),
        "class_locations": all(
            _fixed(location, "latitude", "longitude") for location in spec.locations
        ),
        "class_messages": all(_fixed(message, "header", "body") for message in spec.messages),
        "class_carrier": isinstance(carrier, str),
    }


def _safe_suffix(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
