"""What a layout says about Google Wallet alone, where the two wallets truly differ.

Everything else comes from the `Pass`. A layout's `google:` section is turned into these
options (with image paths already read into `ImageSource`s carrying their public URLs).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from passkit.model import Image, Model


class GoogleOptions(Model):
    """Google-only settings of one layout; every one has a sensible default."""

    # The class id is "<issuer id>.<class_suffix>"; by default the layout's name.
    class_suffix: Annotated[str, Field(pattern=r"^[A-Za-z0-9._\-]+$")] | None = None
    # Name of the issuer shown on the card; by default the pass's organisation.
    issuer_name: str | None = None
    # Google shows the program logo in a circle: a layout may give a square one for it.
    program_logo: Image | None = None
    # The wide picture across the card; by default the Apple strip image.
    hero_image: Image | None = None
    # Web origins allowed to show the "Add to Google Wallet" button for the save link.
    origins: tuple[str, ...] = ()
