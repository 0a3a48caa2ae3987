"""A registry change applied to the pass's Google Wallet object (and class, when it changed).

    sync = GoogleSync(client, budget)
    result = sync.apply(p, gp, status="redeemed", message="Enjoy your coffee",
                        class_hash=kept_hashes.get(gp.class_id))
    kept_hashes[gp.class_id] = result.class_hash

`apply` takes the freshly rendered pass and its `GooglePass` and makes Google hold them:

1. the class, patched (inserted when Google lacks it) only when its content hash differs from
   the one the caller kept from the last change: a layout change patches the class once;
2. the object, read first and patched with the fields that differ: values, `state` (ACTIVE,
   COMPLETED for redeemed, INACTIVE for voided, EXPIRED), valid time interval, locations and
   the layout's messages, keeping the change messages added before. Arrays are sent whole, as
   Google replaces them; one the pass no longer has is emptied. An object Google lacks (its
   link was never used) is inserted, so that the link saves the current pass;
3. the change message, added after the patch so that the notification shows the new values:
   ``TEXT_AND_NOTIFY`` while the pass's `NotificationBudget` of three a day lasts, then
   ``TEXT``, with `fell_back` set and a notice logged. Should Google refuse a notification
   the budget allowed (another sender used the quota), the message goes as ``TEXT`` too.

Every Google failure becomes a `GoogleSyncError`: `GoogleRetryLater` (unreachable, timeout,
429, 5xx, a quota) for the outbox to keep and retry, or `GoogleRefused` (400, 401, 403, 404,
409, a token refused) carrying Google's message, which no retry will change. Retrying `apply`
is safe: an object already up to date is not patched again (a message may be added twice when
Google took it but its answer was lost). A status other than the four is the caller's mistake:
a `DataError`, before anything is sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from passkit.errors import DataError, GoogleApiError, PasskitError
from passkit.google.google_pass import GooglePass
from passkit.google.object_parts import STATES
from passkit.google.rest import WalletClient
from passkit.model.choices import Status
from passkit.model.parts import Message
from passkit.model.pass_ import Pass
from passkit.service.notification_budget import NotificationBudget

log = logging.getLogger("passkit.service.google_sync")

NOTIFY = "TEXT_AND_NOTIFY"
TEXT = "TEXT"
# Arrays a compiled object may hold; one the pass no longer has is emptied at Google.
COMPILED_ARRAYS = ("merchantLocations", "textModulesData", "imageModulesData")
# Google's reasons for refusals that pass with time.
RETRY_REASONS = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded", "backendError"}
T = TypeVar("T")


class GoogleSyncError(PasskitError):
    """A change did not reach Google; `retry` says whether trying again later can help."""

    retry = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class GoogleRetryLater(GoogleSyncError):
    """Google was unreachable, busy, failing or over a quota: keep the change and retry."""

    retry = True


class GoogleRefused(GoogleSyncError):
    """Google refused the change (or the credentials) for good: fix what it names."""


@dataclass(frozen=True)
class GoogleSyncResult:
    """What `apply` did at Google."""

    object_id: str
    class_hash: str  # keep it, and give it back to the next `apply` of this class
    class_patched: bool = False
    inserted: bool = False  # the object was not at Google and was inserted
    patched_fields: tuple[str, ...] = ()  # the object's top-level fields sent in the patch
    message_type: str | None = None  # NOTIFY or TEXT when a message was added
    fell_back: bool = False  # the message went as TEXT: no notification left today
    notices: tuple[str, ...] = ()


def hash_class(gp: GooglePass) -> str:
    """A content hash of the pass's class JSON: it changes when the layout's class does."""
    return hashlib.sha256(gp.class_text).hexdigest()


def google_state(status: str) -> str:
    """Google's object state for a registry status: 'active', 'redeemed', 'voided', 'expired'."""
    try:
        return STATES[Status(status)]
    except ValueError:
        raise DataError(
            f"pass status {status!r} is not one of {', '.join(s.value for s in Status)}"
        ) from None


def classify(exc: GoogleApiError, doing: str) -> GoogleSyncError:
    """The outbox's view of a failed request: retry later, or refused for good."""
    status = exc.status
    if status is None or status == 429 or status >= 500 or exc.reason in RETRY_REASONS:
        return GoogleRetryLater(f"{doing}: {exc}; kept to retry later", status=status)
    return GoogleRefused(f"{doing}: {exc}", status=status)


def merged_messages(stored: list[Any], compiled: list[Any]) -> list[Any]:
    """The layout's messages, then the messages added since (change messages) that the layout
    does not name: a patch replaces the array whole, so they are sent again to be kept."""
    named = {m.get("id") for m in compiled if isinstance(m, dict)}
    kept = [m for m in stored if isinstance(m, dict) and m.get("id") not in named]
    return [*compiled, *kept]


def without_kind(value: Any) -> Any:
    """`value` without the ``kind`` names (``walletobjects#...``) Google adds to what it
    returns, so that a stored field compares equal to the same field as passkit sends it."""
    if isinstance(value, dict):
        return {k: without_kind(v) for k, v in value.items() if k != "kind"}
    if isinstance(value, list):
        return [without_kind(v) for v in value]
    return value


def object_patch(stored: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """The top-level fields of `desired` that differ from what Google `stored`."""
    stored = without_kind(stored)
    patch: dict[str, Any] = {}
    for key, value in desired.items():
        if key in ("id", "classId"):
            continue
        if key == "messages":
            value = merged_messages(stored.get("messages") or [], value)
        if stored.get(key) != value:
            patch[key] = value
    for key in COMPILED_ARRAYS:
        if key not in desired and stored.get(key):
            patch[key] = []
    return patch


def change_message(p: Pass, text: str, now: datetime) -> Message:
    """A change message from its text: headed with the pass's organization, with an id of
    its time (Google allows ids to repeat; these seldom do)."""
    return Message(key=f"change-{int(now.timestamp() * 1000)}", header=p.organization, body=text)


class GoogleSync:
    """Applies registry changes to Google Wallet through one issuer's `WalletClient`."""

    def __init__(
        self,
        client: WalletClient,
        budget: NotificationBudget,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.budget = budget
        self.clock = clock

    def apply(
        self,
        p: Pass,
        gp: GooglePass,
        *,
        status: str = "active",
        message: Message | str | None = None,
        class_hash: str | None = None,
        now: datetime | None = None,
    ) -> GoogleSyncResult:
        """Make Google hold `gp` in `status`, patching the class when its hash differs from
        `class_hash`, and add `message` (text alone is headed with the pass's organization);
        GoogleRetryLater or GoogleRefused when it fails."""
        state = google_state(status)
        label = f"pass {p.serial_number} (Google object {gp.object_id})"
        new_hash = hash_class(gp)
        class_patched = class_hash != new_hash
        if class_patched:
            self._call(f"updating class {gp.class_id} of {label}", lambda: self._put_class(gp))
        inserted, fields = self._call(f"updating {label}", lambda: self._put_object(gp, state))
        result = GoogleSyncResult(
            object_id=gp.object_id,
            class_hash=new_hash,
            class_patched=class_patched,
            inserted=inserted,
            patched_fields=fields,
        )
        if message is None:
            return result
        moment = now or self.clock()
        if isinstance(message, str):
            message = change_message(p, message, moment)
        sent = self._call(
            f"adding message {message.key!r} to {label}",
            lambda: self._add_message(gp, message, moment),
        )
        notices: tuple[str, ...] = ()
        if sent != NOTIFY:
            notices = (
                f"{label} has had its three notifications of the last 24 hours: message "
                f"{message.key!r} was added as plain TEXT, shown on the pass without a "
                "notification",
            )
            log.info("%s", notices[0])
        return replace(result, message_type=sent, fell_back=sent != NOTIFY, notices=notices)

    def _call(self, doing: str, action: Callable[[], T]) -> T:
        try:
            return action()
        except GoogleApiError as exc:
            raise classify(exc, doing) from None

    def _put_class(self, gp: GooglePass) -> None:
        try:
            self.client.patch_class(gp.kind, gp.class_id, gp.class_json)
        except GoogleApiError as exc:
            if exc.status != 404:
                raise
            self.client.insert_class(gp)

    def _put_object(self, gp: GooglePass, state: str) -> tuple[bool, tuple[str, ...]]:
        desired = {**gp.object_json, "state": state}
        try:
            stored = self.client.get_object(gp.kind, gp.object_id)
        except GoogleApiError as exc:
            if exc.status != 404:
                raise
            self._insert_object(gp, desired)
            return True, tuple(desired)
        patch = object_patch(stored if isinstance(stored, dict) else {}, desired)
        if patch:
            self.client.patch_object(gp.kind, gp.object_id, patch)
        return False, tuple(patch)

    def _insert_object(self, gp: GooglePass, desired: dict[str, Any]) -> None:
        resource = gp.google_kind.object_resource
        try:
            self.client.request("POST", resource, desired)
        except GoogleApiError as exc:
            if exc.status == 409:  # saved from its link since it was read: patch it
                self.client.patch_object(gp.kind, gp.object_id, object_patch({}, desired))
                return
            if exc.status != 404:  # 404: the class is missing too
                raise
            self.client.upsert_class(gp)
            self.client.request("POST", resource, desired)

    def _add_message(self, gp: GooglePass, message: Message, now: datetime) -> str:
        notify = self.budget.take(gp.object_id, now)
        body = {"id": message.key, "header": message.header, "body": message.body}
        try:
            self.client.add_message(
                gp.kind, gp.object_id, {**body, "messageType": NOTIFY if notify else TEXT}
            )
        except GoogleApiError as exc:
            if not (notify and exc.reason == "quotaExceeded"):
                raise
            self.client.add_message(gp.kind, gp.object_id, {**body, "messageType": TEXT})
            return TEXT
        return NOTIFY if notify else TEXT
