"""Which addresses passkit sends a secret to (a pass's web service, the Google Wallet API):
https everywhere, plain http only on this machine."""

from __future__ import annotations

import pytest

from passkit.web_service import https_or_loopback, url_problem


@pytest.mark.parametrize(
    "url",
    [
        "https://passes.example.com/",
        "https://203.0.113.7/v1",
        "http://127.0.0.1:8000/",
        "http://127.8.0.1/",  # all of 127.0.0.0/8 is this machine
        "http://[::1]:8080/walletobjects/v1",
        "http://localhost:8000/",
        "http://LOCALHOST/",
        "http://localhost./",
    ],
)
def test_https_or_plain_http_on_this_machine_may_carry_a_secret(url: str) -> None:
    assert https_or_loopback(url)
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://passes.example.com/",
        "http://10.0.0.8/v1",
        "http://[2001:db8::1]/",
        "http://localhost.example.com/",  # a name that merely starts like it
        "ftp://127.0.0.1/",
        "https://",  # no host
        "passes.example.com/v1",  # no scheme
        "http://[::1",  # not an address at all
        "",
    ],
)
def test_other_addresses_may_not(url: str) -> None:
    assert not https_or_loopback(url)
    assert url_problem(url) is not None
