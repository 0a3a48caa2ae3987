"""The walletobjects v1 API as the Google stand-in plays it: classes, objects and messages.

`WalletObjects.answer(method, parts, body, now)` takes a request already authenticated (the
path split after ``/walletobjects/v1/``) and gives ``(status, json)`` as Google would:

- ``POST {resource}`` inserts (409 when the id exists; an object needs its class first);
- ``GET {resource}/{id}``; ``PATCH {resource}/{id}`` merges the body into what is stored:
  objects inside are merged field by field, arrays are replaced whole, as Google does;
- ``POST {resource}/{id}/addMessage`` appends the message; ``TEXT_AND_NOTIFY`` counts against
  the notification quota, at most `NOTIFY_QUOTA` per object (or class) in any `QUOTA_WINDOW`,
  past which Google refuses with 403 ``quotaExceeded`` (its documented QuotaExceededException).

Every class and object is checked against the discovery document after the change; a change
that makes it malformed is refused with 400 INVALID_ARGUMENT and nothing is stored.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from passkit.google.kinds import KINDS
from passkit.testing.walletobjects import validate

NOTIFY_QUOTA = 3
QUOTA_WINDOW = timedelta(hours=24)
NOTIFY = "TEXT_AND_NOTIFY"
Json = dict[str, Any]
# A status and Google's JSON answer (a scripted answer may hold any JSON value).
Answer = tuple[int, Any]

# REST resource name -> (discovery schema, is it a class)
RESOURCES: dict[str, tuple[str, bool]] = {
    **{kind.class_resource: (kind.class_schema, True) for kind in KINDS.values()},
    **{kind.object_resource: (kind.object_schema, False) for kind in KINDS.values()},
}
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_REASON = {400: "invalid", 401: "authError", 403: "forbidden", 404: "notFound", 409: "duplicate"}


def error(status: int, message: str, reason: str | None = None) -> Answer:
    """Google's error answer: ``{"error": {code, message, errors: [...], status}}``."""
    detail = {"message": message, "domain": "global", "reason": reason or _REASON.get(status, "")}
    return status, {
        "error": {
            "code": status,
            "message": message,
            "errors": [detail],
            "status": _STATUS.get(status, "UNKNOWN"),
        }
    }


def merge_patch(stored: Json, patch: Json) -> Json:
    """`stored` with `patch` applied: objects merged key by key, anything else (arrays too)
    replaced whole."""
    merged = copy.deepcopy(stored)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass
class WalletObjects:
    """The classes and objects held, and when each was last sent a notifying message."""

    resources: dict[tuple[str, str], Json] = field(default_factory=dict)
    notified: dict[str, list[datetime]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, parts: list[str], body: Any, now: datetime) -> Answer:
        resource = parts[0] if parts else ""
        if resource not in RESOURCES or len(parts) > 3:
            return error(404, f"Method not found: {method} {'/'.join(parts)}")
        with self.lock:
            if len(parts) == 1:
                if method != "POST":
                    return error(404, f"Listing {resource} is not played by the stand-in")
                return self._insert(resource, body)
            resource_id = parts[1]
            if len(parts) == 3:
                if parts[2] != "addMessage" or method != "POST":
                    return error(404, f"Method not found: {method} {'/'.join(parts)}")
                return self._add_message(resource, resource_id, body, now)
            if method == "GET":
                return self._get(resource, resource_id)
            if method in ("PATCH", "PUT"):
                return self._patch(resource, resource_id, body, replace=method == "PUT")
            return error(404, f"Method not found: {method} {'/'.join(parts)}")

    def _get(self, resource: str, resource_id: str) -> Answer:
        stored = self.resources.get((resource, resource_id))
        if stored is None:
            return error(404, f"Resource {resource} with id {resource_id} not found")
        return 200, copy.deepcopy(stored)

    def _insert(self, resource: str, body: Any) -> Answer:
        refused = self._invalid(resource, body)
        if refused is not None:
            return refused
        resource_id = body.get("id")
        if not isinstance(resource_id, str) or not resource_id:
            return error(400, f"Invalid resource: {resource} needs an id")
        if (resource, resource_id) in self.resources:
            return error(409, f"Resource already exists: {resource_id}")
        if not RESOURCES[resource][1]:  # an object: its class must be there
            class_resource = resource.removesuffix("Object") + "Class"
            if (class_resource, body.get("classId")) not in self.resources:
                return error(404, f"Class {body.get('classId')} not found for {resource_id}")
        self.resources[(resource, resource_id)] = copy.deepcopy(body)
        return 200, copy.deepcopy(body)

    def _patch(self, resource: str, resource_id: str, body: Any, *, replace: bool) -> Answer:
        stored = self.resources.get((resource, resource_id))
        if stored is None:
            return error(404, f"Resource {resource} with id {resource_id} not found")
        if not isinstance(body, dict):
            return error(400, f"Invalid JSON payload: the {resource} must be an object")
        if body.get("id", resource_id) != resource_id:
            return error(400, f"Invalid resource: the id {body.get('id')} is not {resource_id}")
        changed = copy.deepcopy(body) if replace else merge_patch(stored, body)
        changed.setdefault("id", resource_id)
        refused = self._invalid(resource, changed)
        if refused is not None:
            return refused
        self.resources[(resource, resource_id)] = changed
        return 200, copy.deepcopy(changed)

    def _add_message(self, resource: str, resource_id: str, body: Any, now: datetime) -> Answer:
        stored = self.resources.get((resource, resource_id))
        if stored is None:
            return error(404, f"Resource {resource} with id {resource_id} not found")
        problems = validate("AddMessageRequest", body)
        if problems or not isinstance(body.get("message"), dict):
            return error(400, "Invalid AddMessageRequest: " + "; ".join(problems or ["no message"]))
        message = body["message"]
        if message.get("messageType") == NOTIFY:
            recent = [t for t in self.notified.get(resource_id, []) if now - t < QUOTA_WINDOW]
            if len(recent) >= NOTIFY_QUOTA:
                kind = "class" if RESOURCES[resource][1] else "object"
                return error(
                    403,
                    f"Quota exceeded for issuer when adding {NOTIFY} message to {kind} "
                    f"{resource_id}: at most {NOTIFY_QUOTA} in 24 hours",
                    "quotaExceeded",
                )
            self.notified[resource_id] = [*recent, now]
        changed = merge_patch(stored, {"messages": [*stored.get("messages", []), message]})
        refused = self._invalid(resource, changed)
        if refused is not None:
            return refused
        self.resources[(resource, resource_id)] = changed
        return 200, {"resource": copy.deepcopy(changed)}

    def _invalid(self, resource: str, value: Any) -> Answer | None:
        schema = RESOURCES[resource][0]
        problems = validate(schema, value)
        if not problems:
            return None
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        return error(400, f"Invalid {schema}: {shown}")

    def find(self, resource_id: str, *, classes: bool) -> Json | None:
        """The stored class or object with this id, whatever its kind."""
        with self.lock:
            for (resource, stored_id), value in self.resources.items():
                if stored_id == resource_id and RESOURCES[resource][1] == classes:
                    return copy.deepcopy(value)
        return None
