"""The compliance package's small exception hierarchy.

Edges (the CLI, the REST routes mounted by the CSMS) turn these into exit codes or HTTP statuses;
the core only raises them::

    ComplianceError
    ├── RulePackError      a pack file is malformed
    ├── UnknownRuleError   no pack or rule by that id (also a KeyError)
    ├── RegisterError      a register file cannot be read or has an unsupported format
    │   ├── UnreadableRegisterError  not a workbook, not UTF-8/GBK text, a corrupt file
    │   │   └── NoHeaderError        no header row in a sheet's first rows
    │   └── RegisterLimitError       over an import limit (rows, cells, inflated bytes, time)
    ├── TelemetryError     telemetry input the cross-check cannot use
    └── NoticeError        a notice asked for a car park that is not non-compliant (also a ValueError)

A bad cell of a register is not an exception but a :class:`RowError` value: the other rows go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    """A register file cannot be read, or its format is not CSV or XLSX.

    ``message_zh`` is the Chinese message for the CLI's ``--lang zh`` (the English one when not given).
    """

    def __init__(self, message_en: str, message_zh: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en

    def message(self, lang: str = "en") -> str:
        return self.message_zh if lang == "zh" else self.message_en


class UnreadableRegisterError(RegisterError):
    """The bytes are no register: not a zip/XLSX workbook, not UTF-8 or GBK text, a corrupt sheet."""


class NoHeaderError(UnreadableRegisterError):
    """No header row among a sheet's first rows: nothing in it names a register column."""


class RegisterLimitError(RegisterError):
    """The register is over an import limit of :class:`compliance.limits.ImportLimits`.

    ``limit`` names the limit (``max_rows``, ``max_inflated_bytes``...), as the messages do.
    """

    def __init__(self, limit: str, message_en: str, message_zh: str) -> None:
        super().__init__(f"{message_en} ({limit})", f"{message_zh}({limit})")
        self.limit = limit
        self.parts = (limit, message_en, message_zh)  # to rebuild it (pickling passes only args)


class TelemetryError(ComplianceError):
    """Telemetry the cross-check cannot use: a naive datetime, a negative window, a malformed CSV row."""


class NoticeError(ComplianceError, ValueError):
    """A rectification notice was asked for a car park that is not non-compliant."""


class Effect(StrEnum):
    """What a register problem did: the row was left out, the value read as blank, or a rule lacks it."""

    ROW_REJECTED = "row_rejected"
    VALUE_IGNORED = "value_ignored"
    INSUFFICIENT_DATA = "insufficient_data"
    NOTE = "note"

    @property
    def label_zh(self) -> str:
        return EFFECT_ZH[self]


EFFECT_ZH = {
    Effect.ROW_REJECTED: "整行未检查",
    Effect.VALUE_IGNORED: "该值按未填写处理",
    Effect.INSUFFICIENT_DATA: "资料不足",
    Effect.NOTE: "提示",
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of an imported register, and what it did (``effect``); the other rows go on.

    ``row`` is the spreadsheet row number as the inspector sees it; ``column`` the register column's key
    (the English header); ``header`` the sheet column as written (``E 总车位数(个)``), when known.
    """

    row: int
    column: str
    value: str
    message_en: str
    message_zh: str
    effect: Effect = Effect.ROW_REJECTED
    header: str = ""

    def message(self, lang: str = "en") -> str:
        text = self.message_zh if lang == "zh" else self.message_en
        col = self.header or self.column
        if not col:
            return f"第{self.row}行: {text}" if lang == "zh" else f"row {self.row}: {text}"
        label = "第{row}行 {col}列" if lang == "zh" else "row {row}, column {col}"
        return f"{label.format(row=self.row, col=col)}: {text}"
