"""Schema validation with the CALLERROR codes each OCPP version prescribes.

The ``ocpp`` library ships the official JSON schemas and caches a validator per action; its own mapping of
schema failures to error codes uses ProtocolError for a missing field and 2.0.1 spellings for 1.6, so the
mapping is redone here per the OCPP-J specifications (1.6J §4.2.3, 2.0.1 Part 4 §4.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from jsonschema.exceptions import best_match
from ocpp.messages import MessageType, get_validator


@dataclass(frozen=True)
class ErrorCodes:
    """Wire spellings of the RPC error codes: 1.6 keeps its historic typos."""

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

_BY_KEYWORD = {
    "required": "occurrence",
    "minItems": "occurrence",
    "maxItems": "occurrence",
    "type": "type",
    "enum": "property",
    "maxLength": "property",
    "minLength": "property",
    "maximum": "property",
    "minimum": "property",
    "pattern": "property",
    "multipleOf": "property",
    "additionalProperties": "format",
}


@dataclass(frozen=True)
class SchemaViolation(Exception):
    code: str
    description: str
    path: str

    def details(self) -> dict[str, str]:
        return {"path": self.path, "cause": self.description}


def validate(
    ocpp_version: str, action: str, payload: object, codes: ErrorCodes, *, response: bool = False
) -> None:
    """Raise :class:`SchemaViolation` with the spec's error code when ``payload`` fails its schema."""
    if not isinstance(payload, dict):
        raise SchemaViolation(codes.format, "payload must be a JSON object", "")
    message_type = MessageType.CallResult if response else MessageType.Call
    validator = get_validator(message_type, action, ocpp_version)
    error = best_match(validator.iter_errors(payload))
    if error is None:
        return
    kind = _BY_KEYWORD.get(str(error.validator), "format")
    path = "/" + "/".join(str(p) for p in error.absolute_path)
    raise SchemaViolation(getattr(codes, kind), f"{path}: {error.message}", path)


def action_known(ocpp_version: str, action: str) -> bool:
    """Whether ``action`` is a request the given OCPP version defines (it has a schema)."""
    try:
        get_validator(MessageType.Call, action, ocpp_version)
    except (OSError, ValueError):
        return False
    return True
