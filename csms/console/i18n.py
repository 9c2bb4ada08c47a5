"""Chinese and English: English text is the message id (gettext style) and each area's module in
``csms.console.messages`` gives its Chinese in a ``ZH`` dict. Chinese is the default for 湘江新区 users.

One English word may need two Chinese ones ("Pending": a station waiting for acceptance, 待审核, or a session
not started yet, 待开始): the rarer sense is keyed ``"context|English"`` and asked for with
``_("Pending", ctx="session")`` (pgettext's contexts); without a keyed entry the plain one serves."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache

import csms.console.messages as _messages

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

Translate = Callable[..., str]


@cache
def catalog() -> dict[str, str]:
    """Every area's Chinese, merged (a message id given twice with two translations is an error)."""
    zh: dict[str, str] = {}
    for info in pkgutil.iter_modules(_messages.__path__):
        module = importlib.import_module(f"{_messages.__name__}.{info.name}")
        for msgid, text in getattr(module, "ZH", {}).items():
            if zh.setdefault(msgid, text) != text:
                raise ValueError(f"{msgid!r} is translated twice, differently ({info.name})")
    return zh


def translator(lang: str) -> Translate:
    """``_(msgid, **values)``: the text in ``lang`` (English: the id itself), ``{name}`` fields filled in."""
    table = catalog() if lang == "zh" else {}

    def _(msgid: str, ctx: str | None = None, **values: object) -> str:
        text = (ctx and table.get(f"{ctx}|{msgid}")) or table.get(msgid, msgid)
        return text.format(**values) if values else text

    return _


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG
