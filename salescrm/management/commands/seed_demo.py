import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from salescrm.demo import DEMO_PASSWORD, DemoContext, registered_seeders
from salescrm.models import User
from salescrm.org_demo import demo_usernames, seed_organisation
from salescrm.timeutil import local_today


class Command(BaseCommand):
    help = "Fill the database with a realistic demo institution and the demo logins (SPEC §6)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database holds users that are not demo users.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, force=False, seed=2026, **options):
        strangers = User.objects.exclude(username__in=demo_usernames())
        if strangers.exists() and not force:
            raise CommandError(
                f"This database holds {strangers.count()} users that are not demo users; "
                "seed_demo refuses to mix demo data into real data. Use --force to do it anyway."
            )
        ctx = DemoContext(today=local_today(), rng=random.Random(seed), log=self.stdout.write)
        # Each seeder's time is logged, so a newcomer (or whoever makes the demo larger) sees
        # where the minute goes; the last line adds them up.
        started = time.perf_counter()
        with transaction.atomic():
            seed_organisation(ctx)
            self.stdout.write(f"seeded the organisation in {time.perf_counter() - started:.1f} s")
            for _order, name, seeder in registered_seeders():
                self.stdout.write(f"seeding {name} ...")
                began = time.perf_counter()
                seeder(ctx)
                self.stdout.write(f"  {name}: {time.perf_counter() - began:.1f} s")
        self.stdout.write(f"seed_demo took {time.perf_counter() - started:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Logins (password: {DEMO_PASSWORD}):")
        )
        self.stdout.write(
            "  director; manager1-manager3 (teams 1-3); rep1-rep15 (rep1-5 team 1, "
            "rep6-10 team 2, rep11-15 team 3); legal; finance; service; admin (superuser)"
        )
