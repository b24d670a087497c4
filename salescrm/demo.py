"""The registry of demo-data seeders used by ``manage.py seed_demo``.

An app registers a seeder in its own ``demo.py``::

    @demo_seeder(order=20)
    def seed_leads(ctx):
        ...

Seeders run in ``order`` inside one transaction and must be idempotent: a second
``seed_demo`` leaves the same data (check for existing demo rows, or replace them).
``ctx`` carries the shared random generator, the reference day and the demo users.
"""

import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils.module_loading import autodiscover_modules

DEMO_PASSWORD = "demo-pass-2026"


@functools.cache
def demo_password_hash() -> str:
    """The demo password hashed once for all demo logins: the hasher is slow on purpose
    (about a second a user on a busy machine), and 24 logins hashed one by one were a third
    of the seed's time. The demo password is public anyway."""
    return make_password(DEMO_PASSWORD)


@dataclass
class DemoContext:
    today: dt.date
    rng: random.Random
    users: dict = field(default_factory=dict)  # username -> User
    teams: list = field(default_factory=list)  # Team, in order team 1..3
    log: Callable[[str], None] = print

    def reps(self, team_index: int | None = None):
        reps = [u for u in self.users.values() if u.role == "rep"]
        if team_index is not None:
            reps = [u for u in reps if u.team_id == self.teams[team_index].pk]
        return sorted(reps, key=lambda u: int(u.username[3:]))


_SEEDERS: list[tuple[int, str, Callable]] = []


def demo_seeder(*, order: int = 100):
    def register(func):
        key = f"{func.__module__}.{func.__name__}"
        if all(existing != key for _order, existing, _func in _SEEDERS):
            _SEEDERS.append((order, key, func))
        return func

    return register


def registered_seeders() -> list[tuple[int, str, Callable]]:
    autodiscover_modules("demo")
    return sorted(_SEEDERS, key=lambda entry: (entry[0], entry[1]))
