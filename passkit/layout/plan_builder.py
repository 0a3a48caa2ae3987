"""From a checked layout file to its render plan: which template fills which part of the `Pass`.

This is the one place that knows how the layout format maps onto the pass model. Constant parts
are built here (so the pass model checks them when the layout loads, with the layout's line);
the others become plan nodes filled in for each record.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from passkit.colors import Color
from passkit.errors import LayoutError
from passkit.images import ImageSource
from passkit.layout.barcodes import CodeGenerator
from passkit.layout.checks import Fail, Loc, check_counts, check_field_keys
from passkit.layout.dates import ExpiryRule, to_datetime
from passkit.layout.face_specs import FieldSpec, ImagesSpec
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.parts import PARTS, WHEN, Part
from passkit.layout.pass_nodes import BarcodeNode, FieldNode
from passkit.layout.plan import (
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
from passkit.layout.spec_base import Spec
from passkit.layout.templating import Template, zone
from passkit.model.base import Model
from passkit.model.fields import FIELD_GROUPS
from passkit.model.looks import Images, Translation
from passkit.model.parts import Barcode
from passkit.model.pass_ import BundleOptions, Pass

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


class PlanBuilder:
    def __init__(
        self,
        spec: LayoutSpec,
        *,
        name: str,
        images: Mapping[Loc, ImageSource],
        describe: Callable[[Loc], str],
        fail: Fail,
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
                # through jinja2 (docs/performance.md).
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

    def build(self) -> Plan:
        check_field_keys(self.spec, self.fail)
        check_counts(self.spec, self.fail)
        # The order of the sections is the order templates join their stage: keep it.
        serial = self.value(self.spec.serial_number, ("serial_number",), str)
        barcode_message, generator, barcode_node = self.barcode()
        expiry, at, days, hours = self.expiry()
        children = self.looks()
        children.update(self.fields())
        children["barcode"] = barcode_node
        children.update(self.relevance())
        children.update(self.service())
        children.update(self.extras())
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

    # -- the sections of the pass, in order --------------------------------------------------

    def barcode(self) -> tuple[Node | None, CodeGenerator | None, Node]:
        """The barcode's message (or the generator of its code) and the barcode part."""
        barcode = self.spec.barcode
        if barcode is None:
            return None, None, Const(None)
        message: Node | None = None
        generator: CodeGenerator | None = None
        if barcode.message is not None:
            message = self.value(barcode.message, ("barcode", "message"), str)
        else:
            assert barcode.generate is not None
            generate = barcode.generate
            generator = CodeGenerator(
                characters=generate.characters,
                length=generate.length,
                mode=generate.mode,
                key=self._barcode_key(generate.secret_env),
            )
        node = BarcodeNode(
            Barcode,
            {
                "format": Const(barcode.format),
                "message": Slot("barcode_value", "barcode.message"),
                "encoding": Const(barcode.encoding),
                "alt_text": self.value(barcode.alt_text, ("barcode", "alt_text")),
            },
            self.describe(("barcode",)),
        )
        return message, generator, node

    def expiry(self) -> tuple[ExpiryRule | None, Node, Node, Node]:
        """The expiry rule and its moment, days and hours."""
        rule = self.spec.expiry
        if rule is None:
            return None, Const(None), Const(None), Const(None)
        expiry = ExpiryRule(
            zone=zone(rule.time_zone) if rule.time_zone else self.zone,
            round_to_midnight=rule.round_to_midnight,
            fixed=rule.at is not None,
        )
        at = self.value(rule.at, ("expiry", "at"))
        days: Node = Const(None)
        hours: Node = Const(None)
        if rule.after is not None:
            days = self.value(rule.after.days, ("expiry", "after", "days"))
            hours = self.value(rule.after.hours, ("expiry", "after", "hours"))
        return expiry, at, days, hours

    def looks(self) -> dict[str, Node]:
        """What the pass is, whose it is and how it looks."""
        spec = self.spec
        colors = spec.colors
        return {
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

    def fields(self) -> dict[str, Node]:
        return {
            group: self.items(
                [
                    self.field(field, ("fields", group, index))
                    for index, field in enumerate(getattr(self.spec.fields, group))
                ]
            )
            for group in FIELD_GROUPS
        }

    def relevance(self) -> dict[str, Node]:
        """Where and when the pass matters, and until when it is valid."""
        spec = self.spec
        return {
            "locations": self.part_list("locations"),
            "max_distance": self.value(spec.max_distance, ("max_distance",)),
            "beacons": self.part_list("beacons"),
            "issued_at": Slot("now", "now"),
            "relevant_date": self.moment(spec.relevant_date, ("relevant_date",)),
            "expiration_date": Slot("expires_at", "expiry"),
            "status": self.value(spec.status, ("status",)),
        }

    def service(self) -> dict[str, Node]:
        """How the pass is shared, kept current and linked to apps, sites and messages."""
        spec = self.spec
        children = {
            "sharing_prohibited": self.value(spec.sharing_prohibited, ("sharing_prohibited",)),
            "grouping_id": self.value(spec.grouping_id, ("grouping_id",)),
        }
        children.update(self.single_part("web_service"))
        children.update(self.single_part("nfc"))
        if spec.user_info is not None:
            children["user_info"] = self.free_data(spec.user_info, ("user_info",))
        children["app_launch_url"] = self.value(spec.app_launch_url, ("app_launch_url",))
        children["associated_store_ids"] = Const(tuple(spec.associated_store_ids))
        children["links"] = self.part_list("links")
        children["messages"] = self.part_list("messages")
        return children

    def extras(self) -> dict[str, Node]:
        """Translations, bundle options and the parts only some kinds of pass have."""
        spec = self.spec
        children: dict[str, Node] = {
            "translations": Const(
                {
                    language: Translation(
                        strings=translation.strings,
                        images=self.image_set(
                            translation.images, ("translations", language, "images")
                        ),
                    )
                    for language, translation in spec.translations.items()
                }
            ),
            "bundle": Const(
                BundleOptions(
                    image_quality=spec.bundle.image_quality,
                    strings_encoding=spec.bundle.strings_encoding,
                )
            ),
            "transit_type": Const(spec.transit_type),
        }
        children.update(self.single_part("event"))
        children.update(self.single_part("trip"))
        return children

    # -- the parts of the table in parts.py --------------------------------------------------

    def part_list(self, name: str) -> Node:
        """The items of the list `name` of the layout, each shown under its `when:`."""
        part = PARTS[name]
        nodes = []
        for index, item in enumerate(getattr(self.spec, name)):
            loc: Loc = (name, index)
            nodes.append(self.guarded(item.when, (*loc, WHEN), partial(self.part, part, item, loc)))
        return self.items(nodes)

    def single_part(self, name: str) -> dict[str, Node]:
        """The part `name` of the layout, when the layout has it."""
        spec = getattr(self.spec, name)
        return {} if spec is None else {name: self.part(PARTS[name], spec, (name,))}

    def part(self, part: Part, spec: Spec, loc: Loc) -> Node:
        """One model part from the keys of its layout part, as the table says."""
        children: dict[str, Node] = {}
        for key in type(spec).model_fields:
            if key == WHEN:
                continue
            value = getattr(spec, key)
            if key == "key" and not value and part.numbered_key is not None:
                index = loc[-1]
                assert isinstance(index, int)
                value = f"{part.numbered_key}-{index + 1}"
            how = part.how(key)
            if how == "templates":
                children[key] = self.value(value, (*loc, key))
            elif how == "moments":
                children[key] = self.moment(value, (*loc, key))
            elif how == "parts":
                children[key] = self.part(part.parts[key], value, (*loc, key))
            elif how == "constants":
                children[key] = Const(value)
            else:
                raise AssertionError(f"{loc}: {key!r} is missing from its row in layout/parts.py")
        return self.model(part.model, children, loc)

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
