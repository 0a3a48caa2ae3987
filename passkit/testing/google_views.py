"""Read-only views of one Google Wallet class and object, as a save link carries them: for an
object `field(key)`, `fields`, `barcode` and `state`, as for an Apple bundle.

A field is found by the key it had in the layout: text, link and image modules keep it as their
id; fields Google gives a place of its own (loyalty points, account name, gift-card balance,
seat...) are found by the same keys the Google compiler recognises for them, or by the Google
name of the place (``field("loyaltyPoints")``, see `google_places`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from passkit.testing.frozen import FrozenDict
from passkit.testing.google_places import Place, places
from passkit.testing.google_values import plain_value, text_pair
from passkit.testing.views import BARCODE_FORMATS, BarcodeView, FieldNotFound, FieldView, find_field


def _normalized(key: str) -> str:
    return key.lower().replace("-", "_").replace(".", "_")


@dataclass(frozen=True)
class GoogleClassView:
    kind: str  # loyalty, giftCard, generic, offer, eventTicket, flight, transit
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class GoogleObjectView:
    """One Google Wallet object, with the class it belongs to when the link carries it."""

    kind: str
    raw: Mapping[str, Any] = field(repr=False)
    klass: GoogleClassView | None = field(default=None, repr=False)
    source: str = field(default="save link", repr=False)

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None

    @property
    def class_id(self) -> str | None:
        value = self.raw.get("classId")
        return value if isinstance(value, str) else None

    @property
    def skinny(self) -> bool:
        """True when the link names the object by its ids only: its content is not in it."""
        return set(self.raw) <= {"id", "classId"}

    @property
    def holds(self) -> str:
        """What the link holds of this object, in words."""
        from passkit.google.links import describe_holding

        return describe_holding(
            self.id, self.class_id, holds_object=not self.skinny, holds_class=self.klass is not None
        )

    @property
    def state(self) -> str | None:
        """ACTIVE, COMPLETED, EXPIRED or INACTIVE."""
        value = self.raw.get("state")
        return value if isinstance(value, str) else None

    @property
    def barcode(self) -> BarcodeView | None:
        node = self.raw.get("barcode")
        if not isinstance(node, Mapping):
            return None
        raw_format = str(node.get("type"))
        encoding = node.get("renderEncoding")
        return BarcodeView(
            format=BARCODE_FORMATS.get(raw_format, raw_format.lower()),
            message=str(node.get("value", "")),
            alt_text=node.get("alternateText")
            if isinstance(node.get("alternateText"), str)
            else None,
            encoding="utf-8" if encoding == "UTF_8" else None,
            raw=node,
        )

    @property
    def fields(self) -> list[FieldView]:
        """Fields in dedicated places first, then text, link and image modules."""
        views = [
            view for view in (self._place_field(place) for place, _ in places(self.kind)) if view
        ]
        for where, node in (("object", self.raw), ("class", self.klass.raw if self.klass else {})):
            views += _module_fields(node, where)
        return views

    def field(self, key: str) -> FieldView:
        """The field that had this key in the layout (or the Google place name itself)."""
        if self.skinny:
            raise FieldNotFound(
                f"{self.source}: the link {self.holds}: no field of the object is in it"
            )
        for where, node in (("object", self.raw), ("class", self.klass.raw if self.klass else {})):
            for view in _module_fields(node, where):
                if view.key == key:
                    return view
        wanted = _normalized(key)
        for place, keys in places(self.kind):
            if wanted in keys or key in (place.path[-1], ".".join(place.path), place.role):
                placed = self._place_field(place, key)
                if placed is not None:
                    return placed
        where = f"{self.source}: {self.kind} object {self.id}"
        if self.klass is None:
            # Fields every pass shares are the class's, which this link does not hold.
            where += f" (the link {self.holds})"
        return find_field(self.fields, key, where)

    def _place_field(self, place: Place, key: str | None = None) -> FieldView | None:
        node: Any = self.raw
        class_node: Any = self.klass.raw if self.klass else {}
        for part in place.path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None and self.kind == "generic" and self.klass is not None:
            # Generic passes keep some values on the class when every object shares them.
            node = class_node
            for part in place.path:
                node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
        value, value_translations = plain_value(node)
        label: Any = None
        label_translations: dict[str, Any] = {}
        if place.label is not None:
            scope, plain, localized = place.label
            holder = {"here": node, "class": class_node, "here-object": self.raw}[scope]
            if isinstance(holder, Mapping):
                label, label_translations = text_pair(holder, plain, localized)
        return FieldView(
            key=key or place.role,
            value=value,
            label=label if isinstance(label, str) else None,
            group=".".join(place.path),
            raw=node if isinstance(node, Mapping) else FrozenDict({"value": node}),
            label_translations=label_translations,
            value_translations=value_translations,
        )


def _module_fields(node: Mapping[str, Any], where: str) -> list[FieldView]:
    views: list[FieldView] = []
    for module in node.get("textModulesData") or ():
        if isinstance(module, Mapping) and isinstance(module.get("id"), str):
            label, label_translations = text_pair(module, "header", "localizedHeader")
            value, value_translations = text_pair(module, "body", "localizedBody")
            views.append(
                FieldView(
                    key=module["id"],
                    value=value,
                    label=label if isinstance(label, str) else None,
                    group="textModulesData" if where == "object" else "class.textModulesData",
                    raw=module,
                    label_translations=label_translations,
                    value_translations=value_translations,
                )
            )
    links = node.get("linksModuleData")
    for uri in (links.get("uris") or ()) if isinstance(links, Mapping) else ():
        if isinstance(uri, Mapping) and isinstance(uri.get("id"), str):
            label, label_translations = text_pair(uri, "description", "localizedDescription")
            views.append(
                FieldView(
                    key=uri["id"],
                    value=uri.get("uri"),
                    label=label if isinstance(label, str) else None,
                    group="linksModuleData" if where == "object" else "class.linksModuleData",
                    raw=uri,
                    label_translations=label_translations,
                )
            )
    return views
