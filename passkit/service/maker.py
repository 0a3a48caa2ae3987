"""Turning a pass's stored state into the pass itself, its bundle and its Google object.

The same state always makes the same bundle: the layout renders with the pass's issue time as
its clock, and the registry's own parts (web service, status, places) are laid over the result.
The hash of what the bundle holds (its manifest, which lists every file's SHA-1, and the Google
object) tells whether a change changed anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from passkit.errors import WalletRuleError
from passkit.model.choices import Status
from passkit.model.parts import Beacon, Location, WebService
from passkit.model.pass_ import Pass
from passkit.service.auth import PassTokenKeys
from passkit.service.layouts import LoadedLayout
from passkit.service.state import PassState, RegistryError

if TYPE_CHECKING:
    from passkit.apple.bundle import UnsignedBundle
    from passkit.apple.signing import AppleSigner
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google import GooglePass, SaveLink, ServiceAccount


@dataclass(frozen=True)
class Made:
    """A pass made from a state: the pass, its unsigned bundle and Google object if made."""

    pass_: Pass
    pass_type_id: str
    content_hash: str
    unsigned: UnsignedBundle | None
    google: GooglePass | None


class PassMaker:
    """Renders states into passes with the registry's signer, web service and Google account."""

    def __init__(
        self,
        *,
        apple: AppleSigner | None,
        google: GoogleCredentials | None,
        web_service_url: str | None,
        keys: PassTokenKeys | None,
    ) -> None:
        self.apple = apple
        self.google = google
        self.web_service_url = web_service_url
        self.keys = keys
        self._account: ServiceAccount | None = google.account() if google else None

    def make(self, loaded: LoadedLayout, state: PassState, *, record_name: str) -> Made:
        """The pass of `state`; DataError or WalletRuleError when a rule refuses it."""
        rendered = loaded.layout.render(state.record, now=state.issued_at, record_name=record_name)
        pass_ = self._overlay(rendered, state)
        digest = hashlib.sha256()
        unsigned = None
        pass_type_id = pass_.pass_type_id or ""
        if self.apple is not None:
            from passkit.apple.bundle import unsigned_bundle

            unsigned = unsigned_bundle(pass_, self.apple)
            pass_type_id = pass_.pass_type_id or self.apple.pass_type_id
            digest.update(unsigned.manifest)
        google = None
        if self.google is not None:
            from passkit.google import compile_google

            google = compile_google(
                pass_, issuer_id=self.google.issuer_id, options=loaded.layout.google
            )
            for part in (google.class_json, google.object_json):
                digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        return Made(pass_, pass_type_id, digest.hexdigest(), unsigned, google)

    def sign(self, made: Made) -> bytes:
        from passkit.apple.bundle import sign_bundle

        assert self.apple is not None and made.unsigned is not None
        return b"".join(sign_bundle(made.unsigned, self.apple))

    def google_link(self, made: Made) -> SaveLink | None:
        if made.google is None or self._account is None or self.google is None:
            return None
        from passkit.google import save_link

        origins = self.google.origins or made.google.origins
        return save_link(made.google, self._account, origins=origins)

    def _overlay(self, rendered: Pass, state: PassState) -> Pass:
        """The rendered pass with the registry's parts laid over it."""
        update: dict[str, Any] = {"status": state.status}
        if self.web_service_url is not None and self.keys is not None:
            token = self.keys.token(rendered.serial_number, state.token_key)
            if token is None:
                raise RegistryError(
                    f"pass {rendered.serial_number}: its token comes from key id "
                    f"{state.token_key!r}, which the service secret no longer holds; put it "
                    "back (kid:secret entries keep older keys beside the current one)"
                )
            update["web_service"] = WebService(url=self.web_service_url, authentication_token=token)
        if state.status is Status.EXPIRED:
            expired_at = state.expired_at or datetime.now(UTC)
            current = rendered.expiration_date
            update["expiration_date"] = min(current, expired_at) if current else expired_at
        if state.locations is not None:
            update["locations"] = places(Location, state.locations, "locations")
        if state.beacons is not None:
            update["beacons"] = places(Beacon, state.beacons, "beacons")
        return rendered.model_copy(update=update)


MAX_PLACES = 10


def places(
    model: type[Location] | type[Beacon], items: tuple[Mapping[str, Any], ...], what: str
) -> tuple[Location | Beacon, ...]:
    """Checked locations or beacons (at most 10 of each, as Wallet allows)."""
    if len(items) > MAX_PLACES:
        raise RegistryError(
            f"{what}: at most {MAX_PLACES} are allowed, the change would make {len(items)}; "
            "keep the ones nearest to where the pass is used"
        )
    made = []
    for index, item in enumerate(items):
        try:
            made.append(model.model_validate(dict(item)))
        except WalletRuleError as exc:
            raise RegistryError(f"{what}[{index}]: {exc}") from None
    return tuple(made)
