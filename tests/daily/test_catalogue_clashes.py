"""One English msgid, one Chinese meaning (issue 18).

Django merges every app's catalogue into one: when two apps translate the same msgid (and
context) differently, one translation wins on every page, e.g. a commission statement that
is "Open" read 未解决 (a complaint's word) instead of 未结. Ambiguous words carry a pgettext
context; plain synonyms share one wording. This test fails on any new clash."""

import re
from collections import defaultdict
from pathlib import Path

from django.utils import translation
from django.utils.translation import pgettext

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + [
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
]

_STRING = r'((?:"(?:[^"\\]|\\.)*"\s*)+)'


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', quoted))


def translations(po: Path) -> dict[tuple[str, str], str]:
    found = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        context = re.search(r"^msgctxt " + _STRING, block, re.M)
        msgid = re.search(r"^msgid " + _STRING, block, re.M)
        msgstr = re.search(r"^msgstr(?:\[0\])? " + _STRING, block, re.M)
        if msgid and msgstr and _text(msgid.group(1)):
            key = (_text(context.group(1)) if context else "", _text(msgid.group(1)))
            found[key] = _text(msgstr.group(1))
    return found


def test_no_msgid_means_two_things_across_catalogues():
    assert len(CATALOGUES) >= 5  # the project's and every app's
    meanings = defaultdict(dict)
    for po in CATALOGUES:
        for key, text in translations(po).items():
            meanings[key][str(po.relative_to(ROOT))] = text
    clashes = {key: by_po for key, by_po in meanings.items() if len(set(by_po.values())) > 1}
    assert clashes == {}


def test_the_words_the_issue_named_read_right():
    with translation.override("zh-hans"):
        assert pgettext("statement status", "Open") == "未结"
        assert pgettext("complaint", "Open") == "未解决"
        assert pgettext("instalment", "No.") == "期数"
        assert translation.gettext("No.") == "序号"
        assert pgettext("assignment reason", "Created") == "新建"
        assert translation.gettext("Created") == "创建时间"


def test_a_statement_is_open_in_finance_words():
    from performance.models import CommissionStatement

    with translation.override("zh-hans"):
        assert str(CommissionStatement.Status.OPEN.label) == "未结"
