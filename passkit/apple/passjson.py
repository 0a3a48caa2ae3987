"""`pass.json`: a `Pass` in Apple's vocabulary, with Apple's rules checked on the way.

The result is a plain dict ready for `passkit.apple.jsonbytes.dumps` (Decimal values stay
Decimal so that they are written exactly). Keys without a value are left out.

Choices where Apple's format has no direct counterpart:
- status `redeemed`, `voided` and `expired` all set `"voided": true`: Wallet then shows the
  pass as no longer usable whatever the device clock says. An `expiration_date` is written as
  `expirationDate` in every status.
- links, messages and date fields: see `passkit.apple.passfields`, which writes the fields.
"""

from __future__ import annotations

import codecs
import math
from decimal import Decimal
from typing import Any

import orjson

from passkit.apple.jsonbytes import decimal_text, dumps, plain_json_value, w3c_datetime
from passkit.apple.passfields import field_groups
from passkit.apple.styles import (
    GROUPING_STYLES,
    STYLE_OF_KIND,
    describe_kind,
)
from passkit.apple_rules import BARCODE_FORMATS as APPLE_BARCODE_FORMATS
from passkit.apple_rules import rule
from passkit.errors import WalletRuleError
from passkit.model.choices import BarcodeFormat, Status
from passkit.model.parts import Barcode, Beacon, Location, Nfc
from passkit.model.pass_ import Pass

BARCODE_FORMATS: dict[BarcodeFormat, str] = {
    barcode_format: APPLE_BARCODE_FORMATS[barcode_format.value] for barcode_format in BarcodeFormat
}

# Python codec names -> the IANA charset names Apple reads (CFStringConvertIANACharSetName...).
_IANA_CHARSETS: dict[str, str] = {
    "ascii": "us-ascii",
    "utf-8": "utf-8",
    "utf-16": "utf-16",
    "utf-16-be": "utf-16be",
    "utf-16-le": "utf-16le",
    "utf-32": "utf-32",
    "latin-1": "iso-8859-1",
    "iso8859-1": "iso-8859-1",
    "shift_jis": "shift_jis",
    "cp932": "windows-31j",
    "euc_jp": "euc-jp",
    "iso2022_jp": "iso-2022-jp",
    "gb2312": "gb2312",
    "gbk": "gbk",
    "gb18030": "gb18030",
    "big5": "big5",
    "euc_kr": "euc-kr",
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    "mac-roman": "macintosh",
}


def pass_json_bytes(p: Pass, *, pass_type_id: str, team_id: str) -> bytes:
    """The bytes of pass.json: `jsonbytes.dumps(compile_pass_json(p, ...))`, written faster.

    orjson writes the document about ten times faster than the json module
    (docs/performance.md) and gives the same bytes for what `compile_pass_json` produces: the
    same escapes of every character, the same shortest digits of a float written without an
    exponent (checked on a million floats), exact Decimals through `_orjson_default`. Where
    the two would differ, the json module writes the document instead: user_info (any value a
    caller put there), a float json writes with an exponent or cannot write (NaN, infinity),
    and whatever orjson refuses (an integer beyond 64 bits, a lone surrogate), so that the
    bytes, and the errors, stay those of `dumps`.
    """
    document = compile_pass_json(p, pass_type_id=pass_type_id, team_id=team_id)
    if p.user_info is None and _plain_floats(document):
        try:
            return orjson.dumps(document, default=_orjson_default, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    return dumps(document)


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _orjson_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(decimal_text(value))
    return plain_json_value(value)


def _plain_floats(document: dict[str, Any]) -> bool:
    """Whether every float of the document (locations, maxDistance) is written as repr does,
    without an exponent: the floats json and orjson write alike."""
    floats = [
        value
        for location in document.get("locations", ())
        for value in location.values()
        if isinstance(value, float)
    ]
    if isinstance(document.get("maxDistance"), float):
        floats.append(document["maxDistance"])
    return all(math.isfinite(value) and "e" not in repr(value) for value in floats)


def compile_pass_json(p: Pass, *, pass_type_id: str, team_id: str) -> dict[str, Any]:
    """The `pass.json` dictionary of `p`; raises WalletRuleError where Apple's rules are broken.

    Written in the order of Apple's reference, one step per part: what the pass is and how it
    looks, its fields, when and where it is relevant, its state, the services it talks to."""
    style = STYLE_OF_KIND[p.kind]
    out = _identity(p, pass_type_id, team_id)
    out[style] = field_groups(p, style)
    out.update(_relevance(p))
    out.update(_state(p, style))
    out.update(_services(p))
    return out


def _identity(p: Pass, pass_type_id: str, team_id: str) -> dict[str, Any]:
    """Which pass this is, whose, and its colours and logo text."""
    out: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": pass_type_id,
        "teamIdentifier": team_id,
        "serialNumber": p.serial_number,
        "organizationName": p.organization,
        "description": p.description,
    }
    if p.logo_text is not None:
        out["logoText"] = p.logo_text
    if p.background_color is not None:
        out["backgroundColor"] = p.background_color.css_rgb
    if p.foreground_color is not None:
        out["foregroundColor"] = p.foreground_color.css_rgb
    if p.label_color is not None:
        out["labelColor"] = p.label_color.css_rgb
    return out


def _relevance(p: Pass) -> dict[str, Any]:
    """The barcode, and where and when the pass is relevant."""
    out: dict[str, Any] = {}
    if p.barcode is not None:
        barcode = _barcode(p.barcode)
        out["barcodes"] = [barcode]
        # iOS 8 and older read only `barcode`, which cannot hold Code 128.
        if p.barcode.format is not BarcodeFormat.CODE128:
            out["barcode"] = barcode
    if p.locations:
        out["locations"] = [_location(location) for location in p.locations]
    if p.max_distance is not None:
        out["maxDistance"] = p.max_distance
    if p.beacons:
        out["beacons"] = [_beacon(beacon) for beacon in p.beacons]
    if p.relevant_date is not None:
        out["relevantDate"] = w3c_datetime(p.relevant_date)
    if p.expiration_date is not None:
        out["expirationDate"] = w3c_datetime(p.expiration_date)
    return out


def _state(p: Pass, style: str) -> dict[str, Any]:
    """Whether the pass is void, may be shared, and the group it is shown in."""
    out: dict[str, Any] = {}
    if p.status is not Status.ACTIVE:
        out["voided"] = True
    if p.sharing_prohibited:
        out["sharingProhibited"] = True
    if p.grouping_id is not None:
        if style not in GROUPING_STYLES:
            raise rule("apple.grouping.style").error(
                where="grouping_id", kind=describe_kind(p.kind)
            )
        out["groupingIdentifier"] = p.grouping_id
    return out


def _services(p: Pass) -> dict[str, Any]:
    """The web service, NFC, the issuer's own data and the apps the pass links to."""
    out: dict[str, Any] = {}
    if p.web_service is not None:
        out["webServiceURL"] = p.web_service.url
        out["authenticationToken"] = p.web_service.authentication_token
    if p.nfc is not None:
        out["nfc"] = _nfc(p.nfc)
    if p.user_info is not None:
        out["userInfo"] = p.user_info
    if p.app_launch_url is not None:
        out["appLaunchURL"] = p.app_launch_url
    if p.associated_store_ids:
        out["associatedStoreIdentifiers"] = list(p.associated_store_ids)
    return out


def _nfc(nfc: Nfc) -> dict[str, Any]:
    if nfc.encryption_public_key is None:
        raise rule("apple.nfc.public-key").error(where="nfc.encryption_public_key")
    out: dict[str, Any] = {"message": nfc.message, "encryptionPublicKey": nfc.encryption_public_key}
    if nfc.requires_authentication:
        out["requiresAuthentication"] = True
    return out


def _barcode(barcode: Barcode) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": BARCODE_FORMATS[barcode.format],
        "message": barcode.message,
        "messageEncoding": iana_charset(barcode.encoding),
    }
    if barcode.alt_text is not None:
        out["altText"] = barcode.alt_text
    return out


def iana_charset(encoding: str) -> str:
    """The IANA name Apple expects for a Python codec name (`latin-1` -> `iso-8859-1`)."""
    name = codecs.lookup(encoding).name
    if name in _IANA_CHARSETS:
        return _IANA_CHARSETS[name]
    if name.startswith("iso8859-"):
        return "iso-8859-" + name[len("iso8859-") :]
    if name.startswith("cp125") and len(name) == 6:
        return "windows-" + name[2:]
    raise WalletRuleError(
        f"barcode.encoding: {encoding!r} has no charset name Apple Wallet knows; "
        "use iso-8859-1 or utf-8"
    )


def _location(location: Location) -> dict[str, Any]:
    out: dict[str, Any] = {"latitude": location.latitude, "longitude": location.longitude}
    if location.altitude is not None:
        out["altitude"] = location.altitude
    if location.relevant_text is not None:
        out["relevantText"] = location.relevant_text
    return out


def _beacon(beacon: Beacon) -> dict[str, Any]:
    out: dict[str, Any] = {"proximityUUID": str(beacon.proximity_uuid).upper()}
    if beacon.major is not None:
        out["major"] = beacon.major
    if beacon.minor is not None:
        out["minor"] = beacon.minor
    if beacon.relevant_text is not None:
        out["relevantText"] = beacon.relevant_text
    return out
