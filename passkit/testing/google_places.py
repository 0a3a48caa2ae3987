"""Where a Google object keeps the fields it gives a place of its own, per Google type: the
path of the value, where its label is, and the layout keys the Google compiler sends there.

A save link's reader finds such a field by its layout key or by the Google name of the place
(``field("loyaltyPoints")``); the keys are read from the compilers' own tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A Google place for a field: its path in the object, and where its label is."""

    role: str
    path: tuple[str, ...]
    # ("here", key, localized key) inside the value node, or ("class", key, localized key)
    label: tuple[str, str, str] | None = None


PlacesOfKind = tuple[tuple[Place, tuple[str, ...]], ...]

_HERE_LABEL = ("here", "label", "localizedLabel")


def _with_keys(keys: Mapping[str, tuple[str, ...]], places: Iterable[Place]) -> PlacesOfKind:
    return tuple((place, tuple(keys.get(place.role, ()))) for place in places)


def _class_label(name: str) -> tuple[str, str, str]:
    """A label the class holds: `accountName` -> ("class", "accountNameLabel", ...)."""
    return ("class", f"{name}Label", f"localized{name[0].upper()}{name[1:]}Label")


def _loyalty() -> PlacesOfKind:
    from passkit.google import loyalty

    return _with_keys(
        loyalty.ROLE_KEYS,
        [
            Place("points", ("loyaltyPoints",), _HERE_LABEL),
            Place("secondary_points", ("secondaryLoyaltyPoints",), _HERE_LABEL),
            Place("account_name", ("accountName",), _class_label("accountName")),
            Place("account_id", ("accountId",), _class_label("accountId")),
        ],
    )


def _gift_card() -> PlacesOfKind:
    from passkit.google import gift_card

    return _with_keys(
        gift_card.ROLE_KEYS,
        [
            Place("balance", ("balance",)),
            Place("card_number", ("cardNumber",), _class_label("cardNumber")),
            Place("pin", ("pin",), _class_label("pin")),
            Place("event_number", ("eventNumber",), _class_label("eventNumber")),
        ],
    )


def _event_ticket() -> PlacesOfKind:
    from passkit.google import event_ticket

    return _with_keys(
        event_ticket.ROLE_KEYS,
        [
            Place("holder", ("ticketHolderName",)),
            Place("ticket_number", ("ticketNumber",)),
            Place("seat", ("seatInfo", "seat")),
            Place("row", ("seatInfo", "row")),
            Place("section", ("seatInfo", "section")),
            Place("gate", ("seatInfo", "gate")),
            Place("ticket_type", ("ticketType",)),
            Place("confirmation", ("reservationInfo", "confirmationCode")),
            Place("face_value", ("faceValue",)),
        ],
    )


def _trip_keys() -> dict[str, tuple[str, ...]]:
    from passkit.google import boarding

    return {**boarding.TRIP_ROLE_KEYS, **boarding.TICKET_ROLE_KEYS, **boarding.SEATING_ROLE_KEYS}


def _flight() -> PlacesOfKind:
    return _with_keys(
        _trip_keys(),
        [
            Place("passenger", ("passengerName",)),
            Place("seat", ("boardingAndSeatingInfo", "seatNumber")),
            Place("boarding_group", ("boardingAndSeatingInfo", "boardingGroup")),
            Place("sequence", ("boardingAndSeatingInfo", "sequenceNumber")),
            Place("seat_class", ("boardingAndSeatingInfo", "seatClass")),
            Place("confirmation", ("reservationInfo", "confirmationCode")),
            Place("ticket_number", ("reservationInfo", "eticketNumber")),
        ],
    )


def _transit() -> PlacesOfKind:
    return _with_keys(
        _trip_keys(),
        [
            Place("passenger", ("passengerNames",)),
            Place("seat", ("ticketLeg", "ticketSeat", "seat")),
            Place("platform", ("ticketLeg", "platform")),
            Place("ticket_number", ("ticketNumber",)),
            Place("confirmation", ("purchaseDetails", "confirmationCode")),
        ],
    )


def _generic() -> PlacesOfKind:
    return (
        (Place("header", ("header",), ("here-object", "subheader", "")), ()),
        (Place("card_title", ("cardTitle",)), ()),
    )


def _places() -> dict[str, PlacesOfKind]:
    """For each Google type, the dedicated places and the layout keys that go there.

    The compilers are imported on first use: reading a bundle needs none of them."""
    return {
        "loyalty": _loyalty(),
        "giftCard": _gift_card(),
        "eventTicket": _event_ticket(),
        "flight": _flight(),
        "transit": _transit(),
        "generic": _generic(),
    }


_PLACES: dict[str, PlacesOfKind] | None = None


def places(kind: str) -> PlacesOfKind:
    global _PLACES
    if _PLACES is None:
        _PLACES = _places()
    return _PLACES.get(kind, ())
