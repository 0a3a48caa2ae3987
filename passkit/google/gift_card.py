"""Gift cards -> GiftCardClass / GiftCardObject.

Fields recognised by key (case-insensitive, '-' and '.' read as '_'), first match wins:
- balance: `balance`, `card_balance`, `gift_balance` -> `balance` (Money in micros), when the
  value is money or a number with a currency; otherwise it stays a text field
- card number: `card_number`, `number`, `card_no`, `card` -> `cardNumber` (required by Google:
  the serial number when the pass has no such field)
- PIN: `pin`, `pin_code` -> `pin`; event number: `event_number` -> `eventNumber`
"""

from __future__ import annotations

from decimal import Decimal

from passkit.google.classinfo import ClassInputs, standard_class
from passkit.google.field_roles import match_roles
from passkit.google.json_writing import JsonDict, put
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.google.values import money_json
from passkit.model.fields import Money, PassField
from passkit.model.pass_ import Pass

ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "balance": ("balance", "card_balance", "gift_balance"),
    "card_number": ("card_number", "number", "card_no", "card"),
    "pin": ("pin", "pin_code"),
    "event_number": ("event_number",),
}


def balance_money(f: PassField) -> JsonDict | None:
    if isinstance(f.value, Money):
        return money_json(f.value.amount, f.value.currency)
    if isinstance(f.value, int | Decimal) and f.currency is not None:
        return money_json(f.value, f.currency)
    return None


def _roles(p: Pass) -> dict[str, PassField]:
    roles = match_roles(p, ROLE_KEYS)
    balance = roles.get("balance")
    if balance is not None and balance_money(balance) is None:
        del roles["balance"]  # text without a currency: Google's balance must be money
    return roles


def _class_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    return (("has_barcode", p.barcode is not None),)


def _build_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, loc, _ = standard_class(inputs, notices, logo_fields=("programLogo", "wideProgramLogo"))
    loc.set_text(result, "cardNumberLabel", "localizedCardNumberLabel", inputs.label("card_number"))
    loc.set_text(result, "pinLabel", "localizedPinLabel", inputs.label("pin"))
    loc.set_text(
        result, "eventNumberLabel", "localizedEventNumberLabel", inputs.label("event_number")
    )
    # Without it Google hides the barcode of a gift card.
    if inputs.get("has_barcode"):
        result["allowBarcodeRedemption"] = True
    return result, {}


def _object_parts(ctx: ObjectContext) -> JsonDict:
    parts: JsonDict = {"cardNumber": ctx.role_text("card_number") or ctx.p.serial_number}
    put(parts, "pin", ctx.role_text("pin"))
    balance = ctx.roles.get("balance")
    if balance is not None:
        parts["balance"] = balance_money(balance)
    put(parts, "eventNumber", ctx.role_text("event_number"))
    return parts


GIFT_CARD = KindCompiler(
    name="giftCard",
    roles=_roles,
    class_extra=_class_extra,
    build_class=_build_class,
    object_parts=_object_parts,
)
