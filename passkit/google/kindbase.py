"""The shape of one Google pass type's compiler: which fields it gives their own place, what its
class needs, how it builds its class and its object."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from passkit.google.classinfo import ClassInputs
from passkit.google.json_writing import JsonDict
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.model.fields import PassField
from passkit.model.pass_ import Pass

Extra = tuple[tuple[str, Hashable], ...]


def no_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    return ()


def no_suffix(p: Pass) -> str | None:
    return None


@dataclass(frozen=True)
class KindCompiler:
    name: str
    # Fields that go to a dedicated Google place (loyalty points, card number...), by role.
    roles: Callable[[Pass], dict[str, PassField]]
    # The class needs of this type beyond `ClassInputs`' common part; hashable.
    class_extra: Callable[[Pass, GoogleOptions, dict[str, PassField]], Extra]
    # (class JSON, object fields that are the same for every pass of the class).
    build_class: Callable[[ClassInputs, list[str]], tuple[JsonDict, JsonDict]]
    object_parts: Callable[[ObjectContext], JsonDict]
    # A class id part for types whose class describes one event or one flight.
    class_suffix_part: Callable[[Pass], str | None] = no_suffix
