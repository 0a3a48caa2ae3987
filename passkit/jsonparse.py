"""Parsing the JSON of records, so that every value it can hold reaches the inputs that judge it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def parse_json(text: str) -> Any:
    """JSON text parsed; a whole number too long for Python's int() (over 4300 digits) comes
    as a Decimal, so that the input it is given for refuses it by name. Raises
    json.JSONDecodeError for what is not JSON, or is nested too deeply to read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # only the int-string limit: parse again, integers as Decimal
        return json.loads(text, parse_int=Decimal)
    except RecursionError:
        raise json.JSONDecodeError("arrays or objects nested too deeply", text, 0) from None
