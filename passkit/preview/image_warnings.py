"""Design warnings about images: missing ones (no icon, no logo), ones Apple Wallet never
shows for the pass's style, and ones whose shape either wallet crops or shrinks (Apple's
slots per style, Google's round logo and wide hero image)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from passkit.apple.styles import ImageSpec, image_spec
from passkit.errors import WalletRuleError
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.model.pass_ import Pass
from passkit.preview.canvas import decode_image
from passkit.preview.design_warning import (
    IMAGE_ASPECT,
    IMAGE_NOT_SHOWN,
    MISSING_IMAGE,
    WALLET_NAMES,
    DesignWarning,
    Wallet,
)
from passkit.preview.google import HERO_SIZE
from passkit.preview.google_view import google_view
from passkit.preview.rules import apple_hidden_images, apple_images, apple_style

ASPECT_TOLERANCE = 0.10  # how far (relative) an image's shape may be from the slot's


def _shape(source: ImageSource) -> tuple[int, int]:
    return decode_image(source).size


def _aspect_warning(
    role: str, source: ImageSource, expected: tuple[float, float], wallet: Wallet, advice: str
) -> DesignWarning | None:
    """A warning when the image's shape is not (about) the `expected` width:height."""
    width, height = _shape(source)
    ratio = width / height
    wanted = expected[0] / expected[1]
    if abs(ratio - wanted) / wanted <= ASPECT_TOLERANCE:
        return None
    return DesignWarning(
        IMAGE_ASPECT,
        f"the {role} image is {width}×{height} pixels ({ratio:.2f}:1) but "
        f"{WALLET_NAMES[wallet]} wants {wanted:.2f}:1 there; {advice}",
        f"images.{role}",
        wallet,
    )


def image_warnings(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    """The warnings about a pass's images in both wallets (see the module)."""
    style = apple_style(p)
    yield from _missing_images(p, google)
    for role, reason, rule in apple_hidden_images(p, p.images):
        yield DesignWarning(
            IMAGE_NOT_SHOWN,
            f"the {role} image is never shown: {reason}; remove it or choose another kind",
            f"images.{role}",
            "apple",
            rule,
        )
    for role, source in apple_images(p, p.images).items():
        warning = _apple_shape(role, source, image_spec(role, style))
        if warning:
            yield warning
    yield from _google_images(p, google)


def _missing_images(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    """No icon (Apple Wallet refuses the pass), no logo (the top shows only text)."""
    if p.images.icon is None:
        yield DesignWarning(
            MISSING_IMAGE,
            "there is no icon: Apple Wallet requires one (it appears on the lock screen and in "
            "notifications) and will not add the pass without it; add a square icon",
            "images.icon",
            "apple",
            "apple.images.icon",
        )
    google_logo = google.program_logo if google else None
    if p.images.logo is None:
        wallet: Wallet = "apple" if google_logo else "both"
        yield DesignWarning(
            MISSING_IMAGE,
            "there is no logo: the top of the pass will show only text; add a logo image",
            "images.logo",
            wallet,
        )


def _apple_shape(role: str, source: ImageSource, spec: ImageSpec) -> DesignWarning | None:
    """A warning when Apple Wallet crops or shrinks the image of `role` for its shape."""
    if spec.aspect_range is not None:
        return _outside_aspect_range(role, source, spec.aspect_range)
    if role == "logo":
        return _wide_logo(source, spec)
    size = f"{spec.width}×{spec.height} points"
    advice = (
        f"parts of it will be cropped: give an image of {size} (or a multiple)"
        if role in ("strip", "background")
        else f"it will be shrunk to fit {size}: give an image of that shape"
    )
    return _aspect_warning(role, source, (spec.width, spec.height), "apple", advice)


def _outside_aspect_range(
    role: str, source: ImageSource, aspect_range: tuple[float, float]
) -> DesignWarning | None:
    width, height = _shape(source)
    low, high = aspect_range
    if low <= width / height <= high:
        return None
    return DesignWarning(
        IMAGE_ASPECT,
        f"the {role} image is {width}×{height} pixels; Apple Wallet crops "
        f"a {role} to between {low:.2f}:1 and {high:.2f}:1; give an image "
        "closer to square",
        f"images.{role}",
        "apple",
    )


def _wide_logo(source: ImageSource, spec: ImageSpec) -> DesignWarning | None:
    width, height = _shape(source)
    if width / height <= spec.width / spec.height * (1 + ASPECT_TOLERANCE):
        return None
    shown_height = spec.width * height / width
    return DesignWarning(
        IMAGE_ASPECT,
        f"the logo is {width}×{height} pixels, wider than Apple's 160×50-point "
        f"space: it will be only {shown_height:.0f} points tall; use a narrower "
        "logo",
        "images.logo",
        "apple",
    )


def _image_where(p: Pass, google: GoogleOptions | None, source: ImageSource) -> str:
    if google is not None and source is google.program_logo:
        return "google.program_logo"
    if google is not None and source is google.hero_image:
        return "google.hero_image"
    for role, candidate in p.images.items():
        if candidate is source:
            return f"images.{role}"
    return "images"


def _google_images(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    try:
        view = google_view(p, p.language, google)
    except WalletRuleError:
        return  # reported by _google_compiler
    if view.logo is not None:
        where = _image_where(p, google, view.logo)
        advice = "Google cuts the logo to a circle, losing its sides: give a square logo"
        if where != "google.program_logo":
            advice += " as google.program_logo"
        warning = _aspect_warning("logo", view.logo, (1, 1), "google", advice)
        if warning:
            yield replace(warning, where=where)
    if view.hero is not None:
        where = _image_where(p, google, view.hero)
        advice = f"parts of it will be cropped: give a {HERO_SIZE[0]}×{HERO_SIZE[1]} image"
        if where != "google.hero_image":
            advice += " as google.hero_image"
        warning = _aspect_warning("hero", view.hero, HERO_SIZE, "google", advice)
        if warning:
            yield replace(warning, where=where)
