"""`Model`, the base of every part of a pass, and how pydantic's refusals become one
`WalletRuleError` naming the field path (for example ``locations[3].latitude``) and, where the
refusal breaks one of Apple's rules, the rule (`passkit.apple_rules`) and its fix."""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from passkit.apple_rules import Rule, RuleBroken, rule
from passkit.errors import WalletRuleError

# pydantic's own checks of a field's limits (Field(ge=..., min_length=...), AwareDatetime, a
# BeforeValidator's ValueError): the ones a model's `field_rules` may name.
_LIMIT_ERRORS = frozenset(
    (
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "string_too_short",
        "string_too_long",
        "timezone_aware",
        "value_error",
    )
)


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Turn pydantic's error list into lines like ``locations[3].latitude: must be <= 90``."""
    return "; ".join(line for line, _ in _lines(error, None, prefix))


def refusal(model: type[BaseModel], error: ValidationError) -> WalletRuleError:
    """The WalletRuleError for pydantic's refusal of `model`: every problem with its field
    path, carrying the first Apple rule broken (its name and fix), if one is."""
    lines = list(_lines(error, model))
    broken = next(((found, fix) for _, (found, fix) in lines if found is not None), None)
    message = "; ".join(line for line, _ in lines)
    if broken is None:
        return WalletRuleError(message)
    return WalletRuleError(message, rule=broken[0].name, fix=broken[1])


def _lines(
    error: ValidationError, model: type[BaseModel] | None, prefix: str = ""
) -> Iterator[tuple[str, tuple[Rule | None, str]]]:
    for item in error.errors():
        path = prefix
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path += f".{part}" if path else str(part)
        message = item["msg"]
        if item["type"] == "value_error":
            message = str(item.get("ctx", {}).get("error", message))
        elif "input" in item and item["type"] not in ("missing", "extra_forbidden"):
            shown = repr(item["input"])
            message += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
        if item["type"] == "extra_forbidden":
            message = "unknown field; check its spelling"
        found, fix = _rule_of(item, model)
        if found is not None and not isinstance(item.get("ctx", {}).get("error"), RuleBroken):
            message += f"; {fix}"  # pydantic's words for the problem, the rule's fix
        yield f"{path or '(pass)'}: {message}", (found, fix)


def _rule_of(item: ErrorDetails, model: type[BaseModel] | None) -> tuple[Rule | None, str]:
    """The rule the error breaks, with its fix: raised by a validator, or named for the
    field by its model's `field_rules`."""
    error = item.get("ctx", {}).get("error")
    if isinstance(error, RuleBroken):
        return error.rule, error.fix
    if model is None or item["type"] not in _LIMIT_ERRORS or not item["loc"]:
        return None, ""
    owner: type[BaseModel] | None = model
    for part in item["loc"][:-1]:
        field = owner.model_fields.get(part) if owner and isinstance(part, str) else None
        if field is not None:  # not an index, nor a key of a dict (a translation's language)
            owner = _model_in(field.annotation)
    names: Mapping[str, str] = getattr(owner, "field_rules", {})
    name = names.get(str(item["loc"][-1]))
    return (rule(name), rule(name).fix) if name else (None, "")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class a field holds, alone or in a tuple, dict or union."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (tuple, dict, Union, types.UnionType):
        for argument in get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None


if TYPE_CHECKING:
    _ModelBase = BaseModel
else:

    class _ModelType(type(BaseModel)):
        """pydantic's type of models, turning a refusal into a WalletRuleError: `Pass(...)`
        raises one. pydantic validates nested parts without calling their model, so a nested
        error reaches the outermost call as one ValidationError holding the whole field path."""

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().__call__(*args, **kwargs)
            except ValidationError as exc:
                raise refusal(cls, exc) from None

    class _ModelBase(BaseModel, metaclass=_ModelType):
        pass


class Model(_ModelBase):
    """Base of every part of a pass: immutable, strict about unknown fields, clear errors."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, str_strip_whitespace=False
    )

    #: The Apple rule (a name of `passkit.apple_rules.RULES`) each field's own limits keep:
    #: a refusal of the field by pydantic (a bound, a length, a time zone) names it.
    field_rules: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise refusal(cls, exc) from None
