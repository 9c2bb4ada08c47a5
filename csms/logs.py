"""Structured, one-line logs that nobody outside can forge (issue 14, finding 4).

Every record is one line of ``key=value`` pairs, as the edges write them (``station=%s event=... code=%s``).
Values come from stations and clients (station ids from the URL, message ids, descriptions, paths), so the
formatter escapes each argument: a value with anything but plain characters is written as a JSON string
(``"A16\\r\\nX-Injected:1"``), which can neither start a line nor fake another ``key=``. Whatever still
carries a line break afterwards (a traceback, a message built without arguments by a library) has it
escaped as ``\\n``: one record, one line, so a reader (or a log shipper) can trust where a line begins.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

_PLAIN = re.compile(r"[\w.:/@+*,\-\[\]()#]+", re.ASCII)
# Line breaks and other controls JSON leaves as they are: DEL, C1 controls (NEL among them), the Unicode
# line and paragraph separators.
_UNESCAPED_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029]")
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _u_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _break_escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or f"\\u{ord(char):04x}"


def escape(value: object) -> str:
    """``value`` as a log value: as it is when plain, else a JSON string (quotes and escapes).

    >>> escape("CP-001"), escape("A16\\r\\nX-Injected:1"), escape("a b=c"), escape("x\\u2028y")
    ('CP-001', '"A16\\\\r\\\\nX-Injected:1"', '"a b=c"', '"x\\\\u2028y"')
    """
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    return _UNESCAPED_CONTROLS.sub(_u_escape, json.dumps(text, ensure_ascii=False))


def _escaped(arg: Any) -> Any:
    # Numbers stay numbers so that %d and %.1f keep working; anything else may carry outside text.
    if arg is None or isinstance(arg, bool | int | float):
        return arg
    return escape(arg)


class OneLineFormatter(logging.Formatter):
    """``asctime level logger message`` with every argument escaped and the whole record on one line."""

    def __init__(self, fmt: str = "%(asctime)s %(levelname)s %(name)s %(message)s") -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        saved = record.args
        if isinstance(saved, Mapping):
            record.args = {k: _escaped(v) for k, v in saved.items()}
        elif saved:
            record.args = tuple(_escaped(a) for a in saved)
        try:
            line = super().format(record)
        finally:
            record.args = saved
        return _BREAKS.sub(_break_escape, line)


def configure_logging(level: str | int = "INFO") -> logging.Handler:
    """Send every logger's records (the CSMS's, uvicorn's, websockets') to stderr as one-line records."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
