"""The nightly jobs of team rhythm (salescrm.nightly): the month's attendance figures and
the allowance deduction, and the sales bulletin of the business date."""

from salescrm.nightly import nightly_job

from .services import attendance_nightly, bulletins_build


@nightly_job("rhythm.attendance", order=70)
def attendance(business_date):
    return attendance_nightly(business_date)


@nightly_job("rhythm.bulletin", order=75)
def bulletin(business_date):
    return bulletins_build(business_date)
