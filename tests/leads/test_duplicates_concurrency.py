import threading

import pytest
from django.db import connection

from leads.models import Activity, Lead
from leads.services import lead_capture

from .factories import channel


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_captures_of_one_phone_make_exactly_one_lead(lead_defaults, rep, attempt):
    """Both requests pass the duplicate check before either inserts; the unique constraint
    decides, and the loser becomes a re-enquiry on the winner's lead."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit(phone_format):
        try:
            barrier.wait(timeout=10)
            results.append(lead_capture(name="王同学", phone=phone_format, channel=channel()))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=("+86 138 0013 8000",)),
        threading.Thread(target=submit, args=("13800138000",)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Lead.objects.filter(phone="13800138000").count() == 1
    assert sorted(created for _lead, created in results) == [False, True]
    assert Activity.objects.filter(kind="re_enquiry").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reps_claiming_one_pool_lead_at_once_leave_one_owner(
    lead_defaults, rep, teammate, team
):
    from leads.models import Assignment
    from leads.services import LeadError, lead_claim

    from .factories import LeadFactory

    lead = LeadFactory(owner=None, team=team)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def claim(user):
        try:
            barrier.wait(timeout=10)
            lead_claim(lead=lead, actor=user)
            outcomes.append("won")
        except LeadError:
            outcomes.append("refused")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (rep, teammate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["refused", "won"]
    assert Assignment.objects.filter(lead=lead, reason="claim").count() == 1
    lead.refresh_from_db()
    assert lead.owner in (rep, teammate)
