"""The alerts inbox's kind filter speaks Chinese by default."""

from django.utils import translation

from salescrm.views import NOTIFICATION_KINDS


def _labels(language):
    with translation.override(language):
        return {kind: str(label) for kind, label in NOTIFICATION_KINDS}


def test_every_notification_kind_has_a_chinese_label():
    chinese, english = _labels("zh-hans"), _labels("en")
    assert chinese["lead_pool_reminder"] == "线索公海提醒"
    assert chinese["kpi_anomaly"] == "KPI 异常"
    assert english["lead_pool_reminder"] == "Lead pool reminders"
    assert [kind for kind in chinese if chinese[kind] == english[kind]] == []
