"""The compiler of each Google pass type, and which one a pass goes to: loyalty -> loyalty,
gift card -> gift card, generic -> generic, coupon -> offer, event ticket -> event ticket,
boarding pass -> flight (air, with a complete trip) or transit.
"""

from __future__ import annotations

from passkit.google.boarding import FLIGHT, TRANSIT, flight_plan
from passkit.google.event_ticket import EVENT_TICKET
from passkit.google.generic import GENERIC
from passkit.google.gift_card import GIFT_CARD
from passkit.google.kindbase import KindCompiler
from passkit.google.loyalty import LOYALTY
from passkit.google.offer import OFFER
from passkit.model.choices import Kind, TransitType
from passkit.model.pass_ import Pass

COMPILERS: dict[str, KindCompiler] = {
    c.name: c for c in (LOYALTY, GIFT_CARD, GENERIC, OFFER, EVENT_TICKET, FLIGHT, TRANSIT)
}
_BY_PASS_KIND: dict[Kind, KindCompiler] = {
    Kind.LOYALTY: LOYALTY,
    Kind.GIFT_CARD: GIFT_CARD,
    Kind.GENERIC: GENERIC,
    Kind.COUPON: OFFER,
    Kind.EVENT_TICKET: EVENT_TICKET,
}


def compiler_for(p: Pass) -> tuple[KindCompiler, str | None]:
    """The compiler of the pass's Google type, and a notice when the choice needs explaining."""
    if p.kind is not Kind.BOARDING_PASS:
        return _BY_PASS_KIND[p.kind], None
    plan = flight_plan(p)
    if isinstance(plan, str):
        notice = None
        if p.transit_type is TransitType.AIR:
            notice = f"the air boarding pass is a Google transit ticket, not a flight: {plan}"
        return TRANSIT, notice
    return FLIGHT, None
