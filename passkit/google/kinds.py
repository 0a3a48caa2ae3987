"""The Google Wallet pass types passkit emits, with the names each is known by.

One row per type: the short name used across passkit (`GooglePass.kind`), the JWT payload keys
and the REST resource names of its class and object.
"""

from __future__ import annotations

from dataclasses import dataclass

from passkit.errors import WalletRuleError


@dataclass(frozen=True)
class GoogleKind:
    name: str
    class_schema: str  # as in the walletobjects discovery document, e.g. "LoyaltyClass"
    object_schema: str
    class_payload_key: str  # in the save-link JWT payload, e.g. "loyaltyClasses"
    object_payload_key: str
    class_resource: str  # in REST paths, e.g. "loyaltyClass"
    object_resource: str


def _kind(name: str, schema: str) -> GoogleKind:
    resource = schema[0].lower() + schema[1:]
    return GoogleKind(
        name=name,
        class_schema=f"{schema}Class",
        object_schema=f"{schema}Object",
        class_payload_key=f"{resource}Classes",
        object_payload_key=f"{resource}Objects",
        class_resource=f"{resource}Class",
        object_resource=f"{resource}Object",
    )


KINDS: dict[str, GoogleKind] = {
    kind.name: kind
    for kind in (
        _kind("loyalty", "Loyalty"),
        _kind("giftCard", "GiftCard"),
        _kind("generic", "Generic"),
        _kind("offer", "Offer"),
        _kind("eventTicket", "EventTicket"),
        _kind("flight", "Flight"),
        _kind("transit", "Transit"),
    )
}
BY_PAYLOAD_KEY: dict[str, GoogleKind] = {
    key: kind
    for kind in KINDS.values()
    for key in (kind.class_payload_key, kind.object_payload_key)
}


# Pass kinds whose Google name differs, so that callers may use either.
ALIASES = {"gift_card": "giftCard", "coupon": "offer", "event_ticket": "eventTicket"}


def google_kind(name: str) -> GoogleKind:
    try:
        return KINDS[ALIASES.get(name, name)]
    except KeyError:
        raise WalletRuleError(
            f"{name!r} is not a Google Wallet pass type passkit knows; use one of "
            f"{', '.join(KINDS)}"
        ) from None
