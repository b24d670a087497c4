import datetime as dt
import logging

from django.core.management.base import BaseCommand, CommandError

from salescrm import nightly
from salescrm.timeutil import business_date


class Command(BaseCommand):
    help = "Run every registered nightly job synchronously for one business date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Business date YYYY-MM-DD (default: the Shanghai day that just ended)."
        )
        parser.add_argument("--only", action="append", help="Run only this job (repeatable).")

    def handle(self, *args, date=None, only=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else business_date()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        jobs = nightly.registered_jobs()
        if only:
            unknown = set(only) - {job.name for job in jobs}
            if unknown:
                raise CommandError(f"Unknown job(s): {', '.join(sorted(unknown))}")
        self.stdout.write(f"Nightly jobs for {day.isoformat()}:")
        # This command prints each job's summary itself: the job log's line would repeat it.
        job_log = logging.getLogger(nightly.__name__)
        level = job_log.level
        job_log.setLevel(logging.WARNING)
        try:
            results = nightly.run_all(day, only=only)
        finally:
            job_log.setLevel(level)
        for result in results:
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(style(result.line()))
        if not results:
            self.stdout.write("no jobs registered")
        if any(not result.ok for result in results):
            raise CommandError("Some nightly jobs failed; see above.")
