"""API latency against the same view in the UI, on the bench dataset (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench python bench/api_latency.py

Measured in-process through Django's test client (the whole middleware stack, no network):
the lead list (first page, 50 rows) and creating a lead, as the director (who sees every
lead) and as a rep, via the API with a token and via the pages with a session. Prints the
median and the 90th percentile of N requests of each, RUNS times over (default 3), each run's
API/UI ratio (both sides measured in the same run, so a noisy neighbour weighs on both), and
at the end the median over the runs of each median and of each ratio, with the load
average before and after."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from api.models import ApiToken  # noqa: E402
from api.services import token_create  # noqa: E402
from leads.models import Channel, Lead  # noqa: E402
from salescrm.models import User  # noqa: E402

N = int(os.environ.get("N", "20"))
RUNS = int(os.environ.get("RUNS", "3"))


def timed(call) -> float:
    start = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 201, 302), response.status_code
    if response.request["REQUEST_METHOD"] == "POST":
        assert response.status_code in (201, 302), response.status_code  # really created
    return elapsed


RESULTS: dict[str, list[float]] = {}


def report(label, samples):
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    median = statistics.median(samples)
    RESULTS.setdefault(label, []).append(median)
    print(f"{label:<44} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    return median


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    setup_test_environment()
    print(f"{Lead.objects.count():,} leads; N={N}; RUNS={RUNS}; {load()}")
    ratios: dict[str, list[float]] = {}
    for run in range(1, RUNS + 1):
        print(f"--- run {run}")
        for username, pairs in one_run().items():
            for what, (api, page) in pairs.items():
                ratio = api / page
                ratios.setdefault(f"{username}: {what}", []).append(ratio)
                print(f"{username}: {what} API/UI ratio {ratio:.2f}")
    print(f"=== median over {RUNS} runs; {load()}")
    for label, medians in RESULTS.items():
        print(f"{label:<44} median of medians {statistics.median(medians):7.1f} ms")
    for label, values in ratios.items():
        print(
            f"{label:<44} API/UI ratio median {statistics.median(values):.2f} "
            f"(runs: {', '.join(f'{v:.2f}' for v in values)})"
        )
    connection.close()


def one_run() -> dict:
    channel = Channel.objects.filter(is_active=True).order_by("code").first()
    pairs = {}
    for username in ("bdirector", "brep1"):
        user = User.objects.get(username=username)
        _token, raw = token_create(user=user, name="bench", scope="write")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        ui = Client()
        ui.force_login(user)
        api.get("/api/v1/leads/")  # warm up
        ui.get("/leads/")
        api_list = report(
            f"{username}: API  GET /api/v1/leads/",
            [timed(lambda api=api: api.get("/api/v1/leads/")) for _ in range(N)],
        )
        page_list = report(
            f"{username}: page GET /leads/",
            [timed(lambda ui=ui: ui.get("/leads/")) for _ in range(N)],
        )
        stamp = int(time.time() * 1000) % 10**7
        api_create, ui_create = [], []
        for i in range(N):
            phone = f"16{stamp:07d}{i:02d}"
            api_create.append(
                timed(
                    lambda phone=phone, api=api: api.post(
                        "/api/v1/leads/",
                        {"name": "基准", "phone": phone, "channel": channel.code},
                        content_type="application/json",
                    )
                )
            )
            Lead.objects.filter(phone=phone).delete()
            ui_create.append(
                timed(
                    lambda phone=phone, ui=ui: ui.post(
                        "/leads/new/", {"name": "基准", "phone": phone, "channel": channel.pk}
                    )
                )
            )
            Lead.objects.filter(phone=phone).delete()
        api_made = report(f"{username}: API  POST /api/v1/leads/", api_create)
        page_made = report(f"{username}: page POST /leads/new/", ui_create)
        ApiToken.objects.filter(user=user, name="bench").delete()
        pairs[username] = {"list": (api_list, page_list), "create": (api_made, page_made)}
    return pairs


if __name__ == "__main__":
    main()
