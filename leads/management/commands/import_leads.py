from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from leads.importing import ImportFileError, leads_import
from leads.services import capture_team
from salescrm.models import Team


class Command(BaseCommand):
    help = (
        "Import leads from a CSV or XLSX file (Chinese or English headers). Good rows are "
        "stored and shared round-robin among the team's reps; bad rows are reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; store nothing.")
        parser.add_argument(
            "--team", help="Team whose reps get the leads (default: the web-form team)."
        )
        parser.add_argument(
            "--channel", default="exhibition", help="Channel code for rows without one."
        )
        parser.add_argument(
            "--rejected", type=Path, help="Write the rejected rows to this CSV file."
        )

    def handle(self, *args, path, dry_run, team, channel, rejected, **options):
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        if team:
            try:
                team_row = Team.objects.get(name=team)
            except Team.DoesNotExist:
                raise CommandError(f"No team named {team!r}") from None
        else:
            team_row = capture_team()
        try:
            report = leads_import(
                path=path, actor=None, team=team_row, dry_run=dry_run, default_channel=channel
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for item in report.rejected[:200]:
            self.stdout.write(f"row {item.row_number}: {item.reason}")
        if len(report.rejected) > 200:
            self.stdout.write(f"... and {len(report.rejected) - 200} more rejected rows")
        if rejected:
            rejected.write_text(report.rejected_csv(), encoding="utf-8")
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total} rows: {verb} {report.good if dry_run else report.created}, "
                f"rejected {len(report.rejected)} in {report.seconds:.1f}s "
                f"({report.rows_per_second} rows/s)"
            )
        )
