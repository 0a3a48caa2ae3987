"""`passkit inspect`: show what a .pkpass bundle or a Google save link holds, readably."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from passkit.apple.sizes import ImageWeight, plain_png_size
from passkit.cli.options import link_key_options
from passkit.cli.sizes import image_lines
from passkit.cli.text import heading, line, shown
from passkit.errors import BundleError
from passkit.testing.frozen import thaw
from passkit.testing.pkpass import Bundle, png_size
from passkit.testing.savelink import GoogleClassView, GoogleObjectView, SaveLinkView, places
from passkit.testing.targets import open_target
from passkit.testing.views import BarcodeView, FieldView

_IDENTITY = (
    ("passTypeIdentifier", "pass type"),
    ("teamIdentifier", "team"),
    ("serialNumber", "serial"),
    ("organizationName", "organization"),
    ("description", "description"),
    ("logoText", "logo text"),
)
_LOOKS = (
    ("backgroundColor", "background"),
    ("foregroundColor", "foreground"),
    ("labelColor", "labels"),
)
_DATES = (("relevantDate", "relevant"), ("expirationDate", "expires"))
# Object keys shown in their own sections, not again in the list of other properties.
_SHOWN = {"id", "classId", "state", "barcode", "textModulesData", "linksModuleData"}


@click.command()
@click.argument("target", metavar="FILE.pkpass|LINK|JWT|FILE.google.txt")
@link_key_options
@click.option(
    "--json", "as_json", is_flag=True, help="Print pass.json, or the link's claims, as JSON."
)
def inspect(target: str, link_key: Path | None, as_json: bool) -> None:
    """Show a pass: style, identity, fields by group, barcode, dates, places and files.

    For a save link, its claims, classes and objects; the link is decoded without checking
    its signature unless --service-account or --public-key is given.
    """
    opened = open_target(target, public_key=link_key)
    if as_json:
        document = opened.pass_json if isinstance(opened, Bundle) else opened.claims
        click.echo(shown(json.dumps(thaw(document), indent=2, ensure_ascii=False), lines=True))
        return
    lines = _bundle(opened) if isinstance(opened, Bundle) else _link(opened)
    for text in lines:
        click.echo(line(text))


# -- bundles -----------------------------------------------------------------------------------


def _bundle(bundle: Bundle) -> Iterator[str]:
    yield from _identity(bundle)
    fields = bundle.fields
    if fields:
        yield ""
        yield heading("fields")
        yield from _fields(fields)
    barcodes = bundle.barcodes
    if barcodes:
        yield ""
        yield heading("barcode")
        for barcode in barcodes:
            yield f"  {_barcode(barcode)}"
    if bundle.locations or bundle.beacons:
        yield ""
        yield heading("places")
        yield from _places(bundle)
    translations = bundle.translations
    if translations:
        yield ""
        yield heading("languages")
        for language, table in translations.items():
            yield f"  {language}: {len(table)} strings"
    yield ""
    yield heading("files")
    yield from _files(bundle)


def _identity(bundle: Bundle) -> Iterator[str]:
    """The bundle's heading, style, identity, colours and dates."""
    data = bundle.pass_json
    yield heading(bundle.source)
    yield f"  style         {bundle.style or '(none)'}"
    for key, label in _IDENTITY:
        if key in data:
            yield f"  {label:<13} {data[key]}"
    looks = [f"{label} {data[key]}" for key, label in _LOOKS if key in data]
    if looks:
        yield f"  colours       {', '.join(looks)}"
    dates = [f"{label} {data[key]}" for key, label in _DATES if key in data]
    if bundle.voided:
        dates.append("VOIDED")
    if dates:
        yield f"  dates         {', '.join(dates)}"


def _places(bundle: Bundle) -> Iterator[str]:
    for location in bundle.locations:
        text = f'  "{location["relevantText"]}"' if "relevantText" in location else ""
        yield f"  location {location.get('latitude')}, {location.get('longitude')}{text}"
    for beacon in bundle.beacons:
        numbers = "".join(
            f" {part} {beacon[part]}" for part in ("major", "minor") if part in beacon
        )
        yield f"  beacon {beacon.get('proximityUUID')}{numbers}"


def _files(bundle: Bundle) -> Iterator[str]:
    """Each file with its size (and a PNG's pixels), then the images' weights."""
    width = max(len(name) for name, _ in bundle.files)
    images: list[ImageWeight] = []
    for name, size in bundle.files:
        extra = ""
        if name.endswith(".png"):
            image = bundle.read(name)
            try:
                w, h = png_size(image, name)
                extra = f"  {w}x{h} px"
            except BundleError:  # shown, not judged: `passkit verify` judges
                extra = "  (not a PNG)"
            plain = plain_png_size(image)
            if plain is not None:
                images.append(ImageWeight(name, size, plain))
        yield f"  {name:<{width}}  {size:>8} bytes{extra}"
    for name in bundle.directories:
        yield f"  {name:<{width}}  directory entry (not allowed in a pass bundle)"
    yield f"  {len(bundle.files)} files, {sum(size for _, size in bundle.files):,} bytes unpacked"
    if images:
        yield ""
        yield from image_lines(images)


def _fields(fields: list[FieldView]) -> Iterator[str]:
    group = None
    width = max(len(f.key) for f in fields)
    for item in fields:
        if item.group != group:
            group = item.group
            yield f"  {group}"
        label = f"{item.label}: " if item.label else ""
        value = str(item.value).replace("\n", "\n" + " " * (width + 8))
        yield f"    {item.key:<{width}}  {label}{value}"


def _barcode(barcode: BarcodeView) -> str:
    details = [
        d
        for d in (barcode.encoding, f"alt text {barcode.alt_text!r}" if barcode.alt_text else None)
        if d
    ]
    return f"{barcode.format} {barcode.message!r}" + (f" ({', '.join(details)})" if details else "")


# -- save links --------------------------------------------------------------------------------


def _link(view: SaveLinkView) -> Iterator[str]:
    status = (
        click.style("signature verified", fg="green")
        if view.verified
        else "signature NOT checked (give --service-account or --public-key)"
    )
    yield heading(f"save link ({view.source})", f": {status}")
    claims = view.claims
    for key in ("iss", "aud", "typ", "origins"):
        if key in claims:
            yield f"  {key:<8} {_scalar(claims[key])}"
    if isinstance(claims.get("iat"), int):
        issued = datetime.fromtimestamp(claims["iat"], UTC)
        yield f"  iat      {claims['iat']} ({issued:%Y-%m-%d %H:%M:%S}Z)"
    yield f"  length   {len(view.url)} characters"
    yield f"  link     {view.holds}"
    for kind, classes in view.classes.items():
        for klass in classes:
            yield ""
            yield from _class(kind, klass)
    for kind, objects in view.objects.items():
        for item in objects:
            yield ""
            yield from _object(kind, item)


def _class(kind: str, klass: GoogleClassView) -> Iterator[str]:
    yield heading(f"{kind} class {klass.id}")
    for path, value in _flatten(klass.raw):
        if path != "id":
            yield f"  {path}: {value}"


def _object(kind: str, item: GoogleObjectView) -> Iterator[str]:
    yield heading(f"{kind} object {item.id}")
    yield f"  class    {item.class_id}"
    if item.skinny:
        yield f"  ({item.holds})"
        return
    if item.state:
        yield f"  state    {item.state}"
    if item.barcode is not None:
        yield f"  barcode  {_barcode(item.barcode)}"
    fields = item.fields
    if fields:
        yield "  fields"
        width = max(len(f.key) for f in fields)
        for f in fields:
            label = f"{f.label}: " if f.label else ""
            yield f"    {f.key:<{width}}  {label}{_scalar(f.value)}  [{f.group}]"
    placed = {place.path[0] for place, _ in places(item.kind)}
    rest = {k: v for k, v in item.raw.items() if k not in _SHOWN and k not in placed}
    if rest:
        yield "  other"
        for path, value in _flatten(rest):
            yield f"    {path}: {value}"


def _flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, readable value) of every leaf; LocalizedStrings and images read as their text."""
    if isinstance(node, Mapping):
        if "defaultValue" in node:
            default = node["defaultValue"]
            text = default.get("value") if isinstance(default, Mapping) else default
            others = [
                f"{t.get('language')}: {t.get('value')}"
                for t in node.get("translatedValues") or ()
                if isinstance(t, Mapping)
            ]
            yield prefix, repr(text) + (f" [{'; '.join(others)}]" if others else "")
            return
        if "sourceUri" in node and isinstance(node["sourceUri"], Mapping):
            yield prefix, f"image {node['sourceUri'].get('uri')}"
            return
        for key, value in node.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _flatten(value, f"{prefix}[{index}]")
    else:
        yield prefix, _scalar(node)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(_scalar(v) for v in value) or "(none)"
    return str(value)
