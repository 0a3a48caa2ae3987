"""From a checked layout file to its render plan: which template fills which part of the `Pass`.

This is the one place that knows how the layout format maps onto the pass model. Constant parts
are built here (so the pass model checks them when the layout loads, with the layout's line);
the others become plan nodes filled in for each record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from passkit.colors import Color
from passkit.errors import LayoutError
from passkit.images import ImageSource
from passkit.layout.barcodes import CodeGenerator
from passkit.layout.dates import ExpiryRule, to_datetime
from passkit.layout.plan import (
    OMIT,
    Const,
    DictNode,
    Guarded,
    ListNode,
    ModelNode,
    Node,
    RenderError,
    Slot,
    Stage,
    fold,
)
from passkit.layout.schema import FieldSpec, ImagesSpec, LayoutSpec
from passkit.layout.templating import Template, zone
from passkit.model import (
    FIELD_GROUPS,
    MAX_BEACONS,
    MAX_LOCATIONS,
    Barcode,
    Beacon,
    BundleOptions,
    DateStyle,
    Event,
    Images,
    Link,
    Location,
    Message,
    Model,
    Nfc,
    Pass,
    PassField,
    Place,
    Translation,
    Trip,
    WebService,
)

Loc = tuple[str | int, ...]

# Names every template may read besides the inputs; the late ones only outside the early stage.
EARLY_NAMES = frozenset({"now", "locale", "time_zone"})
LATE_NAMES = frozenset({"serial_number", "barcode_value", "expires_at", "valid_through"})
RESERVED_NAMES = EARLY_NAMES | LATE_NAMES


def is_early(loc: Loc) -> bool:
    """Templates evaluated before the serial number, barcode value and expiry are known."""
    return loc[:1] in (("serial_number",), ("expiry",)) or loc[:2] == ("barcode", "message")


@dataclass
class Plan:
    early: Stage
    late: Stage
    serial_number: Node
    barcode_message: Node | None
    barcode_generator: CodeGenerator | None
    expiry: ExpiryRule | None
    expiry_at: Node
    expiry_days: Node
    expiry_hours: Node
    expiry_where: str
    pass_node: ModelNode


class FieldNode(ModelNode):
    """A pass field: left out when its value is empty; a date value shows as a date."""

    __slots__ = ("zone",)

    def __init__(self, children: Mapping[str, Node], where: str, zone: ZoneInfo) -> None:
        super().__init__(PassField, children, where)
        self.zone = zone

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        arguments = self.arguments(values)
        value = arguments.get("value")
        if value is None:
            return OMIT
        if isinstance(value, date):
            _place_moment(arguments, value, self.zone)
        return arguments


def _place_moment(arguments: dict[str, Any], value: date, zone: ZoneInfo) -> None:
    """A field's date shows as a date (midnight in the layout's zone, time zone ignored); a
    date-time without a zone is read in the layout's zone."""
    if not isinstance(value, datetime):
        arguments["value"] = to_datetime(value, zone)
        arguments.setdefault("date_style", DateStyle.MEDIUM)
        arguments.setdefault("time_style", DateStyle.NONE)
        arguments["ignores_time_zone"] = True
    elif value.tzinfo is None:
        arguments["value"] = value.replace(tzinfo=zone)


class BarcodeNode(ModelNode):
    """The barcode, left out when its message comes out empty."""

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        if not values.get("barcode_value"):
            return None
        return super().evaluate(values)


class PlanBuilder:
    def __init__(
        self,
        spec: LayoutSpec,
        *,
        name: str,
        images: Mapping[Loc, ImageSource],
        describe: Callable[[Loc], str],
        fail: Callable[[Loc, str], LayoutError],
        single_stage: bool = False,
    ) -> None:
        self.spec = spec
        self.name = name
        self.images = images
        self.describe = describe
        self.fail = fail
        self.zone = zone(spec.time_zone)
        self.early = Stage("a")
        self.late = Stage("b")
        # When no template needs the serial number, barcode value or expiry, one jinja2 call
        # evaluates every template of the layout.
        self.single_stage = single_stage
        self.guard_stage = self.early if single_stage else self.late

    # -- helpers ---------------------------------------------------------------------------

    def value(self, value: Any, loc: Loc, convert: Callable[[Any], Any] | None = None) -> Node:
        if isinstance(value, Template):
            if value.native and value.variables == {value.expression}:
                # `{{ name }}` is the value of `name`, which the render context always holds
                # (an input, a name passkit gives, or a global): read it there rather than
                # through jinja2, saving ~0.4 us for each such template of a layout.
                return Slot(value.expression, value.where, convert)
            stage = self.early if self.single_stage or is_early(loc) else self.late
            return Slot(stage.add(value), value.where, convert)
        if convert is not None and value is not None:
            try:
                value = convert(value)
            except (ValueError, TypeError) as exc:
                raise self.fail(loc, str(exc)) from None
        return Const(value)

    def moment(self, value: Any, loc: Loc) -> Node:
        zone_info = self.zone
        return self.value(value, loc, lambda v: to_datetime(v, zone_info))

    def model(self, cls: type[Model], children: Mapping[str, Node], loc: Loc) -> Node:
        return self.folded(ModelNode(cls, children, self.describe(loc)), loc)

    def folded(self, node: Node, loc: Loc) -> Node:
        try:
            return fold(node)
        except RenderError as exc:
            raise self._constant_error(loc, exc.message) from None

    def _constant_error(self, loc: Loc, message: str) -> LayoutError:
        # The pass model names the part at fault first ("latitude: must be <= 90"): point at it.
        head, _, rest = message.partition(": ")
        if rest and head.replace("_", "").replace(".", "").isalnum():
            return self.fail((*loc, *head.split(".")), rest)
        return self.fail(loc, message)

    def guarded(self, when: Any, loc: Loc, build: Callable[[], Node]) -> Node | None:
        if when is None or when is True:
            return build()
        if when is False:
            return None
        assert isinstance(when, Template)
        guard = self.guard_stage.open_guard(when)
        try:
            node = build()
        finally:
            self.guard_stage.close_guard()
        return Guarded(guard, when.native, node)

    def items(self, nodes: list[Node | None]) -> Node:
        return fold(ListNode([node for node in nodes if node is not None]))

    # -- parts of the pass -----------------------------------------------------------------

    def image_set(self, spec: ImagesSpec, loc: Loc) -> Images:
        sources = {
            role: self.images[(*loc, role)]
            for role in type(spec).model_fields
            if getattr(spec, role) is not None
        }
        return Images(**sources)

    def field(self, spec: FieldSpec, loc: Loc) -> Node | None:
        def build() -> Node:
            children = {
                "key": Const(spec.key),
                "label": self.value(spec.label, (*loc, "label")),
                "value": self.value(spec.value, (*loc, "value")),
                "date_style": Const(spec.date_style),
                "time_style": Const(spec.time_style),
                "relative": Const(spec.relative),
                "ignores_time_zone": Const(spec.ignores_time_zone),
                "number_style": Const(spec.number_style),
                "currency": Const(spec.currency),
                "alignment": Const(spec.alignment),
                "change_message": self.value(spec.change_message, (*loc, "change_message")),
                "link": Const(spec.link),
            }
            return self.folded(FieldNode(children, self.describe(loc), self.zone), loc)

        return self.guarded(spec.when, (*loc, "when"), build)

    def free_data(self, value: Any, loc: Loc) -> Node:
        if isinstance(value, dict):
            return fold(DictNode({k: self.free_data(v, (*loc, k)) for k, v in value.items()}))
        if isinstance(value, list):
            return fold(ListNode([self.free_data(v, (*loc, i)) for i, v in enumerate(value)]))
        return self.value(value, loc)

    def check_field_keys(self) -> None:
        seen: dict[str, Loc] = {}
        for group in FIELD_GROUPS:
            for index, field in enumerate(getattr(self.spec.fields, group)):
                if field.when is not None:
                    continue  # fields shown under conditions may share a key
                loc: Loc = ("fields", group, index, "key")
                if field.key in seen:
                    raise self.fail(
                        loc,
                        f"the key {field.key!r} is already used by "
                        f"{'.'.join(map(str, seen[field.key][:2]))}[{seen[field.key][2]}]; "
                        "every field needs its own key",
                    )
                seen[field.key] = loc

    def check_counts(self) -> None:
        """Lists every pass shows in full (no item under `when:`) are within the wallets'
        limits: checked once here, where a record could only fail the same way each time."""
        for name, limit, what, advice in (
            ("locations", MAX_LOCATIONS, "locations", "keep the ones nearest to where it is used"),
            ("beacons", MAX_BEACONS, "iBeacons", "remove some"),
        ):
            shown = [
                index
                for index, item in enumerate(getattr(self.spec, name))
                if item.when is None or item.when is True
            ]
            if len(shown) > limit:
                raise self.fail(
                    (name, shown[limit]),
                    f"a pass holds at most {limit} {what}, and every pass of this layout would "
                    f"hold {len(shown)}; {advice} (or show some under 'when:')",
                )

    def build(self) -> Plan:
        spec = self.spec
        self.check_field_keys()
        self.check_counts()
        serial = self.value(spec.serial_number, ("serial_number",), str)

        barcode_message: Node | None = None
        generator: CodeGenerator | None = None
        barcode_node: Node = Const(None)
        if spec.barcode is not None:
            barcode = spec.barcode
            if barcode.message is not None:
                barcode_message = self.value(barcode.message, ("barcode", "message"), str)
            else:
                assert barcode.generate is not None
                generate = barcode.generate
                generator = CodeGenerator(
                    characters=generate.characters,
                    length=generate.length,
                    mode=generate.mode,
                    key=self._barcode_key(generate.secret_env),
                )
            barcode_node = BarcodeNode(
                Barcode,
                {
                    "format": Const(barcode.format),
                    "message": Slot("barcode_value", "barcode.message"),
                    "encoding": Const(barcode.encoding),
                    "alt_text": self.value(barcode.alt_text, ("barcode", "alt_text")),
                },
                self.describe(("barcode",)),
            )

        expiry: ExpiryRule | None = None
        at: Node = Const(None)
        days: Node = Const(None)
        hours: Node = Const(None)
        if spec.expiry is not None:
            rule = spec.expiry
            expiry = ExpiryRule(
                zone=zone(rule.time_zone) if rule.time_zone else self.zone,
                round_to_midnight=rule.round_to_midnight,
                fixed=rule.at is not None,
            )
            at = self.value(rule.at, ("expiry", "at"))
            if rule.after is not None:
                days = self.value(rule.after.days, ("expiry", "after", "days"))
                hours = self.value(rule.after.hours, ("expiry", "after", "hours"))

        colors = spec.colors
        children: dict[str, Node] = {
            "kind": Const(spec.kind),
            "serial_number": Slot("serial_number", "serial_number"),
            "organization": self.value(spec.organization, ("organization",)),
            "description": self.value(spec.description, ("description",)),
            "title": self.value(spec.title, ("title",)),
            "language": Const(spec.language),
            "pass_type_id": Const(spec.pass_type_id),
            "team_id": Const(spec.team_id),
            "background_color": self.value(
                colors.background, ("colors", "background"), Color.parse
            ),
            "foreground_color": self.value(
                colors.foreground, ("colors", "foreground"), Color.parse
            ),
            "label_color": self.value(colors.label, ("colors", "label"), Color.parse),
            "logo_text": self.value(spec.logo_text, ("logo_text",)),
            "images": Const(self.image_set(spec.images, ("images",))),
        }
        for group in FIELD_GROUPS:
            children[group] = self.items(
                [
                    self.field(field, ("fields", group, index))
                    for index, field in enumerate(getattr(spec.fields, group))
                ]
            )
        children["barcode"] = barcode_node
        children["locations"] = self.items(
            [
                self._location(location, ("locations", i))
                for i, location in enumerate(spec.locations)
            ]
        )
        children["max_distance"] = self.value(spec.max_distance, ("max_distance",))
        children["beacons"] = self.items(
            [self._beacon(beacon, ("beacons", i)) for i, beacon in enumerate(spec.beacons)]
        )
        children["issued_at"] = Slot("now", "now")
        children["relevant_date"] = self.moment(spec.relevant_date, ("relevant_date",))
        children["expiration_date"] = Slot("expires_at", "expiry")
        children["status"] = self.value(spec.status, ("status",))
        children["sharing_prohibited"] = self.value(
            spec.sharing_prohibited, ("sharing_prohibited",)
        )
        children["grouping_id"] = self.value(spec.grouping_id, ("grouping_id",))
        if spec.web_service is not None:
            children["web_service"] = self.model(
                WebService,
                {
                    "url": self.value(spec.web_service.url, ("web_service", "url")),
                    "authentication_token": self.value(
                        spec.web_service.authentication_token,
                        ("web_service", "authentication_token"),
                    ),
                },
                ("web_service",),
            )
        if spec.nfc is not None:
            children["nfc"] = self.model(
                Nfc,
                {
                    "message": self.value(spec.nfc.message, ("nfc", "message")),
                    "encryption_public_key": self.value(
                        spec.nfc.encryption_public_key, ("nfc", "encryption_public_key")
                    ),
                    "requires_authentication": Const(spec.nfc.requires_authentication),
                },
                ("nfc",),
            )
        if spec.user_info is not None:
            children["user_info"] = self.free_data(spec.user_info, ("user_info",))
        children["app_launch_url"] = self.value(spec.app_launch_url, ("app_launch_url",))
        children["associated_store_ids"] = Const(tuple(spec.associated_store_ids))
        children["links"] = self.items(
            [self._link(link, ("links", i)) for i, link in enumerate(spec.links)]
        )
        children["messages"] = self.items(
            [self._message(message, ("messages", i)) for i, message in enumerate(spec.messages)]
        )
        children["translations"] = Const(
            {
                language: Translation(
                    strings=translation.strings,
                    images=self.image_set(translation.images, ("translations", language, "images")),
                )
                for language, translation in spec.translations.items()
            }
        )
        children["bundle"] = Const(
            BundleOptions(
                image_quality=spec.bundle.image_quality,
                strings_encoding=spec.bundle.strings_encoding,
            )
        )
        children["transit_type"] = Const(spec.transit_type)
        if spec.event is not None:
            children["event"] = self._event()
        if spec.trip is not None:
            children["trip"] = self._trip()

        pass_node = ModelNode(Pass, children, "")
        self.early.compile()
        self.late.compile()
        return Plan(
            early=self.early,
            late=self.late,
            serial_number=serial,
            barcode_message=barcode_message,
            barcode_generator=generator,
            expiry=expiry,
            expiry_at=at,
            expiry_days=days,
            expiry_hours=hours,
            expiry_where=self.describe(("expiry",)),
            pass_node=pass_node,
        )

    def _barcode_key(self, variable: str | None) -> bytes:
        if variable is None:
            return f"passkit:{self.name}".encode()
        secret = os.environ.get(variable)
        if not secret:
            raise self.fail(
                ("barcode", "generate", "secret_env"),
                f"the environment variable {variable} is not set; set it to a long random "
                "secret (the same one every time, or the codes change)",
            )
        return secret.encode()

    def _location(self, spec: Any, loc: Loc) -> Node | None:
        return self.guarded(
            spec.when,
            (*loc, "when"),
            lambda: self.model(
                Location,
                {
                    "latitude": self.value(spec.latitude, (*loc, "latitude")),
                    "longitude": self.value(spec.longitude, (*loc, "longitude")),
                    "altitude": self.value(spec.altitude, (*loc, "altitude")),
                    "relevant_text": self.value(spec.relevant_text, (*loc, "relevant_text")),
                },
                loc,
            ),
        )

    def _beacon(self, spec: Any, loc: Loc) -> Node | None:
        return self.guarded(
            spec.when,
            (*loc, "when"),
            lambda: self.model(
                Beacon,
                {
                    "proximity_uuid": self.value(spec.proximity_uuid, (*loc, "proximity_uuid")),
                    "major": self.value(spec.major, (*loc, "major")),
                    "minor": self.value(spec.minor, (*loc, "minor")),
                    "relevant_text": self.value(spec.relevant_text, (*loc, "relevant_text")),
                },
                loc,
            ),
        )

    def _link(self, spec: Any, loc: Loc) -> Node | None:
        return self.guarded(
            spec.when,
            (*loc, "when"),
            lambda: self.model(
                Link,
                {
                    "kind": Const(spec.kind),
                    "uri": self.value(spec.uri, (*loc, "uri")),
                    "label": self.value(spec.label, (*loc, "label")),
                    "key": Const(spec.key),
                },
                loc,
            ),
        )

    def _message(self, spec: Any, loc: Loc) -> Node | None:
        index = loc[-1]
        assert isinstance(index, int)
        return self.guarded(
            spec.when,
            (*loc, "when"),
            lambda: self.model(
                Message,
                {
                    "key": Const(spec.key or f"message-{index + 1}"),
                    "header": self.value(spec.header, (*loc, "header")),
                    "body": self.value(spec.body, (*loc, "body")),
                },
                loc,
            ),
        )

    def _event(self) -> Node:
        event = self.spec.event
        assert event is not None
        loc: Loc = ("event",)
        return self.model(
            Event,
            {
                "name": self.value(event.name, (*loc, "name")),
                "venue_name": self.value(event.venue_name, (*loc, "venue_name")),
                "venue_address": self.value(event.venue_address, (*loc, "venue_address")),
                "starts_at": self.moment(event.starts_at, (*loc, "starts_at")),
                "ends_at": self.moment(event.ends_at, (*loc, "ends_at")),
                "doors_open_at": self.moment(event.doors_open_at, (*loc, "doors_open_at")),
            },
            loc,
        )

    def _trip(self) -> Node:
        trip = self.spec.trip
        assert trip is not None
        loc: Loc = ("trip",)

        def place(which: str) -> Node:
            spec = getattr(trip, which)
            return self.model(
                Place,
                {
                    "code": self.value(spec.code, (*loc, which, "code")),
                    "name": self.value(spec.name, (*loc, which, "name")),
                },
                (*loc, which),
            )

        texts = ("carrier", "number", "passenger", "seat", "gate", "platform")
        return self.model(
            Trip,
            {
                "origin": place("origin"),
                "destination": place("destination"),
                "departs_at": self.moment(trip.departs_at, (*loc, "departs_at")),
                "arrives_at": self.moment(trip.arrives_at, (*loc, "arrives_at")),
                **{name: self.value(getattr(trip, name), (*loc, name)) for name in texts},
            },
            loc,
        )
