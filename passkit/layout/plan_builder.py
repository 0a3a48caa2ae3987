"""From a checked layout file to its render plan: which section of the layout fills which part
of the `Pass`.

This is the one place that knows how the layout format maps onto the pass model: one method per
section of the pass (barcode, expiry, looks, fields, relevance, service, extras), in the order
their templates join their stage. How a value or a part becomes a plan node (a slot, a constant
checked now, a guarded item) is passkit.layout.node_builder's job.
"""

from __future__ import annotations

import os

from passkit.colors import Color
from passkit.layout.barcodes import CodeGenerator
from passkit.layout.checks import Loc, check_counts, check_field_keys
from passkit.layout.dates import ExpiryRule, zone
from passkit.layout.face_specs import FieldSpec, ImagesSpec
from passkit.layout.node_builder import NodeBuilder
from passkit.layout.pass_nodes import BarcodeNode, FieldNode
from passkit.layout.plan import Const, ModelNode, Node, Plan, Slot
from passkit.model.fields import FIELD_GROUPS
from passkit.model.looks import Images, Translation
from passkit.model.parts import Barcode
from passkit.model.pass_ import BundleOptions, Pass


class PlanBuilder(NodeBuilder):
    """The plan of one layout, section by section of the pass (see passkit.layout.node_builder)."""

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
        """The fields of each group, each shown under its `when:`."""
        return {
            group: self.items(
                [
                    self.field(field, ("fields", group, index))
                    for index, field in enumerate(getattr(self.spec.fields, group))
                ]
            )
            for group in FIELD_GROUPS
        }

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

    # -- what sections share ------------------------------------------------------------------

    def image_set(self, spec: ImagesSpec, loc: Loc) -> Images:
        sources = {
            role: self.images[(*loc, role)]
            for role in type(spec).model_fields
            if getattr(spec, role) is not None
        }
        return Images(**sources)

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
