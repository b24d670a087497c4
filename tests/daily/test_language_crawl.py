"""Every page of every role, in both languages, speaks one language (issue 18).

A crawler signs in as each role, follows the links of the site from the home page and reads
each page's visible text. On a Chinese page no English word of the interface may show, on an
English page no Chinese one. The dictionaries are short lists of words the interface uses
(never words of the test data: names, products and subjects are all Chinese here, so the
English dictionary holds interface words only and the Chinese one avoids 课程, 客户名 etc.)."""

import datetime as dt
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from customers import services as customer_services
from customers.models import ApprovalStep
from leads import services as lead_services
from salescrm.roles import Role
from salescrm.services import notify
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract
from tests.factories import TeamFactory, UserFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.slow

# Interface words that must not appear on a Chinese page (whole words, case-sensitive).
ENGLISH_WORDS = [
    "Save", "Cancel", "Search", "Filter", "Export", "Dashboard", "Leads", "Customers",
    "Contracts", "Contract", "Stage", "Owner", "Status", "Amount", "Alerts", "Unread",
    "Previous", "Next", "descending", "ascending", "Open", "Created", "Total", "Name",
    "Phone", "Team", "Role", "Targets", "Performance", "Profile", "Language", "Log out",
    "Submit", "Delete", "Edit", "New", "Back", "Receivables", "Approvals", "Grade",
    "Channel", "Follow-up", "follow-up", "Month", "Year", "Quarter", "Rep", "Manager",
    "Director", "Overdue", "Paid", "Due", "All", "None", "Yes", "No",
]  # fmt: skip
# Interface words that must not appear on an English page.
CHINESE_WORDS = [
    "保存", "取消", "搜索", "筛选", "导出", "仪表盘", "线索公海", "负责人", "阶段", "提醒",
    "未读", "全部", "合同", "跟进", "审批", "收款", "回款", "目标", "绩效", "提交", "返回",
    "评分", "等级", "状态", "金额", "日期", "未结", "期数", "序号", "创建", "退出", "语言",
    "销售代表", "经理", "总监", "财务", "法务", "售后", "逾期", "已付", "应收", "新建",
]  # fmt: skip

SKIP = re.compile(
    r"^/(admin|static|media|i18n|accounts/logout|healthz)|export|format=|download|rejected"
)
MAX_PAGES = 70


class _Text(HTMLParser):
    """The words a reader sees: text outside script/style, plus placeholders, titles and
    accessible names; and the page's links. Text an admin or a user wrote (marked with HTML's
    translate="no", e.g. a service team's name) is data, not interface: not read."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._skip = [], [], 0
        self._data = []  # [tag, depth] of the element marked translate="no" we are inside

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._data and tag == self._data[-1][0]:
            self._data[-1][1] += 1
        elif attrs.get("translate") == "no":
            self._data.append([tag, 1])
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self._data and tag == self._data[-1][0]:
            self._data[-1][1] -= 1
            if not self._data[-1][1]:
                self._data.pop()
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and not self._data:
            self.parts.append(data)


def _read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts), parser.links


def wrong_words(text: str, language: str) -> list[str]:
    if language == "zh-hans":
        return [w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
    return [w for w in CHINESE_WORDS if w in text]


def test_the_dictionaries_catch_what_they_should():
    assert wrong_words("保存 Save", "zh-hans") == ["Save"]
    assert wrong_words("保存 Save", "en") == ["保存"]
    assert wrong_words("Saved 客户1 学员 course-Open", "zh-hans") == []
    assert wrong_words("名称 (descending)", "zh-hans") == ["descending"]


def test_text_marked_as_data_is_not_read_but_what_follows_it_is():
    parser = _Text()
    parser.feed('<td><span translate="no">区域经理 <span>经理</span></span> 经理</td><p>保存</p>')
    assert " ".join(parser.parts).split() == ["经理", "保存"]


@pytest.fixture
def world(db):
    team = TeamFactory(name="一组")
    manager = UserFactory(
        username="m1", role=Role.MANAGER, team=team, last_name="张", first_name="强"
    )
    team.manager = manager
    team.save()
    rep = UserFactory(username="r1", role=Role.REP, team=team, last_name="李", first_name="明")
    people = {
        "rep": rep,
        "manager": manager,
        "director": UserFactory(username="d1", role=Role.DIRECTOR, last_name="周", first_name="总"),
        "legal": UserFactory(username="l1", role=Role.LEGAL, last_name="吴", first_name="律"),
        "finance": UserFactory(username="f1", role=Role.FINANCE, last_name="郑", first_name="会"),
        "service": UserFactory(username="s1", role=Role.SERVICE, last_name="孙", first_name="服"),
        "admin": UserFactory(username="a1", role=Role.ADMIN, last_name="钱", first_name="管"),
    }
    lead = LeadFactory(owner=rep, name="陈晨", company="华星科技")
    lead_services.activity_log(lead=lead, actor=rep, kind="phone", outcome="约了试听")
    LeadFactory(owner=None, team=team, name="池中人")
    product = ProductFactory(name="数据分析课", list_price="12000.00")
    customer = CustomerFactory(owner=rep, name="赵小姐")
    contract = make_contract(
        rep,
        customer=customer,
        lines=[(product, 1, "0")],
        plan=[{"due_on": dt.date(2026, 1, 10), "amount": None}],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    customer_services.contract_submit(contract=contract, actor=rep)
    for reviewer in (manager, people["finance"]):
        step = ApprovalStep.objects.current().get(contract=contract)
        customer_services.approval_decide(step=step, actor=reviewer, approve=True)
    customer_services.contract_mark_signed(
        contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5)
    )
    customer_services.complaint_open(
        customer=customer, actor=people["service"], severity="high", subject="老师迟到"
    )
    pending = make_contract(rep, customer=customer, lines=[(product, 1, "0")])
    customer_services.contract_submit(contract=pending, actor=rep)
    notify(recipient=rep, kind="lead_assigned", key="w1", params={"name": "陈晨"})
    notify(
        recipient=manager,
        kind="approval",
        key="w2",
        params={"event": "review", "number": pending.number},
    )
    _analytics_rows(rep)
    return people


def _analytics_rows(rep):
    """An answered alert analysis and an improvement plan of the rep (issue 20)."""
    from analytics.models import AlertAnalysis, ImprovementPlan

    AlertAnalysis.objects.create(
        key=f"kpi-anomaly:{rep.pk}:signed_amount:2026-06",
        kind="kpi_anomaly",
        kpi="signed_amount",
        month=dt.date(2026, 6, 1),
        owner=rep,
        params={
            "rep": str(rep),
            "kpi": "signed_amount",
            "change": "-30.0",
            "current": "7000.00",
            "previous": "10000.00",
            "span": "06-01–06-12",
            "previous_span": "05-01–05-12",
        },
        raised_on=dt.date(2026, 6, 12),
        due_on=dt.date(2026, 6, 16),
        cause="两位客户推迟签约",
        answered_at=dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC),
        answered_by=rep,
    )
    ImprovementPlan.objects.create(
        person=rep,
        last_failed_month=dt.date(2026, 5, 1),
        failed_scores=[["2026-04", "50.00"], ["2026-05", "55.00"]],
        opened_on=dt.date(2026, 6, 2),
        goals="每周有效拜访 20 次",
    )


def crawl(client, language: str) -> dict[str, list[str]]:
    """{url: wrong words} over the pages reachable from the home page."""
    seen, queue, problems = set(), deque(["/"]), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text, links = _read(response.content.decode())
        if words := wrong_words(text, language):
            problems[url] = words
        for href in links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or SKIP.search(href):
                continue
            if href not in seen:
                queue.append(href)
    assert len(seen) > 3, seen
    return problems, seen


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "role", ["rep", "manager", "director", "legal", "finance", "service", "admin"]
)
def test_every_page_speaks_one_language(world, client, role, language, clock):
    clock.set(dt.date(2026, 6, 15))
    user = world[role]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    problems, seen = crawl(client, language)
    assert problems == {}, f"{len(seen)} pages read"
