"""Every text the console shows has its Chinese: message ids in templates, menus and error pages."""

from __future__ import annotations

import re

from csms.console.i18n import catalog, translator
from csms.console.nav import NAV
from csms.console.paths import HERE, TEMPLATE_DIR
from csms.domain.access import Role

IN_TEMPLATE = re.compile(r"""\b_\(\s*(["'])(.+?)\1""")
IN_CODE = re.compile(r"""(?:error_page\(\s*request,\s*\d+,\s*|msgid=|_\()\s*"([^"]+)\"""")


def message_ids() -> set[str]:
    found = {entry.label for entry in NAV} | {role.value for role in Role}
    for path in TEMPLATE_DIR.rglob("*.html"):
        found |= {m.group(2) for m in IN_TEMPLATE.finditer(path.read_text())}
    for path in HERE.rglob("*.py"):
        if "messages" not in path.parts:
            found |= set(IN_CODE.findall(path.read_text()))
    return found


def test_every_message_has_its_chinese() -> None:
    ids = message_ids()
    assert len(ids) > 20
    missing = sorted(ids - catalog().keys())
    assert missing == []


def test_fields_are_filled_in_both_languages() -> None:
    assert translator("zh")("Page {page} of {pages}", page=2, pages=9) == "第 2 / 9 页"
    assert translator("en")("Page {page} of {pages}", page=2, pages=9) == "Page 2 of 9"
    assert translator("fr")("Stations") == "Stations"
