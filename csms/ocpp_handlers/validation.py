"""Schema validation with the CALLERROR codes each OCPP version prescribes.

The official JSON schemas come with the ``ocpp`` library; they are checked with ``jsonschema-rs`` (the Rust
``jsonschema`` crate): 1 µs for a MeterValues payload, against 11 µs for ``fastjsonschema``'s generated
Python and 209 µs for the library's ``jsonschema`` path, which matters at thousands of messages a second.
A valid payload costs one ``is_valid`` call; only a failing one is walked for its first error. The
mapping of a failure to an error code follows OCPP-J 1.6 §4.2.3 and 2.0.1 Part 4 §4.3, with each
version's own spelling (1.6 keeps ``FormationViolation`` and ``OccurenceConstraintViolation``).
Version ``"2.1"`` reads the library's ``v21`` folder, named ``...Request``/``...Response`` as in 2.0.1, and
uses the 2.0.1 codes.

Values are bounded here, at the edge, before anything is stored (issue 14): every ``integer`` of a schema
gets the spec's range, 32 bits signed (OCPP 2.0.1 Part 2 §2.1.2 "integer", the 1.6 JSON types alike), which
is also the range of the database's ``Integer`` columns; connector and EVSE ids may not be negative; a
free-form payload (a property of any type, as DataTransfer's ``data``) may nest at most :data:`MAX_DEPTH`
levels. JSON numbers are always finite (the frame decoder refuses ``NaN`` and overflowing literals).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import ocpp


@dataclass(frozen=True)
class ErrorCodes:
    """Wire spellings of the RPC error codes."""

    format: str
    occurrence: str
    property: str = "PropertyConstraintViolation"
    type: str = "TypeConstraintViolation"
    framework: str = "FormationViolation"
    message_type: str = "FormationViolation"


V16_CODES = ErrorCodes(format="FormationViolation", occurrence="OccurenceConstraintViolation")
V201_CODES = ErrorCodes(
    format="FormatViolation",
    occurrence="OccurrenceConstraintViolation",
    framework="RpcFrameworkError",
    message_type="MessageTypeNotSupported",
)

_BY_RULE = {
    "required": "occurrence",
    "minItems": "occurrence",
    "maxItems": "occurrence",
    "type": "type",
    "enum": "property",
    "const": "property",
    "format": "property",
    "maxLength": "property",
    "minLength": "property",
    "maximum": "property",
    "minimum": "property",
    "exclusiveMaximum": "property",
    "exclusiveMinimum": "property",
    "pattern": "property",
    "additionalProperties": "format",
}

_SCHEMAS = Path(ocpp.__file__).parent

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_DEPTH = 32
"""Deepest nesting of arrays and objects a free-form payload may carry (a DataTransfer's ``data``)."""
_NON_NEGATIVE = frozenset({"connectorId", "evseId"})


@dataclass(frozen=True)
class SchemaViolation(Exception):
    code: str
    description: str
    path: str

    def details(self) -> dict[str, str]:
        return {"path": self.path[:255], "cause": self.description[:255]}  # may quote the station's value


def _bound(node: Any, name: str = "", in_evse: bool = False) -> Any:
    """``node`` with each integer bounded to int32 (ids to 0..int32) and ``multipleOf`` dropped: 1.6
    schemas constrain decimals with multipleOf 0.1, which binary floats fail spuriously (21.4 / 0.1)."""
    if isinstance(node, list):
        return [_bound(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "multipleOf":
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {prop: _bound(v, prop, in_evse) for prop, v in value.items()}
        elif key in ("definitions", "$defs") and isinstance(value, dict):
            out[key] = {d: _bound(v, "", d == "EVSEType") for d, v in value.items()}
        else:
            out[key] = _bound(value)
    kind = out.get("type")
    if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
        low = 0 if name in _NON_NEGATIVE or (in_evse and name == "id") else INT32_MIN
        out["minimum"] = max(out.get("minimum", low), low)
        out["maximum"] = min(out.get("maximum", INT32_MAX), INT32_MAX)
    return out


def _free_form(node: Any) -> bool:
    """Whether a schema has a property that takes any JSON value (no ``type``, ``$ref`` or ``enum``)."""
    if isinstance(node, list):
        return any(_free_form(v) for v in node)
    if not isinstance(node, dict):
        return False
    props = node.get("properties")
    if isinstance(props, dict) and any(
        isinstance(p, dict) and not {"type", "$ref", "enum", "const"} & p.keys() for p in props.values()
    ):
        return True
    return any(_free_form(v) for v in node.values())


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests arrays/objects more than ``limit`` levels (iterative: no recursion limit).

    >>> too_deep([[[]]], 3), too_deep([[[]]], 2)
    (False, True)
    """
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _schema_file(ocpp_version: str, action: str, response: bool) -> Path:
    folder = "v" + ocpp_version.replace(".", "")
    suffix = (
        ("Response" if response else "") if ocpp_version == "1.6" else ("Response" if response else "Request")
    )
    return _SCHEMAS / folder / "schemas" / f"{action}{suffix}.json"


@cache
def actions(ocpp_version: str) -> frozenset[str]:
    """The actions ``ocpp_version`` defines, either way: those with a request and a response schema in the
    library's folder.

    A station's action name is looked up here before anything else, so that no string a station sends
    reaches the file system (a name too long for it, a path) or grows a cache.

    >>> "MeterValues" in actions("1.6"), "NotifyEVChargingNeeds" in actions("2.0.1"), len(actions("1.6"))
    (True, True, 39)
    """
    folder = _schema_file(ocpp_version, "", False).parent
    answers = {p.stem.removesuffix("Response") for p in folder.glob("*Response.json")}
    return frozenset(a for a in answers if _schema_file(ocpp_version, a, False).is_file())


@cache
def _schema(ocpp_version: str, action: str, response: bool) -> Any:
    """The bounded schema of a known action (callers check :func:`actions` first: this cache stays finite)."""
    path = _schema_file(ocpp_version, action, response)
    return _bound(json.loads(path.read_text(encoding="utf-8-sig")))


def free_form(ocpp_version: str, action: str) -> bool:
    """Whether ``action``'s request may carry values of any shape (its depth is then checked)."""
    return action in actions(ocpp_version) and _free_form_known(ocpp_version, action)


@cache
def _free_form_known(ocpp_version: str, action: str) -> bool:
    return _free_form(_schema(ocpp_version, action, False))


def _validator(ocpp_version: str, action: str, response: bool) -> Any:
    if action not in actions(ocpp_version):
        return None
    return _compiled(ocpp_version, action, response)


@cache
def _compiled(ocpp_version: str, action: str, response: bool) -> Any:
    return jsonschema_rs.validator_for(_schema(ocpp_version, action, response), validate_formats=True)


def validate(
    ocpp_version: str, action: str, payload: object, codes: ErrorCodes, *, response: bool = False
) -> None:
    """Raise :class:`SchemaViolation` with the spec's error code when ``payload`` fails its schema."""
    if not isinstance(payload, dict):
        raise SchemaViolation(codes.format, "payload must be a JSON object", "")
    validator = _validator(ocpp_version, action, response)
    if validator is None:
        raise SchemaViolation("NotImplemented", f"{action} is not an OCPP {ocpp_version} action", "")
    if validator.is_valid(payload):
        return
    try:
        error = next(iter(validator.iter_errors(payload)))
    except ValueError:  # jsonschema-rs: "Recursion limit reached" while describing a deeply nested value
        raise SchemaViolation(codes.format, "payload nests too deep", "") from None
    path = "/" + "/".join(str(p) for p in error.instance_path)
    rule = str(error.schema_path[-1]) if error.schema_path else ""
    raise SchemaViolation(getattr(codes, _BY_RULE.get(rule, "format")), f"{path}: {error.message}", path)


def request_validator(ocpp_version: str, action: str) -> Any:
    """The compiled schema of ``action``'s request (``is_valid(payload)``); ``None`` for an unknown action."""
    return _validator(ocpp_version, action, False)


def action_known(ocpp_version: str, action: str) -> bool:
    """Whether ``action`` is a request the given OCPP version defines (it has a schema)."""
    return _validator(ocpp_version, action, False) is not None
