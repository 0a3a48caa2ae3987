"""Design warnings: one test per kind of problem, and a clean pass that has none."""

from __future__ import annotations

from passkit.google.options import GoogleOptions
from passkit.preview import DesignWarning, lint_pass
from tests.preview.support import drawn_image, good_images, loyalty_pass


def found(warnings: list[DesignWarning], code: str) -> list[tuple[str, str]]:
    return [(w.where, w.wallet) for w in warnings if w.code == code]


HERO = GoogleOptions(hero_image=drawn_image(1032, 336))


def test_a_well_made_pass_has_no_warnings() -> None:
    assert lint_pass(loyalty_pass(), google=HERO) == []


def test_text_too_long_for_its_slot() -> None:
    long_name = "Maximilian Alexander von Hohenzollern-Sigmaringen"
    warnings = lint_pass(
        loyalty_pass(header=[{"key": "holder", "label": "Member", "value": long_name}])
    )
    assert ("header[0].value", "apple") in found(warnings, "truncated")
    message = next(w.message for w in warnings if w.where == "header[0].value")
    assert long_name in message and "characters fit" in message


def test_truncation_only_in_a_translation_names_the_language() -> None:
    p = loyalty_pass(
        secondary=[{"key": "member", "label": "Member", "value": "Camille"}],
        translations={"de": {"strings": {"Camille": "Camille " + "Mustermann-" * 6}}},
    )
    warnings = [w for w in lint_pass(p) if w.code == "truncated"]
    assert warnings and all("in 'de'" in w.message for w in warnings)


def test_too_many_fields_for_the_style() -> None:
    fields = [{"key": f"f{i}", "label": f"L{i}", "value": f"v{i}"} for i in range(4)]
    warnings = lint_pass(
        loyalty_pass(
            secondary=fields[:3],
            auxiliary=[*fields[3:], {"key": "f9", "label": "L9", "value": "v9"}],
        )
    )
    assert found(warnings, "too-many-fields") == [("auxiliary[1]", "apple")]
    two_primaries = loyalty_pass(primary=[fields[0], fields[1]])
    assert ("primary[1]", "apple") in found(lint_pass(two_primaries), "too-many-fields")


def test_missing_icon_and_logo() -> None:
    images = good_images()
    del images["icon"]
    del images["logo"]
    warnings = lint_pass(loyalty_pass(images=images))
    assert found(warnings, "missing-image") == [("images.icon", "apple"), ("images.logo", "both")]


def test_image_the_style_does_not_show() -> None:
    images = {**good_images(), "thumbnail": drawn_image(90, 90)}
    warnings = lint_pass(loyalty_pass(images=images))
    assert found(warnings, "image-not-shown") == [("images.thumbnail", "apple")]


def test_images_of_the_wrong_shape() -> None:
    images = {**good_images(), "strip": drawn_image(400, 400)}
    warnings = lint_pass(loyalty_pass(images=images))
    assert ("images.strip", "apple") in found(warnings, "image-aspect")
    assert ("images.strip", "google") in found(warnings, "image-aspect")  # the hero image
    wide = GoogleOptions(program_logo=drawn_image(300, 100), hero_image=drawn_image(1032, 336))
    warnings = lint_pass(loyalty_pass(), google=wide)
    assert found(warnings, "image-aspect") == [("google.program_logo", "google")]


def test_low_contrast_text() -> None:
    warnings = lint_pass(
        loyalty_pass(foreground_color="#555555", label_color="#ffffff", background_color="#333333")
    )
    assert found(warnings, "low-contrast") == [("foreground_color", "apple")]
    message = next(w.message for w in warnings if w.code == "low-contrast")
    assert "4.5:1" in message and "#555555" in message


def test_text_on_a_light_strip_image() -> None:
    images = {**good_images(), "strip": drawn_image(1125, 432, "#f8fafc")}
    warnings = lint_pass(loyalty_pass(images=images))
    assert any("strip image" in w.message for w in warnings if w.code == "low-contrast")


def test_barcode_message_too_long() -> None:
    p = loyalty_pass(barcode={"format": "code128", "message": "MEMBER-" + "4012883310" * 5})
    assert found(lint_pass(p), "barcode-too-long") == [("barcode.message", "both")]


def test_content_only_one_wallet_shows() -> None:
    p = loyalty_pass(
        kind="boarding_pass",
        transit_type="train",
        logo_text="Night train",
        primary=[
            {"key": "from", "label": "From", "value": "PAR", "change_message": "Now %@"},
            {"key": "to", "label": "To", "value": "LYS"},
        ],
        images={**good_images(), "footer": drawn_image(286, 15)},
        beacons=[{"proximity_uuid": "E2C56DB5-DFFB-48D2-B060-D0F5A71096E0"}],
    )
    places = found(lint_pass(p), "one-wallet-only")
    assert ("images.footer", "apple") in places
    assert ("beacons", "apple") in places
    assert ("primary[0].change_message", "apple") in places
    assert ("logo_text", "apple") in places


def test_unhosted_images_are_reported_for_google() -> None:
    images = {**good_images(), "icon": drawn_image(87, 87, url=False)}
    images["logo"] = drawn_image(150, 50, url=False)
    warnings = lint_pass(loyalty_pass(images=images))
    rule = [w for w in warnings if w.code == "google-rule"]
    assert len(rule) == 1 and "public URL" in rule[0].message and rule[0].wallet == "google"
