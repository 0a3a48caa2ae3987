"""Values in Google Wallet JSON as a person reads them: LocalizedStrings with their
translations, Money as passkit's `Money`, loyalty points, and a text given plainly or localized.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from passkit.errors import PasskitError


def localized_string(node: Any) -> tuple[Any, dict[str, Any]]:
    """(default value, {language: value}) of a LocalizedString, or of a plain value."""
    if isinstance(node, Mapping) and "defaultValue" in node:
        default = node["defaultValue"]
        value = default.get("value") if isinstance(default, Mapping) else None
        translations: dict[str, Any] = {}
        for item in node.get("translatedValues") or ():
            if isinstance(item, Mapping) and isinstance(item.get("language"), str):
                translations[item["language"]] = item.get("value")
        return value, translations
    return node, {}


def text_pair(
    holder: Mapping[str, Any], plain: str, localized: str | None
) -> tuple[Any, dict[str, Any]]:
    """A text Google may give plainly, as a LocalizedString beside it, or (when translated)
    only as the LocalizedString, whose default value then stands for the plain text."""
    value, translations = localized_string(holder.get(plain))
    if localized and localized in holder:
        default, translations = localized_string(holder[localized])
        if value is None:
            value = default
    return value, translations


def money_value(node: Mapping[str, Any]) -> Any:
    """A Google Money as passkit's `Money`, so that it compares with what the layout gave."""
    from passkit.model.fields import Money

    try:
        return Money(amount=Decimal(int(node["micros"])) / 1_000_000, currency=node["currencyCode"])
    except (PasskitError, KeyError, TypeError, ValueError, ArithmeticError):
        return node


def plain_value(node: Any) -> tuple[Any, dict[str, Any]]:
    """The value a person reads from a Google value node, and its translations."""
    if isinstance(node, Mapping):
        if "micros" in node and "currencyCode" in node:
            return money_value(node), {}
        if "balance" in node:  # LoyaltyPoints
            return plain_value(node["balance"])
        for key in ("int", "double", "string"):
            if key in node:
                return node[key], {}
        if "money" in node:
            return money_value(node["money"]), {}
    return localized_string(node)
