"""`ObjectContext`: what the builders of one Google object share while they work on a pass.

The pass, its localizer, the fields that went to places of their own (roles), what the class
holds instead of the object, and the notices collected on the way; it writes a field's value
as Google shows it, in every language of the pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passkit.google.json_writing import JsonDict, plain_float
from passkit.google.localize import Localizer
from passkit.google.values import format_field_value
from passkit.model.fields import PassField
from passkit.model.pass_ import Pass


@dataclass
class ObjectContext:
    """What the object builders of one pass share: the pass, its localizer, the fields that
    went to dedicated Google places (roles), and the notices collected on the way."""

    p: Pass
    loc: Localizer
    roles: dict[str, PassField]
    notices: list[str] = field(default_factory=list)
    # False once a float json and orjson write differently goes into the object.
    plain_floats: bool = True
    # What the class holds instead of the object: keys of fixed fields, and HELD_LINKS,
    # HELD_LOCATIONS or HELD_MESSAGES when those are the same for every pass.
    in_class: frozenset[str] = frozenset()

    def json_float(self, value: float) -> float:
        """`value`, to be put in the object; every float of the object passes through here."""
        if self.plain_floats and not plain_float(value):
            self.plain_floats = False
        return value

    @property
    def consumed(self) -> set[str]:
        return {f.key for f in self.roles.values()}

    def value_text(self, f: PassField) -> str:
        return format_field_value(f, self.p.language, None)

    def localized_value(self, f: PassField) -> JsonDict:
        if type(f.value) is str:  # a text: translated by the tables, like the pass's own texts
            return self.loc.text(f.value)
        return self.loc.rendered(self.value_text(f), lambda lang: self.render(f, lang))

    def render(self, f: PassField, language: str) -> str:
        return format_field_value(f, language, self.loc.tables.get(language))

    def set_value(self, target: JsonDict, plain: str, localized: str, f: PassField) -> None:
        if type(f.value) is str:
            self.loc.put_text(target, plain, localized, f.value)
            return
        self.loc.set_rendered(
            target, plain, localized, self.value_text(f), lambda lang: self.render(f, lang)
        )

    def role_text(self, role: str) -> str | None:
        f = self.roles.get(role)
        return self.value_text(f) if f is not None else None
