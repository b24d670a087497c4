"""Regenerate the README's screenshots (docs/screenshots/*.png) from a running demo.

    make demo            # or any server on the seeded demo data
    DATABASE_URL=<the demo's database> python scripts/screenshots.py --url http://localhost:8000

Signs in as the demo rep ``rep1`` (a session made here, so the same DATABASE_URL and
DJANGO_SECRET_KEY as the server) and takes, in Chinese, at 390×844 (a phone): My day, the lead
list, a lead, logging a visit on it and the pipeline board; at 1280×800 the pipeline board.
Screenshots are of the window, not the whole page, at a device scale of 1, to keep each file
small.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db.models import F  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.dashboards_load import session_for  # noqa: E402
from leads.models import Lead  # noqa: E402
from salescrm.models import User  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8000")
    parser.add_argument("--user", default="rep1")
    args = parser.parse_args()
    user = User.objects.get(username=args.user)
    cookie = session_for(user)
    # the rep's lead with the longest history: a detail page with something to show
    lead = (
        Lead.objects.filter(owner=user)
        .exclude(stage__in=["won", "lost"])
        .order_by(F("last_activity_at").desc(nulls_last=True), "pk")
        .first()
    )
    host = args.url.split("//", 1)[1].split(":")[0].split("/")[0]
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), headless=True
        )

        def context(viewport, mobile):
            ctx = browser.new_context(
                base_url=args.url,
                locale="zh-CN",
                viewport=viewport,
                device_scale_factor=1,
                is_mobile=mobile,
                has_touch=mobile,
            )
            ctx.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": cookie,
                        "domain": host,
                        "path": "/",
                    },
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": "zh-hans",
                        "domain": host,
                        "path": "/",
                    },
                ]
            )
            return ctx.new_page()

        def shot(page, name):
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path))
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")

        phone = context(PHONE, True)
        phone.goto("/leads/my-day/")
        phone.wait_for_selector("#lead-table, main p")
        shot(phone, "phone-my-day")
        phone.goto("/leads/")
        phone.wait_for_selector("#lead-table")
        shot(phone, "phone-lead-list")
        phone.goto(f"/leads/{lead.pk}/")
        phone.wait_for_selector("#lead-phone-actions")
        shot(phone, "phone-lead-detail")
        phone.select_option("#id_kind", "visit")
        phone.fill("#id_outcome", "到访试听，家长同意下周签约")
        phone.locator("#activity-form").scroll_into_view_if_needed()
        phone.evaluate("document.getElementById('activity-form').scrollIntoView()")
        shot(phone, "phone-log-visit")
        phone.goto("/leads/board/")
        phone.wait_for_selector(".board-column, #board")
        shot(phone, "phone-board")
        phone.context.close()

        desktop = context(DESKTOP, False)
        desktop.goto("/leads/board/")
        desktop.wait_for_selector(".board-column, #board")
        shot(desktop, "board")
        desktop.context.close()
        browser.close()


if __name__ == "__main__":
    main()
