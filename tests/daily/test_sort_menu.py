"""The lead list's sort menu names each direction in the reader's language (issue 18)."""

import pytest
from django.utils import translation

from leads.filters import LeadFilter


def _labels(user, language):
    with translation.override(language):
        return [str(label) for _v, label in LeadFilter({}, user=user).form.fields["sort"].choices]


def test_sort_menu_in_english(rep):
    assert _labels(rep, "en") == [
        "---------",
        "Oldest first",
        "Newest first",
        "Longest without follow-up",
        "Most recently followed up",
        "Lowest score first",
        "Highest score first",
        "Name A–Z",
        "Name Z–A",
        "Next follow-up, soonest first",
        "Next follow-up, latest first",
    ]


@pytest.mark.parametrize("language", ["zh-hans"])
def test_sort_menu_in_chinese_has_no_english_word(rep, language):
    labels = _labels(rep, language)[1:]
    assert labels[:2] == ["最早创建在前", "最新创建在前"]
    assert all(
        not any("a" <= ch.lower() <= "z" for ch in label.replace("A–Z", "").replace("Z–A", ""))
        for label in labels
    ), labels
