"""Boarding passes -> FlightClass / FlightObject, or TransitClass / TransitObject.

An air boarding pass becomes a Google flight when its trip has everything Google's flight
requires: the airline's 2-character IATA (or 3-letter ICAO) code as `trip.carrier`, a flight
number (digits, optionally after the airline code: "LX 8", "8"), 3-letter IATA airport codes as
origin and destination codes, the departure time and the passenger's name. A flight class
describes one flight, so its id gets a part `<airline><number>-<date>-<from><to>`. Every other
boarding pass (trains, buses, boats, and air passes lacking one of those) becomes a transit
ticket, with the trip as its ticket leg; the notices say why an air pass is not a flight.

Fields whose content Google shows in its own places are not repeated as text modules: the
trip's passenger, seat, gate/platform, origin, destination and flight number, looked up by key
(`passenger`, `passenger_name`, `name`, `seat`, `gate`, `platform`, `origin`, `from`,
`destination`, `to`, `flight`, `flight_number`, `train`, `train_number`); and
`confirmation_code`, `pnr`, `booking_reference`, `booking_code` (reservation),
`ticket_number`, `eticket_number`; on flights also `boarding_group`, `group`, `zone`,
`sequence_number`, `sequence`, `seat_class`, `cabin`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from passkit.google.classinfo import ClassInputs, logo_json, standard_class
from passkit.google.field_roles import fields_showing, match_roles
from passkit.google.held import HELD_CARRIER
from passkit.google.json_writing import JsonDict, put
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.layoutcheck import TRANSIT_TICKET
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.google.values import google_datetime, local_datetime
from passkit.model.choices import TransitType
from passkit.model.fields import PassField
from passkit.model.parts import Place
from passkit.model.pass_ import Pass

TRANSIT_TYPES = {
    TransitType.AIR: "OTHER",
    TransitType.TRAIN: "RAIL",
    TransitType.BUS: "BUS",
    TransitType.BOAT: "FERRY",
    TransitType.GENERIC: "OTHER",
}
_IATA_AIRLINE = re.compile(r"[A-Z0-9]{2}")
_ICAO_AIRLINE = re.compile(r"[A-Z]{3}")
_AIRPORT = re.compile(r"[A-Z]{3}")
_FLIGHT_NUMBER = re.compile(r"[0-9]{1,5}")

TRIP_ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "passenger": ("passenger", "passenger_name", "name"),
    "seat": ("seat",),
    "gate": ("gate",),
    "platform": ("platform",),
    "origin": ("origin", "from"),
    "destination": ("destination", "to"),
    "number": ("flight", "flight_number", "train", "train_number"),
}
TICKET_ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "confirmation": ("confirmation_code", "pnr", "booking_reference", "booking_code"),
    "ticket_number": ("ticket_number", "eticket_number"),
}
# Transit tickets: where the passenger sits and at what fare (TicketSeat).
TRANSIT_SEAT_ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "coach": ("coach", "carriage", "car"),
    "fare": ("fare", "fare_class"),
}
SEATING_ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "boarding_group": ("boarding_group", "group", "zone"),
    "sequence": ("sequence_number", "sequence"),
    "seat_class": ("seat_class", "cabin"),
}


@dataclass(frozen=True)
class FlightPlan:
    """What a Google flight class needs, taken from `Pass.trip`."""

    carrier_field: str  # "carrierIataCode" or "carrierIcaoCode"
    carrier: str
    number: str
    origin: str
    destination: str
    departs_local: str
    arrives_local: str | None
    gate: str | None
    departure_day: str


def flight_plan(p: Pass) -> FlightPlan | str:
    """The flight of an air boarding pass, or the reason it cannot be a Google flight."""
    trip = p.trip
    if p.transit_type is not TransitType.AIR:
        return "it is not an air boarding pass"
    if trip is None:
        return "it has no trip"
    carrier = (trip.carrier or "").strip().upper()
    if _IATA_AIRLINE.fullmatch(carrier):
        carrier_field = "carrierIataCode"
    elif _ICAO_AIRLINE.fullmatch(carrier):
        carrier_field = "carrierIcaoCode"
    else:
        return "trip.carrier is not a 2-character IATA or 3-letter ICAO airline code"
    number = (trip.number or "").replace(" ", "").upper()
    if number.startswith(carrier):
        number = number[len(carrier) :]
    if not _FLIGHT_NUMBER.fullmatch(number):
        return "trip.number is not a flight number (digits, optionally after the airline code)"
    origin = (trip.origin.code or "").strip().upper()
    destination = (trip.destination.code or "").strip().upper()
    if not (_AIRPORT.fullmatch(origin) and _AIRPORT.fullmatch(destination)):
        return "trip origin and destination codes are not 3-letter IATA airport codes"
    if trip.departs_at is None:
        return "trip.departs_at is not set"
    if not trip.passenger:
        return "trip.passenger is not set"
    return FlightPlan(
        carrier_field=carrier_field,
        carrier=carrier,
        number=number,
        origin=origin,
        destination=destination,
        # Google wants the airport's local wall-clock time: the time as the pass gives it.
        departs_local=local_datetime(trip.departs_at),
        arrives_local=local_datetime(trip.arrives_at) if trip.arrives_at else None,
        gate=trip.gate,
        departure_day=trip.departs_at.strftime("%Y%m%d"),
    )


def _place_known(place: Place) -> bool:
    return bool(place.code or place.name)


def _trip_roles(p: Pass, *, flight: bool) -> dict[str, tuple[str, ...]]:
    """The trip roles whose value Google shows natively for this pass."""
    trip = p.trip
    if trip is None:
        return {}
    shown = {
        "passenger": bool(trip.passenger),
        "seat": bool(trip.seat),
        "gate": bool(trip.gate) and flight,
        "platform": bool(trip.platform) and not flight,
        "origin": flight or leg_possible(p),
        "destination": flight or (leg_possible(p) and _place_known(trip.destination)),
        "number": flight or bool(trip.number),
    }
    return {role: keys for role, keys in TRIP_ROLE_KEYS.items() if shown[role]}


def leg_possible(p: Pass) -> bool:
    """Whether Google's ticket leg can be filled: it needs an origin and, when the object has
    no validity interval, a departure time."""
    trip = p.trip
    if trip is None or not _place_known(trip.origin):
        return False
    return trip.departs_at is not None or p.expiration_date is not None


# --- flight ---------------------------------------------------------------------------------


def _trip_moments(p: Pass, roles: dict[str, PassField]) -> dict[str, PassField]:
    """`roles`, and the fields showing the trip's departure or arrival time, which Google
    shows in its own place (the flight, or the ticket leg)."""
    trip = p.trip
    if trip is None:
        return roles
    return {**fields_showing(p, (trip.departs_at, trip.arrives_at)), **roles}


def _flight_roles(p: Pass) -> dict[str, PassField]:
    roles = match_roles(p, {**_trip_roles(p, flight=True), **TICKET_ROLE_KEYS, **SEATING_ROLE_KEYS})
    return _trip_moments(p, roles)


def _flight_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    plan = flight_plan(p)
    assert isinstance(plan, FlightPlan)
    return (("flight", plan),)


def _flight_suffix(p: Pass) -> str | None:
    plan = flight_plan(p)
    assert isinstance(plan, FlightPlan)
    return f"{plan.carrier}{plan.number}-{plan.departure_day}-{plan.origin}{plan.destination}"


def _airport(code: str, gate: str | None) -> JsonDict:
    result: JsonDict = {"airportIataCode": code}
    put(result, "gate", gate)
    return result


def _flight_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, _, images = standard_class(inputs, notices, logo_fields=None)
    plan: FlightPlan = inputs.get("flight")
    carrier: JsonDict = {plan.carrier_field: plan.carrier}
    put(carrier, "airlineLogo", logo_json(images.square))
    put(carrier, "wideAirlineLogo", logo_json(images.wide))
    result["flightHeader"] = {"carrier": carrier, "flightNumber": plan.number}
    result["origin"] = _airport(plan.origin, plan.gate)
    result["destination"] = _airport(plan.destination, None)
    result["localScheduledDepartureDateTime"] = plan.departs_local
    put(result, "localScheduledArrivalDateTime", plan.arrives_local)
    return result, {}


def _flight_object(ctx: ObjectContext) -> JsonDict:
    trip = ctx.p.trip
    assert trip is not None and trip.passenger
    parts: JsonDict = {"passengerName": trip.passenger}
    reservation: JsonDict = {}
    put(reservation, "confirmationCode", ctx.role_text("confirmation"))
    put(reservation, "eticketNumber", ctx.role_text("ticket_number"))
    parts["reservationInfo"] = reservation  # required by Google, even when empty
    seating: JsonDict = {}
    put(seating, "seatNumber", trip.seat)
    put(seating, "boardingGroup", ctx.role_text("boarding_group"))
    put(seating, "sequenceNumber", ctx.role_text("sequence"))
    put(seating, "seatClass", ctx.role_text("seat_class"))
    put(parts, "boardingAndSeatingInfo", seating)
    return parts


FLIGHT = KindCompiler(
    name="flight",
    roles=_flight_roles,
    class_extra=_flight_extra,
    build_class=_flight_class,
    object_parts=_flight_object,
    class_suffix_part=_flight_suffix,
)


# --- transit --------------------------------------------------------------------------------


def _transit_roles(p: Pass) -> dict[str, PassField]:
    keys = {**_trip_roles(p, flight=False), **TICKET_ROLE_KEYS}
    if leg_possible(p):
        keys.update(TRANSIT_SEAT_ROLE_KEYS)
        return _trip_moments(p, match_roles(p, keys))
    return match_roles(p, keys)


def _transit_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    extra: Extra = (("transit_type", TRANSIT_TYPES[p.transit_type or TransitType.GENERIC]),)
    if options.class_carrier and p.trip is not None and p.trip.carrier:
        # The same operator for every ticket of the layout: named once, by the class.
        extra += (("operator", p.trip.carrier),)
    return extra


def _transit_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, loc, _ = standard_class(
        inputs, notices, logo_fields=("logo", "wideLogo"), logo_required_by=TRANSIT_TICKET
    )
    result["transitType"] = inputs.get("transit_type", "OTHER")
    operator = inputs.get("operator")
    if operator:
        result["transitOperatorName"] = loc.text(operator)
    return result, {}


def _place(ctx: ObjectContext, leg: JsonDict, prefix: str, place: Place) -> None:
    put(leg, f"{prefix}StationCode", place.code)
    name = place.name or place.code
    if name:
        leg[f"{prefix}Name"] = ctx.loc.text(name)


def _ticket_leg(ctx: ObjectContext) -> JsonDict | None:
    p = ctx.p
    trip = p.trip
    if trip is None:
        return None
    if not leg_possible(p):
        ctx.notices.append(
            "the trip is not shown as a Google ticket leg: Google needs the origin's code or "
            "name, and the departure time (or an expiration date)"
        )
        return None
    leg: JsonDict = {}
    _place(ctx, leg, "origin", trip.origin)
    if _place_known(trip.destination):
        _place(ctx, leg, "destination", trip.destination)
    put(leg, "departureDateTime", google_datetime(trip.departs_at) if trip.departs_at else None)
    put(leg, "arrivalDateTime", google_datetime(trip.arrives_at) if trip.arrives_at else None)
    put(leg, "platform", trip.platform)
    put(leg, "carriage", trip.number)
    if trip.carrier and HELD_CARRIER not in ctx.in_class:
        leg["transitOperatorName"] = ctx.loc.text(trip.carrier)
    seat: JsonDict = {}
    put(seat, "seat", trip.seat)
    put(seat, "coach", ctx.role_text("coach"))
    fare = ctx.roles.get("fare")
    if fare is not None:
        seat["customFareClass"] = ctx.localized_value(fare)
    put(leg, "ticketSeat", seat)
    return leg


def _transit_object(ctx: ObjectContext) -> JsonDict:
    trip = ctx.p.trip
    parts: JsonDict = {"tripType": "ONE_WAY"}
    if trip is not None and trip.passenger:
        # (The passenger type is optional, and one name says as much.)
        parts["passengerNames"] = trip.passenger
    put(parts, "ticketLeg", _ticket_leg(ctx))
    put(parts, "ticketNumber", ctx.role_text("ticket_number"))
    confirmation = ctx.role_text("confirmation")
    if confirmation is not None:
        parts["purchaseDetails"] = {"confirmationCode": confirmation}
    return parts


TRANSIT = KindCompiler(
    name="transit",
    roles=_transit_roles,
    class_extra=_transit_extra,
    build_class=_transit_class,
    object_parts=_transit_object,
)
