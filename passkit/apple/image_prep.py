"""Preparing one picture for its role: decoded, upright, in sRGB, fitted, PNG at each scale.

How each role reaches its allotted space, and why, is told in `passkit.apple.images`, which
calls this only for a picture that neither this process nor the picture store prepared before.

Each PNG is then made smaller (`passkit.apple.png_optimise`): losslessly by default, or with
a palette of at most 256 colours when the layout asks for a quality (`bundle.image_quality`).
"""

from __future__ import annotations

import contextlib
import io

from PIL import Image, ImageCms, ImageOps

from passkit.apple.png_optimise import Prepared, optimise_png, png_of, quantise
from passkit.apple.styles import SCALES, Fit, ImageSpec
from passkit.errors import ImageError
from passkit.images import ImageSource


def prepare_pictures(
    source: ImageSource, spec: ImageSpec, quality: int | None = None
) -> list[Prepared]:
    """The picture at each of SCALES: its optimised PNG bytes, and the size of the plain PNG.

    `quality` (1-100), when given, reduces each picture to a palette of at most 256 colours
    at that quality first; without it every pixel is kept as it is.
    """
    picture = _upright_srgb(source)
    if spec.aspect_range is not None:
        picture = _crop_to_aspect_range(picture, *spec.aspect_range)
    prepared = []
    for scale in SCALES:
        fitted = _opaque_as_rgb(_fit(picture, spec, scale))
        plain = png_of(fitted)
        reduced = plain if quality is None else png_of(quantise(fitted, quality, source.name))
        prepared.append(Prepared(optimise_png(reduced, source.name), len(plain)))
    return prepared


def _upright_srgb(source: ImageSource) -> Image.Image:
    """The decoded picture, turned upright, in sRGB, as RGBA."""
    picture = source.open()
    # A broken EXIF block is ignored: the picture is kept as stored.
    with contextlib.suppress(ValueError, OSError, SyntaxError):
        picture = ImageOps.exif_transpose(picture)
    profile = picture.info.get("icc_profile")
    if profile:
        picture = _to_srgb(picture, profile)
    if picture.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit or float greyscale: bring to 8 bits before the usual conversion.
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    try:
        return picture.convert("RGBA")
    except (ValueError, OSError) as exc:
        raise ImageError(f"{source.name}: cannot convert the picture to RGBA ({exc})") from None


def _to_srgb(picture: Image.Image, profile: bytes) -> Image.Image:
    try:
        if picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
            picture = picture.convert("RGBA")
        output_mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            picture,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=output_mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture  # an unusable profile: the pixels are taken as sRGB already
    assert converted is not None
    return converted


def _crop_to_aspect_range(picture: Image.Image, narrowest: float, widest: float) -> Image.Image:
    width, height = picture.size
    ratio = width / height
    if ratio > widest:
        kept = max(1, round(height * widest))
        left = (width - kept) // 2
        return picture.crop((left, 0, left + kept, height))
    if ratio < narrowest:
        kept = max(1, round(width / narrowest))
        top = (height - kept) // 2
        return picture.crop((0, top, width, top + kept))
    return picture


def fitted_points(size: tuple[int, int], spec: ImageSpec) -> tuple[float, float]:
    """The size in points a picture of `size` pixels takes in its allotted space."""
    if spec.fit is not Fit.WITHIN:
        return float(spec.width), float(spec.height)
    width, height = size
    factor = min(spec.width / width, spec.height / height)
    return width * factor, height * factor


def _fit(picture: Image.Image, spec: ImageSpec, scale: int) -> Image.Image:
    box = (spec.width * scale, spec.height * scale)
    if spec.fit is Fit.FILL:
        return ImageOps.fit(picture, box, method=Image.Resampling.LANCZOS)
    if spec.fit is Fit.PAD:
        return ImageOps.pad(
            picture, box, method=Image.Resampling.LANCZOS, color=(0, 0, 0, 0), centering=(0.5, 0.5)
        )
    points_wide, points_high = fitted_points(picture.size, spec)
    size = (
        min(box[0], max(1, round(points_wide * scale))),
        min(box[1], max(1, round(points_high * scale))),
    )
    return picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _opaque_as_rgb(picture: Image.Image) -> Image.Image:
    alpha_low, _ = picture.getchannel("A").getextrema()
    return picture.convert("RGB") if alpha_low == 255 else picture  # opaque: a smaller file
