"""The bytes a dashboard makes a browser download stay under the issue's budget (1.5 MB
transferred cold). Static files are counted the way production serves them: WhiteNoise's
compressed copies (gzip, level 9) of the files the page links. Bytes are deterministic, so
this is a plain test; the timings (first paint) are measured in bench/page_weight.py."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

BUDGET_BYTES = 1_500_000
# what the scripts and style sheets of a chart page weigh compressed: plotly's finance bundle
# (≈ 430 KB), Bootstrap (≈ 55 KB) and the project's own files; the full plotly bundle alone
# was ≈ 1.4 MB compressed
ASSET_BUDGET_BYTES = 600_000

ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*rel="stylesheet"[^>]*\bhref)="([^"]+)"')
PAGES = ["/dashboard/", "/analytics/money/", "/targets/progress/"]


def compressed(content: bytes) -> int:
    return len(gzip.compress(content, compresslevel=9))


def weight(html: str) -> tuple[int, list[str]]:
    """(compressed bytes of every linked script and style sheet, their paths)."""
    total, paths = 0, []
    for url in ASSET.findall(html):
        assert url.startswith(settings.STATIC_URL), url  # nothing from another site
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        with open(path, "rb") as f:
            total += compressed(f.read())
        paths.append(url)
    return total, paths


@pytest.mark.parametrize("who", ["rep", "manager", "director", "legal", "finance", "service_user"])
def test_each_roles_dashboard_is_under_the_budget(who, request, login):
    user = request.getfixturevalue(who)
    response = login(user).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assets, paths = weight(html)
    # the partial plotly build, deferred, never the full 4.7 MB bundle
    assert any(p.endswith("vendor/plotly/plotly-finance.min.js") for p in paths)
    assert not any(p.endswith("plotly.min.js") for p in paths)
    assert re.search(r'<script defer src="[^"]*plotly-finance\.min\.js"', html)
    assert assets < ASSET_BUDGET_BYTES, (assets, paths)
    assert assets + compressed(response.content) < BUDGET_BYTES


def test_other_chart_pages_are_under_the_budget(director, login):
    client = login(director)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assets, paths = weight(response.content.decode())
        assert assets + compressed(response.content) < BUDGET_BYTES, (url, paths)


def test_the_chinese_locale_is_loaded_on_chinese_pages_only(director, login):
    client = login(director)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    _, paths = weight(client.get("/dashboard/").content.decode())
    assert any(p.endswith("plotly-locale-zh-cn.js") for p in paths)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _, paths = weight(client.get("/dashboard/").content.decode())
    assert not any(p.endswith("plotly-locale-zh-cn.js") for p in paths)


def test_pages_are_sent_compressed_to_a_browser_that_accepts_it(director, login):
    """The director's dashboard carries its figures and tables inline (160 KB of HTML on the
    demo data): sent gzipped (GZipMiddleware) it is a tenth of that, which took its first
    paint from 1.1 s to 0.5 s in bench/page_weight.py. Not compressed without the header."""
    client = login(director)
    plain = client.get("/dashboard/")
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")
    zipped = client.get("/dashboard/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    html = gzip.decompress(zipped.content).decode()
    assert 'id="figure-' in html
    assert len(zipped.content) * 3 < len(plain.content)
