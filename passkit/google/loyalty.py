"""Loyalty cards -> LoyaltyClass / LoyaltyObject.

Fields recognised by key (case-insensitive, '-' and '.' read as '_'), first match wins:
- points: `points`, `loyalty_points`, `reward_points`, `rewards_points` -> `loyaltyPoints`
- secondary points: `secondary_points`, `secondary_loyalty_points`, `stamps`
  -> `secondaryLoyaltyPoints`
- account name: `member_name`, `account_name`, `holder_name`, `name`, `member` -> `accountName`
- account id: `member_id`, `account_id`, `member_number`, `membership_number`,
  `account_number` -> `accountId`
Their labels become the class's labels; every other field is a text module. The program name
is the pass's title, else its logo text, else the issuer name.
"""

from __future__ import annotations

from decimal import Decimal

from passkit.google.classinfo import ClassInputs, standard_class
from passkit.google.field_roles import match_roles
from passkit.google.json_writing import JsonDict, put
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.layoutcheck import LOYALTY_CARD
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.google.values import money_json
from passkit.model.fields import Money, PassField
from passkit.model.pass_ import Pass

ROLE_KEYS: dict[str, tuple[str, ...]] = {
    "points": ("points", "loyalty_points", "reward_points", "rewards_points"),
    "secondary_points": ("secondary_points", "secondary_loyalty_points", "stamps"),
    "account_name": ("member_name", "account_name", "holder_name", "name", "member"),
    "account_id": (
        "member_id",
        "account_id",
        "member_number",
        "membership_number",
        "account_number",
    ),
}
_INT32 = 2**31 - 1


def _roles(p: Pass) -> dict[str, PassField]:
    return match_roles(p, ROLE_KEYS)


def _class_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    # The program is what the card is called: the title, else the logo text, else the issuer.
    return (("program_name", p.title or p.logo_text or options.issuer_name or p.organization),)


def points_balance(ctx: ObjectContext, f: PassField) -> JsonDict:
    value = f.value
    if isinstance(value, Money):
        return {"money": money_json(value.amount, value.currency)}
    if isinstance(value, int | Decimal) and f.currency is not None:
        return {"money": money_json(value, f.currency)}
    if isinstance(value, int) and abs(value) <= _INT32:
        return {"int": value}
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) <= _INT32:
        return {"int": int(value)}
    if isinstance(value, Decimal):
        return {"double": ctx.json_float(float(value))}
    return {"string": ctx.value_text(f)}


def points_json(ctx: ObjectContext, f: PassField) -> JsonDict:
    result: JsonDict = {}
    ctx.loc.set_text(result, "label", "localizedLabel", f.label)
    result["balance"] = points_balance(ctx, f)
    return result


def _build_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, loc, _ = standard_class(
        inputs,
        notices,
        logo_fields=("programLogo", "wideProgramLogo"),
        logo_required_by=LOYALTY_CARD,
    )
    loc.set_text(
        result,
        "programName",
        "localizedProgramName",
        inputs.get("program_name"),
        plain_required=True,
    )
    loc.set_text(
        result, "accountNameLabel", "localizedAccountNameLabel", inputs.label("account_name")
    )
    loc.set_text(result, "accountIdLabel", "localizedAccountIdLabel", inputs.label("account_id"))
    return result, {}


def _object_parts(ctx: ObjectContext) -> JsonDict:
    parts: JsonDict = {}
    put(parts, "accountName", ctx.role_text("account_name"))
    put(parts, "accountId", ctx.role_text("account_id"))
    for role, name in (("points", "loyaltyPoints"), ("secondary_points", "secondaryLoyaltyPoints")):
        f = ctx.roles.get(role)
        if f is not None:
            parts[name] = points_json(ctx, f)
    return parts


LOYALTY = KindCompiler(
    name="loyalty",
    roles=_roles,
    class_extra=_class_extra,
    build_class=_build_class,
    object_parts=_object_parts,
)
