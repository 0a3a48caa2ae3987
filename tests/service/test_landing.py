"""The issuance link's pages without a browser: the form, its checking, the flow, the refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from passkit.layout import Layout
from passkit.service.landing import LinkPages, wallet_order
from passkit.service.linkform import field_errors, form_fields, read_form
from passkit.service.linktokens import LinkKind, LinkPayload
from tests.service.landing_support import NOW, Issuer, keyring, member_layout, personal_link

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    return member_layout(tmp_path_factory.mktemp("landing"))


def test_wallet_order_follows_the_phone() -> None:
    assert wallet_order(IPHONE) == ("apple", "google")
    assert wallet_order(MAC_SAFARI) == ("apple", "google")
    assert wallet_order(ANDROID) == ("google", "apple")
    assert wallet_order(None) == ("apple", "google")


def test_the_form_asks_what_the_link_leaves_open(layout: Layout) -> None:
    fields = {f.name: f for f in form_fields(layout, {"member_id": "HAC-204817"})}
    # pre-filled member_id and home_club (it has a default) are not asked
    assert list(fields) == ["member_name", "plan", "valid_until", "email"]
    assert fields["member_name"].label == "Member name" and fields["member_name"].required
    assert fields["member_name"].autocomplete == "name"
    assert fields["plan"].control == "select"
    assert [value for value, _ in fields["plan"].choices] == [
        "Classic",
        "Premium",
        "Family",
        "Student",
    ]
    assert fields["valid_until"].html_type == "date"
    assert fields["email"].html_type == "email" and not fields["email"].required
    assert fields["email"].hint == "Where we send your receipts"


def test_answers_are_checked_like_records(layout: Layout) -> None:
    prefill = {"member_id": "HAC-204817"}
    result = read_form(
        layout,
        prefill,
        {"member_name": "", "plan": "Gold", "valid_until": "31/01/2027", "email": "nobody"},
    )
    assert not result.ok
    errors = field_errors(result.fields)
    assert errors["member_name"] == "required: please fill this in"
    assert "expected one of 'Classic'" in errors["plan"]
    assert "2026-12-01" in errors["valid_until"]
    assert errors["email"].startswith("this does not have the expected form")
    # what was typed is kept for the next try
    assert {f.name: f.value for f in result.fields}["valid_until"] == "31/01/2027"


def test_good_answers_give_the_record_and_cannot_change_the_prefill(layout: Layout) -> None:
    result = read_form(
        layout,
        {"member_id": "HAC-204817"},
        {
            "member_name": "  Ada Lovelace ",
            "plan": "Family",
            "valid_until": "2027-01-31",
            "email": "",
            "member_id": "HAC-999999",  # not asked: ignored
            "home_club": "Elsewhere",
        },
    )
    assert result.ok and result.error is None
    assert result.record == {
        "member_id": "HAC-204817",
        "member_name": "Ada Lovelace",
        "plan": "Family",
        "valid_until": "2027-01-31",
    }
    assert layout.render(result.record).serial_number == "HAC-204817"


def test_overlong_answers_are_refused(layout: Layout) -> None:
    result = read_form(layout, {"member_id": "HAC-204817"}, {"member_name": "x" * 1001})
    assert field_errors(result.fields)["member_name"] == "at most 1000 characters, please"


def test_a_personal_link_issues_on_get_and_gives_the_same_pass(layout: Layout) -> None:
    issuer = Issuer(layout)
    pages = LinkPages(keyring=keyring(), layout_for=lambda name: layout, issue=issuer)
    full = personal_link(
        member_id="HAC-204817", member_name="Ada", plan="Classic", valid_until="2027-01-31"
    )
    token = keyring().seal(full)
    first = pages.get(token, action="/l/" + token, user_agent=ANDROID, now=NOW)
    assert first.status == 200
    buttons = re.findall(r'data-wallet="(\w+)"', first.html)
    assert buttons == ["apple"]  # no Google link configured: Apple's button alone
    assert 'src="data:image/png;base64,' in first.html
    again = pages.get(token, action="/l/" + token, user_agent=IPHONE, now=NOW)
    assert again.status == 200 and issuer.uses == {full.link_id: 1}
    assert "/passes/HAC-204817.pkpass" in again.html


def test_a_personal_link_that_gave_its_pass_shows_it_not_its_form(layout: Layout) -> None:
    issuer = Issuer(layout)
    pages = LinkPages(
        keyring=keyring(), layout_for=lambda name: layout, issue=issuer, given=issuer.given
    )
    link = personal_link(member_id="HAC-204817")
    token = keyring().seal(link)
    assert 'name="member_name"' in pages.get(token, action="/l/t", user_agent=None, now=NOW).html
    answers = {"member_name": "Ada", "plan": "Classic", "valid_until": "2027-01-31"}
    issued = pages.post(token, answers, action="/l/t", user_agent=None, now=NOW)
    assert issued.status == 200 and "/passes/HAC-204817.pkpass" in issued.html
    # The member comes back: the pass again, no form, nothing issued.
    again = pages.get(token, action="/l/t", user_agent=None, now=NOW)
    assert again.status == 200 and 'name="member_name"' not in again.html
    assert "/passes/HAC-204817.pkpass" in again.html
    assert issuer.uses == {link.link_id: 1}


def test_a_campaign_link_issues_only_on_post_up_to_max_uses(layout: Layout) -> None:
    issuer = Issuer(
        layout, google_link=lambda p: f"https://pay.google.com/gp/v/save/{p.serial_number}"
    )
    pages = LinkPages(keyring=keyring(), layout_for=lambda name: layout, issue=issuer)
    campaign = LinkPayload(
        layout="generic",
        prefill={"plan": "Student", "valid_until": "2027-06-30"},
        expires_at=None,
        max_uses=2,
        kind=LinkKind.CAMPAIGN,
    )
    token = keyring().seal(campaign)
    form = pages.get(token, action="/l/x", user_agent=ANDROID, now=NOW)
    assert form.status == 200 and issuer.uses == {}  # a robot's GET issues nothing
    assert 'name="member_id"' in form.html and 'name="plan"' not in form.html
    for number in ("HAC-000001", "HAC-000002"):
        page = pages.post(
            token, {"member_id": number, "member_name": "A"}, action="/l/x", user_agent=ANDROID
        )
        assert page.status == 200
        assert re.findall(r'data-wallet="(\w+)"', page.html) == ["google", "apple"]
    used_up = pages.post(
        token, {"member_id": "HAC-000003", "member_name": "A"}, action="/l/x", user_agent=ANDROID
    )
    assert used_up.status == 410 and "used up" in used_up.html


def test_a_wrong_answer_shows_the_form_again_escaped(layout: Layout) -> None:
    pages = LinkPages(keyring=keyring(), layout_for=lambda name: layout, issue=Issuer(layout))
    token = keyring().seal(personal_link())
    page = pages.post(
        token,
        {"member_name": "<script>alert(1)</script>", "plan": "Classic", "valid_until": "soon"},
        action="/l/t",
        user_agent=None,
        now=NOW,
    )
    assert page.status == 422
    assert "<script>alert" not in page.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
    assert 'aria-invalid="true"' in page.html and 'id="e-valid_until"' in page.html
    assert 'aria-describedby="h-valid_until e-valid_until"' in page.html


def test_refusal_pages(layout: Layout, tmp_path: Path) -> None:
    pages = LinkPages(keyring=keyring(), layout_for=lambda name: layout, issue=Issuer(layout))
    token = keyring().seal(personal_link())
    expired = pages.get(token, action="/", user_agent=None, now=NOW + timedelta(days=400))
    assert expired.status == 410 and "This link has expired" in expired.html
    assert "2027-01-01 at 00:00:00 UTC" in expired.html
    invalid = pages.get(token[:-3] + "AAA", action="/", user_agent=None, now=NOW)
    assert invalid.status == 404 and "This link is not valid" in invalid.html
    for page in (expired, invalid):
        assert '<html lang="en">' in page.html
