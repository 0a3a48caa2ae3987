"""Google JSON as passkit writes it: compact text, fresh copies of shared parts, and keys left
out when they would be empty.

Save links carry this JSON inside a signed JWT, so every byte counts and the same pass must
always give the same bytes: `compact_json` is the reference (the json module); orjson writes
the same bytes faster for the values it can vouch for (`compact_json_plain`).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Google's JSON objects. Nothing here imports the pass model: reading a service account (which
# writes its JWT header here) does not load pydantic.
JsonDict = dict[str, Any]


def compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# Every type orjson would write but json would not (or would write its own way) goes to
# `_refuse`, so that orjson gives up and `compact_json` decides.
_ORJSON_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _refuse(value: Any) -> Any:
    raise TypeError


def plain_float(value: float) -> bool:
    """Whether json and orjson write `value` alike: finite, and without an exponent in repr.

    Outside that range they differ (json writes 1e-05, NaN and Infinity; orjson 0.00001 and
    null; the spelling of exponents also changed between orjson versions). repr writes an
    exponent exactly below 1e-4 and from 1e16 on; comparing is 4 times faster than repr.
    """
    magnitude = abs(value)
    return 1e-4 <= magnitude < 1e16 or magnitude == 0.0


def compact_json_plain(value: Any) -> bytes:
    """`compact_json(value)` written by orjson, for JSON whose floats are all `plain_float`.

    orjson writes an object an order of magnitude faster than the json module
    (docs/performance.md), with the same bytes: the same escapes of every character and the
    same shortest digits of a plain float. The caller vouches for the floats (orjson gives no
    hook to check them, and walking the value to find them costs half of what the json module
    does); whatever orjson refuses (an integer beyond 64 bits, a lone surrogate, a key that is
    not text, a subclass of a JSON type, a dataclass, a date) goes through `compact_json`, so
    its bytes or its error.
    """
    try:
        return orjson.dumps(value, default=_refuse, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return compact_json(value)


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars), several times faster than deepcopy."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def _plain_tree(value: Any) -> bool:
    """Whether `value` is made of dicts with text keys, lists, text, integers, booleans and
    None alone: what orjson parses back from its own text as an equal value of the same types."""
    if type(value) is dict:
        return all(type(key) is str and _plain_tree(item) for key, item in value.items())
    if type(value) is list:
        return all(map(_plain_tree, value))
    return value is None or type(value) in (str, int, bool)


def parse_source(value: JsonDict) -> bytes | None:
    """orjson's text of `value`, to parse into fresh copies of it, or None when parsing would
    not give it back as it is (a float, another type, an integer or text orjson refuses)."""
    if not _plain_tree(value):
        return None
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return None


def put(target: JsonDict, key: str, value: Any) -> None:
    """Set `key` only when there is something to set (Google treats absent and empty alike,
    but empty values make save links longer)."""
    if value is not None and value != [] and value != {}:
        target[key] = value
