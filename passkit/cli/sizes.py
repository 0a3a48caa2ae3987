"""The lines `passkit lint` and `passkit inspect` print about a bundle's images."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from passkit.apple.sizes import ImageWeight


def image_lines(images: Sequence[ImageWeight]) -> Iterator[str]:
    """A heading with the totals, then one line per image: bytes, and what optimising saved."""
    if not images:
        return
    size = sum(p.size for p in images)
    plain = sum(p.plain_size for p in images)
    share = 1 - size / plain if plain else 0.0
    yield (
        f"images: {len(images)} files, {size:,} bytes, optimising saved {plain - size:,} "
        f"bytes ({share:.1%}) on plain PNGs of {plain:,}"
    )
    width = max(len(p.name) for p in images)
    for p in images:
        yield (
            f"  {p.name:<{width}}  {p.size:>9,} bytes  saved {p.plain_size - p.size:>7,}"
            f" ({p.saved:.1%})"
        )
