"""Preparing one image for its role: decoded, upright, in sRGB, fitted, PNG at each scale.

How each role reaches its allotted space, and why, is told in `passkit.apple.images`, which
calls this only for an image that neither this process nor the image store prepared before.

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


def prepare_images(
    source: ImageSource, spec: ImageSpec, quality: int | None = None
) -> list[Prepared]:
    """The image at each of SCALES: its optimised PNG bytes, and the size of the plain PNG.

    `quality` (1-100), when given, reduces each image to a palette of at most 256 colours
    at that quality first; without it every pixel is kept as it is.
    """
    image = _upright_srgb(source)
    if spec.aspect_range is not None:
        image = _crop_to_aspect_range(image, *spec.aspect_range)
    prepared = []
    for scale in SCALES:
        fitted = _opaque_as_rgb(_fit(image, spec, scale))
        plain = png_of(fitted)
        reduced = plain if quality is None else png_of(quantise(fitted, quality, source.name))
        prepared.append(Prepared(optimise_png(reduced, source.name), len(plain)))
    return prepared


def _upright_srgb(source: ImageSource) -> Image.Image:
    """The decoded image, turned upright, in sRGB, as RGBA."""
    image = source.open()
    # A broken EXIF block is ignored: the image is kept as stored.
    with contextlib.suppress(ValueError, OSError, SyntaxError):
        image = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    if profile:
        image = _to_srgb(image, profile)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit or float greyscale: bring to 8 bits before the usual conversion.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    try:
        return image.convert("RGBA")
    except (ValueError, OSError) as exc:
        raise ImageError(f"{source.name}: cannot convert the image to RGBA ({exc})") from None


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    try:
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert("RGBA")
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=output_mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile: the pixels are taken as sRGB already
    assert converted is not None
    return converted


def _crop_to_aspect_range(image: Image.Image, narrowest: float, widest: float) -> Image.Image:
    width, height = image.size
    ratio = width / height
    if ratio > widest:
        kept = max(1, round(height * widest))
        left = (width - kept) // 2
        return image.crop((left, 0, left + kept, height))
    if ratio < narrowest:
        kept = max(1, round(width / narrowest))
        top = (height - kept) // 2
        return image.crop((0, top, width, top + kept))
    return image


def fitted_points(size: tuple[int, int], spec: ImageSpec) -> tuple[float, float]:
    """The size in points an image of `size` pixels takes in its allotted space."""
    if spec.fit is not Fit.WITHIN:
        return float(spec.width), float(spec.height)
    width, height = size
    factor = min(spec.width / width, spec.height / height)
    return width * factor, height * factor


def _fit(image: Image.Image, spec: ImageSpec, scale: int) -> Image.Image:
    box = (spec.width * scale, spec.height * scale)
    if spec.fit is Fit.FILL:
        return ImageOps.fit(image, box, method=Image.Resampling.LANCZOS)
    if spec.fit is Fit.PAD:
        return ImageOps.pad(
            image, box, method=Image.Resampling.LANCZOS, color=(0, 0, 0, 0), centering=(0.5, 0.5)
        )
    points_wide, points_high = fitted_points(image.size, spec)
    size = (
        min(box[0], max(1, round(points_wide * scale))),
        min(box[1], max(1, round(points_high * scale))),
    )
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _opaque_as_rgb(image: Image.Image) -> Image.Image:
    alpha_low, _ = image.getchannel("A").getextrema()
    return image.convert("RGB") if alpha_low == 255 else image  # opaque: a smaller file
