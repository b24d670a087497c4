"""Charts in the reader's language (issue 18): on a Chinese page the amount axes are written
with 万, months as 2026年1月 and plotly's toolbar is Chinese; on an English page amounts have
thousands separators (never 30k) and the toolbar is English. The scripts are deferred: the
page's first paint does not wait for plotly.js."""

import re

import pytest
from django.conf import settings

from tests.dashboards.test_browser import figures  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tick_texts(page) -> list[str]:
    page.wait_for_selector("[data-plotly][data-drawn] svg.main-svg")
    return page.eval_on_selector_all(
        ".xtick text, .ytick text", "nodes => nodes.map(n => n.textContent)"
    )


def set_language(page, code):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": page.url}]
    )


def test_chinese_charts_use_wan_and_chinese_months(
    figures,  # noqa: F811
    manager,
    page,
    browser_login,
    screenshot,
):
    browser_login(page, manager.username)
    set_language(page, "zh-hans")
    page.goto("/dashboard/")
    texts = tick_texts(page)
    screenshot(page, "dashboard-manager-zh-ticks")
    # the leaderboard's 30,000 and 40,000 are on an axis written 0, 1万, 2万, 3万, 4万
    assert "4万" in texts, texts
    assert not any(re.fullmatch(r"[\d.]+k", t) for t in texts), texts
    # plotly's own words are Chinese (its zh-CN locale)
    assert page.locator('.modebar-btn[data-title="下载图表为PNG格式"]').count() >= 1
    # plotly.js is deferred: it never blocks the parser
    assert page.locator('script[defer][src*="plotly-finance.min.js"]').count() == 1


def test_english_charts_use_thousands_separators(
    figures,  # noqa: F811
    manager,
    page,
    browser_login,
):
    browser_login(page, manager.username)
    set_language(page, "en")
    page.goto("/dashboard/")
    texts = tick_texts(page)
    assert "40,000" in texts, texts
    assert not any("万" in t or re.fullmatch(r"[\d.]+k", t) for t in texts), texts
    assert page.locator('.modebar-btn[data-title="Download plot as a PNG"]').count() >= 1


def test_chinese_month_axis_on_target_progress(
    figures,  # noqa: F811
    manager,
    page,
    browser_login,
):
    browser_login(page, manager.username)
    set_language(page, "zh-hans")
    page.goto("/targets/progress/")
    page.wait_for_selector("#progress-chart[data-drawn] svg.main-svg")
    texts = page.eval_on_selector_all(".xtick text", "nodes => nodes.map(n => n.textContent)")
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月", t) for t in texts), texts
