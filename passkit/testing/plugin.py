"""The passkit pytest plugin: throwaway signing credentials and one-call builds, as fixtures.

Installed with passkit (entry point ``pytest11``), so a project's tests can simply ask for:

- ``passkit_dev_certificates``: development certificates written once per session
  (`passkit.devcerts.DevCertificates`: root, WWDR-like intermediate, pass certificate and key),
  valid from years before to years after today unless ``passkit_dev_validity`` says otherwise;
- ``passkit_dev_validity``: their validity window, ``None`` for the default; override it in a
  ``conftest.py`` to return ``(valid_from, valid_until)`` (dates or datetimes);
- ``passkit_dev_signer``: an `AppleSigner` for them;
- ``passkit_dev_ca``: the path of their root certificate, to verify bundles against;
- ``passkit_google_credentials``: a throwaway Google `ServiceAccount`;
- ``passkit_layout``: ``passkit_layout("loyalty")`` loads a shipped layout (or a layout file);
- ``passkit_build``: ``passkit_build("loyalty", record)`` renders, signs and opens a bundle;
- ``passkit_save_link``: ``passkit_save_link("loyalty", record)`` does the same for Google;
- ``apns_stand_in``: a local APNs (`passkit.testing.ApnsStandIn`) that accepts pushes made with
  the development pass certificate, started for the test and stopped after it;
- ``google_stand_in``: a local Google Wallet API (`passkit.testing.GoogleStandIn`) that accepts
  the throwaway service account, started for the test and stopped after it;
- ``wallet_device``: ``wallet_device()`` makes a `WalletDevice` (closed after the test);
- ``passkit_service``: passkit's pass service on SQLite, served by uvicorn on 127.0.0.1, signing
  with the development certificates and pushing to ``apns_stand_in``
  (`passkit.testing.service.PasskitService`: ``.registry``, ``.url``).

Nothing is imported or generated until a test asks for a fixture: a suite that does not use
them pays only for reading this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from passkit.apple.signing import AppleSigner
    from passkit.devcerts.folder import DevCertificates
    from passkit.google import ServiceAccount
    from passkit.layout import Layout
    from passkit.testing.apns import ApnsStandIn
    from passkit.testing.device import WalletDevice
    from passkit.testing.google import GoogleStandIn
    from passkit.testing.pkpass import Bundle
    from passkit.testing.savelink import SaveLinkView
    from passkit.testing.service import PasskitService

# A well-formed issuer id for development links (Google never sees them).
DEV_ISSUER_ID = "3388000000000000001"

LayoutRef = Any  # a Layout, a shipped layout's name, or a layout file path


@pytest.fixture(scope="session")
def passkit_dev_validity() -> tuple[date | datetime, date | datetime] | None:
    """The validity window of the development certificates: None, from years before to years
    after today. Override this fixture (session scope) to return ``(valid_from, valid_until)``.
    """
    return None


@pytest.fixture(scope="session")
def passkit_dev_certificates(
    tmp_path_factory: pytest.TempPathFactory,
    passkit_dev_validity: tuple[date | datetime, date | datetime] | None,
) -> DevCertificates:
    """Development certificates (and a Google service account) made once per test session."""
    from passkit.devcerts.folder import write_dev_certificates

    valid_from, valid_until = passkit_dev_validity or (None, None)
    return write_dev_certificates(
        tmp_path_factory.mktemp("passkit-dev-certificates"),
        valid_from=valid_from,
        valid_until=valid_until,
    )


@pytest.fixture(scope="session")
def passkit_dev_signer(passkit_dev_certificates: DevCertificates) -> AppleSigner:
    """An AppleSigner with a throwaway chain; real devices do not accept what it signs."""
    return passkit_dev_certificates.signer()


@pytest.fixture(scope="session")
def passkit_dev_ca(passkit_dev_certificates: DevCertificates) -> Path:
    """The development root certificate (PEM path): ``bundle.assert_valid(passkit_dev_ca)``."""
    return passkit_dev_certificates.root


@pytest.fixture(scope="session")
def passkit_google_credentials(passkit_dev_certificates: DevCertificates) -> ServiceAccount:
    """A throwaway Google service account (it does not exist at Google)."""
    from passkit.google import ServiceAccount

    return ServiceAccount.from_file(passkit_dev_certificates.google_service_account)


@pytest.fixture(scope="session")
def passkit_layout() -> Callable[[LayoutRef], Layout]:
    """``passkit_layout(name_or_path)``: a loaded layout, each loaded once per session."""
    loaded: dict[Path, Layout] = {}

    def load(layout: LayoutRef) -> Layout:
        from passkit.layout import Layout, load_layout

        if isinstance(layout, Layout):
            return layout
        path = _layout_path(layout)
        if path not in loaded:
            loaded[path] = load_layout(path)
        return loaded[path]

    return load


@pytest.fixture
def passkit_build(
    passkit_layout: Callable[[LayoutRef], Layout], passkit_dev_signer: AppleSigner
) -> Callable[..., Bundle]:
    """``passkit_build(layout, record=None, *, now=None, signer=None)``: a signed, opened bundle.

    `layout` is a Layout, a shipped layout's name or a layout file; without `record`, the shipped
    layout's sample record is used. Signed with the development chain unless `signer` is given.
    A `now` without a time zone is read as UTC.
    """

    def build(
        layout: LayoutRef,
        record: Mapping[str, Any] | None = None,
        *,
        now: datetime | None = None,
        signer: AppleSigner | None = None,
        record_name: str = "record",
    ) -> Bundle:
        from passkit.apple.bundle import build_pkpass
        from passkit.testing.pkpass import open_pkpass

        loaded = passkit_layout(layout)
        data = _record(loaded, record)
        now = _utc(now)
        p = loaded.render(data, now=now, record_name=record_name)
        return open_pkpass(build_pkpass(p, signer or passkit_dev_signer, now=now))

    return build


@pytest.fixture
def passkit_save_link(
    passkit_layout: Callable[[LayoutRef], Layout], passkit_google_credentials: ServiceAccount
) -> Callable[..., SaveLinkView]:
    """``passkit_save_link(layout, record=None, *, issuer_id=..., now=None, max_length=1800)``:
    the save link of a layout and record, signed with the throwaway account and opened (verified).
    A `now` without a time zone is read as UTC.
    """

    def link(
        layout: LayoutRef,
        record: Mapping[str, Any] | None = None,
        *,
        issuer_id: str = DEV_ISSUER_ID,
        now: datetime | None = None,
        max_length: int | None = None,
        record_name: str = "record",
    ) -> SaveLinkView:
        from passkit.google import compile_google, save_link
        from passkit.testing.savelink import open_save_link

        loaded = passkit_layout(layout)
        now = _utc(now)
        p = loaded.render(_record(loaded, record), now=now, record_name=record_name)
        gp = compile_google(p, issuer_id=issuer_id, options=loaded.google)
        options: dict[str, Any] = {} if max_length is None else {"max_length": max_length}
        made = save_link(gp, passkit_google_credentials, now=now, **options)
        return open_save_link(made.url, passkit_google_credentials)

    return link


@pytest.fixture
def apns_stand_in(passkit_dev_certificates: DevCertificates) -> Iterator[ApnsStandIn]:
    """A local APNs on 127.0.0.1 that takes client certificates issued under the development
    root: push to ``apns_stand_in.url`` trusting ``apns_stand_in.ca_file``, then assert on
    ``apns_stand_in.pushes``. Stopped after the test (an error of an ``on_push`` or ``wake``
    callback fails the test there)."""
    from passkit.testing.apns import ApnsStandIn

    with ApnsStandIn(client_ca=passkit_dev_certificates.root) as stand_in:
        yield stand_in


@pytest.fixture
def wallet_device() -> Iterator[Callable[..., WalletDevice]]:
    """``wallet_device(**options)``: a new `WalletDevice` (its own device id and push token;
    options as for `WalletDevice`), closed after the test."""
    from passkit.testing.device import WalletDevice

    made: list[WalletDevice] = []

    def make(**options: Any) -> WalletDevice:
        device = WalletDevice(**options)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()


@pytest.fixture
def passkit_service(
    request: pytest.FixtureRequest,
    passkit_dev_certificates: DevCertificates,
    passkit_dev_signer: AppleSigner,
    apns_stand_in: ApnsStandIn,
    tmp_path: Path,
) -> Iterator[PasskitService]:
    """passkit's pass service for the test: ``passkit_service.registry`` issues and changes
    passes (the shipped layouts), its web service answers at ``passkit_service.url`` (uvicorn
    on 127.0.0.1), and each change is pushed to ``apns_stand_in``. A test that asks for
    ``google_stand_in`` too gets Google passes, each change applied to the stand-in's objects
    (issuer id ``DEV_ISSUER_ID``). Stopped after the test."""
    from passkit.testing.service import PasskitService

    google = None
    if "google_stand_in" in request.fixturenames:
        google = request.getfixturevalue("google_stand_in")
    with PasskitService(
        passkit_dev_signer,
        apns_stand_in,
        folder=tmp_path,
        google=google,
        google_account=passkit_dev_certificates.google_service_account,
        issuer_id=DEV_ISSUER_ID,
    ) as service:
        yield service


@pytest.fixture
def google_stand_in(passkit_google_credentials: ServiceAccount) -> Iterator[GoogleStandIn]:
    """A local Google Wallet API on 127.0.0.1 that accepts `passkit_google_credentials`:
    ``google_stand_in.client()`` is a WalletClient for it; assert on ``.object(id)``,
    ``.messages(id)`` and ``.requests``. Stopped after the test."""
    from passkit.testing.google import GoogleStandIn

    with GoogleStandIn(accounts=[passkit_google_credentials]) as stand_in:
        yield stand_in


def _utc(now: datetime | None) -> datetime | None:
    """A test's fixed clock; `datetime(2026, 1, 1)` means midnight UTC."""
    from datetime import UTC

    return now.replace(tzinfo=UTC) if now is not None and now.tzinfo is None else now


def _layout_path(layout: LayoutRef) -> Path:
    from passkit.layout.library import find_layout

    return find_layout(layout).resolve()


def _record(layout: Layout, record: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if record is not None:
        return record
    import json

    from passkit.errors import DataError
    from passkit.files import RECORDS_LIMIT, read_limited
    from passkit.jsonparse import parse_json
    from passkit.layout import fixture_for

    path = fixture_for(layout.path)
    try:
        text = read_limited(path, RECORDS_LIMIT, "record file", DataError).decode("utf-8")
        loaded: Mapping[str, Any] = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg})", record=layout.name) from None
    except FileNotFoundError:
        raise DataError(
            f"no record given and no sample record at {path}; pass a record to the fixture",
            record=layout.name,
        ) from None
    return loaded
