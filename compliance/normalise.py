"""How register headers and category words are compared: one normalisation (pure, no dependencies).

Inspectors type ``总车位数（个）``, ``总车位数(辆)``, ``快充桩数(＞=60 千瓦)`` and ``60kW及以上直流快充桩数``;
after :func:`normalise_header` each reads as the table entry it means.
"""

from __future__ import annotations

import re
import unicodedata

#: Bracketed header parts that only state a unit or how to fill the column; dropped when matching.
UNIT_WORDS = frozenset(
    {
        "个",
        "辆",
        "台",
        "根",
        "把",
        "处",
        "户",
        "层",
        "套",
        "座",
        "桩",
        "枪",
        "车位",
        "个车位",
        "泊位",
        "个数",
        "数量",
        "kw",
        "千瓦",
        "kva",
        "千伏安",
        "度",
        "%",
        "是/否",
        "是或否",
        "y/n",
        "有/无",
        "年-月-日",
        "yyyy-mm-dd",
        "年月日",
        "日期",
        "必填",
        "选填",
        "单位:个",
        "单位:辆",
    }
)

_BRACKETS = re.compile(r"[(\[【{]([^()\[\]【】{}]*)[)\]】}]")
_AT_LEAST = re.compile(r"(?:≥|>=|大于等于|不低于|不小于|不少于)?(\d+)(?:kw|千瓦)(?:及以上|以上|及其以上)?")
_PUNCTUATION = re.compile(r"[\s*※#:;,.、。'\"“”‘’_-]+")


def normalise_header(text: object) -> str:
    """A header as compared: NFKC (full-width forms), lower case; spaces, _, -, units and marks dropped.

    Examples
    --------
    >>> normalise_header("总车位数（个）"), normalise_header(" 快充桩数(＞=60 千瓦) ")
    ('总车位数', '快充桩数≥60kw')
    >>> normalise_header("60kW及以上直流快充桩数"), normalise_header("*编号")
    ('≥60kw直流快充桩数', '编号')
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = re.sub(r"\s+", "", s).replace("＞", ">").replace("﹥", ">")
    s = _AT_LEAST.sub(lambda m: f"≥{m.group(1)}kw", s)

    def bracket(m: re.Match[str]) -> str:
        inner = m.group(1)
        return "" if inner in UNIT_WORDS or inner.startswith("单位") else inner

    s = _BRACKETS.sub(bracket, s)
    for unit in ("/个", "/辆"):
        s = s.removesuffix(unit)
    return _PUNCTUATION.sub("", s)
