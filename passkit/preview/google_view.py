"""What the Google card shows, read from the class and object that `passkit.google` compiles.

The preview does not guess how a pass maps to Google Wallet: it compiles the pass exactly as a
save link would carry it and reads the card's parts from that JSON (the card title, the big
title or header, the type's own fields such as loyalty points or a gift card's balance, the rows
of the card template, the barcode text, the logo and hero image).

Google shows only hosted images. So that a designer sees the card before the images are
published, images without a public URL are given a placeholder address for the preview alone;
the design warnings say which images still need one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal

from passkit.colors import Color
from passkit.google.compile import compile_google
from passkit.google.compilers import compiler_for
from passkit.google.google_pass import GooglePass
from passkit.google.ids import safe_module_id
from passkit.google.options import GoogleOptions
from passkit.google.values import format_field_value
from passkit.images import ImageSource
from passkit.model.looks import Images
from passkit.model.pass_ import Pass
from passkit.preview.values import locale_for

PREVIEW_ISSUER = "3388000000000000000"
PLACEHOLDER_URL = "https://preview.passkit.invalid/"
_MODULE_PATH = re.compile(r"textModulesData\['([^']+)'\]")
_LOGO_KEYS = ("programLogo", "logo", "titleImage")
_SQUARE_LOGO_OWNERS = ("class", "object")


@dataclass(frozen=True)
class GoogleItem:
    """One label and value on the card, and the pass field it comes from."""

    label: str
    value: str
    where: str


@dataclass(frozen=True)
class GoogleView:
    kind: str
    logo: ImageSource | None
    card_title: str
    card_title_where: str
    subheader: str | None
    header: str | None
    header_where: str
    rows: tuple[tuple[GoogleItem, ...], ...]
    hero: ImageSource | None
    background: Color | None
    barcode_text: str | None


def _hosted(source: ImageSource | None, known: dict[str, ImageSource]) -> ImageSource | None:
    if source is None:
        return None
    hosted = source if source.url else source.with_url(f"{PLACEHOLDER_URL}{source.digest}.png")
    assert hosted.url is not None
    known[hosted.url] = source
    return hosted


def compile_for_preview(
    p: Pass, options: GoogleOptions | None
) -> tuple[GooglePass, dict[str, ImageSource]]:
    """The pass compiled for Google with every image hosted (a placeholder where needed),
    and the images by the URL the JSON names them with."""
    known: dict[str, ImageSource] = {}
    images = Images(**{role: _hosted(source, known) for role, source in p.images.items()})
    hosted_pass = p.model_copy(update={"images": images})
    hosted_options = None
    if options is not None:
        hosted_options = options.model_copy(
            update={
                "program_logo": _hosted(options.program_logo, known),
                "hero_image": _hosted(options.hero_image, known),
            }
        )
    compiled = compile_google(hosted_pass, issuer_id=PREVIEW_ISSUER, options=hosted_options)
    return compiled, known


def localized(value: Any, language: str) -> str | None:
    """The text of a Google LocalizedString (or a plain string) in `language`."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for item in value.get("translatedValues", ()):
            if item.get("language") == language:
                return str(item.get("value"))
        default = value.get("defaultValue")
        if isinstance(default, dict):
            return str(default.get("value"))
    return None


def _text(owner: dict[str, Any], key: str, language: str) -> str | None:
    localized_key = "localized" + key[0].upper() + key[1:]
    return localized(owner.get(localized_key), language) or localized(owner.get(key), language)


def _money(value: dict[str, Any], language: str) -> str:
    amount = Decimal(int(value.get("micros", 0))) / Decimal(1_000_000)
    return format_currency(amount, value.get("currencyCode", "USD"), locale=locale_for(language))


def _balance(balance: dict[str, Any], language: str) -> str:
    if "money" in balance:
        return _money(balance["money"], language)
    if "int" in balance:
        return format_decimal(balance["int"], locale=locale_for(language))
    if "double" in balance:
        return format_decimal(Decimal(str(balance["double"])), locale=locale_for(language))
    return str(balance.get("string", ""))


def _image(
    owners: list[dict[str, Any]], keys: tuple[str, ...], known: dict[str, ImageSource]
) -> ImageSource | None:
    for key in keys:
        for owner in owners:
            uri = owner.get(key, {}).get("sourceUri", {}).get("uri")
            if uri in known:
                return known[uri]
    return None


class _Reader:
    def __init__(self, p: Pass, compiled: GooglePass, language: str) -> None:
        self.p = p
        self.cls = compiled.class_json
        self.obj = compiled.object_json
        self.language = language
        compiler, _ = compiler_for(p)
        self.roles = compiler.roles(p)
        self.role_where = {role: self.where_of_key(field.key) for role, field in self.roles.items()}

    def where_of_key(self, key: str) -> str:
        for group in ("header", "primary", "secondary", "auxiliary", "back"):
            for index, field in enumerate(getattr(self.p, group)):
                if field.key == key:
                    return f"{group}[{index}]"
        return key

    def where_of_module(self, module_id: str) -> str:
        for _, field in self.p.fields():
            if safe_module_id(field.key) == module_id:
                return self.where_of_key(field.key)
        return f"google textModulesData[{module_id!r}]"

    def text(self, key: str) -> str | None:
        return _text(self.obj, key, self.language) or _text(self.cls, key, self.language)

    def item(self, role: str, label: str | None, value: str | None) -> GoogleItem | None:
        if not value:
            return None
        return GoogleItem(label or "", value, f"{self.role_where.get(role, role)}.value")

    def kind_rows(self, kind: str) -> list[tuple[GoogleItem, ...]]:
        """The rows of the type's own fields, above the template rows."""
        rows: list[list[GoogleItem | None]] = []
        if kind == "loyalty":
            rows = self._loyalty_rows()
        elif kind == "giftCard":
            rows = self._gift_card_rows()
        elif kind == "offer":
            rows = [self.moments()]
        elif kind == "eventTicket":
            rows = self._event_rows()
        elif kind in ("flight", "transit"):
            rows = self._travel_rows(kind)
        return [tuple(item for item in row if item) for row in rows if any(row)]

    def _loyalty_rows(self) -> list[list[GoogleItem | None]]:
        language = self.language
        points = [
            self.item(
                role,
                _text(self.obj.get(name, {}), "label", language),
                _balance(self.obj[name]["balance"], language) if name in self.obj else None,
            )
            for role, name in (
                ("points", "loyaltyPoints"),
                ("secondary_points", "secondaryLoyaltyPoints"),
            )
        ]
        # Google's loyalty card shows the points on its face; the member's name and id
        # are in the details (and under the barcode when it has no text of its own).
        return [points]

    def _gift_card_rows(self) -> list[list[GoogleItem | None]]:
        language = self.language
        return [
            [
                self.item(
                    "card_number",
                    _text(self.cls, "cardNumberLabel", language) or "Card number",
                    self.obj.get("cardNumber"),
                ),
                self.item(
                    "pin", _text(self.cls, "pinLabel", language) or "PIN", self.obj.get("pin")
                ),
            ]
        ]

    def _event_rows(self) -> list[list[GoogleItem | None]]:
        language = self.language
        seat = self.obj.get("seatInfo", {})
        return [
            [
                self.item(role, role.title(), localized(seat.get(role), language))
                for role in ("section", "row", "seat")
            ],
            [
                self.item("gate", "Gate", localized(seat.get("gate"), language)),
                self.item("holder", "Ticket holder", self.obj.get("ticketHolderName")),
                self.item("ticket_number", "Ticket number", self.obj.get("ticketNumber")),
            ],
            self.moments(),
        ]

    def _travel_rows(self, kind: str) -> list[list[GoogleItem | None]]:
        """A flight's or a transit ticket's rows (the latter with its coach and seat)."""
        rows = [
            [
                self.item("passenger", "Passenger", self.obj.get("passengerName")),
            ],
            self.moments(),
        ]
        if kind == "transit":
            seat = self.obj.get("ticketLeg", {}).get("ticketSeat", {})
            rows.append(
                [
                    self.item(role, self.role_label(role, role.title()), seat.get(role))
                    for role in ("coach", "seat")
                ]
            )
        return rows

    def role_label(self, role: str, default: str) -> str:
        """The label of the pass's field in a Google place, in the preview's language."""
        f = self.roles.get(role)
        if f is None or not f.label:
            return default
        return self.p.localized(f.label, self.language)

    def moments(self) -> list[GoogleItem | None]:
        """The moments Google shows in places of its own rather than as text modules (a trip's
        departure and arrival, an event's start and doors, an offer's end): drawn as the
        pass's own fields that give them say them."""
        p, language = self.p, self.language
        return [
            self.item(
                role,
                self.role_label(role, ""),
                format_field_value(f, language, p.translations[language].strings)
                if language in p.translations
                else format_field_value(f, language, None),
            )
            for role, f in self.roles.items()
            if role.startswith("shown:") and isinstance(f.value, date)
        ][:3]

    def template_rows(self) -> list[tuple[GoogleItem, ...]]:
        # A row reads a module of the object, or of the class when every pass shows it alike.
        modules = {
            module.get("id"): module
            for owner in (self.cls, self.obj)
            for module in owner.get("textModulesData", ())
            if module
        }
        infos = (
            self.cls.get("classTemplateInfo", {})
            .get("cardTemplateOverride", {})
            .get("cardRowTemplateInfos", ())
        )
        rows: list[tuple[GoogleItem, ...]] = []
        for info in infos:
            items: list[GoogleItem] = []
            for layout in info.values():
                slots = [layout["item"]] if "item" in layout else list(layout.values())
                for slot in slots:
                    for field in slot.get("firstValue", {}).get("fields", ()):
                        match = _MODULE_PATH.search(field.get("fieldPath", ""))
                        module = modules.get(match.group(1)) if match else None
                        if module is None:
                            continue
                        assert match is not None
                        items.append(
                            GoogleItem(
                                _text(module, "header", self.language) or "",
                                _text(module, "body", self.language) or "",
                                f"{self.where_of_module(match.group(1))}.value",
                            )
                        )
            if items:
                rows.append(tuple(items))
        return rows

    def titles(self, kind: str) -> tuple[str, str, str | None, str | None, str]:
        """(card title, where it comes from, subheader, header, where the header comes from)."""
        issuer = self.text("issuerName") or self.p.organization
        if kind == "generic":
            header = self.text("header")
            where = self.role_where.get("header")
            return (
                self.text("cardTitle") or issuer,
                "logo_text",
                self.text("subheader"),
                header,
                f"{where}.value" if where else "title",
            )
        if kind == "loyalty":
            return issuer, "organization", None, self.text("programName"), "title"
        if kind == "giftCard":
            balance = self.obj.get("balance")
            header = _money(balance, self.language) if balance else None
            return issuer, "organization", None, header, f"{self.role_where.get('balance')}.value"
        if kind == "offer":
            return issuer, "organization", None, self.text("title"), "title"
        if kind == "eventTicket":
            return issuer, "organization", None, self.text("eventName"), "event.name"
        if kind == "flight":
            origin = self.cls.get("origin", {}).get("airportIataCode", "")
            destination = self.cls.get("destination", {}).get("airportIataCode", "")
            return issuer, "organization", None, f"{origin} → {destination}", "trip"
        leg = self.obj.get("ticketLeg", {})
        origin = _text(leg, "originName", self.language) or leg.get("originStationCode", "")
        destination = _text(leg, "destinationName", self.language) or leg.get(
            "destinationStationCode", ""
        )
        header = f"{origin} → {destination}" if origin or destination else None
        return issuer, "organization", None, header, "trip"


def google_view(p: Pass, language: str, options: GoogleOptions | None = None) -> GoogleView:
    """The parts of the Google card of `p` in `language`; WalletRuleError when Google cannot
    make the pass at all."""
    compiled, known = compile_for_preview(p, options)
    reader = _Reader(p, compiled, language)
    card_title, card_title_where, subheader, header, header_where = reader.titles(compiled.kind)
    owners = [compiled.object_json, compiled.class_json]
    background = compiled.object_json.get("hexBackgroundColor") or compiled.class_json.get(
        "hexBackgroundColor"
    )
    barcode = compiled.object_json.get("barcode", {})
    barcode_text = localized(barcode.get("alternateText"), language) if barcode else None
    if barcode and not barcode_text and p.barcode is not None and p.barcode.alt_text:
        # An alternate text equal to the value is left out of the object: Google shows the
        # value under the barcode then.
        barcode_text = barcode.get("value")
    if barcode and not barcode_text and compiled.kind == "loyalty":
        barcode_text = compiled.object_json.get("accountId") or barcode.get("value")
    return GoogleView(
        kind=compiled.kind,
        logo=_image(owners, _LOGO_KEYS, known),
        card_title=card_title,
        card_title_where=card_title_where,
        subheader=subheader,
        header=header,
        header_where=header_where,
        rows=tuple(reader.kind_rows(compiled.kind) + reader.template_rows()),
        hero=_image(owners, ("heroImage",), known),
        background=Color.parse(background) if background else None,
        barcode_text=barcode_text,
    )
