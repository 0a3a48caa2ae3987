"""`open_save_link`: a read-only view of a Google Wallet save link, with the helpers of bundles.

The JWT is decoded (and, given a key, verified) by `passkit.google.links.read_save_link`; this
module makes what it holds easy to assert on: classes and objects by Google type, and for an
object `field(key)`, `barcode` and `state`, as for an Apple bundle.

A field is found by the key it had in the layout: text, link and image modules keep it as their
id; fields Google gives a place of its own (loyalty points, account name, gift-card balance,
seat...) are found by the same keys the Google compiler recognises for them, or by the Google
name of the place (``field("loyaltyPoints")``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from passkit.errors import BundleError, PasskitError
from passkit.files import CREDENTIAL_LIMIT, open_limited, read_limited
from passkit.testing.frozen import FrozenDict, freeze
from passkit.testing.views import BARCODE_FORMATS, BarcodeView, FieldNotFound, FieldView, find_field

KeySource = Any  # PEM text/bytes, a key, a certificate, a ServiceAccount, a JSON key file path


@dataclass(frozen=True)
class Place:
    """A Google place for a field: its path in the object, and where its label is."""

    role: str
    path: tuple[str, ...]
    # ("here", key, localized key) inside the value node, or ("class", key, localized key)
    label: tuple[str, str, str] | None = None


def _places() -> dict[str, tuple[tuple[Place, tuple[str, ...]], ...]]:
    """For each Google type, the dedicated places and the layout keys that go there."""
    from passkit.google import boarding, event_ticket, gift_card, loyalty

    def with_keys(
        keys: Mapping[str, tuple[str, ...]], places: Iterable[Place]
    ) -> tuple[tuple[Place, tuple[str, ...]], ...]:
        return tuple((place, tuple(keys.get(place.role, ()))) for place in places)

    points_label = ("here", "label", "localizedLabel")
    trip_keys = {
        **boarding.TRIP_ROLE_KEYS,
        **boarding.TICKET_ROLE_KEYS,
        **boarding.SEATING_ROLE_KEYS,
    }
    return {
        "loyalty": with_keys(
            loyalty.ROLE_KEYS,
            [
                Place("points", ("loyaltyPoints",), points_label),
                Place("secondary_points", ("secondaryLoyaltyPoints",), points_label),
                Place(
                    "account_name",
                    ("accountName",),
                    ("class", "accountNameLabel", "localizedAccountNameLabel"),
                ),
                Place(
                    "account_id",
                    ("accountId",),
                    ("class", "accountIdLabel", "localizedAccountIdLabel"),
                ),
            ],
        ),
        "giftCard": with_keys(
            gift_card.ROLE_KEYS,
            [
                Place("balance", ("balance",)),
                Place(
                    "card_number",
                    ("cardNumber",),
                    ("class", "cardNumberLabel", "localizedCardNumberLabel"),
                ),
                Place("pin", ("pin",), ("class", "pinLabel", "localizedPinLabel")),
                Place(
                    "event_number",
                    ("eventNumber",),
                    ("class", "eventNumberLabel", "localizedEventNumberLabel"),
                ),
            ],
        ),
        "eventTicket": with_keys(
            event_ticket.ROLE_KEYS,
            [
                Place("holder", ("ticketHolderName",)),
                Place("ticket_number", ("ticketNumber",)),
                Place("seat", ("seatInfo", "seat")),
                Place("row", ("seatInfo", "row")),
                Place("section", ("seatInfo", "section")),
                Place("gate", ("seatInfo", "gate")),
                Place("ticket_type", ("ticketType",)),
                Place("confirmation", ("reservationInfo", "confirmationCode")),
                Place("face_value", ("faceValue",)),
            ],
        ),
        "flight": with_keys(
            trip_keys,
            [
                Place("passenger", ("passengerName",)),
                Place("seat", ("boardingAndSeatingInfo", "seatNumber")),
                Place("boarding_group", ("boardingAndSeatingInfo", "boardingGroup")),
                Place("sequence", ("boardingAndSeatingInfo", "sequenceNumber")),
                Place("seat_class", ("boardingAndSeatingInfo", "seatClass")),
                Place("confirmation", ("reservationInfo", "confirmationCode")),
                Place("ticket_number", ("reservationInfo", "eticketNumber")),
            ],
        ),
        "transit": with_keys(
            trip_keys,
            [
                Place("passenger", ("passengerNames",)),
                Place("seat", ("ticketLeg", "ticketSeat", "seat")),
                Place("platform", ("ticketLeg", "platform")),
                Place("ticket_number", ("ticketNumber",)),
                Place("confirmation", ("purchaseDetails", "confirmationCode")),
            ],
        ),
        "generic": (
            (Place("header", ("header",), ("here-object", "subheader", "")), ()),
            (Place("card_title", ("cardTitle",)), ()),
        ),
    }


_PLACES: dict[str, tuple[tuple[Place, tuple[str, ...]], ...]] | None = None


def places(kind: str) -> tuple[tuple[Place, tuple[str, ...]], ...]:
    global _PLACES
    if _PLACES is None:
        _PLACES = _places()
    return _PLACES.get(kind, ())


def _normalized(key: str) -> str:
    return key.lower().replace("-", "_").replace(".", "_")


# -- values ------------------------------------------------------------------------------------


def localized_string(node: Any) -> tuple[Any, dict[str, Any]]:
    """(default value, {language: value}) of a LocalizedString, or of a plain value."""
    if isinstance(node, Mapping) and "defaultValue" in node:
        default = node["defaultValue"]
        value = default.get("value") if isinstance(default, Mapping) else None
        translations: dict[str, Any] = {}
        for item in node.get("translatedValues") or ():
            if isinstance(item, Mapping) and isinstance(item.get("language"), str):
                translations[item["language"]] = item.get("value")
        return value, translations
    return node, {}


def text_pair(
    holder: Mapping[str, Any], plain: str, localized: str | None
) -> tuple[Any, dict[str, Any]]:
    """A text Google may give plainly, as a LocalizedString beside it, or (when translated)
    only as the LocalizedString, whose default value then stands for the plain text."""
    value, translations = localized_string(holder.get(plain))
    if localized and localized in holder:
        default, translations = localized_string(holder[localized])
        if value is None:
            value = default
    return value, translations


def money_value(node: Mapping[str, Any]) -> Any:
    """A Google Money as passkit's `Money`, so that it compares with what the layout gave."""
    from passkit.model.fields import Money

    try:
        return Money(amount=Decimal(int(node["micros"])) / 1_000_000, currency=node["currencyCode"])
    except (PasskitError, KeyError, TypeError, ValueError, ArithmeticError):
        return node


def plain_value(node: Any) -> tuple[Any, dict[str, Any]]:
    """The value a person reads from a Google value node, and its translations."""
    if isinstance(node, Mapping):
        if "micros" in node and "currencyCode" in node:
            return money_value(node), {}
        if "balance" in node:  # LoyaltyPoints
            return plain_value(node["balance"])
        for key in ("int", "double", "string"):
            if key in node:
                return node[key], {}
        if "money" in node:
            return money_value(node["money"]), {}
    return localized_string(node)


# -- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoogleClassView:
    kind: str  # loyalty, giftCard, generic, offer, eventTicket, flight, transit
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class GoogleObjectView:
    """One Google Wallet object, with the class it belongs to when the link carries it."""

    kind: str
    raw: Mapping[str, Any] = field(repr=False)
    klass: GoogleClassView | None = field(default=None, repr=False)
    source: str = field(default="save link", repr=False)

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None

    @property
    def class_id(self) -> str | None:
        value = self.raw.get("classId")
        return value if isinstance(value, str) else None

    @property
    def skinny(self) -> bool:
        """True when the link names the object by its ids only: its content is not in it."""
        return set(self.raw) <= {"id", "classId"}

    @property
    def holds(self) -> str:
        """What the link holds of this object, in words."""
        from passkit.google.links import describe_holding

        return describe_holding(
            self.id, self.class_id, holds_object=not self.skinny, holds_class=self.klass is not None
        )

    @property
    def state(self) -> str | None:
        """ACTIVE, COMPLETED, EXPIRED or INACTIVE."""
        value = self.raw.get("state")
        return value if isinstance(value, str) else None

    @property
    def barcode(self) -> BarcodeView | None:
        node = self.raw.get("barcode")
        if not isinstance(node, Mapping):
            return None
        raw_format = str(node.get("type"))
        encoding = node.get("renderEncoding")
        return BarcodeView(
            format=BARCODE_FORMATS.get(raw_format, raw_format.lower()),
            message=str(node.get("value", "")),
            alt_text=node.get("alternateText")
            if isinstance(node.get("alternateText"), str)
            else None,
            encoding="utf-8" if encoding == "UTF_8" else None,
            raw=node,
        )

    @property
    def fields(self) -> list[FieldView]:
        """Fields in dedicated places first, then text, link and image modules."""
        views = [
            view for view in (self._place_field(place) for place, _ in places(self.kind)) if view
        ]
        for where, node in (("object", self.raw), ("class", self.klass.raw if self.klass else {})):
            views += _module_fields(node, where)
        return views

    def field(self, key: str) -> FieldView:
        """The field that had this key in the layout (or the Google place name itself)."""
        if self.skinny:
            raise FieldNotFound(
                f"{self.source}: the link {self.holds}: no field of the object is in it"
            )
        for where, node in (("object", self.raw), ("class", self.klass.raw if self.klass else {})):
            for view in _module_fields(node, where):
                if view.key == key:
                    return view
        wanted = _normalized(key)
        for place, keys in places(self.kind):
            if wanted in keys or key in (place.path[-1], ".".join(place.path), place.role):
                placed = self._place_field(place, key)
                if placed is not None:
                    return placed
        where = f"{self.source}: {self.kind} object {self.id}"
        if self.klass is None:
            # Fields every pass shares are the class's, which this link does not hold.
            where += f" (the link {self.holds})"
        return find_field(self.fields, key, where)

    def _place_field(self, place: Place, key: str | None = None) -> FieldView | None:
        node: Any = self.raw
        class_node: Any = self.klass.raw if self.klass else {}
        for part in place.path:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None and self.kind == "generic" and self.klass is not None:
            # Generic passes keep some values on the class when every object shares them.
            node = class_node
            for part in place.path:
                node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
        value, value_translations = plain_value(node)
        label: Any = None
        label_translations: dict[str, Any] = {}
        if place.label is not None:
            scope, plain, localized = place.label
            holder = {"here": node, "class": class_node, "here-object": self.raw}[scope]
            if isinstance(holder, Mapping):
                label, label_translations = text_pair(holder, plain, localized)
        return FieldView(
            key=key or place.role,
            value=value,
            label=label if isinstance(label, str) else None,
            group=".".join(place.path),
            raw=node if isinstance(node, Mapping) else FrozenDict({"value": node}),
            label_translations=label_translations,
            value_translations=value_translations,
        )


def _module_fields(node: Mapping[str, Any], where: str) -> list[FieldView]:
    views: list[FieldView] = []
    for module in node.get("textModulesData") or ():
        if isinstance(module, Mapping) and isinstance(module.get("id"), str):
            label, label_translations = text_pair(module, "header", "localizedHeader")
            value, value_translations = text_pair(module, "body", "localizedBody")
            views.append(
                FieldView(
                    key=module["id"],
                    value=value,
                    label=label if isinstance(label, str) else None,
                    group="textModulesData" if where == "object" else "class.textModulesData",
                    raw=module,
                    label_translations=label_translations,
                    value_translations=value_translations,
                )
            )
    links = node.get("linksModuleData")
    for uri in (links.get("uris") or ()) if isinstance(links, Mapping) else ():
        if isinstance(uri, Mapping) and isinstance(uri.get("id"), str):
            label, label_translations = text_pair(uri, "description", "localizedDescription")
            views.append(
                FieldView(
                    key=uri["id"],
                    value=uri.get("uri"),
                    label=label if isinstance(label, str) else None,
                    group="linksModuleData" if where == "object" else "class.linksModuleData",
                    raw=uri,
                    label_translations=label_translations,
                )
            )
    return views


class SaveLinkView:
    """What a save link holds. Build it with `open_save_link`."""

    def __init__(
        self,
        *,
        jwt: str,
        header: Mapping[str, Any],
        claims: Mapping[str, Any],
        classes: list[GoogleClassView],
        objects: list[GoogleObjectView],
        verified: bool,
        source: str,
    ) -> None:
        self.jwt = jwt
        self.header = header
        self.claims = claims
        self.verified = verified
        self.source = source
        self._classes = classes
        self._objects = objects

    def __repr__(self) -> str:
        ids = ", ".join(str(o.id) for o in self._objects)
        return f"<SaveLinkView {ids or 'no objects'}{' (skinny)' if self.skinny else ''}>"

    @property
    def url(self) -> str:
        from passkit.google.links import SAVE_URL

        return SAVE_URL + self.jwt

    @property
    def classes(self) -> dict[str, list[GoogleClassView]]:
        """Classes carried in full, by Google type (loyalty, giftCard, generic...)."""
        return _by_kind(self._classes)

    @property
    def objects(self) -> dict[str, list[GoogleObjectView]]:
        """Objects by Google type; in a skinny link they hold only their id and class id."""
        return _by_kind(self._objects)

    @property
    def all_objects(self) -> list[GoogleObjectView]:
        return list(self._objects)

    @property
    def skinny(self) -> bool:
        """True when the link names its objects by their ids only (and holds no class)."""
        return not self._classes and all(o.skinny for o in self._objects)

    @property
    def holds(self) -> str:
        """What the link holds, in words: "holds the object; names class X, which must be
        published", "names object ids only (...)", "holds the object and its class X"."""
        if not self._objects:
            return "holds no object"
        return "; ".join(item.holds for item in self._objects)

    def object(self, id: str | None = None) -> GoogleObjectView:
        """The object with this id (or id suffix); without an id, the link's only object."""
        if id is None:
            if len(self._objects) != 1:
                raise FieldNotFound(
                    f"{self.source}: holds {len(self._objects)} objects; name one: "
                    + ", ".join(str(o.id) for o in self._objects)
                )
            return self._objects[0]
        for candidate in self._objects:
            if candidate.id is not None and (candidate.id == id or candidate.id.endswith("." + id)):
                return candidate
        raise FieldNotFound(
            f"{self.source}: no object {id!r}; objects: "
            + (", ".join(str(o.id) for o in self._objects) or "none")
        )

    def problems(self) -> list[str]:
        """What is wrong with the link as a save link (empty when nothing is)."""
        found: list[str] = []
        if not self.verified:
            found.append(
                f"{self.source}: the signature was not checked; give the service account's "
                "public key (or key file) to verify it"
            )
        for claim, expected in (("aud", "google"), ("typ", "savetowallet")):
            if self.claims.get(claim) != expected:
                found.append(
                    f"{self.source}: claim {claim!r} is {self.claims.get(claim)!r}, "
                    f"not {expected!r}"
                )
        if not isinstance(self.claims.get("iss"), str) or "@" not in self.claims["iss"]:
            found.append(f"{self.source}: claim 'iss' must be the service account's e-mail")
        if not self._objects:
            found.append(f"{self.source}: the payload holds no object: nothing would be saved")
        class_ids = {c.id for c in self._classes}
        for item in self._objects:
            if not item.id or not item.class_id:
                found.append(f"{self.source}: an object lacks its id or classId")
            elif class_ids and item.class_id not in class_ids:
                found.append(
                    f"{self.source}: object {item.id} belongs to class {item.class_id}, which the "
                    "link does not carry"
                )
        return found

    # The helpers of the only object, so that a link reads like a bundle in tests.

    def field(self, key: str) -> FieldView:
        return self.object().field(key)

    @property
    def fields(self) -> list[FieldView]:
        return self.object().fields

    @property
    def barcode(self) -> BarcodeView | None:
        return self.object().barcode

    @property
    def state(self) -> str | None:
        return self.object().state


def _by_kind(items: Iterable[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    return grouped


def open_save_link(
    url_or_jwt: str | Path, public_key: KeySource | None = None, *, source: str | None = None
) -> SaveLinkView:
    """Decode a save link, its bare JWT, or a file holding one (e.g. ``M-1001.google.txt``).

    With `public_key` (PEM text or bytes of a public key, certificate or private key; a
    cryptography key or certificate; a `ServiceAccount`; or the path of a service-account JSON
    key) the RS256 signature and the "google" audience are verified, else `BundleError`.
    """
    from passkit.google.links import read_save_link

    text, label = _link_text(url_or_jwt)
    label = source or label
    key = load_public_key(public_key) if public_key is not None else None
    try:
        decoded = read_save_link(text, verify_with=key, source=label)
    except RecursionError:
        raise BundleError(f"{label}: the JWT claims are nested too deeply") from None
    try:
        classes = [GoogleClassView(kind, freeze(raw)) for kind, raw in decoded.classes]
        by_id = {c.id: c for c in classes if c.id}
        objects = [
            GoogleObjectView(kind, freeze(raw), by_id.get(str(raw.get("classId"))), label)
            for kind, raw in decoded.objects
        ]
        header, claims = freeze(decoded.header), freeze(decoded.claims)
    except RecursionError:
        raise BundleError(f"{label}: the JWT claims are nested too deeply") from None
    return SaveLinkView(
        jwt=decoded.jwt,
        header=header,
        claims=claims,
        classes=classes,
        objects=objects,
        verified=decoded.verified,
        source=label,
    )


_MAX_LINK_FILE = 1024 * 1024


def _link_text(value: str | Path) -> tuple[str, str]:
    looks_like_jwt = isinstance(value, str) and value.count(".") == 2 and "/" not in value
    if isinstance(value, str) and (looks_like_jwt or "://" in value):
        return value.strip(), "save link"
    path = Path(value)
    try:
        with open_limited(path, _MAX_LINK_FILE, "save link file", BundleError) as handle:
            data = handle.read(_MAX_LINK_FILE + 1)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        if isinstance(value, str):
            return value.strip(), "save link"  # not a file: let the decoder say what is wrong
        raise BundleError(f"{path}: cannot be read") from None
    if len(data) > _MAX_LINK_FILE:
        raise BundleError(f"{path}: too large to hold a save link")
    try:
        return data.decode("utf-8").strip(), str(path)
    except UnicodeDecodeError:
        raise BundleError(f"{path}: not UTF-8 text; expected a save link") from None


def load_public_key(source: KeySource) -> rsa.RSAPublicKey:
    """The RSA public key that checks save links, from whatever form the caller holds."""
    from passkit.google.credentials import ServiceAccount

    key: Any = source
    if isinstance(source, ServiceAccount):
        return source.public_key()
    if isinstance(source, Mapping):
        key = ServiceAccount.from_json(source).public_key()
    elif isinstance(source, x509.Certificate | rsa.RSAPrivateKey):
        key = source.public_key()
    elif isinstance(source, str | bytes | Path):
        key = _key_from_text_or_file(source)
    if not isinstance(key, rsa.RSAPublicKey):
        raise PasskitError(
            f"cannot check a save link with a {type(key).__name__}: give the service account's "
            "JSON key file, its RSA public key or certificate (PEM)"
        )
    return key


def _key_from_text_or_file(source: str | bytes | Path) -> Any:
    from passkit.google.credentials import ServiceAccount

    data: bytes
    name = "public key"
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str) and ("-----BEGIN" in source or source.lstrip().startswith("{")):
        data = source.encode()
    else:
        name = str(source)
        try:
            data = read_limited(Path(source), CREDENTIAL_LIMIT, "key", PasskitError)
        except OSError as exc:
            raise PasskitError(f"{name}: cannot read the key ({exc.strerror})") from None
    if data.lstrip().startswith(b"{"):
        return ServiceAccount.from_json(data, source=name).public_key()
    loaders: list[Callable[[bytes], Any]] = [
        serialization.load_pem_public_key,
        lambda d: x509.load_pem_x509_certificate(d).public_key(),
        lambda d: serialization.load_pem_private_key(d, None).public_key(),
    ]
    for loader in loaders:
        try:
            return loader(data)
        except (ValueError, TypeError, x509.InvalidVersion):
            continue
    raise PasskitError(
        f"{name}: not a PEM public key, certificate, private key or service-account JSON"
    )


def pretty_json(value: Any) -> str:
    from passkit.testing.frozen import thaw

    return json.dumps(thaw(value), indent=2, ensure_ascii=False, default=str)
