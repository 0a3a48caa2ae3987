"""The `google:` section: only what Google needs, with defaults derived from the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.support.layout import MINIMAL, WITH_ID, layout, render


@pytest.fixture
def art_folder(tmp_path: Path) -> Path:
    (tmp_path / "art").mkdir()
    Image.new("RGB", (660, 660), (9, 9, 9)).save(tmp_path / "art" / "round.png")
    Image.new("RGB", (180, 180), (9, 9, 9)).save(tmp_path / "art" / "icon.png")
    return tmp_path


def test_defaults(art_folder: Path) -> None:
    loaded = layout(art_folder, WITH_ID + "images:\n  icon: art/icon.png\n", "My Card #1.yaml")
    options = loaded.google
    assert options.class_suffix == "My_Card__1"  # derived from the name, made safe for an id
    assert options.issuer_name is None and options.program_logo is None
    assert options.origins == () and options.card_rows is None
    assert options.redemption_channel == "BOTH"
    icon = render(loaded, {"id": "1"}).images.icon
    assert icon is not None and icon.url is None  # no base URL: no hosted copy is known


def test_everything_set(art_folder: Path) -> None:
    loaded = layout(
        art_folder,
        WITH_ID
        + """\
images:
  icon: art/icon.png
  logo: {path: art/icon.png, url: "https://cdn.example/logo-v2.png"}
fields:
  primary:
    - {key: a, value: A}
    - {key: b, value: B}
google:
  class_suffix: club.card-2026
  issuer_name: The Club
  program_logo: art/round.png
  hero_image: {path: art/round.png, url: "https://cdn.example/hero.png"}
  origins: [https://club.example]
  card_rows: [[a, b]]
  redemption_channel: ONLINE
  image_base_url: https://static.example/passes
""",
    )
    options = loaded.google
    assert options.class_suffix == "club.card-2026" and options.issuer_name == "The Club"
    assert options.program_logo is not None
    assert options.program_logo.url == "https://static.example/passes/art/round.png"
    assert options.hero_image is not None
    assert options.hero_image.url == "https://cdn.example/hero.png"
    assert options.origins == ("https://club.example",) and options.card_rows == (("a", "b"),)
    assert options.redemption_channel == "ONLINE"
    images = render(loaded, {"id": "1"}).images
    assert images.icon is not None and images.logo is not None
    assert images.icon.url == "https://static.example/passes/art/icon.png"
    assert images.logo.url == "https://cdn.example/logo-v2.png"  # an explicit URL wins
    assert art_folder / "art" / "round.png" in loaded.sources


def test_the_same_image_is_read_once(art_folder: Path) -> None:
    loaded = layout(
        art_folder,
        WITH_ID + "images:\n  icon: art/icon.png\n  thumbnail: art/icon.png\n",
    )
    images = render(loaded, {"id": "1"}).images
    assert images.icon is images.thumbnail


def test_rules_only_google_has_are_found_at_load_with_file_and_line(art_folder: Path) -> None:
    # Lines: 1-6 WITH_ID, 7 kind is replaced, then images (7-8), links (9-11).
    text = WITH_ID.replace("kind: generic", "kind: loyalty") + (
        "images:\n  icon: art/icon.png\n"
        "links:\n"
        "  - {kind: email, uri: not an address, label: Write to us}\n"
        "  - {kind: web, uri: '{{ id }}.example'}\n"
    )
    loaded = layout(art_folder, text)
    path = art_folder / "layout.yaml"
    logo, link = loaded.google_problems
    assert (logo.file, logo.line, logo.field) == (str(path), 8, "images.icon")
    assert "a Google loyalty card needs a logo" in str(logo)
    assert "google.image_base_url" in str(logo)
    assert (link.line, link.field) == (10, "links[0].uri")
    assert "'not an address' is not a valid email link for Google Wallet" in str(link)
    # The Apple pass does not care: the layout renders.
    assert render(loaded, {"id": "1"}).serial_number == "1"
    hosted = layout(art_folder, text.replace("not an address", "care@lumen.example"))
    assert hosted.google_problems[1:] == () and len(hosted.google_problems) == 1


def test_what_every_pass_shows_alike_is_found_at_load(art_folder: Path) -> None:
    loaded = layout(
        art_folder,
        WITH_ID
        + """\
fields:
  primary:
    - {key: who, label: Member, value: "{{ id }}"}
  back:
    - {key: terms, label: Terms, value: Be kind.}
    - {key: maybe, label: Note, value: Hello, when: "{{ id }}"}
links:
  - {uri: https://club.example, label: Club}
locations:
  - {latitude: 1.5, longitude: 2.5, when: "{{ id }}"}
""",
    )
    options = loaded.google
    assert options.class_fields == ("terms",)
    assert options.class_links and options.class_messages
    assert not options.class_locations and not options.class_carrier


def test_the_class_holds_fixed_fields_and_the_card_reads_them_there(art_folder: Path) -> None:
    from passkit.google import compile_google
    from tests.support.google import assert_valid

    loaded = layout(
        art_folder,
        WITH_ID
        + """\
fields:
  primary:
    - {key: who, label: Member, value: "{{ id }}"}
  secondary:
    - {key: hours, label: Hours, value: 7-21}
  back:
    - {key: terms, label: Terms, value: Be kind.}
links:
  - {uri: https://club.example, label: Club}
translations:
  fr:
    strings: {Hours: Horaires, Terms: Conditions, Club: Le club}
""",
    )
    issuer, options = "3388000000012345678", loaded.google
    first = compile_google(render(loaded, {"id": "1"}), issuer_id=issuer, options=options)
    second = compile_google(render(loaded, {"id": "2"}), issuer_id=issuer, options=options)
    assert first.class_json == second.class_json  # one class for every pass
    klass = first.class_json
    assert [m["id"] for m in klass["textModulesData"]] == ["hours", "terms"]
    assert klass["textModulesData"][0]["localizedHeader"]["translatedValues"] == [
        {"language": "fr", "value": "Horaires"}
    ]
    assert klass["linksModuleData"]["uris"][0]["uri"] == "https://club.example"
    rows = klass["classTemplateInfo"]["cardTemplateOverride"]["cardRowTemplateInfos"]
    paths = [
        item["firstValue"]["fields"][0]["fieldPath"]
        for row in rows
        for item in row.get("oneItem", {}).values()
    ]
    assert "class.textModulesData['hours']" in paths
    assert "textModulesData" not in first.object_json and "linksModuleData" not in first.object_json
    assert_valid("GenericClass", klass)
    assert_valid("GenericObject", first.object_json)
    # The preview of the Google card reads that row from the class too.
    from passkit.preview.google_view import google_view

    view = google_view(render(loaded, {"id": "1"}), "fr", options)
    assert ("Horaires", "7-21") in [(item.label, item.value) for row in view.rows for item in row]


@pytest.mark.parametrize(
    "value", ["{{ expires_at }}", "{{ last_day }}", "{{ expires_at | isoformat }}"]
)
def test_an_offer_does_not_repeat_its_end_as_text(art_folder: Path, value: str) -> None:
    from passkit.google import compile_google

    loaded = layout(
        art_folder,
        MINIMAL.replace("kind: generic", "kind: coupon")
        + f"""\
inputs:
  id: string
  last_day: date
expiry:
  at: "2027-01-06T00:00:00+01:00"
fields:
  secondary:
    - {{key: ends, label: Valid until, value: "{value}", date_style: medium, time_style: none}}
""",
    )
    p = render(loaded, {"id": "1", "last_day": "2027-01-05"})
    gp = compile_google(p, issuer_id="3388000000012345678", options=loaded.google)
    modules = {m["id"] for m in gp.object_json.get("textModulesData", [])}
    # A date or moment of the end is Google's to show; a text saying it is kept.
    assert ("ends" in modules) == value.endswith("isoformat }}")
    # Google shows the end's date: the last second of 5 January, the last day it is valid.
    assert gp.object_json["validTimeInterval"]["end"]["date"] == "2027-01-05T23:59:59+01:00"
