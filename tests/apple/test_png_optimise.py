"""Optimised images: lossless means pixel-identical, smaller, stored under their settings."""

from __future__ import annotations

import codecs
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from passkit.apple import AppleSigner, build_pkpass, image_prep
from passkit.apple import images as apple_images
from passkit.apple.images import clear_cache, image_files, image_sizes
from passkit.apple.png_optimise import settings
from passkit.apple.styles import STYLE_OF_KIND, image_spec
from passkit.errors import LayoutError
from passkit.images import ImageSource
from passkit.layout import load_layout
from passkit.layout.library import fixture_for, shipped_layouts
from passkit.testing import open_pkpass


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    """The size and the RGBA pixels of a PNG, as a decoder sees them."""
    with Image.open(io.BytesIO(png)) as image:
        return image.size, image.convert("RGBA").tobytes()


def shipped_images() -> dict[tuple[str, str, str], ImageSource]:
    """Every image of the shipped layouts with the role and style it is prepared for."""
    found: dict[tuple[str, str, str], ImageSource] = {}
    for path in shipped_layouts():
        layout = load_layout(path)
        p = layout.render(json.loads(fixture_for(path).read_text(encoding="utf-8")))
        style = STYLE_OF_KIND[p.kind]
        sets = [p.images, *(t.images for t in p.translations.values())]
        for images in sets:
            for role, source in images.items():
                found[(source.digest, role, style)] = source
    return found


def test_every_shipped_image_is_pixel_identical_and_smaller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    images = shipped_images()
    assert len(images) >= 15
    optimised = {
        key: image_prep.prepare_images(source, image_spec(key[1], key[2]))
        for key, source in images.items()
    }
    # The same preparation with the optimiser turned off: the plain PNGs Pillow writes.
    monkeypatch.setattr(image_prep, "optimise_png", lambda png, name: png)
    plain_total = optimised_total = 0
    for key, source in images.items():
        plain = image_prep.prepare_images(source, image_spec(key[1], key[2]))
        for made, unoptimised in zip(optimised[key], plain, strict=True):
            assert made.plain_size == len(unoptimised.data)
            assert len(made.data) <= len(unoptimised.data)
            assert pixels(made.data) == pixels(unoptimised.data), f"{source.name} {key[1:]}"
            plain_total += len(unoptimised.data)
            optimised_total += len(made.data)
    assert optimised_total < 0.9 * plain_total


@pytest.mark.parametrize("quality", [None, 80])
def test_optimising_gives_the_same_bytes_every_time(quality: int | None) -> None:
    source = ImageSource.from_path(Path("layouts/images/lumen/logo.png"))
    spec = image_spec("logo", "storeCard")
    first = image_prep.prepare_images(source, spec, quality)
    assert image_prep.prepare_images(source, spec, quality) == first


def test_a_quality_reduces_colours_and_bytes() -> None:
    source = ImageSource.from_path(Path("layouts/images/lumen/strip.png"))
    lossless = image_files(source, "strip", "storeCard")
    lossy = image_files(source, "strip", "storeCard", quality=80)
    for exact, reduced in zip(lossless, lossy, strict=True):
        assert len(reduced.data) < 0.8 * len(exact.data)
        with Image.open(io.BytesIO(reduced.data)) as image:
            assert image.mode == "P"  # a palette of at most 256 colours
            assert image.size == Image.open(io.BytesIO(exact.data)).size
    sizes = image_sizes(source, "strip", "storeCard", quality=80)
    assert [s.name for s in sizes] == ["strip.png", "strip@2x.png", "strip@3x.png"]
    assert all(s.size < s.plain_size for s in sizes)


def test_the_store_keeps_images_apart_by_optimiser_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = ImageSource.from_path(Path("layouts/images/lumen/icon.png"))
    clear_cache()
    image_files(source, "icon", "storeCard")  # prepared and stored
    calls: list[str] = []
    real = image_prep.prepare_images

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("prepared")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(image_prep, "prepare_images", counting)
    clear_cache()
    image_files(source, "icon", "storeCard")
    assert calls == []  # read back from the store
    # Another optimiser build or setting: the stored entry is not reused.
    monkeypatch.setattr(apple_images, "optimiser_settings", lambda quality: "oxipng level 9")
    clear_cache()
    image_files(source, "icon", "storeCard")
    assert calls == ["prepared"]
    assert settings(None) != settings(80)
    assert "oxipng level" in settings(None)


def test_a_layout_chooses_the_quality_and_the_strings_encoding(
    tmp_path: Path, dev_signer: AppleSigner, now: datetime
) -> None:
    shutil.copytree("layouts", tmp_path, dirs_exist_ok=True)
    shipped = tmp_path / "loyalty.yaml"
    layout = tmp_path / "lossy.yaml"
    layout.write_text(
        "extends: loyalty.yaml\nbundle:\n  image_quality: 70\n  strings_encoding: utf-16\n",
        encoding="utf-8",
    )
    record = json.loads(fixture_for(shipped).read_text(encoding="utf-8"))
    lossy = build_pkpass(load_layout(layout).render(record), dev_signer, now=now)
    lossless = build_pkpass(load_layout(shipped).render(record), dev_signer, now=now)
    assert len(lossy) < 0.75 * len(lossless)
    bundle = open_pkpass(lossy)
    with Image.open(io.BytesIO(bundle.read("strip@3x.png"))) as strip:
        assert strip.mode == "P"
    assert bundle.read("fr.lproj/pass.strings").startswith(codecs.BOM_UTF16_LE)
    assert bundle.translations["fr"]["Points"] == "Points"
    assert open_pkpass(lossless).read("fr.lproj/pass.strings").startswith(b'"')


def test_a_quality_out_of_range_names_the_layout_key(tmp_path: Path) -> None:
    shutil.copytree("layouts", tmp_path, dirs_exist_ok=True)
    layout = tmp_path / "bad.yaml"
    layout.write_text("extends: loyalty.yaml\nbundle:\n  image_quality: 0\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"bundle\.image_quality"):
        load_layout(layout)


# The shipped loyalty bundle before images were optimised (built from its sample record).
LOYALTY_BYTES_BEFORE = 225_558


def test_the_loyalty_bundle_is_lighter(
    tmp_path: Path, dev_signer: AppleSigner, now: datetime
) -> None:
    """Lossless: 85% of the bytes before (measured: 191,578), nearly all of it the images'
    15.6%. With a quality of 90 (at most 256 colours an image): under 60% (measured: 49%)."""
    shutil.copytree("layouts", tmp_path, dirs_exist_ok=True)
    record = json.loads(fixture_for("loyalty").read_text(encoding="utf-8"))
    lossless = build_pkpass(
        load_layout(tmp_path / "loyalty.yaml").render(record), dev_signer, now=now
    )
    assert len(lossless) <= 0.86 * LOYALTY_BYTES_BEFORE
    lossy_layout = tmp_path / "lossy.yaml"
    lossy_layout.write_text(
        "extends: loyalty.yaml\nbundle: {image_quality: 90}\n", encoding="utf-8"
    )
    lossy = build_pkpass(load_layout(lossy_layout).render(record), dev_signer, now=now)
    assert len(lossy) <= 0.60 * LOYALTY_BYTES_BEFORE
