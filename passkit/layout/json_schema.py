"""The JSON Schema of layout files, for editors (what `passkit schema` prints)."""

from __future__ import annotations

from typing import Any

from passkit.layout.input_decl import INPUT_NAME_PATTERN
from passkit.layout.layout_spec import LayoutSpec


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one layout file (a base layout or one that extends needs fewer keys)."""
    schema = LayoutSpec.model_json_schema()
    required = schema.pop("required", [])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "passkit layout"
    schema["patternProperties"] = {"^x-": {}}
    schema["properties"]["$schema"] = {"type": "string"}
    schema["additionalProperties"] = False
    schema["if"] = {
        "not": {
            "anyOf": [
                {"required": ["extends"]},
                {"required": ["abstract"], "properties": {"abstract": {"const": True}}},
            ]
        }
    }
    schema["then"] = {"required": required}
    inputs = schema["properties"]["inputs"]
    inputs["patternProperties"] = {
        INPUT_NAME_PATTERN: {
            "anyOf": [{"$ref": "#/$defs/InputDecl"}, {"$ref": "#/$defs/InputType"}]
        }
    }
    inputs["additionalProperties"] = False
    expiry = schema["properties"]["expiry"]
    expiry["anyOf"] = [{"$ref": "#/$defs/ExpirySpec"}, {"type": "string"}, {"type": "null"}]
    return schema
