"""The template language of layouts: jinja2 in a sandbox, with filters for numbers, money and dates.

A value written as a single ``{{ expression }}`` keeps the type of its result (a number stays a
number, money stays `Money`, a date stays a date), so that the wallet can format it for the
holder's locale. Text with other characters around the braces renders to text. Templates produce
values, never JSON: what a record holds arrives in the pass exactly as it was.

Templates cannot reach Python internals (the sandbox refuses attributes starting with ``_``),
cannot change the data they are given, and cannot read files (the environment has no loader, and
``include``/``import``/``extends`` are refused when the layout loads). What they may compute for
one pass is bounded: see passkit.layout.sandbox.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
import jinja2.meta
import jinja2.nodes
from jinja2 import pass_context
from jinja2.runtime import Context
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from passkit.layout.sandbox import LimitedSandbox, bounded_filter, finalize, pass_budget
from passkit.model.fields import Money

if TYPE_CHECKING:
    import babel

_MARKERS = ("{{", "{%", "{#")
_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>.*)\}\}\s*$", re.DOTALL)
_FORBIDDEN_NODES: dict[type[jinja2.nodes.Node], str] = {
    jinja2.nodes.Include: "include",
    jinja2.nodes.Import: "import",
    jinja2.nodes.FromImport: "from ... import",
    jinja2.nodes.Extends: "extends",
    jinja2.nodes.Block: "block",
    jinja2.nodes.Macro: "macro",
    jinja2.nodes.CallBlock: "call",
}


def is_template(text: str) -> bool:
    return any(marker in text for marker in _MARKERS)


class TemplateError(ValueError):
    """A template that cannot be compiled or is not allowed; the message says why."""


@dataclass(eq=False)
class Template:
    """One compiled template of a layout value.

    `native` templates are a single expression whose result keeps its type; the others render
    text. `variables` are the names the template reads from its context.
    """

    source: str
    native: bool
    expression: str
    variables: frozenset[str]
    # Set once the layout knows where the template was written, for error messages.
    where: str = ""
    _compiled: Callable[[Mapping[str, Any]], Any] | None = field(default=None, repr=False)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # The layout models take templates through validators of their own (layout.schema);
        # pydantic needs a schema of the type for other uses, such as dumping a spec (field by
        # field, as a dataclass dumps). Left to pydantic, the schema of the dataclass is made
        # again for each of the ~120 places a template may be written (docs/performance.md).
        return core_schema.is_instance_schema(
            cls, serialization=core_schema.plain_serializer_function_ser_schema(_fields_of)
        )

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate alone (the layout normally evaluates all its templates in one go)."""
        if self._compiled is None:
            if self.native:
                expression = ENVIRONMENT.compile_expression(
                    self.expression, undefined_to_none=False
                )

                def run(ctx: Mapping[str, Any]) -> Any:
                    return expression(**ctx)

                self._compiled = run
            else:
                self._compiled = ENVIRONMENT.from_string(self.source).render
        with pass_budget():
            result = self._compiled(context)
        if isinstance(result, jinja2.Undefined):
            fail_undefined(result)
        return result


def _fields_of(template: Template) -> dict[str, Any]:
    return {item.name: getattr(template, item.name) for item in fields(template)}


def fail_undefined(value: jinja2.Undefined) -> None:
    """Raise the error a strict undefined value carries (the name or attribute that is missing)."""
    str(value)  # StrictUndefined raises UndefinedError (or SecurityError) here
    raise jinja2.UndefinedError("undefined value")


def compile_template(source: str) -> Template:
    """Parse and check a template; raises TemplateError with a readable message."""
    match = _SINGLE_EXPRESSION.match(source)
    native = False
    expression = ""
    if match and not any(m in match.group("expr") for m in ("{{", "}}", "{%", "%}")):
        expression = match.group("expr").strip()
        try:
            ENVIRONMENT.compile_expression(expression)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}") from None
        native = True
        tree = ENVIRONMENT.parse("{{ " + expression + " }}")
    else:
        try:
            tree = ENVIRONMENT.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            where = f" (line {exc.lineno} of the template)" if "\n" in source.strip() else ""
            raise TemplateError(f"template syntax error{where}: {exc.message}") from None
    _check_allowed(tree)
    variables = frozenset(jinja2.meta.find_undeclared_variables(tree))
    return Template(source=source, native=native, expression=expression, variables=variables)


def _check_allowed(tree: jinja2.nodes.Template) -> None:
    for node_type, name in _FORBIDDEN_NODES.items():
        if next(tree.find_all(node_type), None) is not None:
            raise TemplateError(
                f"'{{% {name} %}}' is not allowed in layout values: a value is one expression "
                "or a line of text, and templates cannot read other files"
            )
    for variable in tree.find_all(jinja2.nodes.Name):
        if variable.name == "self":
            raise TemplateError("'self' is not available in layout templates")
    for node in tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem)):
        attribute = getattr(node, "attr", None)
        if attribute is None and isinstance(node, jinja2.nodes.Getitem):
            argument = node.arg
            attribute = argument.value if isinstance(argument, jinja2.nodes.Const) else None
        if isinstance(attribute, str) and attribute.startswith("_"):
            raise TemplateError(
                f"'{attribute}' is not reachable from a template: names starting with '_' "
                "are Python internals"
            )


# ---------------------------------------------------------------------------------------------
# Filters. Each takes the value first; locale and time zone default to the layout's own.


# babel is imported by the filters that format, when first called: its import is a cost of
# start-up that layouts without those filters need not pay (docs/performance.md).


@functools.lru_cache(maxsize=64)
def _locale(tag: str) -> babel.Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"{tag!r} is not a known locale; use forms like 'en', 'fr_FR'") from None


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (an IANA name such as Europe/Paris), with a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a known time zone; use an IANA name such as Europe/Paris or UTC"
        ) from None


def _context_locale(context: Context, locale: str | None) -> babel.Locale:
    return _locale(locale or str(context.get("locale") or "en"))


def _context_zone(context: Context, tz: str | None) -> ZoneInfo:
    return zone(tz or str(context.get("time_zone") or "UTC"))


def _shown_in_zone(context: Context, moment: datetime, tz: str | None) -> tuple[datetime, ZoneInfo]:
    """The zone a moment is shown in (the layout's, or `tz`), and the moment placed in it when
    it was given without one."""
    zone_info = _context_zone(context, tz)
    return (moment.replace(tzinfo=zone_info) if moment.tzinfo is None else moment), zone_info


def _number(value: Any, name: str) -> Decimal | int:
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise TypeError(f"{name}: expected a number, got {value!r}")


def _with_decimals(pattern: str, decimals: int) -> str:
    """A CLDR number pattern showing exactly `decimals` digits after the point."""
    fraction = "." + "0" * decimals if decimals > 0 else ""
    return ";".join(
        re.sub(r"0(?:\.[0#]*)?", "0" + fraction, part, count=1) for part in pattern.split(";")
    )


@pass_context
def number_filter(
    context: Context, value: Any, decimals: int | None = None, locale: str | None = None
) -> str:
    """``{{ 12345 | number }}`` -> ``12,345``; `decimals` fixes the digits after the point."""
    from babel.numbers import format_decimal

    amount = _number(value, "number")
    where = _context_locale(context, locale)
    pattern = None
    if decimals is not None:
        pattern = _with_decimals(where.decimal_formats[None].pattern, decimals)
    return format_decimal(
        amount, format=pattern, locale=where, decimal_quantization=decimals is not None
    )


@pass_context
def percent_filter(
    context: Context, value: Any, decimals: int = 0, locale: str | None = None
) -> str:
    """``{{ 0.25 | percent }}`` -> ``25%`` (a share of 1, as the locale writes percentages)."""
    from babel.numbers import format_percent

    where = _context_locale(context, locale)
    pattern = _with_decimals(where.percent_formats[None].pattern, decimals)
    return format_percent(_number(value, "percent"), format=pattern, locale=where)


@pass_context
def money_filter(
    context: Context,
    value: Any,
    currency: str | None = None,
    locale: str | None = None,
    decimals: bool = True,
) -> str:
    """``{{ balance | money }}`` -> ``€25.00``; a plain number needs the currency: ``money('EUR')``.

    `decimals=false` drops the cents of whole amounts (``€25``).
    """
    from babel.numbers import format_currency

    amount: Decimal | int
    if isinstance(value, Money):
        amount, code = value.amount, currency or value.currency
    else:
        amount = _number(value, "money")
        if currency is None:
            raise ValueError(
                f"money: {value!r} is a plain number; give its currency, e.g. money('EUR')"
            )
        code = currency
    where = _context_locale(context, locale)
    if not decimals and amount == int(amount):
        pattern = where.currency_formats["standard"].pattern
        pattern = re.sub(r"\.0+", "", pattern)
        return format_currency(amount, code, format=pattern, locale=where, currency_digits=False)
    return format_currency(amount, code, locale=where)


def _as_datetime(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TypeError(f"{name}: expected a date or date-time, got {value!r}")


@pass_context
def date_filter(
    context: Context,
    value: Any,
    format: str = "medium",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ expires | date }}`` -> ``Dec 1, 2026``; format short/medium/long/full or a pattern."""
    from babel.dates import format_date

    moment = _as_datetime(value, "date")
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(_context_zone(context, tz))
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, format=format, locale=_context_locale(context, locale))


@pass_context
def datetime_filter(
    context: Context,
    value: Any,
    format: str = "medium",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ starts_at | datetime('short') }}``, shown in the layout's time zone (or `tz`)."""
    from babel.dates import format_datetime

    moment = _as_datetime(value, "datetime")
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    moment, zone_info = _shown_in_zone(context, moment, tz)
    return format_datetime(
        moment, format=format, tzinfo=zone_info, locale=_context_locale(context, locale)
    )


@pass_context
def time_filter(
    context: Context,
    value: Any,
    format: str = "short",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ departs_at | time }}`` -> ``9:41 AM``, in the layout's time zone (or `tz`)."""
    from babel.dates import format_time

    moment = _as_datetime(value, "time")
    if not isinstance(moment, datetime):
        raise TypeError(f"time: {value!r} is a date without a time of day")
    moment, zone_info = _shown_in_zone(context, moment, tz)
    return format_time(
        moment, format=format, tzinfo=zone_info, locale=_context_locale(context, locale)
    )


@pass_context
def in_zone_filter(context: Context, value: Any, tz: str | None = None) -> datetime:
    """``{{ starts_at | in_zone('America/New_York') }}``: the same moment in another zone."""
    moment = _as_datetime(value, "in_zone")
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TypeError(f"in_zone: {value!r} has no time zone to convert from")
    return moment.astimezone(_context_zone(context, tz))


def isoformat_filter(value: Any) -> str:
    """``{{ starts_at | isoformat }}`` -> ``2026-12-01T20:00:00+01:00``."""
    return _as_datetime(value, "isoformat").isoformat()


def add_days_filter(value: Any, days: int | float) -> date:
    """``{{ now | add_days(30) }}``: a date or date-time some days later (negative: earlier)."""
    return _as_datetime(value, "add_days") + timedelta(days=days)


def add_hours_filter(value: Any, hours: int | float) -> datetime:
    """``{{ now | add_hours(12) }}``: a date-time some hours later."""
    moment = _as_datetime(value, "add_hours")
    if not isinstance(moment, datetime):
        raise TypeError(f"add_hours: {value!r} is a date without a time of day")
    return moment + timedelta(hours=hours)


def mask_filter(value: Any, visible: int = 4, char: str = "•") -> str:
    """``{{ card_number | mask }}`` -> ``••••••••••••1234``: hides all but the last characters."""
    text = str(value)
    shown = text[-visible:] if visible > 0 else ""
    return char * (len(text) - len(shown)) + shown


def group_filter(value: Any, size: int = 4, separator: str = " ") -> str:
    """``{{ '6012345678901234' | group }}`` -> ``6012 3456 7890 1234``."""
    if size < 1:
        raise ValueError("group: size must be at least 1")
    text = str(value)
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


def pad_filter(value: Any, width: int, fill: str = "0") -> str:
    """``{{ 42 | pad(6) }}`` -> ``000042``."""
    if len(fill) != 1:
        raise ValueError("pad: fill must be one character")
    return str(value).rjust(width, fill)


def initials_filter(value: Any) -> str:
    """``{{ 'Ada Lovelace' | initials }}`` -> ``AL``."""
    return "".join(word[0] for word in str(value).split() if word).upper()


def plural_filter(count: Any, singular: str, plural: str) -> str:
    """``{{ points | plural('point', 'points') }}``: the word that suits the number."""
    return singular if _number(count, "plural") == 1 else plural


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number_filter,
    "percent": percent_filter,
    "money": money_filter,
    "date": date_filter,
    "datetime": datetime_filter,
    "time": time_filter,
    "in_zone": in_zone_filter,
    "isoformat": isoformat_filter,
    "add_days": add_days_filter,
    "add_hours": add_hours_filter,
    "mask": mask_filter,
    "group": group_filter,
    "pad": pad_filter,
    "initials": initials_filter,
    "plural": plural_filter,
}


def _make_environment() -> LimitedSandbox:
    environment = LimitedSandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        loader=None,
        finalize=finalize,
    )
    environment.filters.update(FILTERS)
    # Every filter, jinja2's and ours, counted and bounded (see passkit.layout.sandbox).
    environment.filters = {
        name: bounded_filter(function, formats=name == "format")
        for name, function in environment.filters.items()
    }
    # Only harmless helpers stay global: no access to the environment or its loaders.
    environment.globals = {"range": environment.globals["range"], "dict": dict}
    return environment


ENVIRONMENT = _make_environment()
GLOBALS: dict[str, Any] = dict(ENVIRONMENT.globals)
GLOBAL_NAMES = frozenset(GLOBALS)
