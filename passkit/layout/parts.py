"""The one table of pass parts: which layout key fills which part of the pass model, and how.

Each part of a layout (a location, a beacon, a link, ...) names an attribute of the pass model of
the same name; its keys name attributes of the model part, again of the same name. The table says
which of those keys may hold a template, which hold a date or time (read in the layout's time
zone), which are copied as written and which are parts of their own. `NodeBuilder`
(passkit.layout.node_builder) walks it; a new key of one of these parts is added to its
`...Spec` in `part_specs.py`, to the model in `passkit/model/parts.py` and to its row here
(tests/layout/test_parts.py checks the three agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from passkit.layout.part_specs import (
    BeaconSpec,
    EventSpec,
    LinkSpec,
    LocationSpec,
    MessageSpec,
    NfcSpec,
    PlaceSpec,
    TripSpec,
    WebServiceSpec,
)
from passkit.layout.spec_base import Spec
from passkit.model.base import Model
from passkit.model.parts import Beacon, Event, Link, Location, Message, Nfc, Place, Trip, WebService

# The key of a list item that says whether the item is shown; it fills no model attribute.
WHEN = "when"


@dataclass(frozen=True)
class Part:
    """How the keys of one layout part fill one model part."""

    spec: type[Spec]
    """The part as the layout writes it."""
    model: type[Model]
    """The part of the pass model it fills."""
    templates: tuple[str, ...] = ()
    """Keys whose value may be a template, evaluated for each record."""
    moments: tuple[str, ...] = ()
    """Keys holding a date or date-time (perhaps a template), placed in the layout's zone."""
    constants: tuple[str, ...] = ()
    """Keys copied as written: the layout format allows no template there."""
    parts: Mapping[str, Part] = field(default_factory=dict)
    """Keys that are parts of their own (the origin of a trip)."""
    numbered_key: str | None = None
    """When set, the item's `key`, if left out, is this word and the item's number (message-1)."""

    def how(self, key: str) -> str:
        """Which of templates, moments, constants or parts names `key` ("" for none)."""
        for kind in ("templates", "moments", "constants", "parts"):
            if key in getattr(self, kind):
                return kind
        return ""


_PLACE = Part(PlaceSpec, Place, templates=("code", "name"))

# Per attribute of the layout (and of `Pass`, which has the same name), the part it holds. The
# lists (locations, beacons, links, messages) hold items that may be shown under `when:`.
PARTS: Mapping[str, Part] = {
    "locations": Part(
        LocationSpec, Location, templates=("latitude", "longitude", "altitude", "relevant_text")
    ),
    "beacons": Part(
        BeaconSpec, Beacon, templates=("proximity_uuid", "major", "minor", "relevant_text")
    ),
    "web_service": Part(WebServiceSpec, WebService, templates=("url", "authentication_token")),
    "nfc": Part(
        NfcSpec,
        Nfc,
        templates=("message", "encryption_public_key"),
        constants=("requires_authentication",),
    ),
    "links": Part(LinkSpec, Link, templates=("uri", "label"), constants=("kind", "key")),
    "messages": Part(
        MessageSpec,
        Message,
        templates=("header", "body"),
        constants=("key",),
        numbered_key="message",
    ),
    "event": Part(
        EventSpec,
        Event,
        templates=("name", "venue_name", "venue_address"),
        moments=("starts_at", "ends_at", "doors_open_at"),
    ),
    "trip": Part(
        TripSpec,
        Trip,
        parts={"origin": _PLACE, "destination": _PLACE},
        moments=("departs_at", "arrives_at"),
        templates=("carrier", "number", "passenger", "seat", "gate", "platform"),
    ),
}
