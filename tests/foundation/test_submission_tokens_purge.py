"""One-time form tokens are kept 30 days, then the nightly job deletes them."""

import datetime as dt
import uuid

from salescrm.models import SubmissionToken
from salescrm.tasks import purge_submission_tokens
from salescrm.timeutil import SHANGHAI


def _token(user, when):
    token = SubmissionToken.objects.create(token=uuid.uuid4(), user=user)
    SubmissionToken.objects.filter(pk=token.pk).update(created_at=when)
    return token


def test_tokens_older_than_thirty_days_go_and_the_rest_stay(rep):
    # Business date 27 Nov 2026: the 30 days kept are 29 Oct .. 27 Nov (Shanghai).
    too_old = _token(rep, dt.datetime(2026, 10, 28, 23, 59, 59, tzinfo=SHANGHAI))
    first_kept = _token(rep, dt.datetime(2026, 10, 29, 0, 0, 0, tzinfo=SHANGHAI))
    recent = _token(rep, dt.datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI))

    assert purge_submission_tokens(dt.date(2026, 11, 27)) == {"deleted": 1}

    left = set(SubmissionToken.objects.values_list("pk", flat=True))
    assert left == {first_kept.pk, recent.pk}
    assert too_old.pk not in left


def test_running_the_purge_twice_deletes_nothing_more(rep):
    _token(rep, dt.datetime(2026, 9, 1, tzinfo=SHANGHAI))
    assert purge_submission_tokens(dt.date(2026, 11, 27)) == {"deleted": 1}
    assert purge_submission_tokens(dt.date(2026, 11, 27)) == {"deleted": 0}
