"""What the APNs stand-in refuses, with the status codes and reasons APNs answers.

Each check takes one request as the stand-in received it and returns None (fine) or the
refusal. The order follows APNs's: the method and path, the headers, the credentials, the
topic, the token, then the payload. Provider tokens (`authorization: bearer <JWT>`) are checked
here with `cryptography` alone, independently of the JWT library passkit signs them with.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PATH = re.compile(r"/3/device/([^/?#]+)")
TOKEN = re.compile(r"[0-9a-fA-F]{64,200}")
PUSH_TYPES = frozenset(
    {"alert", "background", "location", "voip", "complication", "fileprovider", "mdm",
     "liveactivity", "pushtotalk", "widgets", "controls"}
)  # fmt: skip
MAX_PAYLOAD = 4096
# APNs refuses provider tokens older than an hour.
TOKEN_MAX_AGE = 3600


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


@dataclass(frozen=True)
class Request:
    """One request as received: its pseudo-headers and headers (in order), body, and the
    pass type id (UID) of the connection's verified client certificate: None without a
    certificate, "" for one that has no UID."""

    headers: Sequence[tuple[str, str]]
    body: bytes
    certificate_topic: str | None

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True)
class ProviderKey:
    """A token key the stand-in accepts: its team and its public key."""

    team_id: str
    public_key: ec.EllipticCurvePublicKey


def check_request(
    request: Request,
    *,
    topics: frozenset[str] | None,
    keys: Mapping[str, ProviderKey],
    now: float | None = None,
) -> Refusal | None:
    """The first rule `request` breaks, or None."""
    if request.header(":method") != "POST":
        return Refusal(405, "MethodNotAllowed")
    path = PATH.fullmatch(request.header(":path") or "")
    if path is None:
        return Refusal(404, "BadPath")
    names = [name for name, _ in request.headers]
    if len(names) != len(set(names)):
        return Refusal(400, "DuplicateHeaders")
    refused = _check_credentials(request, keys, time.time() if now is None else now)
    refused = refused or _check_topic(request, topics)
    refused = refused or _check_headers(request)
    if refused:
        return refused
    if not TOKEN.fullmatch(path.group(1)):
        return Refusal(400, "BadDeviceToken")
    return check_payload(request.body)


def _check_credentials(
    request: Request, keys: Mapping[str, ProviderKey], now: float
) -> Refusal | None:
    if request.certificate_topic == "":
        return Refusal(403, "BadCertificate")  # verified, but no pass type id in it
    if request.certificate_topic is not None:
        return None
    authorization = request.header("authorization")
    if authorization is None:
        return Refusal(403, "MissingProviderToken")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Refusal(403, "InvalidProviderToken")
    return verify_provider_token(token, keys, now)


def _check_topic(request: Request, topics: frozenset[str] | None) -> Refusal | None:
    topic = request.header("apns-topic")
    if not topic:
        return Refusal(400, "MissingTopic")
    if request.certificate_topic is not None and topic != request.certificate_topic:
        return Refusal(400, "TopicDisallowed")
    if topics is not None and topic not in topics:
        return Refusal(400, "TopicDisallowed")
    return None


def _check_headers(request: Request) -> Refusal | None:
    push_type = request.header("apns-push-type")
    if push_type is not None and push_type not in PUSH_TYPES:
        return Refusal(400, "InvalidPushType")
    priority = request.header("apns-priority")
    if priority is not None and priority not in ("1", "5", "10"):
        return Refusal(400, "BadPriority")
    if push_type == "background" and priority == "10":
        return Refusal(400, "BadPriority")  # Apple: background pushes go at priority 5
    return None


def check_payload(body: bytes) -> Refusal | None:
    """A Wallet push carries `{}`; the stand-in refuses anything else, as `PayloadEmpty` and
    `PayloadTooLarge` like APNs, and as `NotAnEmptyPayload` for JSON that is not `{}`: APNs
    would pass that on, but Wallet ignores it, so it is the caller's bug."""
    if not body:
        return Refusal(400, "PayloadEmpty")
    if len(body) > MAX_PAYLOAD:
        return Refusal(413, "PayloadTooLarge")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return Refusal(400, "NotAnEmptyPayload")
    if payload != {}:
        return Refusal(400, "NotAnEmptyPayload")
    return None


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_provider_token(
    token: str, keys: Mapping[str, ProviderKey], now: float
) -> Refusal | None:
    """Check an ES256 provider token: header `alg` and `kid`, claims `iss` and `iat`, and the
    signature (raw r || s, as JWS writes it) with the key named by `kid`."""
    invalid = Refusal(403, "InvalidProviderToken")
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 4096:
        return invalid
    try:
        header, claims = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return invalid
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return invalid
    key = keys.get(str(header.get("kid")))
    if header.get("alg") != "ES256" or key is None or len(signature) != 64:
        return invalid
    if claims.get("iss") != key.team_id or not isinstance(claims.get("iat"), int):
        return invalid
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    try:
        key.public_key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return invalid
    if now - claims["iat"] > TOKEN_MAX_AGE:
        return Refusal(403, "ExpiredProviderToken")
    return None
