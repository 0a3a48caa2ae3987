"""Event tickets -> EventTicketClass / EventTicketObject.

Google's class describes one event (name, venue, dates from `Pass.event`), so its id gets a
part derived from the event: `<class suffix>.<event name>-<date>-<hash>`; tickets of one event
share a class, tickets of another event of the same layout get their own.

Fields recognised by key (case-insensitive, '-' and '.' read as '_'), first match wins:
- holder: `ticket_holder`, `holder`, `holder_name`, `attendee`, `name` -> `ticketHolderName`
- `seat`, `row`, `section`, `gate` -> `seatInfo`
- ticket number: `ticket_number`, `ticket_no` -> `ticketNumber`; `ticket_type` -> `ticketType`
- confirmation: `confirmation_code`, `order_number`, `booking_reference`,
  `reservation_number` -> `reservationInfo.confirmationCode`
- face value: `face_value`, `price` (money) -> `faceValue`
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from passkit.google.classinfo import ClassInputs, standard_class
from passkit.google.field_roles import fields_showing, match_roles
from passkit.google.gift_card import balance_money
from passkit.google.ids import short_hash, slug
from passkit.google.json_writing import JsonDict, put
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.google.values import google_datetime
from passkit.model.fields import PassField
from passkit.model.parts import Event
from passkit.model.pass_ import Pass

ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "holder": ("ticket_holder", "holder", "holder_name", "attendee", "name"),
    "seat": ("seat",),
    "row": ("row",),
    "section": ("section",),
    "gate": ("gate",),
    "ticket_number": ("ticket_number", "ticket_no"),
    "ticket_type": ("ticket_type",),
    "confirmation": (
        "confirmation_code",
        "order_number",
        "booking_reference",
        "reservation_number",
    ),
    "face_value": ("face_value", "price"),
}
SEAT_ROLES = ("seat", "row", "section", "gate")


def _roles(p: Pass) -> dict[str, PassField]:
    roles = match_roles(p, ROLE_KEYS)
    event = p.event
    if event is not None:
        # The class shows the event's name and times: fields saying the same are not repeated.
        moments = (event.name, event.starts_at, event.ends_at, event.doors_open_at)
        roles = {**fields_showing(p, moments), **roles}
    face_value = roles.get("face_value")
    if face_value is not None and balance_money(face_value) is None:
        del roles["face_value"]
    return roles


def _class_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    return (("event", p.event),)


def _suffix_part(p: Pass) -> str | None:
    event = p.event
    if event is None:
        return None
    starts_at = event.starts_at
    return _event_part(event.name, event.venue_name, event.venue_address, starts_at, str(starts_at))


# The same for every ticket of an event (slug and hash, docs/performance.md). The start is
# keyed by its text as well: times equal as instants (or differing in fold alone) may read
# differently.
@lru_cache(maxsize=256)
def _event_part(
    name: str,
    venue_name: str | None,
    venue_address: str | None,
    starts_at: datetime | None,
    starts_text: str,
) -> str:
    identity = "\n".join(str(part) for part in (name, venue_name, venue_address)) + "\n"
    identity += starts_text
    short_name = slug(name)[:32].strip("_")
    day = starts_at.strftime("%Y%m%d") if starts_at else None
    return "-".join(part for part in (short_name, day, short_hash(identity, 8)) if part)


def _build_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, loc, _ = standard_class(inputs, notices, logo_fields=("logo", "wideLogo"))
    event: Event | None = inputs.get("event")
    result["eventName"] = loc.text(event.name if event else inputs.title)
    if event is not None:
        if event.venue_name and event.venue_address:
            result["venue"] = {
                "name": loc.text(event.venue_name),
                "address": loc.text(event.venue_address),
            }
        elif event.venue_name or event.venue_address:
            notices.append(
                "event venue left out of the Google class: Google needs both the venue's name "
                "and its address"
            )
        when: JsonDict = {}
        put(when, "start", google_datetime(event.starts_at) if event.starts_at else None)
        put(when, "end", google_datetime(event.ends_at) if event.ends_at else None)
        put(
            when, "doorsOpen", google_datetime(event.doors_open_at) if event.doors_open_at else None
        )
        put(result, "dateTime", when)
    return result, {}


def _object_parts(ctx: ObjectContext) -> JsonDict:
    parts: JsonDict = {}
    put(parts, "ticketHolderName", ctx.role_text("holder"))
    put(parts, "ticketNumber", ctx.role_text("ticket_number"))
    seat = {role: ctx.localized_value(ctx.roles[role]) for role in SEAT_ROLES if role in ctx.roles}
    put(parts, "seatInfo", seat)
    ticket_type = ctx.roles.get("ticket_type")
    if ticket_type is not None:
        parts["ticketType"] = ctx.localized_value(ticket_type)
    confirmation = ctx.role_text("confirmation")
    if confirmation is not None:
        parts["reservationInfo"] = {"confirmationCode": confirmation}
    face_value = ctx.roles.get("face_value")
    if face_value is not None:
        parts["faceValue"] = balance_money(face_value)
    return parts


EVENT_TICKET = KindCompiler(
    name="eventTicket",
    roles=_roles,
    class_extra=_class_extra,
    build_class=_build_class,
    object_parts=_object_parts,
    class_suffix_part=_suffix_part,
)
