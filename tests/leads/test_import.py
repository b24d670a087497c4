import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from leads.models import Assignment, Lead, LeadSettings, StageChange
from tests.factories import UserFactory

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

CSV_ZH = (
    "姓名,手机,邮箱,公司,渠道,预算\n"
    "张伟,138 0000 0001,zw@example.com,华为,展会,12000\n"  # row 2 good
    ",13800000002,,,,\n"  # row 3 missing name
    "李娜,12345,,,,\n"  # row 4 bad phone
    "王芳,+86 13800000001,,,,\n"  # row 5 duplicate of row 2 in the file
    "刘洋,13900000009,,,,\n"  # row 6 duplicate of an existing lead
    "陈静,13800000003,,腾讯,,\n"  # row 7 good
    "赵磊,13800000004,,,火星渠道,\n"  # row 8 unknown channel
    "孙杰,13800000005,,,,abc\n"  # row 9 bad budget
)


@pytest.fixture
def import_team(team, rep, teammate):
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    return team


@pytest.fixture
def existing(rep):
    return LeadFactory(owner=rep, phone="13900000009", name="老客户")


def upload(client, name, content, content_type="text/csv"):
    return client.post(
        "/leads/import/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_dry_run_preview_names_each_bad_row_and_stores_nothing(
    login, manager, import_team, existing
):
    response = upload(login(manager), "leads.csv", CSV_ZH.encode("utf-8"))
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total, report.good) == (8, 2)
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (3, "missing name"),
        (4, "bad phone number"),
        (5, "duplicate of row 2 in this file"),
        (6, "duplicate of an existing lead"),
        (8, "unknown channel"),
        (9, "bad budget"),
    ]
    assert Lead.objects.count() == 1


def test_confirmed_import_stores_good_rows_round_robin_and_offers_rejected_rows(
    login, manager, rep, teammate, import_team, existing
):
    client = login(manager)
    preview = upload(client, "leads.csv", CSV_ZH.encode("utf-8"))
    token = preview.context["token"]
    response = client.post("/leads/import/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["report"].created == 2
    new = Lead.objects.exclude(pk=existing.pk).order_by("phone")
    assert [(lead.name, lead.phone, lead.channel.code) for lead in new] == [
        ("张伟", "13800000001", "exhibition"),
        ("陈静", "13800000003", "exhibition"),
    ]
    assert sorted(lead.owner.username for lead in new) == ["rep_a1", "rep_a2"]
    assert str(new[0].budget) == "12000.00"
    assert StageChange.objects.filter(lead__in=new, to_stage="new").count() == 2
    assert Assignment.objects.filter(lead__in=new, reason="round_robin").count() == 2
    rejected = client.get(f"/leads/import/{token}/rejected.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert rejected.status_code == 200
    text = rejected.content.decode("utf-8-sig")
    assert "missing name" in text and "12345" in text
    assert len(text.strip().splitlines()) == 7
    # importing the same file again creates nothing new
    second = upload(client, "leads.csv", CSV_ZH.encode("utf-8"))
    assert second.context["report"].good == 0


def test_someone_elses_rejected_rows_are_not_downloadable(
    login, manager, import_team, existing, client
):
    token = upload(login(manager), "leads.csv", CSV_ZH.encode("utf-8")).context["token"]
    client.logout()
    other = UserFactory(username="someone_else", role="rep")
    client.force_login(other)
    assert client.get(f"/leads/import/{token}/rejected.csv").status_code == 404


def test_xlsx_with_english_headers_and_numeric_phones(login, rep, import_team):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Mobile", "E-mail", "Company", "Channel"])
    sheet.append(["Wang Wei", 13700000001, "WW@Example.com", "ACME", "referral"])
    sheet.append(["", 13700000002, "", "", ""])
    sheet.append(["Li Lei", "not a phone", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    client = login(rep)
    preview = upload(
        client,
        "leads.xlsx",
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    report = preview.context["report"]
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (3, "missing name"),
        (4, "bad phone number"),
    ]
    client.post("/leads/import/", {"token": preview.context["token"]})
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.email, lead.channel.code) == (
        "Wang Wei",
        "13700000001",
        "ww@example.com",
        "referral",
    )


@pytest.mark.parametrize(
    "name,content",
    [
        ("leads.pdf", b"%PDF-1.4"),
        ("leads.csv", b""),
        ("leads.xlsx", b"this is not a zip file"),
        ("leads.csv", b"\x00\x01\x02garbage\x00"),
        ("leads.csv", "电话,地址\n1,2\n".encode()),
        ("leads.csv", b"\n\n\n"),
    ],
)
def test_unreadable_files_get_a_clear_error_never_a_500(login, rep, import_team, name, content):
    response = upload(login(rep), name, content)
    assert response.status_code in (200, 400)
    assert "report" not in (response.context or {}) or response.context["report"] is None
    assert Lead.objects.count() == 0


def test_gb18030_csv_from_excel_is_read(login, rep, import_team):
    response = upload(login(rep), "leads.csv", "姓名,电话\n周杰,13600000001\n".encode("gb18030"))
    assert response.context["report"].good == 1


def test_command_dry_run_then_import(import_team, existing, tmp_path, capsys):
    path = tmp_path / "leads.csv"
    path.write_text(CSV_ZH, encoding="utf-8")
    with translation.override("en"):
        call_command("import_leads", str(path), "--dry-run")
        assert "would import 2" in capsys.readouterr().out
        assert Lead.objects.count() == 1
        call_command("import_leads", str(path))
    out = capsys.readouterr().out
    assert "row 3: missing name" in out
    assert "imported 2" in out
    assert Lead.objects.count() == 3


def test_command_rejects_a_wrong_file(tmp_path):
    path = tmp_path / "leads.txt"
    path.write_text("hello")
    with pytest.raises(CommandError):
        call_command("import_leads", str(path))


def test_awkward_text_survives_the_bulk_write_unchanged(import_team, tmp_path):
    rows = [
        ["姓名", "手机", "公司", "备注"],
        ['王"引号"', "13600000001", "A,B 公司", "第一行\n第二行"],
        ["\\N", "13600000002", "", "反斜杠\\结尾\\"],
        ["小李😀", "13600000003", "=1+1", ""],
    ]
    path = tmp_path / "awkward.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    call_command("import_leads", str(path))
    stored = {lead.phone: lead for lead in Lead.objects.all()}
    assert (
        stored["13600000001"].name,
        stored["13600000001"].company,
        stored["13600000001"].needs,
    ) == (
        '王"引号"',
        "A,B 公司",
        "第一行\n第二行",
    )
    assert (stored["13600000002"].name, stored["13600000002"].needs) == ("\\N", "反斜杠\\结尾\\")
    assert (stored["13600000003"].name, stored["13600000003"].company) == ("小李😀", "=1+1")
    assert stored["13600000003"].score_reasons == [{"criterion": "channel_quality", "points": 3}]


def test_nightly_cleanup_removes_old_upload_files(settings, tmp_path):
    import datetime as dt
    import os

    from leads.tasks import clean_import_files

    settings.MEDIA_ROOT = str(tmp_path)
    folder = tmp_path / "lead-imports"
    folder.mkdir()
    old, new = folder / "old.csv", folder / "new.csv"
    old.write_text("x")
    new.write_text("y")
    two_days_ago = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    assert clean_import_files(yesterday) == {"removed": 1}
    assert clean_import_files(yesterday) == {"removed": 0}
    assert [p.name for p in folder.iterdir()] == ["new.csv"]


# --- hostile files: refused fast, in constant memory ---------------------------------------

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx_with_sheet(sheet_xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced by `sheet_xml`, deflated."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(item.filename, data)
    return out.getvalue()


def inline_row(number: int, *values: str) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f'<row r="{number}">{cells}</row>'


def declared_huge_sheet() -> bytes:
    """A couple of kilobytes declaring the largest sheet Excel allows, its one data row at
    the very bottom: read naively, a million rows padded to 16,384 cells each."""
    return xlsx_with_sheet(
        SHEET_HEAD
        + '<dimension ref="A1:XFD1048576"/><sheetData>'
        + inline_row(1, "姓名", "手机")
        + inline_row(1048576, "张伟", "13800000001")
        + "</sheetData></worksheet>"
    )


def compressed_bomb() -> bytes:
    """A cell of 30 MB of one letter: deflates about a thousand times."""
    return xlsx_with_sheet(
        SHEET_HEAD
        + "<sheetData>"
        + inline_row(1, "姓名", "手机")
        + inline_row(2, "A" * 30_000_000, "13800000001")
        + "</sheetData></worksheet>"
    )


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the import pulled out of the sheet: the deterministic measure of the
    work a hostile file costs (a wall-clock bound would fail on a busy machine)."""
    import leads.importing as importing

    seen = {"rows": 0}
    real = importing._xlsx_rows

    def counting(path):
        for row in real(path):
            seen["rows"] += 1
            yield row

    monkeypatch.setattr(importing, "_xlsx_rows", counting)
    return seen


HOSTILE = [
    # read until one past the blank-row limit (1,000 by default), then refused
    (declared_huge_sheet, "The sheet holds too many empty rows.", 1002),
    # refused from the archive's directory: not one row unpacked
    (compressed_bomb, "This Excel file unpacks to more than 250 MB or is compressed", 0),
]


@pytest.mark.parametrize("make,message,most_rows", HOSTILE)
def test_hostile_xlsx_is_refused_after_a_bounded_read_on_the_web(
    login, rep, import_team, rows_read, settings, make, message, most_rows
):
    settings.LEAD_IMPORT_MAX_ROWS = 1000
    content = make()
    assert len(content) < 100_000
    response = upload(login(rep), "leads.xlsx", content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows_read["rows"] == most_rows
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("make,message,most_rows", HOSTILE)
def test_hostile_xlsx_is_refused_after_a_bounded_read_by_the_command(
    import_team, tmp_path, rows_read, settings, make, message, most_rows
):
    settings.LEAD_IMPORT_MAX_ROWS = 1000
    path = tmp_path / "leads.xlsx"
    path.write_bytes(make())
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("import_leads", str(path))
    assert rows_read["rows"] == most_rows
    assert Lead.objects.count() == 0


def test_xlsx_unpacking_beyond_the_size_limit_is_refused(login, rep, import_team, settings):
    settings.LEAD_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    rows = "".join(inline_row(n, f"学员{n}", f"138{n:08d}") for n in range(2, 20_000))
    response = upload(
        login(rep),
        "leads.xlsx",
        xlsx_with_sheet(
            SHEET_HEAD
            + "<sheetData>"
            + inline_row(1, "姓名", "手机")
            + rows
            + "</sheetData></worksheet>"
        ),
    )
    assert response.status_code == 400
    assert "unpacks to more than 1 MB" in response.content.decode()


def test_xlsx_reading_stops_at_the_row_limit(login, rep, import_team, settings):
    """Rows past the limit are never parsed: here they are not even well-formed XML."""
    settings.LEAD_IMPORT_MAX_ROWS = 5
    rows = "".join(inline_row(n, f"学员{n}", f"138{n:08d}") for n in range(2, 8))
    sheet = (
        SHEET_HEAD
        + '<dimension ref="A1:B9"/><sheetData>'
        + inline_row(1, "姓名", "手机")
        + rows
        + "<row r=<<<"
    )
    response = upload(login(rep), "leads.xlsx", xlsx_with_sheet(sheet))
    assert response.status_code == 400
    assert "At most 5 rows per file." in response.content.decode()
    assert Lead.objects.count() == 0


def test_csv_reading_stops_at_the_row_limit_for_the_command(import_team, tmp_path, settings):
    settings.LEAD_IMPORT_MAX_ROWS = 5
    path = tmp_path / "leads.csv"
    path.write_text(
        "姓名,手机\n" + "".join(f"学员{n},138{n:08d}\n" for n in range(2, 9)), encoding="utf-8"
    )
    with translation.override("en"), pytest.raises(CommandError, match="At most 5 rows"):
        call_command("import_leads", str(path))
    assert Lead.objects.count() == 0


def test_csv_of_exactly_the_row_limit_is_imported(import_team, tmp_path, settings):
    settings.LEAD_IMPORT_MAX_ROWS = 5
    path = tmp_path / "leads.csv"
    path.write_text(
        "姓名,手机\n" + "".join(f"学员{n},138{n:08d}\n" for n in range(2, 7)), encoding="utf-8"
    )
    call_command("import_leads", str(path))
    assert Lead.objects.count() == 5


def test_xlsx_with_broken_sheet_xml_gets_a_clear_error(login, rep, import_team):
    sheet = SHEET_HEAD + "<sheetData>" + inline_row(1, "姓名", "手机") + "<row r=<<<"
    response = upload(login(rep), "leads.xlsx", xlsx_with_sheet(sheet))
    assert response.status_code == 400
    assert "This is not a readable Excel (.xlsx) file." in response.content.decode()


def test_a_row_limit_found_after_chunks_were_written_stores_nothing(
    import_team, tmp_path, settings, monkeypatch
):
    """The file is stored chunk by chunk (flat memory); the sixth row of a five-row limit is
    only read after two chunks of two are in the table, and they must roll back with it."""
    monkeypatch.setattr("leads.importing.CHUNK", 2)
    settings.LEAD_IMPORT_MAX_ROWS = 5
    path = tmp_path / "leads.csv"
    path.write_text(
        "姓名,手机\n" + "".join(f"学员{n},138{n:08d}\n" for n in range(2, 8)), encoding="utf-8"
    )
    with translation.override("en"), pytest.raises(CommandError, match="At most 5 rows"):
        call_command("import_leads", str(path))
    assert (Lead.objects.count(), StageChange.objects.count(), Assignment.objects.count()) == (
        0,
        0,
        0,
    )


def test_chunks_keep_in_file_duplicates_row_numbers_and_the_round_robin_turn(
    import_team, rep, teammate, tmp_path, monkeypatch
):
    monkeypatch.setattr("leads.importing.CHUNK", 2)
    path = tmp_path / "leads.csv"
    path.write_text(
        "姓名,手机\n"
        "甲,13800000001\n"  # row 2
        "乙,13800000002\n"  # row 3
        "丙,12345\n"  # row 4, second chunk: bad phone
        "丁,138 0000 0001\n"  # row 5: same phone as row 2, one chunk earlier
        "戊,13800000005\n"  # row 6, third chunk
        "己,13800000006\n",  # row 7
        encoding="utf-8",
    )
    from leads.importing import leads_import

    with translation.override("en"):
        report = leads_import(path=path, actor=None, team=import_team, dry_run=False)
    assert (report.total, report.good, report.created) == (6, 4, 4)
    assert [(r.row_number, r.reason) for r in report.rejected] == [
        (4, "bad phone number"),
        (5, "duplicate of row 2 in this file"),
    ]
    assert [row["name"] for row in report.preview] == ["甲", "乙", "戊", "己"]
    owners = dict(Lead.objects.values_list("name", "owner_id"))
    # one turn across the chunks: rep, teammate, rep, teammate (by id), as in one chunk
    first, second = sorted([rep.pk, teammate.pk])
    assert [owners[name] for name in ["甲", "乙", "戊", "己"]] == [first, second, first, second]
    assert StageChange.objects.filter(to_stage="new").count() == 4
    assert sorted(Assignment.objects.values_list("to_owner_id", flat=True)) == sorted(
        [first, second, first, second]
    )
