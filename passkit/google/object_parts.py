"""The parts every Google object has, whatever its type: state, barcode, validity and
grouping, followed by the content the class does not hold (`content_modules.shared_parts`).
"""

from __future__ import annotations

import codecs
from datetime import time, timedelta
from functools import lru_cache

from passkit.google.content_modules import shared_parts
from passkit.google.json_writing import JsonDict
from passkit.google.object_context import ObjectContext
from passkit.google.values import google_datetime
from passkit.model.choices import BarcodeFormat, Status
from passkit.model.pass_ import Pass

BARCODE_TYPES = {
    BarcodeFormat.QR: "QR_CODE",
    BarcodeFormat.PDF417: "PDF_417",
    BarcodeFormat.AZTEC: "AZTEC",
    BarcodeFormat.CODE128: "CODE_128",
}
STATES = {
    Status.ACTIVE: "ACTIVE",
    Status.REDEEMED: "COMPLETED",
    Status.EXPIRED: "EXPIRED",
    Status.VOIDED: "INACTIVE",
}


def barcode_json(p: Pass) -> JsonDict | None:
    if p.barcode is None:
        return None
    result: JsonDict = {"type": BARCODE_TYPES[p.barcode.format], "value": p.barcode.message}
    # Google shows the value under the barcode unless told another text: the same text again
    # would only make the save link longer.
    if p.barcode.alt_text and p.barcode.alt_text != p.barcode.message:
        result["alternateText"] = p.barcode.alt_text
    # Google renders UTF-8 only for QR codes; other symbologies choose their own encoding.
    if p.barcode.format is BarcodeFormat.QR and _is_utf8(p.barcode.encoding):
        result["renderEncoding"] = "UTF_8"
    return result


@lru_cache(maxsize=64, typed=True)
def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def valid_time_interval(p: Pass) -> JsonDict | None:
    # Only the end: a start taken from the issue time would make a pass "not yet valid" on a
    # device whose clock runs a few seconds behind the server's.
    end = p.expiration_date
    if end is None:
        return None
    if end.timetz().replace(tzinfo=None) == time(0):
        # Google Wallet shows the end's date: a pass that lasts through 6 January ends at the
        # midnight that starts 7 January, which would read as 7 January. Its last second keeps
        # the day it is valid through.
        end -= timedelta(seconds=1)
    return {"end": {"date": google_datetime(end)}}


def common_object_parts(ctx: ObjectContext) -> JsonDict:
    """State, barcode, validity, grouping, and the modules, messages and locations that are
    not the class's (`ctx.in_class`)."""
    p = ctx.p
    parts: JsonDict = {"state": STATES[p.status]}
    barcode = barcode_json(p)
    if barcode is not None:
        parts["barcode"] = barcode
    interval = valid_time_interval(p)
    if interval is not None:
        parts["validTimeInterval"] = interval
    parts.update(shared_parts(ctx, in_class=False))
    if p.grouping_id:
        parts["groupingInfo"] = {"groupingId": p.grouping_id}
    return parts
