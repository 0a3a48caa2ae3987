"""Save links: `https://pay.google.com/gp/v/save/<JWT>`, and reading them back.

The JWT is RS256, signed with the service account's key (its id in the header), with the claims
Google documents: `iss` the account's e-mail, `aud` "google", `typ` "savetowallet", `iat`,
`origins`, and a `payload` holding the class and the object. Browsers and mail clients break
links longer than about 1,800 characters. A link holds the class and the object; or, when the
class is published apart (`class_inserted`, the way `passkit build` makes links), the object
alone; past `max_length` it holds only the object's id and class id (a "skinny" JWT), and
Google must then hold both beforehand (`WalletClient.upsert`), which the link's `notice` says
with the parts that make the object long.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import rsa

from passkit.errors import BundleError, SignatureMismatch
from passkit.google.credentials import ServiceAccount, b64url_length
from passkit.google.google_pass import GooglePass
from passkit.google.json_writing import compact_json
from passkit.google.kinds import BY_PAYLOAD_KEY

SAVE_URL = "https://pay.google.com/gp/v/save/"
MAX_LINK_LENGTH = 1800


@dataclass(frozen=True)
class SaveLink:
    url: str
    jwt: str
    skinny: bool  # True: only ids in the JWT; Google must hold the class and object
    class_id: str
    object_id: str
    kind: str
    notice: str | None = None
    # False when the link holds the object but not its class: Google must hold the class.
    holds_class: bool = True
    # Why a link that was to hold the object holds its ids only: its length, the largest
    # parts of the object.
    too_long: str | None = None

    @property
    def holds(self) -> str:
        """What the link holds, in words (see `describe_holding`)."""
        return describe_holding(
            self.object_id,
            self.class_id,
            holds_object=not self.skinny,
            holds_class=self.holds_class,
        )


def describe_holding(
    object_id: str | None, class_id: str | None, *, holds_object: bool, holds_class: bool
) -> str:
    """What a link holds of one object, as `passkit inspect` and the testing views say it."""
    if not holds_object:
        return f"names object ids only ({object_id} of class {class_id})"
    if not holds_class:
        return f"holds the object; names class {class_id}, which must be published"
    return f"holds the object and its class {class_id}"


def largest_parts(object_json: dict[str, Any], count: int = 4) -> str:
    """The largest members of an object, with the length of their JSON, largest first."""
    sizes = sorted(
        ((len(compact_json(value)), key) for key, value in object_json.items()),
        key=lambda item: (-item[0], item[1]),
    )
    return ", ".join(f"{key} ({size:,} characters)" for size, key in sizes[:count])


def save_claims(
    account: ServiceAccount, origins: Sequence[str], issued_at: int, payload: Any
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": account.client_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": issued_at,
    }
    if origins:
        # Optional: left out when empty, which keeps every link 17 characters shorter.
        claims["origins"] = list(origins)
    claims["payload"] = payload
    return claims


def save_claims_text(
    account: ServiceAccount, origins: Sequence[str], issued_at: int, payload_text: bytes
) -> bytes:
    """`compact_json(save_claims(...))` around a payload already in compact JSON."""
    return _claims_head(account, tuple(origins), issued_at) + payload_text + b"}"


def _claims_head(account: ServiceAccount, origins: tuple[str, ...], issued_at: int) -> bytes:
    """The compact JSON of the claims up to the payload's value."""
    before_iat, after_iat = _claims_frame(account, origins)
    iat = str(issued_at).encode("ascii") if type(issued_at) is int else compact_json(issued_at)
    return b"".join((before_iat, iat, after_iat))


# The claims around `iat` are the same for every link of an account and its origins: written
# once rather than per link (docs/performance.md). Few accounts and origins are in use at a time.
_FRAMES: dict[tuple[ServiceAccount, tuple[str, ...]], tuple[bytes, bytes]] = {}
_MAX_FRAMES = 256


def _claims_frame(account: ServiceAccount, origins: tuple[str, ...]) -> tuple[bytes, bytes]:
    """The compact JSON of the claims before the value of `iat`, and after it up to the
    payload. Cached for origins given as plain text only, the one case where equal keys
    (ServiceAccount compares by identity) are sure to write equal JSON."""
    if not all(type(origin) is str for origin in origins):
        return _write_claims_frame(account, origins)
    key = (account, origins)
    frame = _FRAMES.get(key)
    if frame is None:
        if len(_FRAMES) >= _MAX_FRAMES:
            _FRAMES.clear()
        frame = _FRAMES[key] = _write_claims_frame(account, origins)
    return frame


def _write_claims_frame(account: ServiceAccount, origins: Sequence[str]) -> tuple[bytes, bytes]:
    text = compact_json(save_claims(account, origins, 0, None))
    # Found once only: a quote inside the e-mail is written escaped.
    before_iat, marked, rest = text.partition(b'"iat":0,')
    assert marked and rest.endswith(b"null}"), text
    return before_iat + b'"iat":', b"," + rest[: -len(b"null}")]


def _timestamp(now: datetime | None) -> int:
    if now is None:
        # The current second, as datetime.now(UTC).timestamp() reads it, without making a
        # datetime (docs/performance.md).
        return int(time.time())
    moment = now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def save_link(
    gp: GooglePass,
    account: ServiceAccount,
    *,
    origins: Sequence[str] = (),
    now: datetime | None = None,
    max_length: int = MAX_LINK_LENGTH,
    class_inserted: bool = False,
    ids_only: bool = False,
) -> SaveLink:
    """A signed save link for `gp`; skinny (ids only) when the full one exceeds `max_length`.

    `origins` are the web origins allowed to show the save button; by default the layout's
    `google.origins` (`gp.origins`). `class_inserted=True` says the class is already held by
    Google (`WalletClient.upsert_class`, once per layout): the link then carries the object
    alone, which keeps far more links under the length limit. `ids_only=True` says the class
    and the object are both held by Google (`WalletClient.upsert`): the link is skinny
    whatever its length, and a holder who saves it gets the object as Google holds it.
    """
    allowed = tuple(origins) or gp.origins
    claims_head = _claims_head(account, allowed, _timestamp(now))
    if ids_only:
        skinny_body = claims_head + gp.skinny_payload_text() + b"}"
        return _signed_link(gp, account, skinny_body, skinny=True)
    payload = gp.object_payload_text() if class_inserted else gp.payload_text()
    body = claims_head + payload + b"}"
    # The length is known before signing: header, payload and signature are fixed-size
    # base64url texts, so the key signs once whichever link is made.
    length = (
        len(SAVE_URL)
        + len(account.header_b64)
        + 1
        + b64url_length(len(body))
        + 1
        + account.signature_length
    )
    if length <= max_length:
        return _signed_link(gp, account, body, skinny=False, holds_class=not class_inserted)
    what = "the object" if class_inserted else "the class and the object"
    too_long = (
        f"a save link holding {what} would be {length:,} characters, more than {max_length:,}; "
        f"the largest parts of the object: {largest_parts(gp.object_json)}"
    )
    held = (
        f"object {gp.object_id}"
        if class_inserted
        else f"class {gp.class_id} and object {gp.object_id}"
    )
    notice = (
        f"{too_long}. The link names the object by id only: Google must hold {held} "
        "(WalletClient.upsert) before anyone opens it"
    )
    skinny_body = claims_head + gp.skinny_payload_text() + b"}"
    return _signed_link(gp, account, skinny_body, skinny=True, notice=notice, too_long=too_long)


def _signed_link(
    gp: GooglePass,
    account: ServiceAccount,
    body: bytes,
    *,
    skinny: bool,
    holds_class: bool = False,
    notice: str | None = None,
    too_long: str | None = None,
) -> SaveLink:
    token = account.sign_jwt(body)
    return SaveLink(
        url=SAVE_URL + token,
        jwt=token,
        skinny=skinny,
        class_id=gp.class_id,
        object_id=gp.object_id,
        kind=gp.kind,
        notice=notice,
        holds_class=holds_class,
        too_long=too_long,
    )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedSaveLink:
    """What a save link holds: its JWT header and claims, classes and objects by Google type."""

    jwt: str
    header: dict[str, Any]
    claims: dict[str, Any]
    classes: tuple[tuple[str, dict[str, Any]], ...]  # (kind, class JSON)
    objects: tuple[tuple[str, dict[str, Any]], ...]  # (kind, object JSON)
    verified: bool

    @property
    def skinny(self) -> bool:
        """True when the objects are references only (id and class id, no class)."""
        return not self.classes and all(set(o) <= {"id", "classId"} for _, o in self.objects)


def _segment(part: str, what: str, source: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise BundleError(f"{source}: the JWT {what} is not base64url JSON ({exc})") from None


def read_save_link(
    link: str,
    *,
    verify_with: ServiceAccount | rsa.RSAPublicKey | None = None,
    source: str = "save link",
) -> DecodedSaveLink:
    """Decode a save link (or its bare JWT). With `verify_with`, also check the RS256
    signature and the `aud` claim, raising BundleError when they do not hold."""
    text = link.strip()
    if text.startswith(SAVE_URL):
        text = text[len(SAVE_URL) :]
    elif text.startswith(("http://", "https://")):
        raise BundleError(f"{source}: not a Google Wallet save link (expected {SAVE_URL}<jwt>)")
    parts = text.split(".")
    if len(parts) != 3 or not all(parts):
        raise BundleError(f"{source}: not a JWT (expected three dot-separated parts)")
    header = _segment(parts[0], "header", source)
    claims = _segment(parts[1], "claims", source)
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise BundleError(f"{source}: the JWT header and claims must be JSON objects")
    verified = False
    if verify_with is not None:
        key = verify_with.public_key() if isinstance(verify_with, ServiceAccount) else verify_with
        try:
            pyjwt.decode(
                text,
                key,
                algorithms=["RS256"],
                audience="google",
                options={"verify_iat": False, "verify_exp": False},
            )
        except pyjwt.PyJWTError as exc:
            raise SignatureMismatch(f"{source}: the save link does not verify: {exc}") from None
        verified = True
    payload = claims.get("payload")
    if not isinstance(payload, dict):
        raise BundleError(f"{source}: the JWT has no 'payload' object of classes and objects")
    classes: list[tuple[str, dict[str, Any]]] = []
    objects: list[tuple[str, dict[str, Any]]] = []
    for key, items in payload.items():
        kind = BY_PAYLOAD_KEY.get(key)
        if kind is None or not isinstance(items, list):
            raise BundleError(f"{source}: unknown payload entry {key!r}")
        target = classes if key == kind.class_payload_key else objects
        for item in items:
            if not isinstance(item, dict):
                raise BundleError(f"{source}: {key} holds a {type(item).__name__}, not an object")
            target.append((kind.name, item))
    return DecodedSaveLink(
        jwt=text,
        header=header,
        claims=claims,
        classes=tuple(classes),
        objects=tuple(objects),
        verified=verified,
    )
