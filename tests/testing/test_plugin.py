"""The pytest plugin, run the way a user's project runs it: through pytester.

The inner runs get the plugin from the installed ``pytest11`` entry point, not from this file.
"""

from __future__ import annotations

import pytest

from tests.support.layout import write_loyalty_card

pytest_plugins = ("pytester",)


USING_THE_FIXTURES = """
import json
from pathlib import Path

from passkit.layout import fixture_for
from passkit.testing import assert_barcode, assert_field, assert_valid

CARD = Path(__file__).with_name("loyalty.yaml")  # written beside this file


def sample_value(layout, key):
    \"\"\"The value the layout's shipped sample record gives field `key`.\"\"\"
    record = json.loads(fixture_for(layout.path).read_text(encoding="utf-8"))
    return layout.render(record).field(key).value


def test_loyalty_card(passkit_build, passkit_dev_ca):
    bundle = passkit_build(CARD, {
        "member_id": "4012883310",
        "member_name": "Ada Lovelace",
        "points": 120,
        "tier": "Gold",
    })
    assert_valid(bundle, passkit_dev_ca)
    assert_field(bundle, "points", 120, label="Points", group="primary")
    assert_field(bundle, "member", "Ada Lovelace")
    assert_barcode(bundle, format="qr")
    assert bundle.serial_number == "lumen-4012883310"


def test_sample_record_and_layout(passkit_build, passkit_layout, passkit_dev_signer):
    layout = passkit_layout("gift_card")
    bundle = passkit_build(layout)
    assert bundle.pass_type_identifier == passkit_dev_signer.pass_type_id
    assert_field(bundle, "balance", sample_value(layout, "balance").amount)


def test_save_link(passkit_save_link, passkit_layout, passkit_google_credentials):
    view = passkit_save_link("loyalty", max_length=100_000)
    assert view.verified
    assert view.claims["iss"] == passkit_google_credentials.client_email
    assert_field(view, "points", sample_value(passkit_layout("loyalty"), "points"))
    assert_valid(view)
"""


def test_a_test_file_using_the_fixtures_passes(pytester: pytest.Pytester) -> None:
    write_loyalty_card(pytester.path)
    pytester.makepyfile(test_cards=USING_THE_FIXTURES)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


FAILING = """
from pathlib import Path

from passkit.testing import assert_barcode, assert_field

CARD = Path(__file__).with_name("loyalty.yaml")  # written beside this file
ADA = {"member_id": "4012883310", "member_name": "Ada", "points": 110}


def test_points(passkit_build):
    bundle = passkit_build(CARD, ADA)
    assert_field(bundle, "points", 120, label="Balance")


def test_missing_field(passkit_build):
    assert_field(passkit_build(CARD, ADA), "pints", 120)


def test_barcode(passkit_build):
    assert_barcode(passkit_build(CARD, ADA), "nope", format="pdf417")
"""


def test_a_failing_assertion_reads_well(pytester: pytest.Pytester) -> None:
    write_loyalty_card(pytester.path)
    pytester.makepyfile(test_failing=FAILING)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*PassAssertionError: pass 'lumen-4012883310' (the bundle): field 'points' "
            "(group 'primary', label 'Points')",
            "*  value: expected 120, got 110",
            "*  label: expected 'Balance', got 'Points'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*no field 'pints'",
            "*fields present: tier (header), points (primary), member (secondary), "
            "member_id (back)*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*: barcode",
            "*  message: expected 'nope', got 'LUMEN:4012883310'",
            "*  format: expected 'pdf417', got 'qr'",
        ]
    )
    # The helpers hide their own frames: the failure points at the test's line.
    assert "values_equal" not in result.stdout.str()


def test_the_plugin_costs_nothing_to_a_suite_that_does_not_use_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_nothing_heavy_was_imported(request):
            assert "passkit_build" in request.config.pluginmanager.get_plugin("passkit").__dict__
            heavy = [name for name in ("cryptography", "pydantic", "passkit.model",
                     "passkit.testing.pkpass", "passkit.devcerts", "PIL", "jinja2")
                     if name in sys.modules]
            assert heavy == []
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


FIXED_CLOCK = """
from datetime import UTC, datetime

import pytest

from passkit.errors import SigningError
from passkit.testing import assert_valid


def test_a_fixed_clock_in_the_past(passkit_build, passkit_dev_ca):
    bundle = passkit_build("loyalty", now=datetime(2026, 1, 1))
    assert_valid(bundle, passkit_dev_ca)


def test_a_fixed_clock_outside_the_window_says_so(passkit_build):
    with pytest.raises(SigningError) as error:
        passkit_build("loyalty", now=datetime(1999, 1, 1, tzinfo=UTC))
    assert "valid from" in str(error.value) and "passkit_dev_validity" in str(error.value)
"""

OWN_WINDOW = """
from datetime import UTC, date, datetime

import pytest

from passkit.errors import SigningError
from passkit.testing import assert_valid


@pytest.fixture(scope="session")
def passkit_dev_validity():
    return date(2040, 1, 1), date(2041, 1, 1)


def test_inside_the_window(passkit_build, passkit_dev_ca):
    assert_valid(passkit_build("loyalty", now=datetime(2040, 6, 1, tzinfo=UTC)), passkit_dev_ca)


def test_before_the_window(passkit_build):
    with pytest.raises(SigningError, match="valid from 2040-01-01 00:00:00 UTC to 2041-01-01"):
        passkit_build("loyalty", now=datetime(2039, 12, 31, tzinfo=UTC))
"""


def test_dev_certificates_sign_at_a_fixed_time_years_away(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_clock=FIXED_CLOCK)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_project_chooses_the_window_of_its_dev_certificates(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_window=OWN_WINDOW)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
