"""`compile_google`: a `Pass` -> one Google Wallet class and one object (a `GooglePass`).

Which Google type a pass becomes is `compilers.compiler_for`'s choice.

Ids: the class is `<issuer id>.<class suffix>` (plus an event or flight part for the types whose
class describes one event or one flight); the object is `<issuer id>.<class suffix>.<serial>`,
the serial made safe when it holds characters Google does not allow. The class suffix is the
`class_suffix` argument, else the layout's `google.class_suffix`, else
`<organisation>.<pass kind>` in lower case.

The class depends only on the layout, so it is built once per layout and memoised
(`class_cache.class_of`); each call then builds the object alone (and copies the memoised
class, so that a caller may change what it gets).
"""

from __future__ import annotations

from passkit.google.card_template import card_rows
from passkit.google.class_cache import class_of
from passkit.google.compilers import compiler_for
from passkit.google.field_roles import fields_showing
from passkit.google.google_pass import GooglePass
from passkit.google.held import held_in_class
from passkit.google.ids import check_issuer_id, check_suffix, make_id, safe_suffix, slug
from passkit.google.json_writing import JsonDict
from passkit.google.localize import Localizer
from passkit.google.object_context import ObjectContext
from passkit.google.object_parts import common_object_parts
from passkit.google.options import GoogleOptions
from passkit.model.pass_ import Pass

_DEFAULT_OPTIONS = GoogleOptions()


def base_class_suffix(p: Pass, options: GoogleOptions, class_suffix: str | None) -> str:
    if class_suffix is not None:
        return check_suffix(class_suffix, what="class suffix")
    if options.class_suffix is not None:
        return check_suffix(options.class_suffix, what="google.class_suffix")
    return f"{slug(p.organization)}.{p.kind.value}"


def compile_google(
    p: Pass,
    *,
    issuer_id: str,
    options: GoogleOptions | None = None,
    class_suffix: str | None = None,
) -> GooglePass:
    """The Google class and object of `p`; WalletRuleError when a Google rule cannot be met."""
    issuer = check_issuer_id(issuer_id)
    options = options or _DEFAULT_OPTIONS
    base = base_class_suffix(p, options, class_suffix)
    compiler, kind_notice = compiler_for(p)
    part = compiler.class_suffix_part(p)
    class_id = make_id(issuer, f"{base}.{part}" if part else base)
    object_id = make_id(issuer, f"{base}.{safe_suffix(p.serial_number)}")

    loc = Localizer.of(p)
    roles = compiler.roles(p)
    if p.barcode is not None and p.barcode.alt_text:
        # Google shows the barcode's text under it: a field saying the same is not repeated.
        roles = {**fields_showing(p, (p.barcode.alt_text,)), **roles}
    ctx = ObjectContext(p=p, loc=loc, roles=roles, in_class=held_in_class(options))
    if kind_notice:
        ctx.notices.append(kind_notice)
    rows = card_rows(p, ctx.consumed, options.card_rows, ctx.notices)
    compiled = class_of(compiler, options, class_id, rows, ctx)

    object_json: JsonDict = {"id": object_id, "classId": class_id}
    object_json.update(compiled.shared_object_copy())
    object_json.update(common_object_parts(ctx))
    object_json.update(compiler.object_parts(ctx))
    return GooglePass(
        kind=compiler.name,
        class_id=class_id,
        object_id=object_id,
        compiled_class=compiled,
        object_json=object_json,
        notices=(*compiled.notices, *ctx.notices),
        origins=tuple(options.origins),
        plain_floats=ctx.plain_floats,
    )
