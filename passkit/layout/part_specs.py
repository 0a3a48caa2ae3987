"""The parts of a layout made of keys that fill one part of the pass model each: locations,
beacons, the web service, NFC, links, messages, the event and the trip (the table `PARTS` in
`passkit.layout.parts` says how).
"""

from __future__ import annotations

from pydantic import Field

from passkit.layout.spec_base import (
    Key,
    Spec,
    TemplatedBool,
    TemplatedFloat,
    TemplatedInt,
    TemplatedMoment,
    Text,
)
from passkit.model.choices import LinkKind


class LocationSpec(Spec):
    latitude: TemplatedFloat
    longitude: TemplatedFloat
    altitude: TemplatedFloat | None = None
    relevant_text: Text | None = None
    when: TemplatedBool | None = None


class BeaconSpec(Spec):
    proximity_uuid: Text
    major: TemplatedInt | None = None
    minor: TemplatedInt | None = None
    relevant_text: Text | None = None
    when: TemplatedBool | None = None


class WebServiceSpec(Spec):
    url: Text
    authentication_token: Text


class NfcSpec(Spec):
    message: Text
    encryption_public_key: Text | None = None
    requires_authentication: bool = False


class LinkSpec(Spec):
    kind: LinkKind = LinkKind.WEB
    uri: Text
    label: Text | None = None
    key: Key | None = None
    when: TemplatedBool | None = None


class MessageSpec(Spec):
    key: Key | None = Field(default=None, description="default: message-1, message-2, ...")
    header: Text
    body: Text
    when: TemplatedBool | None = None


class EventSpec(Spec):
    name: Text
    venue_name: Text | None = None
    venue_address: Text | None = None
    starts_at: TemplatedMoment | None = None
    ends_at: TemplatedMoment | None = None
    doors_open_at: TemplatedMoment | None = None


class PlaceSpec(Spec):
    code: Text | None = None
    name: Text | None = None


class TripSpec(Spec):
    origin: PlaceSpec
    destination: PlaceSpec
    departs_at: TemplatedMoment | None = None
    arrives_at: TemplatedMoment | None = None
    carrier: Text | None = None
    number: Text | None = None
    passenger: Text | None = None
    seat: Text | None = None
    gate: Text | None = None
    platform: Text | None = None
