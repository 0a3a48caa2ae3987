"""`Model`, the base of every part of a pass, and how pydantic's refusals become one
`WalletRuleError` naming the field path (for example ``locations[3].latitude``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from passkit.errors import WalletRuleError


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """Turn pydantic's error list into lines like ``locations[3].latitude: must be <= 90``."""
    lines = []
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
        lines.append(f"{path or '(pass)'}: {message}")
    return "; ".join(lines)


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
                raise WalletRuleError(describe_validation_error(exc)) from None

    class _ModelBase(BaseModel, metaclass=_ModelType):
        pass


class Model(_ModelBase):
    """Base of every part of a pass: immutable, strict about unknown fields, clear errors."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, str_strip_whitespace=False
    )

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise WalletRuleError(describe_validation_error(exc)) from None
