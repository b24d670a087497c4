"""Customer success's items in the team calendar (rhythm.calendar): the open service
follow-ups due in the period, scoped like their list (one query)."""

from rhythm.calendar import CalendarItem, calendar_source

from .models import ServiceFollowUp


@calendar_source
def service_follow_ups(user, first, last, owned) -> list[CalendarItem]:
    follow_ups = (
        ServiceFollowUp.objects.visible_to(user)
        .open()
        .filter(due_on__range=(first, last), **owned)
        .select_related("customer", "owner")
    )
    return [
        CalendarItem(
            "customer_follow_up",
            row.due_on,
            row.customer.name,
            str(row.owner),
            row.customer.get_absolute_url(),
            row.pk,
        )
        for row in follow_ups
    ]
