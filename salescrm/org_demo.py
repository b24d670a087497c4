"""The demo organisation of SPEC §6: exactly these logins, one password."""

import datetime as dt

from .demo import DemoContext, demo_password_hash
from .models import Team, User
from .roles import Role
from .services import user_set_role

TEAM_NAMES = ["销售一组", "销售二组", "销售三组"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
]


def demo_usernames() -> set[str]:
    names = {"director", "legal", "finance", "service", "admin"}
    names |= {f"manager{i}" for i in range(1, 4)}
    names |= {f"rep{i}" for i in range(1, 16)}
    names |= {"partner1"}  # the partner portal's demo login (channels.demo)
    return names


def _user(ctx: DemoContext, username: str, role: str, *, index: int, team=None, **extra) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.password = demo_password_hash()
    # Distinct names for all 23 people: from the 21st on, the given name shifts by one, so
    # rep12-rep15 are not namesakes of the director, legal, finance and service users.
    user.last_name = SURNAMES[index % len(SURNAMES)]
    user.first_name = GIVEN[(index + index // len(GIVEN)) % len(GIVEN)]
    user.email = f"{username}@demo.salescrm.local"
    user.team = team
    user.is_active = True
    user.is_superuser = role == Role.ADMIN
    for key, value in extra.items():
        setattr(user, key, value)
    user.save()
    user_set_role(user=user, role=role)
    ctx.users[username] = user
    return user


def seed_organisation(ctx: DemoContext) -> None:
    _user(ctx, "director", Role.DIRECTOR, index=0, hire_date=dt.date(2018, 3, 1))
    _user(ctx, "legal", Role.LEGAL, index=1, hire_date=dt.date(2020, 5, 1))
    _user(ctx, "finance", Role.FINANCE, index=2, hire_date=dt.date(2019, 9, 1))
    _user(ctx, "service", Role.SERVICE, index=3, hire_date=dt.date(2021, 2, 1))
    _user(ctx, "admin", Role.ADMIN, index=4)
    ctx.teams = []
    for t in range(3):
        team, _created = Team.objects.get_or_create(name=TEAM_NAMES[t])
        manager = _user(
            ctx,
            f"manager{t + 1}",
            Role.MANAGER,
            index=5 + t,
            team=team,
            seniority=User.Seniority.SENIOR,
            hire_date=dt.date(2019 + t, 4, 1),
        )
        team.manager = manager
        team.is_active = True
        team.save()
        ctx.teams.append(team)
        for r in range(5):
            number = t * 5 + r + 1
            # A mix of seniority per team: two seniors, two intermediates, one new hire.
            seniority, hired = [
                (User.Seniority.SENIOR, dt.date(2021, 3, 1)),
                (User.Seniority.SENIOR, dt.date(2022, 7, 1)),
                (User.Seniority.INTERMEDIATE, dt.date(2024, 9, 1)),
                (User.Seniority.INTERMEDIATE, dt.date(2025, 6, 1)),
                (User.Seniority.JUNIOR, ctx.today.replace(day=1) - dt.timedelta(days=60)),
            ][r]
            _user(
                ctx,
                f"rep{number}",
                Role.REP,
                index=8 + number,
                team=team,
                seniority=seniority,
                hire_date=hired,
            )
