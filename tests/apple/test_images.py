"""Pass images: Apple's sizes per style and scale, no distortion, no metadata, prepared once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageCms

import passkit.apple.images as apple_images
from passkit.apple import bundle_files
from passkit.apple.images import cache_info, clear_cache, image_files
from passkit.errors import ImageError, WalletRuleError
from passkit.images import ImageSource
from tests.support.apple import dark_box, drawn_image, make_pass, pixel_size, png_chunk_types


def source(
    image: Image.Image, name: str = "test.png", fmt: str = "PNG", **save: Any
) -> ImageSource:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return ImageSource.from_bytes(buffer.getvalue(), name=name)


def sizes(files: tuple[Any, ...]) -> list[tuple[int, int]]:
    return [pixel_size(f.data) for f in files]


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_file_names_per_scale() -> None:
    files = image_files(source(drawn_image((300, 300))), "icon", "storeCard")
    assert [f.name for f in files] == ["icon.png", "icon@2x.png", "icon@3x.png"]
    assert all(not f.deflate for f in files)


def test_icon_is_padded_square_without_distortion() -> None:
    files = image_files(source(drawn_image((400, 200))), "icon", "coupon")
    assert sizes(files) == [(29, 29), (58, 58), (87, 87)]
    icon = decoded(files[2].data).convert("RGBA")
    assert icon.getpixel((0, 0))[3] == 0  # transparent band above the wide image
    assert icon.getpixel((43, 43))[3] == 255
    left, top, right, bottom = dark_box(icon)
    assert abs((right - left) - (bottom - top)) <= 2  # the disc is still round


@pytest.mark.parametrize(
    ("style", "points"),
    [("storeCard", (375, 144)), ("coupon", (375, 144)), ("eventTicket", (375, 98))],
)
def test_strip_fills_its_space_and_crops_evenly(style: str, points: tuple[int, int]) -> None:
    files = image_files(source(drawn_image((2000, 500))), "strip", style)
    assert sizes(files) == [(points[0] * s, points[1] * s) for s in (1, 2, 3)]
    strip = decoded(files[2].data)
    left, top, right, bottom = dark_box(strip)
    assert abs((right - left) - (bottom - top)) <= 2  # round: no stretching
    centre_x = (left + right) / 2
    assert abs(centre_x - strip.width / 2) <= 2  # cropped evenly on both sides


def test_background_fills_180_by_220() -> None:
    files = image_files(source(drawn_image((1000, 400))), "background", "eventTicket")
    assert sizes(files) == [(180, 220), (360, 440), (540, 660)]


@pytest.mark.parametrize(
    ("role", "size", "expected"),
    [
        ("logo", (300, 120), [(125, 50), (250, 100), (375, 150)]),
        ("logo", (1600, 100), [(160, 10), (320, 20), (480, 30)]),
        ("logo", (100, 400), [(12, 50), (25, 100), (38, 150)]),
        ("footer", (1000, 100), [(150, 15), (300, 30), (450, 45)]),
        ("thumbnail", (300, 300), [(90, 90), (180, 180), (270, 270)]),
        # Wider than 3:2 or narrower than 2:3: cropped to the limit, then fitted.
        ("thumbnail", (900, 300), [(90, 60), (180, 120), (270, 180)]),
        ("thumbnail", (100, 400), [(60, 90), (120, 180), (180, 270)]),
        # Smaller than the space: scaled up, still the documented size.
        ("logo", (32, 10), [(160, 50), (320, 100), (480, 150)]),
    ],
)
def test_images_that_keep_their_shape(
    role: str, size: tuple[int, int], expected: list[tuple[int, int]]
) -> None:
    style = "boardingPass" if role == "footer" else "generic"
    assert sizes(image_files(source(drawn_image(size, disc=False)), role, style)) == expected


def test_small_icon_is_scaled_up() -> None:
    files = image_files(source(drawn_image((10, 10), disc=False)), "icon", "generic")
    assert sizes(files) == [(29, 29), (58, 58), (87, 87)]


def test_metadata_is_stripped_and_orientation_applied() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated by 90 degrees
    exif[0x010F] = "Camera maker"
    stored = drawn_image((100, 200), (200, 40, 40), disc=False)
    jpeg = source(stored, "photo.jpg", "JPEG", exif=exif.tobytes(), icc_profile=srgb, quality=95)
    with Image.open(io.BytesIO(jpeg.data)) as check:
        assert check.info.get("icc_profile") and check.getexif()[0x0112] == 6

    files = image_files(jpeg, "logo", "coupon")
    assert sizes(files) == [(100, 50), (200, 100), (300, 150)]  # upright: 200 x 100
    for file in files:
        assert set(png_chunk_types(file.data)) <= {"IHDR", "PLTE", "tRNS", "IDAT", "IEND"}
        image = decoded(file.data)
        assert not image.info.get("icc_profile") and not image.getexif()
    red, green, blue = decoded(files[0].data).convert("RGB").getpixel((50, 25))
    assert red > 180 and green < 70 and blue < 70  # colours survive the sRGB conversion


def test_text_chunks_of_png_sources_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret location")
    files = image_files(source(drawn_image((300, 300)), pnginfo=info), "icon", "generic")
    for file in files:
        assert b"secret location" not in file.data
        assert "tEXt" not in png_chunk_types(file.data)


def test_transparency_is_kept_and_opaque_images_lose_the_alpha_channel() -> None:
    translucent = Image.new("RGBA", (320, 100), (0, 0, 255, 128))
    logo = image_files(source(translucent), "logo", "generic")[0]
    # One colour: the optimiser stores it as a palette with its transparency (tRNS).
    assert "A" in decoded(logo.data).convert("RGBA").getbands()
    assert decoded(logo.data).convert("RGBA").getpixel((10, 10)) == (0, 0, 255, 128)
    opaque = image_files(source(drawn_image((320, 100))), "logo", "generic")[0]
    assert not decoded(opaque.data).has_transparency_data


@pytest.mark.parametrize("mode", ["P", "LA", "L", "CMYK", "I;16", "1"])
def test_any_common_mode_is_accepted(mode: str) -> None:
    image = drawn_image((120, 120)).convert(mode)
    fmt = "JPEG" if mode == "CMYK" else ("TIFF" if mode == "I;16" else "PNG")
    files = image_files(source(image, fmt=fmt), "icon", "generic")
    assert sizes(files) == [(29, 29), (58, 58), (87, 87)]


def test_same_source_gives_the_same_bytes_after_a_cache_clear() -> None:
    made = source(drawn_image((700, 300)))
    first = [f.data for f in image_files(made, "strip", "coupon")]
    clear_cache()
    second = [f.data for f in image_files(made, "strip", "coupon")]
    assert first == second


def test_each_image_is_prepared_once_for_many_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = apple_images._prepare

    def counting(source: ImageSource, role: str, spec: Any, quality: int | None) -> Any:
        calls.append(role)
        return real(source, role, spec, quality)

    monkeypatch.setattr(apple_images, "_prepare", counting)
    clear_cache()
    template = make_pass("loyalty")
    for serial in range(200):
        p = template.model_copy(update={"serial_number": f"member-{serial}"})
        files = dict(bundle_files(p, pass_type_id="pass.x", team_id="T"))
        assert pixel_size(files["strip@3x.png"]) == (1125, 432)
    assert sorted(calls) == ["icon", "logo", "strip"]
    info = cache_info()
    assert (info.misses, info.hits, info.size) == (3, 3 * 199, 3)


def test_the_cache_key_includes_role_and_style() -> None:
    clear_cache()
    made = source(drawn_image((1200, 400)))
    coupon = image_files(made, "strip", "coupon")
    ticket = image_files(made, "strip", "eventTicket")
    assert pixel_size(coupon[0].data) == (375, 144)
    assert pixel_size(ticket[0].data) == (375, 98)
    assert cache_info().misses == 2


# --- bad input -------------------------------------------------------------------------------


def test_no_icon() -> None:
    p = make_pass("loyalty", images={"logo": drawn_image((320, 100))})
    with pytest.raises(WalletRuleError) as error:
        bundle_files(p, pass_type_id="pass.x", team_id="T")
    assert str(error.value).startswith("images.icon: Apple Wallet needs an icon")
    assert "add images.icon" in str(error.value)


@pytest.mark.parametrize(
    ("kind", "role", "named", "shown"),
    [
        ("boarding_pass", "strip", "an Apple boarding pass", "icon, logo and footer"),
        ("coupon", "background", "an Apple coupon", "icon, logo and strip"),
        ("loyalty", "thumbnail", "an Apple loyalty card (style storeCard)", "icon, logo and strip"),
        ("generic", "footer", "an Apple generic pass", "icon, logo and thumbnail"),
        ("gift_card", "footer", "an Apple gift card (style storeCard)", "icon, logo and strip"),
    ],
)
def test_an_image_the_style_does_not_show(kind: str, role: str, named: str, shown: str) -> None:
    base = make_pass(kind)
    images = {r: s for r, s in base.images.items()} | {role: drawn_image((600, 300))}
    with pytest.raises(WalletRuleError) as error:
        bundle_files(make_pass(kind, images=images), pass_type_id="pass.x", team_id="T")
    assert str(error.value) == (
        f"images.{role}: Apple Wallet does not show a {role} image on {named}, which shows only "
        f"{shown} images; remove images.{role} or choose a kind of pass that shows it"
    )


@pytest.mark.parametrize("other", ["background", "thumbnail"])
def test_event_ticket_strip_excludes_background_and_thumbnail(other: str) -> None:
    images = {
        "icon": drawn_image((90, 90)),
        "strip": drawn_image((1125, 294)),
        other: drawn_image((300, 300)),
    }
    with pytest.raises(
        WalletRuleError,
        match=f"^images.strip: an Apple event ticket with a strip image cannot also show a {other}",
    ):
        bundle_files(make_pass("event_ticket", images=images), pass_type_id="pass.x", team_id="T")


def test_localised_images_follow_the_same_rules() -> None:
    with pytest.raises(
        WalletRuleError, match=r"^translations\.fr\.images\.icon: .* cannot be localised"
    ):
        bundle_files(
            make_pass("coupon", translations={"fr": {"images": {"icon": drawn_image((90, 90))}}}),
            pass_type_id="p",
            team_id="T",
        )
    with pytest.raises(
        WalletRuleError,
        match=r"^translations\.de\.images\.footer: Apple Wallet does not show a footer image on",
    ):
        bundle_files(
            make_pass(
                "coupon", translations={"de": {"images": {"footer": drawn_image((600, 30))}}}
            ),
            pass_type_id="p",
            team_id="T",
        )


def test_unreadable_image_bytes_name_the_source() -> None:
    broken = ImageSource.from_bytes(b"this is not an image", name="uploads/logo.png")
    p = make_pass("generic", images={"icon": drawn_image((90, 90)), "logo": broken})
    with pytest.raises(ImageError, match=r"^uploads/logo\.png: not an image that can be read"):
        bundle_files(p, pass_type_id="pass.x", team_id="T")


def test_unreadable_image_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "strip.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    p = make_pass("coupon", images={"icon": drawn_image((90, 90)), "strip": path})
    with pytest.raises(ImageError) as error:
        bundle_files(p, pass_type_id="pass.x", team_id="T")
    assert str(error.value).startswith(f"{path}: not an image that can be read")
