"""What a layout says about Google Wallet alone, where the two wallets truly differ.

Everything else comes from the `Pass`. A layout's `google:` section is turned into these
options (with image paths already read into `ImageSource`s carrying their public URLs).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from passkit.model.base import Model
from passkit.model.looks import Image

FieldKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)]


class GoogleOptions(Model):
    """Google-only settings of one layout; every one has a sensible default."""

    # The class id is "<issuer id>.<class_suffix>"; by default the layout's name.
    class_suffix: Annotated[str, Field(pattern=r"^[A-Za-z0-9._\-]+$")] | None = None
    # Name of the issuer shown on the card; by default the pass's organisation.
    issuer_name: str | None = None
    # Google shows the program logo in a circle: a layout may give a square one for it.
    program_logo: Image | None = None
    # The wide image across the card; by default the Apple strip image.
    hero_image: Image | None = None
    # Web origins allowed to show the "Add to Google Wallet" button for the save link.
    origins: tuple[str, ...] = ()
    # The rows of the Google card front, as field keys (at most 3 rows of 1 to 3 keys). By
    # default the Apple front: header, primary, secondary and auxiliary fields, in that order.
    card_rows: tuple[tuple[FieldKey, ...], ...] | None = None
    # Where an offer (coupon) can be redeemed; Google requires it on offers.
    redemption_channel: Literal["INSTORE", "ONLINE", "BOTH", "TEMPORARY_PRICE_REDUCTION"] = "BOTH"

    # What is the same for every pass of the layout, found by `load_layout` (not written in
    # the layout): it goes into the class, published once, instead of into every object, which
    # keeps save links short. The keys of fields whose label and value are fixed, and whether
    # the links, locations and messages and the trip's carrier are fixed.
    class_fields: tuple[str, ...] = ()
    class_links: bool = False
    class_locations: bool = False
    class_messages: bool = False
    class_carrier: bool = False

    @field_validator("card_rows")
    @classmethod
    def _three_rows_of_three(
        cls, rows: tuple[tuple[str, ...], ...] | None
    ) -> tuple[tuple[str, ...], ...] | None:
        if rows is None:
            return rows
        if len(rows) > 3:
            raise ValueError(f"a Google card shows at most 3 rows, got {len(rows)}")
        for number, row in enumerate(rows, 1):
            if not 1 <= len(row) <= 3:
                raise ValueError(f"row {number} has {len(row)} fields; a row holds 1 to 3")
        return rows
