"""Colours: parsed once from `#rrggbb`, `#rgb`, `rgb(r, g, b)` or a CSS colour name."""

from __future__ import annotations

import re
from typing import NamedTuple

# The forms layouts nearly always use, read here: pillow's colour parser, which knows every
# CSS name and form, costs its image module's import at start-up (docs/performance.md).
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class Color(NamedTuple):
    red: int
    green: int
    blue: int

    @classmethod
    def parse(cls, value: object) -> Color:
        if isinstance(value, Color):
            return value
        if (
            isinstance(value, tuple | list)
            and len(value) == 3
            and all(isinstance(c, int) and 0 <= c <= 255 for c in value)
        ):
            return cls(*value)
        if isinstance(value, str):
            text = value.strip()
            if _HEX.fullmatch(text):
                digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
                return cls(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
            from PIL import ImageColor

            try:
                rgb = ImageColor.getrgb(text)
            except ValueError:
                pass
            else:
                # pillow reads rgb(300, 0, 0) without complaint; a channel is 0 to 255.
                if all(0 <= channel <= 255 for channel in rgb[:3]):
                    return cls(rgb[0], rgb[1], rgb[2])
        raise ValueError(
            f"{value!r} is not a colour: use #rrggbb, rgb(r, g, b) or a CSS colour name"
        )

    @property
    def hex(self) -> str:
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"

    @property
    def css_rgb(self) -> str:
        """The `rgb(r, g, b)` form Apple Wallet expects in pass.json."""
        return f"rgb({self.red}, {self.green}, {self.blue})"

    def relative_luminance(self) -> float:
        """WCAG 2 relative luminance, for contrast checks."""

        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(self.red) + 0.7152 * channel(self.green) + 0.0722 * channel(self.blue)
        )

    def contrast_ratio(self, other: Color) -> float:
        a, b = sorted((self.relative_luminance(), other.relative_luminance()), reverse=True)
        return (a + 0.05) / (b + 0.05)
