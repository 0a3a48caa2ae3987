"""The form on an issuance link's page: the layout's typed inputs that the link leaves open.

A link pre-fills some inputs (a personal link: what the serial depends on; a campaign link:
perhaps nothing). The page asks for the others that have no default, each as the HTML control
that suits its type, and checks the answers exactly as any record is checked: each value with
its input's own reader (so every field gets its own message), then the whole record with
`Layout.check`. Pre-filled values always win: a visitor cannot change them by adding fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from passkit.errors import DataError
from passkit.layout import InputSpec, InputType, Layout
from passkit.layout.input_values import InputValueError
from passkit.layout.inputs import MissingInput

MAX_FIELD_CHARS = 1000
_BOOLEAN_CHOICES = (("true", "Yes"), ("false", "No"))


@dataclass(frozen=True)
class FormField:
    """One control of the form, ready for the template."""

    name: str
    label: str
    control: str  # "input", "select" or "textarea"
    html_type: str  # for "input": text, email, number, date, datetime-local
    required: bool
    value: str = ""
    hint: str | None = None
    error: str | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (value, shown text) for "select"
    min: str | None = None
    max: str | None = None
    step: str | None = None
    max_length: int | None = None
    inputmode: str | None = None
    autocomplete: str | None = None


@dataclass(frozen=True)
class FormResult:
    """What a submitted form gave: the record when every value is right, else the errors."""

    fields: tuple[FormField, ...]
    record: dict[str, Any] | None
    error: str | None = None  # a problem of the whole record, not of one field

    @property
    def ok(self) -> bool:
        return self.record is not None


def asked_inputs(layout: Layout, prefill: Mapping[str, Any]) -> tuple[InputSpec, ...]:
    """The inputs the page asks for: not pre-filled, and without a default."""
    return tuple(
        spec
        for name, spec in layout.inputs.items()
        if name not in prefill and (spec.default is None or spec.required)
    )


def form_fields(layout: Layout, prefill: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The empty form for a link's page (nothing to ask: an empty tuple)."""
    return tuple(_field(spec) for spec in asked_inputs(layout, prefill))


def read_form(layout: Layout, prefill: Mapping[str, Any], form: Mapping[str, str]) -> FormResult:
    """The record of the link's pre-filled values and the form's answers, checked."""
    record: dict[str, Any] = dict(prefill)
    fields: list[FormField] = []
    failed = False
    for spec in asked_inputs(layout, prefill):
        text = str(form.get(spec.name, ""))
        field = replace(_field(spec), value=text)
        problem = _problem(spec, text)
        if problem is None and text.strip():
            record[spec.name] = _typed_text(spec, text)
        failed = failed or problem is not None
        fields.append(replace(field, error=problem))
    if failed:
        return FormResult(tuple(fields), None)
    try:
        layout.check(record, record_name="the form")
    except DataError as exc:
        named = [f for f in fields if f.name == exc.input]
        if not named:
            return FormResult(tuple(fields), None, error=exc.detail)
        fields = [replace(f, error=exc.detail) if f.name == exc.input else f for f in fields]
        return FormResult(tuple(fields), None)
    return FormResult(tuple(fields), record)


def _problem(spec: InputSpec, text: str) -> str | None:
    if len(text) > MAX_FIELD_CHARS:
        return f"at most {MAX_FIELD_CHARS} characters, please"
    try:
        spec.read(_typed_text(spec, text) if text.strip() else None)
    except MissingInput:
        return "required: please fill this in"
    except InputValueError as exc:
        return _friendlier(spec, str(exc))
    return None


def _typed_text(spec: InputSpec, text: str) -> Any:
    """Form text as the input reads it: list items come one per line."""
    if spec.type is InputType.LIST:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if spec.type is InputType.STRING:
        return text.strip()
    return text


def _friendlier(spec: InputSpec, message: str) -> str:
    if spec.pattern is not None and "does not match the pattern" in message:
        return f"this does not have the expected form{_hint_suffix(spec)}"
    return message


def _hint_suffix(spec: InputSpec) -> str:
    return f" ({spec.description})" if spec.description else ""


def _label(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _is_email(spec: InputSpec) -> bool:
    return "email" in spec.name.lower() or (spec.pattern is not None and "@" in spec.pattern)


def _number(value: Any) -> str | None:
    return None if value is None else str(value)


def _field(spec: InputSpec) -> FormField:
    field = FormField(
        name=spec.name,
        label=_label(spec.name),
        control="input",
        html_type="text",
        required=spec.required,
        hint=spec.description,
        max_length=spec.max_length,
    )
    if spec.choices is not None and spec.type is not InputType.LIST:
        shown = tuple((str(choice), str(choice)) for choice in spec.choices)
        return replace(field, control="select", choices=shown)
    kind = spec.type
    if kind is InputType.STRING and _is_email(spec):
        return replace(field, html_type="email", inputmode="email", autocomplete="email")
    if kind is InputType.STRING and "name" in spec.name.lower():
        return replace(field, autocomplete="name")
    if kind in (InputType.INTEGER, InputType.DECIMAL):
        step = "1" if kind is InputType.INTEGER else "any"
        return replace(
            field, html_type="number", step=step, min=_number(spec.min), max=_number(spec.max)
        )
    if kind is InputType.MONEY:
        unit = f" ({spec.currency})" if spec.currency else ""
        hint = spec.description or ("an amount such as 12.50" + ("" if unit else " EUR"))
        return replace(field, label=field.label + unit, inputmode="decimal", hint=hint)
    if kind is InputType.DATE:
        return replace(field, html_type="date")
    if kind is InputType.DATETIME:
        return replace(field, html_type="datetime-local")
    if kind is InputType.BOOLEAN:
        return replace(field, control="select", choices=_BOOLEAN_CHOICES)
    if kind is InputType.LIST:
        return replace(field, control="textarea", hint=(spec.description or "") + " (one per line)")
    return field


def field_errors(fields: Sequence[FormField]) -> dict[str, str]:
    """The fields' messages by input name (for logs and tests)."""
    return {f.name: f.error for f in fields if f.error}
