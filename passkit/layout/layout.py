"""`Layout`: a loaded layout, turning one record into one `Pass`.

Everything that does not depend on the record was prepared by `load_layout`; `render` checks
the record, evaluates the layout's templates (two jinja2 calls in all) and builds the pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from passkit.errors import DataError, LayoutError
from passkit.google.options import GoogleOptions
from passkit.layout.dates import last_valid_day
from passkit.layout.inputs import READ_ERRORS, InputSpec, input_refusal
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.plan import Plan
from passkit.layout.record_schema import record_json_schema
from passkit.layout.sandbox import PassBudget
from passkit.layout.stage import RenderError
from passkit.layout.templating import GLOBALS
from passkit.model.choices import Kind
from passkit.model.pass_ import Pass


class Layout:
    """A layout file, loaded and checked: use `render(record)` to make a pass."""

    def __init__(
        self,
        *,
        name: str,
        path: Path,
        spec: LayoutSpec,
        inputs: Mapping[str, InputSpec],
        google: GoogleOptions,
        sources: tuple[Path, ...],
        plan: Plan,
        reload: Callable[[Path], Layout],
        google_check: Callable[[], tuple[LayoutError, ...]] = tuple,
    ) -> None:
        self.name = name
        self.path = path
        self.spec = spec
        self.kind: Kind = spec.kind
        self.inputs: Mapping[str, InputSpec] = MappingProxyType(dict(inputs))
        self.google = google
        self._google_check = google_check
        self._google_problems: tuple[LayoutError, ...] | None = None
        self.sources = sources
        self._plan = plan
        # Given by the loader (which imports this module), so pickling needs no import of it.
        self._reload = reload
        self._names = frozenset(inputs)
        self._readers = tuple((spec.name, spec.read) for spec in inputs.values())
        # Names every template sees besides the inputs; the globals because stages share the
        # context instead of copying it (see Stage.run).
        self._constants = {
            **GLOBALS,
            "locale": spec.locale or spec.language,
            "time_zone": spec.time_zone,
        }

    @property
    def google_problems(self) -> tuple[LayoutError, ...]:
        """Rules of Google Wallet alone that every pass of the layout breaks, with file and line:
        they stop save links, never the Apple bundle. Worked out on first use."""
        if self._google_problems is None:
            self._google_problems = self._google_check()
        return self._google_problems

    def __repr__(self) -> str:
        return f"<Layout {self.name!r} ({self.kind.value}) from {self.path}>"

    def __reduce__(self) -> tuple[Any, tuple[Path]]:
        # Compiled templates cannot be pickled; a worker process loads the layout again.
        return self._reload, (self.path.absolute(),)

    def render(
        self,
        record: Mapping[str, Any],
        *,
        now: datetime | None = None,
        record_name: str = "record",
    ) -> Pass:
        """The pass for one record, issued at `now` (default: the current time, UTC).

        Raises DataError naming the input (or template), the layout and the record.
        """
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None:
            raise ValueError("now must have a time zone, e.g. datetime.now(UTC)")
        with PassBudget():  # what the templates of one pass may compute, in all
            return self._render(record, now, record_name)

    def _render(self, record: Mapping[str, Any], now: datetime, record_name: str) -> Pass:
        context = self.check(record, record_name=record_name)
        context["now"] = now
        context.update(self._constants)
        plan = self._plan
        # The context gathers the templates' results too (slot names cannot be input names):
        # the pass is built from it.
        try:
            context.update(plan.early.run(context))
            serial = plan.serial_number.evaluate(context)
            if not serial:
                raise RenderError("serial_number", "the serial number came out empty")
            context["serial_number"] = serial
            if plan.barcode_generator is not None:
                context["barcode_value"] = plan.barcode_generator.generate(serial)
            else:
                message = plan.barcode_message.evaluate(context) if plan.barcode_message else None
                context["barcode_value"] = message
            expires_at = valid_through = None
            if plan.expiry is not None:
                try:
                    expires_at = plan.expiry.expires_at(
                        plan.expiry_at.evaluate(context),
                        plan.expiry_days.evaluate(context),
                        plan.expiry_hours.evaluate(context),
                        issued_at=now,
                    )
                except ValueError as exc:
                    raise RenderError(plan.expiry_where, str(exc)) from None
                if expires_at is not None:
                    valid_through = last_valid_day(expires_at, plan.expiry.zone)
            context["expires_at"] = expires_at
            context["valid_through"] = valid_through
            if plan.late:
                context.update(plan.late.run(context))
            result = plan.pass_node.make(context)
        except RenderError as exc:
            if exc.limit:
                raise LayoutError(
                    f"{exc.message} (rendering {record_name}); no pass needs this much:"
                    " simplify the template",
                    field=exc.where or None,
                ) from None
            raise DataError(
                exc.message if not exc.where else f"{exc.where}: {exc.message}",
                record=f"{record_name} (layout {self.name})",
                input=self._input_named_by(exc),
            ) from None
        assert isinstance(result, Pass)
        return result

    def check(self, record: Mapping[str, Any], *, record_name: str = "record") -> dict[str, Any]:
        """The record's values converted to their inputs' types, defaults filled in.

        Raises DataError for a missing required input, a value of the wrong type, or a key
        that is not an input of the layout.
        """
        if type(record) is not dict and not isinstance(record, Mapping):
            raise DataError(
                f"a record is a mapping of input names to values, not {type(record).__name__}",
                record=self._who(record_name),
            )
        if not self._names.issuperset(record):
            self._refuse_unknown_key(record, record_name)
        values: dict[str, Any] = {}
        get = record.get
        name = ""
        try:
            for name, read in self._readers:
                values[name] = read(get(name))
        except READ_ERRORS as exc:
            raise input_refusal(self.inputs[name], exc, self._who(record_name)) from None
        return values

    def _refuse_unknown_key(self, record: Mapping[str, Any], record_name: str) -> None:
        inputs = self.inputs
        for key in record:
            if key not in inputs:
                close = difflib.get_close_matches(str(key), list(inputs), n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                known = ", ".join(inputs) or "none"
                raise DataError(
                    f"the layout has no input called {key!r}; {hint}its inputs are: {known}",
                    record=self._who(record_name),
                    input=str(key),
                )

    def _who(self, record_name: str) -> str:
        return f"{record_name} (layout {self.name})"

    def record_schema(self) -> dict[str, Any]:
        """A JSON Schema of this layout's records, for checking data where it is produced."""
        return record_json_schema(self.inputs, f"record for the passkit layout {self.name}")

    def _input_named_by(self, error: RenderError) -> str | None:
        names = [name for name in error.variables if name in self.inputs]
        return names[0] if len(names) == 1 else None
