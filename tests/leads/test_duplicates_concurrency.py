import threading

import pytest
from django.db import connection

from leads.models import Activity, Lead
from leads.services import lead_capture

from .factories import channel


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_captures_of_one_phone_make_exactly_one_lead(rep, attempt):
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
