"""Coupons -> OfferClass / OfferObject.

The offer's title is the pass's title (or its description), its provider the issuer name, and
its redemption channel `google.redemption_channel` (BOTH unless the layout says otherwise).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from passkit.google.classinfo import ClassInputs, standard_class
from passkit.google.field_roles import pass_fields
from passkit.google.json_writing import JsonDict
from passkit.google.kindbase import Extra, KindCompiler
from passkit.google.object_context import ObjectContext
from passkit.google.options import GoogleOptions
from passkit.model.choices import DateStyle
from passkit.model.fields import PassField
from passkit.model.pass_ import Pass


def _roles(p: Pass) -> dict[str, PassField]:
    # Google shows an offer's expiry itself (from the object's validity): a field giving the
    # moment it ends, or the last day it is valid, is not repeated.
    end = p.expiration_date
    if end is None:
        return {}
    last_day = (end - timedelta(microseconds=1)).date()
    return {
        f"shown:{f.key}": f for f in pass_fields(p).fields if _is_day_or_moment(f, end, last_day)
    }


def _is_day_or_moment(f: PassField, end: datetime, last_day: date) -> bool:
    value = f.value
    if isinstance(value, datetime):
        # A date shown as a date (no time) is the day, whatever time of day it carries.
        return value == end or (f.time_style is DateStyle.NONE and value.date() == last_day)
    return isinstance(value, date) and value == last_day


def _class_extra(p: Pass, options: GoogleOptions, roles: dict[str, PassField]) -> Extra:
    return (("redemption_channel", options.redemption_channel),)


def _build_class(inputs: ClassInputs, notices: list[str]) -> tuple[JsonDict, JsonDict]:
    result, loc, _ = standard_class(inputs, notices, logo_fields=("titleImage", "wideTitleImage"))
    loc.set_text(result, "title", "localizedTitle", inputs.title, plain_required=True)
    loc.set_text(result, "provider", "localizedProvider", inputs.issuer_name, plain_required=True)
    result["redemptionChannel"] = inputs.get("redemption_channel", "BOTH")
    return result, {}


def _object_parts(ctx: ObjectContext) -> JsonDict:
    return {}


OFFER = KindCompiler(
    name="offer",
    roles=_roles,
    class_extra=_class_extra,
    build_class=_build_class,
    object_parts=_object_parts,
)
