"""The jinja2 sandbox that layout templates run in, with bounds on what they may compute.

jinja2's sandbox keeps templates away from Python's internals, but not from the machine: a
huge power, a string repeated a billion times or two nested loops run for minutes or fill the
memory. Every pass is rendered under a `Budget`, and the sandbox's public hooks keep each
template inside it:

- numbers: a whole number may have at most MAX_INTEGER_BITS bits, checked before `**` and `*`
  compute one;
- sizes: text and sequences made by an operator, a method or a filter hold at most MAX_LENGTH
  items, checked before the work when its size can be known (repetition, padding, format
  widths) and on every result;
- output: the text a pass's templates write is at most MAX_OUTPUT characters in all, and one
  value at most MAX_LENGTH;
- steps: each loop iteration, call, filter and intercepted operator is a step; a pass may take
  MAX_STEPS of them, and MAX_SECONDS.

No shipped or reasonable layout comes near these bounds: a pass shows a few dozen short
values. Exceeding one raises `TemplateLimitError`, reported as a LayoutError naming the field.
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import jinja2.nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_INTEGER_BITS = 1024  # about 300 digits
MAX_LENGTH = 100_000  # characters of a text, items of a sequence, characters of a value
MAX_OUTPUT = 1_000_000  # characters written by all the templates of one pass
MAX_STEPS = 200_000
MAX_SECONDS = 5.0
# A filter or method whose input size times its widest argument (a width, or a text to put in)
# exceeds this is refused before it runs: `indent` of 100,000 lines by 100,000 spaces would
# make 10^10 characters, `'x'.center(10**9)` a gigabyte.
MAX_WORK = 1_000_000

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


class TemplateLimitError(ValueError):
    """A template went past one of the sandbox's bounds; the message says which."""


class Budget:
    """What the templates of one pass may still spend."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.output = MAX_OUTPUT
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            raise TemplateLimitError(
                f"the templates took more than {MAX_STEPS} steps (loop iterations, calls and"
                " filters) for one pass; simplify the loops"
            )
        if self.steps % 1024 < count and time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"the templates ran for more than {MAX_SECONDS:g} seconds for one pass"
            )

    def write(self, characters: int) -> None:
        self.output -= characters
        if self.output < 0:
            raise TemplateLimitError(
                f"the templates wrote more than {MAX_OUTPUT} characters for one pass"
            )

    def snapshot(self) -> tuple[int, int]:
        return self.steps, self.output

    def restore(self, state: tuple[int, int]) -> None:
        self.steps, self.output = state


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


class PassBudget:
    """``with PassBudget() as budget:`` the budget of the pass being rendered: the one already
    running, or a new one for the block. (A class rather than a generator: it is entered for
    every pass, docs/performance.md.)"""

    __slots__ = ("_token",)
    _token: contextvars.Token[Budget | None] | None

    def __enter__(self) -> Budget:
        current = _BUDGET.get()
        if current is not None:
            self._token = None
            return current
        budget = Budget()
        self._token = _BUDGET.set(budget)
        return budget

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _BUDGET.reset(self._token)


def current_budget() -> Budget:
    """The budget of the pass being rendered (see PassBudget). Outside any pass, a template
    still gets each operation's own bounds, from a budget of its own."""
    return _BUDGET.get() or Budget()


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 1


def check_result(value: Any) -> Any:
    """`value`, if it is within the bounds of one value."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INTEGER_BITS:
            raise TemplateLimitError(
                f"a whole number of more than {MAX_INTEGER_BITS} bits (about 300 digits)"
            )
    elif _size(value) > MAX_LENGTH:
        raise TemplateLimitError(
            f"a text or list of {_size(value)} items, more than the limit of {MAX_LENGTH}"
        )
    return value


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a result that would be too large."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    if operator == "**" and ints and right > 0 and abs(left) > 1:
        if (abs(left).bit_length() - 1) * right > MAX_INTEGER_BITS:
            raise TemplateLimitError(f"{left} ** {right} is far larger than any value of a pass")
    elif operator == "*" and ints:
        if left.bit_length() + right.bit_length() > MAX_INTEGER_BITS + 1:
            raise TemplateLimitError("a product far larger than any value of a pass")
    elif operator == "*":
        count = right if isinstance(right, int) else left if isinstance(left, int) else 1
        sequence = left if isinstance(right, int) else right
        if isinstance(count, int) and _size(sequence) * max(count, 0) > MAX_LENGTH:
            raise TemplateLimitError(
                f"repeating {_size(sequence)} items {count} times makes more than {MAX_LENGTH}"
            )
    elif operator == "+" and not ints:
        if _size(left) + _size(right) > MAX_LENGTH:
            raise TemplateLimitError(f"joining makes more than {MAX_LENGTH} items")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)
        arguments = right if isinstance(right, tuple) else (right,)
        _check_work(left, [argument for argument in arguments if isinstance(argument, str)])


def check_percent_format(text: str) -> None:
    """Refuse a %-format whose widths alone would make a huge text ('%999999999d')."""
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*" or (number is not None and int(number[:7]) > MAX_LENGTH):
                raise TemplateLimitError(
                    f"the format {match.group()!r} asks for a width or precision over the limit"
                    f" of {MAX_LENGTH} (or for one given as an argument)"
                )


def check_brace_format(text: str) -> None:
    """Refuse a str.format pattern with nested fields or widths past MAX_LENGTH."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format itself reports the broken pattern
    for _, _, spec, _ in parts:
        if spec and ("{" in spec or any(int(n[:7]) > MAX_LENGTH for n in _DIGITS.findall(spec))):
            raise TemplateLimitError(
                f"the format spec {spec!r} asks for a width or precision over the limit of"
                f" {MAX_LENGTH} (or for one given by another field)"
            )


def _check_work(value: Any, arguments: Iterable[Any], *, widths: bool = True) -> None:
    """Refuse work whose result could reach MAX_WORK items: the size of `value` times its
    widest argument (whole numbers count as widths unless `widths` is false)."""
    widest = 1
    for argument in arguments:
        if isinstance(argument, int) and not isinstance(argument, bool) and widths:
            widest = max(widest, abs(argument))
        elif isinstance(argument, str):
            widest = max(widest, len(argument))
    if _size(value) * widest > MAX_WORK:
        raise TemplateLimitError(
            f"this could make a text or list of {_size(value) * widest} items;"
            f" the limit is {MAX_LENGTH}"
        )


def bounded_filter(function: Callable[..., Any], *, formats: bool = False) -> Callable[..., Any]:
    """`function` (a filter) counted as a step, its arguments and result checked; `formats`
    says that its value is a %-format (the `format` filter)."""
    # Filters marked with pass_context and the like take that first, then the value.
    offset = 1 if hasattr(function, "jinja_pass_arg") else 0

    @functools.wraps(function)  # keeps the pass_context mark
    def bounded(*args: Any, **kwargs: Any) -> Any:
        current_budget().step()
        if len(args) > offset + 1 or kwargs:  # arguments besides the value: widths, texts
            _check_work(args[offset], [*args[offset + 1 :], *kwargs.values()])
        if formats and isinstance(args[offset], str):
            check_percent_format(args[offset])
        return check_result(function(*args, **kwargs))

    return bounded


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox, keeping every template within the pass's `Budget`."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        current_budget().step()
        _check_binop(operator, left, right)
        return check_result(super().call_binop(context, operator, left, right))

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        current_budget().step()
        # A method (of a text, usually; str.format comes wrapped by the sandbox): its work
        # grows with the object's size times its widest argument.
        owner = getattr(obj, "__self__", None)
        arguments = [*args, *kwargs.values()]
        if owner is not None:
            _check_work(owner, arguments)
        else:  # str.format, wrapped: its numbers are values to show, not widths
            owner = getattr(getattr(obj, "__wrapped__", None), "__self__", None)
            if owner is not None:
                _check_work(owner, arguments, widths=False)
        return check_result(super().call(context, obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        current_budget().step()
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            check_brace_format(obj)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        current_budget().step()
        return super().getitem(obj, argument)

    def compile(
        self,
        source: str | jinja2.nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """jinja2's compile, after every `{% for %}` is made to count its iterations."""
        tree = self.parse(source, name, filename) if isinstance(source, str) else source
        _Bounded().visit(tree)
        if raw:
            return super().compile(tree, name, filename, True, defer_init)
        return super().compile(tree, name, filename, False, defer_init)

    def count_loop(self, items: Iterable[Any], written: int) -> Iterator[Any]:
        """The items of a loop, each a step that writes `written` characters of the template's
        own text (the loop body's literal text, which no hook sees)."""
        budget = current_budget()
        for item in items:
            budget.step()
            if written:
                budget.write(written)
            yield item

    def join_texts(self, *values: Any) -> str:
        """``a ~ b ~ c``: the texts of the values joined, refused past MAX_LENGTH."""
        texts = [value if isinstance(value, str) else str(value) for value in values]
        if sum(map(len, texts)) > MAX_LENGTH:
            raise TemplateLimitError(f"joining with ~ makes a text over {MAX_LENGTH} characters")
        return "".join(texts)


class _Bounded(NodeTransformer):
    """Rewrites a parsed template so that what no sandbox hook sees goes through one: each
    `{% for %}` iterates through LimitedSandbox.count_loop, and each ``a ~ b`` is made by
    LimitedSandbox.join_texts. EnvironmentAttribute, jinja2's node for extensions, loads them."""

    def visit_For(self, node: jinja2.nodes.For) -> jinja2.nodes.Node:
        self.generic_visit(node)
        # The loop body's own text, written again on every iteration.
        written = sum(
            len(data.data)
            for part in node.body
            for data in part.find_all(jinja2.nodes.TemplateData)
        )
        items = cast(jinja2.nodes.Expr, node.iter)
        node.iter = _call("count_loop", [items, jinja2.nodes.Const(written)], node.lineno)
        return node

    def visit_Concat(self, node: jinja2.nodes.Concat) -> jinja2.nodes.Node:
        self.generic_visit(node)
        return _call("join_texts", list(node.nodes), node.lineno)


def _call(method: str, arguments: list[jinja2.nodes.Expr], lineno: int) -> jinja2.nodes.Call:
    target = jinja2.nodes.EnvironmentAttribute(method, lineno=lineno)
    return jinja2.nodes.Call(target, arguments, [], None, None, lineno=lineno)


def finalize(value: Any) -> str:
    """Every `{{ ... }}` written as text (what jinja2 does by default), counted as output."""
    text = value if isinstance(value, str) else str(value)
    current_budget().write(len(text))
    return text
