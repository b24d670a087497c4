"""Simplified Chinese is the default and every string has a translation."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
PO_FILES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("locale/zh_Hans/LC_MESSAGES/django.po")
)


def entries(po: Path):
    text = po.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if (
            'msgid ""\nmsgstr ""' in block
            and block.lstrip().startswith(("#", "msgid"))
            and "Project-Id-Version" in block
        ):
            continue
        yield block


def untranslated(po: Path) -> list[str]:
    """The entries of `po` without a translation, or marked fuzzy (obsolete ones aside)."""
    missing = []
    for block in entries(po):
        if block.startswith("#~"):
            continue
        if "#, fuzzy" in block:
            missing.append(block)
            continue
        msgstrs = re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n")
        if msgstrs and any(re.sub(r'"\s*"', "", s).strip() in ('""', "") for s in msgstrs):
            missing.append(block)
    return missing


def test_there_are_translation_files():
    assert PO_FILES, "no zh_Hans .po files"
    for po in PO_FILES:
        assert po.with_suffix(".mo").exists(), f"{po} is not compiled"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated(po):
    missing = untranslated(po)
    assert not missing, "untranslated or fuzzy:\n\n" + "\n\n".join(missing[:10])


def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """A string marked for translation but never extracted passes the test above (it checks
    the catalogues' entries): extract them again on a copy of the tree, and every entry of
    the fresh catalogues must be translated."""
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "staticfiles", "test-artifacts", "__pycache__", "*.mo", "*.sqlite3"
        ),
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans"]
        + ["--ignore=.venv", "--ignore=staticfiles", "--ignore=tests", "--ignore=bench"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = sorted(tree.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + sorted(
        tree.glob("locale/zh_Hans/LC_MESSAGES/django.po")
    )
    assert len(fresh) == len(PO_FILES)
    missing = [block for po in fresh for block in untranslated(po)]
    assert not missing, "marked but not in the catalogues:\n\n" + "\n\n".join(missing[:10])


def test_default_language_is_simplified_chinese(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Dashboard") == "仪表盘"
