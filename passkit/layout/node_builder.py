"""How the values and parts of a layout become nodes of its render plan.

A template becomes a slot of a stage (the early one for the serial number, barcode message and
expiry, else the late one); a constant is converted and checked now, with the layout's line; a
part whose children are all constant is built once (`fold`); a `when:` guards its part; the
parts of the table in passkit.layout.parts become model nodes key by key. `PlanBuilder`
(passkit.layout.plan_builder) uses these for each section of the pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from passkit.errors import LayoutError
from passkit.images import ImageSource
from passkit.layout.checks import Fail, Loc
from passkit.layout.dates import to_datetime, zone
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.parts import PARTS, WHEN, Part
from passkit.layout.plan import Const, DictNode, Guarded, ListNode, ModelNode, Node, Slot, fold
from passkit.layout.spec_base import Spec
from passkit.layout.stage import RenderError, Stage
from passkit.layout.templating import Template
from passkit.model.base import Model

# Names every template may read besides the inputs; the late ones only outside the early stage.
EARLY_NAMES = frozenset({"now", "locale", "time_zone"})
LATE_NAMES = frozenset({"serial_number", "barcode_value", "expires_at", "valid_through"})
RESERVED_NAMES = EARLY_NAMES | LATE_NAMES


def is_early(loc: Loc) -> bool:
    """Templates evaluated before the serial number, barcode value and expiry are known."""
    return loc[:1] in (("serial_number",), ("expiry",)) or loc[:2] == ("barcode", "message")


class NodeBuilder:
    """Plan nodes from the values and parts of one layout, gathering its templates in stages."""

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

    # -- values ----------------------------------------------------------------------------

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

    def free_data(self, value: Any, loc: Loc) -> Node:
        if isinstance(value, dict):
            return fold(DictNode({k: self.free_data(v, (*loc, k)) for k, v in value.items()}))
        if isinstance(value, list):
            return fold(ListNode([self.free_data(v, (*loc, i)) for i, v in enumerate(value)]))
        return self.value(value, loc)

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
