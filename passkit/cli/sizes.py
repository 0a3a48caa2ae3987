"""The lines `passkit lint` and `passkit inspect` print about a bundle's pictures."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from passkit.apple.sizes import PictureWeight


def picture_lines(pictures: Sequence[PictureWeight]) -> Iterator[str]:
    """A heading with the totals, then one line per picture: bytes, and what optimising saved."""
    if not pictures:
        return
    size = sum(p.size for p in pictures)
    plain = sum(p.plain_size for p in pictures)
    share = 1 - size / plain if plain else 0.0
    yield (
        f"pictures: {len(pictures)} files, {size:,} bytes, optimising saved {plain - size:,} "
        f"bytes ({share:.1%}) on plain PNGs of {plain:,}"
    )
    width = max(len(p.name) for p in pictures)
    for p in pictures:
        yield (
            f"  {p.name:<{width}}  {p.size:>9,} bytes  saved {p.plain_size - p.size:>7,}"
            f" ({p.saved:.1%})"
        )
