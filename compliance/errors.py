"""The compliance package's small exception hierarchy.

Edges (the CLI, the REST routes mounted by the CSMS) turn these into exit codes or HTTP statuses;
the core only raises them::

    ComplianceError
    ├── RulePackError      a pack file is malformed
    ├── UnknownRuleError   no pack or rule by that id (also a KeyError)
    ├── RegisterError      a register file cannot be read or has an unsupported format
    ├── TelemetryError     telemetry input the cross-check cannot use
    └── NoticeError        a notice asked for a car park that is not non-compliant (also a ValueError)

A bad cell of a register is not an exception but a :class:`RowError` value: the other rows go on.
"""

from __future__ import annotations

from dataclasses import dataclass


class ComplianceError(Exception):
    """Base class of every error the compliance package raises on purpose."""


class RulePackError(ComplianceError):
    """A rule pack is malformed: the message names the file and the key.

    Parameters
    ----------
    source : str
        The pack file (or pack id when it came from memory).
    key : str
        Dotted path of the offending key, for example ``rules[1].requirement.ratio``.
    problem : str
        What is wrong, in English.
    """

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: key '{key}': {problem}")


class UnknownRuleError(ComplianceError, KeyError):
    """A pack id or rule id that no shipped pack defines."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RegisterError(ComplianceError):
    """A register file cannot be read, or its format is not CSV or XLSX."""


class TelemetryError(ComplianceError):
    """Telemetry the cross-check cannot use: a naive datetime, a negative window, a malformed CSV row."""


class NoticeError(ComplianceError, ValueError):
    """A rectification notice was asked for a car park that is not non-compliant."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell of an imported register; the other rows are still checked.

    ``row`` is the spreadsheet row number as the inspector sees it (the header is row 1).
    """

    row: int
    column: str
    value: str
    message_en: str
    message_zh: str

    def message(self, lang: str = "en") -> str:
        text = self.message_zh if lang == "zh" else self.message_en
        label = "第{row}行 {col}列" if lang == "zh" else "row {row}, column {col}"
        return f"{label.format(row=self.row, col=self.column)}: {text}"
