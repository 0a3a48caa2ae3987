"""The template language of layouts: compiling a value's template, in jinja2's sandbox.

A value written as a single ``{{ expression }}`` keeps the type of its result (a number stays a
number, money stays `Money`, a date stays a date), so that the wallet can format it for the
holder's locale. Text with other characters around the braces renders to text. Templates produce
values, never JSON: what a record holds arrives in the pass exactly as it was.

Templates cannot reach Python internals (the sandbox refuses attributes starting with ``_``),
cannot change the data they are given, and cannot read files (the environment has no loader, and
``include``/``import``/``extends`` are refused when the layout loads). What they may compute for
one pass is bounded: see passkit.layout.sandbox. The filters (numbers, money, dates, text) are in
passkit.layout.filters; `ENVIRONMENT` is the one sandbox every template of a layout runs in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from passkit.layout.filters import FILTERS
from passkit.layout.sandbox import LimitedSandbox, PassBudget, bounded_filter, finalize

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
        with PassBudget():
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
