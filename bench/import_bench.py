"""The lead import against its floor: 100,000 rows (5 % duplicates of existing leads, 2 % bad
rows) into the bench database, each run rolled back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench \\
        python bench/import_bench.py [--rows 100000] [--runs 3]

The import is `leads.importing.leads_import` as the import page calls it (a manager's team,
round-robin owners, the report with its rejected rows). The floor is the least SQL that
stores the same good rows: `COPY` of the file's rows into a temporary staging table, then one
`INSERT … SELECT … ON CONFLICT DO NOTHING` into the leads table (no validation, scoring,
stage rows or assignments). Runs alternate import and floor; each is a transaction rolled back
at its end, so every run sees the same database. Prints each run's seconds, the medians, the
ratio import ÷ floor and the process's peak RSS.
"""

import argparse
import csv
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from leads.importing import leads_import  # noqa: E402
from leads.models import Lead  # noqa: E402
from salescrm.models import User  # noqa: E402

HEADER = ["姓名", "手机", "邮箱", "公司", "渠道", "地区", "预算", "备注"]


class Rollback(Exception):
    pass


def write_file(path: Path, rows: int, seed: int = 21) -> None:
    """`rows` rows: 93 % new mobiles, 5 % phones of existing leads, 2 % bad phones."""
    rng = random.Random(seed)
    existing = list(
        Lead.objects.exclude(phone="").order_by("?").values_list("phone", flat=True)[: rows // 20]
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            kind = n % 100
            if kind < 5 and existing:
                phone = existing[n % len(existing)]
            elif kind < 7:
                phone = "12345"  # not a phone number
            else:
                phone = f"13{rng.randrange(10**9):09d}"
            writer.writerow(
                [f"导入学员{n}", phone, "", f"公司{n % 300}", "展会", "上海", "", "批量导入"]
            )


PHASES: dict[str, float] = {}


def time_phases() -> None:
    """Wrap the import's steps to add up the seconds spent in each (`--phases`)."""
    import leads.importing as importing

    def timed(name, func):
        def wrapper(*args, **kwargs):
            started = time.monotonic()
            try:
                return func(*args, **kwargs)
            finally:
                PHASES[name] = PHASES.get(name, 0.0) + time.monotonic() - started

        return wrapper

    importing._Checker.check = timed("check rows", importing._Checker.check)
    importing._drop_existing = timed("duplicate lookups", importing._drop_existing)
    importing._write = timed("score, COPY, stage and assignment rows", importing._write)
    importing._copy_leads = timed("COPY, stage and assignment rows", importing._copy_leads)


def run_import(path: Path, manager) -> float:
    PHASES.clear()
    started = time.monotonic()
    try:
        with transaction.atomic():
            report = leads_import(path=path, actor=manager, team=manager.team, dry_run=False)
            took = time.monotonic() - started
            print(f"  import: {report.created:,} created, {len(report.rejected):,} rejected")
            for name, seconds in PHASES.items():
                print(f"    {name}: {seconds:.2f} s")
            raise Rollback
    except Rollback:
        pass
    return took


def run_floor(path: Path, manager) -> float:
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE import_staging (name text, phone text, email text, "
                "company text, channel text, region text, budget text, needs text) "
                "ON COMMIT DROP"
            )
            with path.open("rb") as handle:
                data = io.BytesIO(handle.read())
            cursor.cursor.copy_expert(
                "COPY import_staging FROM STDIN WITH (FORMAT csv, HEADER true)", data
            )
            cursor.execute(
                """INSERT INTO leads_lead (name, company, phone, email, wechat, region, needs,
                       decision_maker_reached, is_urgent, payer_name, payer_phone,
                       payer_relation, stage, score, grade, score_reasons, created_at,
                       custom, channel_id, owner_id, team_id, created_by_id)
                   SELECT s.name, s.company, s.phone, '', '', s.region, s.needs, false, false,
                       '', '', '', 'new', 0, 'C', '[]'::jsonb, now(), '{}'::jsonb,
                       (SELECT id FROM leads_channel WHERE code = 'exhibition'), %s, %s, %s
                   FROM import_staging s
                   WHERE s.phone ~ '^1[3-9][0-9]{9}$'
                   ON CONFLICT DO NOTHING""",
                [manager.pk, manager.team_id, manager.pk],
            )
            took = time.monotonic() - started
            print(f"  floor: {cursor.rowcount:,} inserted")
            raise Rollback
    except Rollback:
        pass
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", action="store_true", help="seconds per step of the import")
    args = parser.parse_args()
    if args.phases:
        time_phases()
    if connection.vendor != "postgresql":
        sys.exit("The import bench needs the PostgreSQL bench database: set DATABASE_URL.")
    manager = User.objects.filter(role="manager", is_active=True).order_by("username").first()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        write_file(path, args.rows)
        print(f"{args.rows:,} rows, {Lead.objects.count():,} leads in the database")
        imports, floors = [], []
        for run in range(args.runs):
            print(f"run {run + 1}")
            imports.append(run_import(path, manager))
            floors.append(run_floor(path, manager))
            print(f"  import {imports[-1]:.2f} s, floor {floors[-1]:.2f} s")
    imp, floor = statistics.median(imports), statistics.median(floors)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nmedian import {imp:.2f} s ({args.rows / imp:,.0f} rows/s), floor {floor:.2f} s, "
        f"ratio {imp / floor:.2f}, peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
