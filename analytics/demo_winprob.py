"""Demo data of the analytics app: last night's win-probability model, trained on the demo
history, so the lead pages and the admin's back-test have figures right after seeding."""

import datetime as dt

from salescrm.demo import DemoContext, demo_seeder

from .winprob import train_and_score


@demo_seeder(order=90)
def seed_win_model(ctx: DemoContext) -> None:
    run = train_and_score(ctx.today - dt.timedelta(days=1))
    ctx.log(f"  win-probability model: {run.get_status_display()}, AUC {run.auc}")
