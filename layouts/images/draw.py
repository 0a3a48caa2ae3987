"""Draw the images of the shipped layouts (run from anywhere: `python layouts/images/draw.py`).

The PNGs are committed; this script is how they were made, so that a brand's look can be
changed in one place. Every image is drawn at three times Apple's 1x size or more, and the
wallet compilers scale it down. Drawing is deterministic: the same script gives the same bytes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))

RGBA = tuple[int, int, int, int]


def font(
    size: int, *, bold: bool = True, serif: bool = False
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    names = []
    if serif:
        names.append("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf")
    names += ["DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", "LiberationSans-Bold.ttf"]
    for directory in FONT_DIRS:
        for name in names:
            if (directory / name).exists():
                return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size=size)


def fitted_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    *,
    max_width: float,
    size: int,
    fill: RGBA,
    serif: bool = False,
) -> None:
    """Text at the largest size up to `size` that fits in `max_width`, anchored left-middle."""
    while size > 8:
        face = font(size, serif=serif)
        if draw.textlength(text, font=face) <= max_width:
            break
        size -= 2
    draw.text(xy, text, font=font(size, serif=serif), fill=fill, anchor="lm")


def rgb(hex_colour: str, alpha: int = 255) -> RGBA:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)


def canvas(width: int, height: int, colour: RGBA = (0, 0, 0, 0)) -> Image.Image:
    return Image.new("RGBA", (width, height), colour)


def gradient(
    width: int, height: int, top: RGBA, bottom: RGBA, *, horizontal: bool = False
) -> Image.Image:
    image = canvas(width, height)
    draw = ImageDraw.Draw(image)
    steps = width if horizontal else height
    for i in range(steps):
        t = i / max(steps - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        if horizontal:
            draw.line([(i, 0), (i, height)], fill=colour)
        else:
            draw.line([(0, i), (width, i)], fill=colour)
    return image


def save(image: Image.Image, relative: str) -> None:
    path = HERE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=True)
    print(f"wrote {path.relative_to(HERE.parent)} {image.size[0]}x{image.size[1]}")


def supersampled(width: int, height: int, paint: Callable[[Image.Image, int], None]) -> Image.Image:
    """Paint at 4x then scale down: smooth edges without an antialiasing drawing library."""
    factor = 4
    big = canvas(width * factor, height * factor)
    paint(big, factor)
    return big.resize((width, height), Image.Resampling.LANCZOS)


# A brand's mark, drawn to fit a square of the given side at the top left of the image.
Mark = Callable[[ImageDraw.ImageDraw, float], None]


def app_icon(background: str, mark: Mark) -> Image.Image:
    """The 180 x 180 icon: `mark` on a rounded square of `background`."""

    def paint(image: Image.Image, k: int) -> None:
        s = image.size[0]
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle([0, 0, s, s], radius=s * 0.22, fill=rgb(background))
        mark(draw, s)

    return supersampled(180, 180, paint)


def wordmark(
    mark: Mark, word: str, *, text_at: float, size: float, fill: RGBA, serif: bool = False
) -> Image.Image:
    """The 480 x 150 logo: `mark` in the square of its height, then `word` starting `text_at`
    heights in, as large as fits (up to `size` heights, a twentieth of one clear of the edge)."""

    def paint(image: Image.Image, k: int) -> None:
        draw = ImageDraw.Draw(image)
        w, h = image.size
        mark(draw, h)
        fitted_text(
            draw,
            (h * text_at, h * 0.5),
            word,
            max_width=w - h * (text_at + 0.05),
            size=round(h * size),
            fill=fill,
            serif=serif,
        )

    return supersampled(480, 150, paint)


# ---------------------------------------------------------------------------------------------
# Lumen Coffee: loyalty, gift card and offer


ESPRESSO = "#2b1a12"
CREAM = "#fff6ea"
CARAMEL = "#e0a458"


def cup(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, colour: RGBA, steam: RGBA
) -> None:
    """A coffee cup with a saucer and two wisps of steam, centred on (cx, cy)."""
    w = size * 0.62
    h = size * 0.42
    top = cy - h * 0.15
    draw.rounded_rectangle([cx - w / 2, top, cx + w / 2, top + h], radius=size * 0.12, fill=colour)
    draw.rectangle([cx - w / 2, top, cx + w / 2, top + h * 0.35], fill=colour)
    handle = size * 0.13
    draw.ellipse(
        [cx + w / 2 - handle * 0.4, top + h * 0.15, cx + w / 2 + handle * 1.3, top + h * 0.75],
        outline=colour,
        width=max(2, round(size * 0.055)),
    )
    draw.rounded_rectangle(
        [cx - w * 0.72, top + h + size * 0.02, cx + w * 0.72, top + h + size * 0.08],
        radius=size * 0.03,
        fill=colour,
    )
    stroke = max(2, round(size * 0.045))
    for offset in (-0.13, 0.1):
        x0 = cx + size * offset
        points = [
            (x0 + math.sin(t / 6 * math.pi * 2) * size * 0.04, top - size * 0.06 - t * size * 0.045)
            for t in range(7)
        ]
        draw.line(points, fill=steam, width=stroke, joint="curve")


def lumen_icon() -> Image.Image:
    return app_icon(
        ESPRESSO, lambda draw, s: cup(draw, s / 2, s * 0.56, s * 0.9, rgb(CARAMEL), rgb(CREAM))
    )


def lumen_logo(word: str) -> Image.Image:
    return wordmark(
        lambda draw, h: cup(draw, h * 0.5, h * 0.56, h * 0.95, rgb(CARAMEL), rgb(CREAM)),
        word,
        text_at=1.05,
        size=0.5,
        fill=rgb(CREAM),
        serif=True,
    )


def beans(
    image: Image.Image,
    width: int,
    height: int,
    seed: int,
    colour: RGBA,
    line: RGBA,
    scale: float,
) -> None:
    rng = random.Random(seed)
    for _ in range(int(width * height / (9000 * scale * scale))):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(18, 30) * scale
        angle = rng.uniform(0, math.pi)
        bean = canvas(int(r * 2.4), int(r * 2.4))
        bd = ImageDraw.Draw(bean)
        c = bean.size[0] / 2
        bd.ellipse([c - r * 0.7, c - r, c + r * 0.7, c + r], fill=colour)
        bd.arc(
            [c - r * 0.35, c - r * 0.9, c + r * 0.35, c + r * 0.9],
            100,
            260,
            fill=line,
            width=max(2, int(r * 0.12)),
        )
        bean = bean.rotate(math.degrees(angle), resample=Image.Resampling.BICUBIC, expand=False)
        image.alpha_composite(bean, (int(x - c), int(y - c)))


def lumen_strip(seed: int, top: str, bottom: str) -> Image.Image:
    width, height = 1125, 432
    image = gradient(width, height, rgb(top), rgb(bottom), horizontal=True)
    beans(image, width, height, seed, rgb("#1a0f0a", 150), rgb("#8a5a3c", 170), 1.6)
    glow = canvas(width, height)
    ImageDraw.Draw(glow).ellipse(
        [width * 0.55, -height * 0.4, width * 1.3, height * 1.3], fill=rgb(CARAMEL, 120)
    )
    image.alpha_composite(glow.filter(ImageFilter.GaussianBlur(90)))
    return image


def lumen_gift_strip() -> Image.Image:
    width, height = 1125, 432
    image = gradient(width, height, rgb("#6b3e26"), rgb("#2b1a12"), horizontal=True)
    draw = ImageDraw.Draw(image)
    ribbon = rgb(CARAMEL)
    draw.rectangle([width * 0.68, 0, width * 0.68 + 70, height], fill=ribbon)
    draw.rectangle([0, height * 0.56, width, height * 0.56 + 60], fill=ribbon)
    knot_x, knot_y = width * 0.68 + 35, height * 0.56 + 30
    for direction in (-1, 1):
        draw.ellipse(
            [
                knot_x + direction * 150 - 100,
                knot_y - 90,
                knot_x + direction * 150 + 100,
                knot_y + 60,
            ],
            outline=ribbon,
            width=34,
        )
    draw.ellipse([knot_x - 45, knot_y - 45, knot_x + 45, knot_y + 45], fill=rgb("#c98b3e"))
    return image.filter(ImageFilter.SMOOTH)


def lumen_offer_strip() -> Image.Image:
    width, height = 1125, 432
    image = canvas(width, height, rgb("#f3e3cc"))
    draw = ImageDraw.Draw(image)
    for i in range(-height, width, 90):
        draw.polygon(
            [(i, height), (i + 45, height), (i + 45 + height, 0), (i + height, 0)],
            fill=rgb("#ecd3b0"),
        )

    def paint(layer: Image.Image, k: int) -> None:
        d = ImageDraw.Draw(layer)
        cup(
            d,
            layer.size[0] * 0.78,
            layer.size[1] * 0.58,
            layer.size[1] * 0.9,
            rgb(ESPRESSO),
            rgb("#b07a4a"),
        )
        # A scalloped "special offer" badge.
        cx, cy, r = layer.size[0] * 0.2, layer.size[1] * 0.5, layer.size[1] * 0.3
        points = []
        for i in range(48):
            radius = r if i % 2 == 0 else r * 0.9
            angle = i * math.pi / 24
            points.append((cx + math.cos(angle) * radius, cy + math.sin(angle) * radius))
        d.polygon(points, fill=rgb(CARAMEL))
        d.ellipse(
            [cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72],
            outline=rgb(CREAM),
            width=max(2, round(r * 0.05)),
        )
        star(d, cx, cy, r * 0.4, rgb(CREAM))

    image.alpha_composite(supersampled(width, height, paint))
    return image


def lumen_program_logo() -> Image.Image:
    def paint(image: Image.Image, k: int) -> None:
        draw = ImageDraw.Draw(image)
        s = image.size[0]
        draw.ellipse([0, 0, s, s], fill=rgb(ESPRESSO))
        cup(draw, s / 2, s * 0.56, s * 0.75, rgb(CARAMEL), rgb(CREAM))

    return supersampled(660, 660, paint)


def hero(strip: Image.Image) -> Image.Image:
    """Google's hero image (1032 x 336) cut from the middle of a strip, without distortion."""
    width, height = 1032, 336
    scale = max(width / strip.width, height / strip.height)
    resized = strip.resize(
        (round(strip.width * scale), round(strip.height * scale)), Image.Resampling.LANCZOS
    )
    left = (resized.width - width) // 2
    top = (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def lumen_hero() -> Image.Image:
    return hero(lumen_strip(7, "#4a2c1d", "#2b1a12"))


# ---------------------------------------------------------------------------------------------
# Harbor Athletic Club: membership card (generic)

NAVY = "#0b2545"
FOAM = "#8da9c4"


def waves(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    width: float,
    height: float,
    colour: RGBA,
    stroke: int,
) -> None:
    for row in range(3):
        base = y + height * (0.25 + row * 0.25)
        points = [
            (x + width * t / 60, base + math.sin(t / 60 * math.pi * 4) * height * 0.08)
            for t in range(61)
        ]
        draw.line(points, fill=colour, width=stroke, joint="curve")


def harbor_icon() -> Image.Image:
    return app_icon(
        NAVY,
        lambda draw, s: waves(
            draw, s * 0.15, s * 0.12, s * 0.7, s * 0.76, rgb("#ffffff"), round(s * 0.07)
        ),
    )


def harbor_logo() -> Image.Image:
    return wordmark(
        lambda draw, h: waves(
            draw, h * 0.05, h * 0.05, h * 0.9, h * 0.9, rgb(FOAM), round(h * 0.07)
        ),
        "HARBOR",
        text_at=1.1,
        size=0.46,
        fill=rgb("#ffffff"),
    )


def harbor_thumbnail() -> Image.Image:
    def paint(image: Image.Image, k: int) -> None:
        s = image.size[0]
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle([0, 0, s, s], radius=s * 0.12, fill=rgb("#13315c"))
        draw.ellipse([s * 0.32, s * 0.16, s * 0.68, s * 0.52], fill=rgb(FOAM))
        draw.chord([s * 0.14, s * 0.56, s * 0.86, s * 1.3], 180, 360, fill=rgb(FOAM))

    return supersampled(270, 270, paint)


# ---------------------------------------------------------------------------------------------
# Aurora Hall: event ticket

NIGHT = "#1d0f33"
AMBER = "#f4a259"


def star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: RGBA) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.42
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + math.cos(angle) * radius, cy + math.sin(angle) * radius))
    draw.polygon(points, fill=colour)


def aurora_icon() -> Image.Image:
    return app_icon(NIGHT, lambda draw, s: star(draw, s / 2, s / 2, s * 0.36, rgb(AMBER)))


def aurora_logo() -> Image.Image:
    return wordmark(
        lambda draw, h: star(draw, h * 0.5, h * 0.5, h * 0.38, rgb(AMBER)),
        "AURORA HALL",
        text_at=1.0,
        size=0.36,
        fill=rgb("#ffffff"),
    )


def aurora_strip() -> Image.Image:
    width, height = 1125, 294
    image = gradient(width, height, rgb("#12082a"), rgb(NIGHT))
    for index, (colour, phase) in enumerate((("#3ddc97", 0.0), ("#7b5cff", 1.7), ("#f4a259", 3.1))):
        band = canvas(width, height)
        draw = ImageDraw.Draw(band)
        points = [
            (x, height * (0.45 + 0.18 * math.sin(x / width * math.pi * 2.2 + phase)) + index * 18)
            for x in range(0, width + 10, 10)
        ]
        draw.line(points, fill=rgb(colour, 200), width=46, joint="curve")
        image.alpha_composite(band.filter(ImageFilter.GaussianBlur(22)))
    rng = random.Random(3)
    draw = ImageDraw.Draw(image)
    for _ in range(140):
        x, y, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(1, 3.2)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rgb("#ffffff", rng.randint(120, 255)))
    return image


# ---------------------------------------------------------------------------------------------
# Meridian Rail: boarding pass

RAIL_RED = "#c8102e"
INK = "#1b1b1b"


def train(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, s: float, body: RGBA, glass: RGBA
) -> None:
    draw.rounded_rectangle(
        [cx - s * 0.3, cy - s * 0.38, cx + s * 0.3, cy + s * 0.3], radius=s * 0.14, fill=body
    )
    draw.rounded_rectangle(
        [cx - s * 0.22, cy - s * 0.28, cx + s * 0.22, cy - s * 0.02], radius=s * 0.05, fill=glass
    )
    for side in (-1, 1):
        draw.ellipse(
            [
                cx + side * s * 0.15 - s * 0.05,
                cy + s * 0.1,
                cx + side * s * 0.15 + s * 0.05,
                cy + s * 0.2,
            ],
            fill=glass,
        )
        draw.line(
            [(cx + side * s * 0.18, cy + s * 0.3), (cx + side * s * 0.3, cy + s * 0.46)],
            fill=body,
            width=max(2, round(s * 0.06)),
        )


def meridian_icon() -> Image.Image:
    return app_icon(
        RAIL_RED,
        lambda draw, s: train(draw, s / 2, s * 0.47, s * 0.85, rgb("#ffffff"), rgb(RAIL_RED)),
    )


def meridian_logo() -> Image.Image:
    def mark(draw: ImageDraw.ImageDraw, h: float) -> None:
        draw.rounded_rectangle([0, h * 0.1, h * 0.8, h * 0.9], radius=h * 0.16, fill=rgb(RAIL_RED))
        train(draw, h * 0.4, h * 0.48, h * 0.7, rgb("#ffffff"), rgb(RAIL_RED))

    return wordmark(mark, "MERIDIAN", text_at=1.0, size=0.42, fill=rgb(INK))


def meridian_footer() -> Image.Image:
    width, height = 858, 45
    image = canvas(width, height)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 12, width, 16], fill=rgb(INK))
    draw.rectangle([0, 30, width, 34], fill=rgb(INK))
    for x in range(6, width, 26):
        draw.rectangle([x, 8, x + 8, 38], fill=rgb(RAIL_RED))
    return image


def main() -> None:
    save(lumen_icon(), "lumen/icon.png")
    save(lumen_logo("LUMEN"), "lumen/logo.png")
    save(lumen_logo("LUMEN CAFÉ"), "lumen/fr/logo.png")
    save(lumen_strip(11, "#5a3621", "#2b1a12"), "lumen/strip.png")
    save(lumen_gift_strip(), "lumen/gift-strip.png")
    save(lumen_offer_strip(), "lumen/offer-strip.png")
    save(lumen_program_logo(), "lumen/program-logo.png")
    save(lumen_hero(), "lumen/hero.png")
    save(hero(lumen_gift_strip()), "lumen/gift-hero.png")
    save(hero(lumen_offer_strip()), "lumen/offer-hero.png")
    save(harbor_icon(), "harbor/icon.png")
    save(harbor_logo(), "harbor/logo.png")
    save(harbor_thumbnail(), "harbor/thumbnail.png")
    save(aurora_icon(), "aurora/icon.png")
    save(aurora_logo(), "aurora/logo.png")
    save(aurora_strip(), "aurora/strip.png")
    save(hero(aurora_strip()), "aurora/hero.png")
    save(meridian_icon(), "meridian/icon.png")
    save(meridian_logo(), "meridian/logo.png")
    save(meridian_footer(), "meridian/footer.png")


if __name__ == "__main__":
    main()
