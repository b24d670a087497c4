"""The ageing buckets of unpaid instalments (账龄), defined once: the SQL annotation
(``InstalmentQuerySet.with_ageing``), the receivables ledger's columns and filter, and the
dashboard's receivables chart all read this list."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Bucket:
    code: str  # the value of the `bucket` annotation and of the ledger's ?bucket= filter
    key: str  # the column of ``ageing_totals``
    heading: str  # the ledger's column heading
    label: str  # the chart's legend
    max_days: int | None  # the most days past due it holds (0: not yet due; None: no limit)


NOT_DUE = Bucket("current", "current", _("Not yet due"), _("Not yet due"), 0)
OVERDUE = (
    Bucket("1-30", "d1_30", "1–30", _("1–30 days"), 30),
    Bucket("31-60", "d31_60", "31–60", _("31–60 days"), 60),
    Bucket("61-90", "d61_90", "61–90", _("61–90 days"), 90),
    Bucket("90+", "d90_plus", "90+", _("Over 90 days"), None),
)
BUCKETS = (NOT_DUE, *OVERDUE)
OVERDUE_CODES = frozenset(bucket.code for bucket in OVERDUE)
