"""What a dashboard costs a browser, cold: the bytes transferred (headers and compressed
bodies, as the network sees them) and the first contentful paint, per role, in Chromium.
Prints a Markdown table of the medians of --runs loads.

    # 1. a database with the demo data (manage.py seed_demo, then run_nightly)
    # 2. the app as production serves it: compressed static files (WhiteNoise), no DEBUG
    DATABASE_URL=... DJANGO_DEBUG=false DJANGO_SECRET_KEY=$(python -c 'print("x"*60)') \\
        DJANGO_SECURE_SSL_REDIRECT=false DJANGO_STATIC_ROOT=/tmp/bench-static \\
        python manage.py collectstatic --noinput
    DATABASE_URL=... (same variables) gunicorn salescrm.wsgi -w 2 -b 127.0.0.1:8766
    # 3. this script, with the same DATABASE_URL (it creates the sessions)
    DATABASE_URL=... python bench/page_weight.py --url http://localhost:8766 --runs 5

Each load is a new browser context (empty cache, no service worker) signed in with a session
made here. Bytes are summed from the DevTools protocol's Network.loadingFinished
(encodedDataLength: what crossed the wire); FCP is the paint timing API's
first-contentful-paint; TTFB is the navigation's responseStart (the server's share of the
FCP); "charts drawn" is when every chart of the page has its SVG.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.dashboards_load import session_for  # noqa: E402
from salescrm.models import User  # noqa: E402

# (label, login, path)
PAGES = [
    ("rep dashboard", "rep1", "/dashboard/"),
    ("manager dashboard", "manager1", "/dashboard/"),
    ("director dashboard", "director", "/dashboard/"),
    ("legal dashboard", "legal", "/dashboard/"),
    ("finance dashboard", "finance", "/dashboard/"),
    ("service dashboard", "service", "/dashboard/"),
    ("money over time (director)", "director", "/analytics/money/"),
    ("target progress (director)", "director", "/targets/progress/"),
    ("lead list (rep)", "rep1", "/leads/"),
]

FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
DRAWN = """() => [...document.querySelectorAll('[data-plotly], #progress-chart')]
    .every(el => el.dataset.drawn === '1')"""


def load(browser, url: str, cookie: str, path: str, language: str) -> dict:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    host = url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": cookie, "domain": host, "path": "/"},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
        ]
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes = {"bytes": 0, "requests": 0, "scripts": 0}
    kinds = {}

    def sent(event):
        kinds[event["requestId"]] = event.get("type", "")

    def finished(event):
        sizes["bytes"] += event["encodedDataLength"]
        sizes["requests"] += 1
        if kinds.get(event["requestId"]) in ("Script", "Stylesheet"):
            sizes["scripts"] += event["encodedDataLength"]

    cdp.on("Network.responseReceived", sent)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url + path, wait_until="load")
    page.wait_for_function(DRAWN, timeout=60_000)
    drawn = page.evaluate("() => performance.now()")
    page.wait_for_load_state("networkidle")
    fcp = page.evaluate(FCP)
    ttfb = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart")
    context.close()
    return {**sizes, "fcp": fcp, "drawn": drawn, "ttfb": ttfb}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8766")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", default="zh-hans")
    args = parser.parse_args()
    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES})}
    cookies = {name: session_for(user) for name, user in users.items()}
    print(f"{args.runs} cold loads each, language {args.language}, medians\n")
    print(
        "| page | transferred (KB) | of it JS + CSS (KB) | requests | server (TTFB, ms) | FCP (ms) | charts drawn (ms) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), headless=True
        )
        for label, login, path in PAGES:
            if login not in cookies:
                continue
            runs = [
                load(browser, args.url, cookies[login], path, args.language)
                for _ in range(args.runs)
            ]

            def median(key, runs=runs):
                return statistics.median(r[key] for r in runs)

            print(
                f"| {label} (`{path}`) | {median('bytes') / 1000:,.0f} | "
                f"{median('scripts') / 1000:,.0f} | {median('requests'):.0f} | "
                f"{median('ttfb'):,.0f} | {median('fcp'):,.0f} | {median('drawn'):,.0f} |"
            )
        browser.close()


if __name__ == "__main__":
    main()
