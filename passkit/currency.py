"""Currencies: which codes exist and how many decimals their amounts have (ISO 4217, as the
CLDR data shipped with babel gives them).

Both wallets format an amount with its currency's decimals, and so does the `money` filter:
an amount with more decimals than its currency has (5000.5 JPY) would be shown rounded, and
differently in each place. Such amounts, and codes that name no currency, are refused.
"""

from __future__ import annotations

from decimal import Decimal

from passkit.apple_rules import RuleBroken, rule


def currency_breach(code: str) -> RuleBroken | None:
    """The rule `code` breaks as a currency code (`apple.field.currency`), or None."""
    # Imported here: a layout that handles no money does not load babel (docs/performance.md).
    from babel.numbers import is_currency

    if is_currency(code):
        return None
    return rule("apple.field.currency").broken(code=code)


def currency_problem(code: str) -> str | None:
    """Why `code` is not a currency code, or None when it is one."""
    breach = currency_breach(code)
    return None if breach is None else str(breach)


def money_problem(amount: Decimal, code: str) -> str | None:
    """Why `amount` in currency `code` cannot be shown as it is, or None when it can."""
    problem = currency_problem(code)
    if problem is not None or not amount.is_finite():
        return problem
    from babel.numbers import get_currency_precision

    digits = get_currency_precision(code)
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # a finite amount
    if -exponent <= digits:
        return None
    given = -exponent
    return (
        f"{amount} {code} has {given} decimal{'s' if given != 1 else ''}, but {code} amounts "
        f"have {digits or 'none'}, so the wallets would show it rounded: give the amount "
        f"in whole {code} minor units ({_example(digits, code)})"
    )


def _example(digits: int, code: str) -> str:
    return f"e.g. 5000 {code}" if digits == 0 else f"e.g. 12.{'5' * digits} {code}"
