"""Bulk import of leads from CSV or XLSX (SPEC §2): Chinese or English headers, a row-by-row
report, all-or-nothing per row (good rows land, bad rows change nothing), a dry run.

Validation is pure Python over the whole file plus one duplicate query per chunk of rows;
the good rows are written with bulk_create (leads, their first stage row and their
assignment), so 100,000 rows take seconds, not a save per row."""

import codecs
import csv
import datetime as dt
import io
import json
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customfields import values as custom_values
from salescrm.exports import csv_text
from salescrm.models import Team, User
from salescrm.money import round_money
from salescrm.permissions import Action, ensure_may

from .models import (
    Assignment,
    Channel,
    Lead,
    LeadSettings,
    StageChange,
)
from .normalise import normalise_email, normalise_phone
from .scoring import active_rules, score_row
from .services import round_robin_owners

# Accepted header spellings, compared lower-cased and without spaces.
HEADERS = {
    "name": ["name", "fullname", "姓名", "名字", "客户姓名", "联系人", "学员姓名"],
    "phone": [
        "phone",
        "mobile",
        "phonenumber",
        "tel",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
    ],
    "email": ["email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"],
    "company": ["company", "organisation", "organization", "公司", "单位", "公司名称", "学校"],
    "wechat": ["wechat", "wechatid", "微信", "微信号"],
    "channel": ["channel", "source", "渠道", "来源", "线索来源"],
    "region": ["region", "city", "area", "地区", "城市", "区域"],
    "budget": ["budget", "预算", "预算金额"],
    "needs": ["notes", "needs", "note", "remark", "备注", "需求", "意向"],
    "payer_name": ["payer", "payername", "decisionmaker", "付款人", "决策人"],
    "payer_phone": ["payerphone", "付款人电话", "决策人电话"],
}
_LOOKUP = {alias: key for key, aliases in HEADERS.items() for alias in aliases}
CHUNK = 5000
# Columns read from each row; the headers the import knows fit well inside.
MAX_COLUMNS = 50


def import_folder() -> Path:
    """Where uploaded files and their rejected rows wait between preview and import."""
    return Path(settings.MEDIA_ROOT) / "lead-imports"


def import_files_cleanup(*, older_than: dt.datetime) -> int:
    """Delete uploads and rejected-row files last written before `older_than`."""
    folder = import_folder()
    if not folder.exists():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < older_than.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is meant for the user."""


@dataclass
class Rejected:
    row_number: int
    reason: str
    values: list


@dataclass
class ImportReport:
    headers: list = field(default_factory=list)
    total: int = 0
    good: int = 0
    created: int = 0
    rejected: list = field(default_factory=list)
    preview: list = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = True

    @property
    def rows_per_second(self) -> int:
        return int(self.total / self.seconds) if self.seconds else 0

    def rejected_csv(self) -> str:
        return csv_text(
            [_("Row"), _("Reason"), *self.headers],
            ([item.row_number, item.reason, *item.values] for item in self.rejected),
        )


def _norm_header(text) -> str:
    return "".join(str(text or "").split()).lower().replace("_", "")


def _limits() -> tuple[int, int, int]:
    return (
        settings.LEAD_IMPORT_MAX_ROWS,
        settings.LEAD_IMPORT_MAX_UNPACKED_BYTES,
        settings.LEAD_IMPORT_MAX_COMPRESSION_RATIO,
    )


def _check_archive(path: Path) -> None:
    """Refuse an XLSX whose parts unpack to an absurd size before anything is unpacked: a
    zip bomb declares its sizes in the archive's directory, and Python's zipfile never hands
    out more bytes than declared (a lying entry fails its CRC check)."""
    _rows, max_bytes, max_ratio = _limits()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError(_("This is not a readable Excel (.xlsx) file.")) from None
    unpacked = sum(member.file_size for member in members)
    # Small parts compress well by nature; only a big part with a huge ratio is a bomb.
    packed_too_well = any(
        member.file_size > 1024 * 1024
        and member.file_size > max_ratio * max(member.compress_size, 1)
        for member in members
    )
    if unpacked > max_bytes or packed_too_well:
        raise ImportFileError(
            _(
                "This Excel file unpacks to more than %(size)d MB or is compressed suspiciously "
                "well; it is refused. Save it as CSV, or split it."
            )
            % {"size": max_bytes // (1024 * 1024)}
        )


def _xlsx_rows(path: Path):
    # openpyxl takes a quarter of a second to import: only an import of an .xlsx loads it
    from openpyxl import load_workbook

    _check_archive(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, ParseError):
        raise ImportFileError(_("This is not a readable Excel (.xlsx) file.")) from None
    try:
        sheet = workbook.worksheets[0]
        # max_col caps each row's width whatever width the sheet declares (a declared
        # A1:XFD1048576 would otherwise pad every row to 16,384 cells).
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, ParseError):
        raise ImportFileError(_("This is not a readable Excel (.xlsx) file.")) from None
    finally:
        workbook.close()


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else GB18030 (what
    Excel saves in China). One pass over the bytes in chunks, nothing kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(1024 * 1024):
                if b"\x00" in chunk:
                    raise ImportFileError(_("This is not a CSV text file."))
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path):
    max_bytes = _limits()[1]
    if path.stat().st_size > max_bytes:
        raise ImportFileError(
            _("The file is larger than %(size)d MB; split it.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    encoding = _csv_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as text:
            for row in csv.reader(text):
                yield row[:MAX_COLUMNS]
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file's characters cannot be read; save it as UTF-8 CSV.")
        ) from None
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is damaged: %(error)s") % {"error": exc}) from None


def read_table(path: Path, name: str | None = None) -> tuple[list, list]:
    """(headers, rows) of a CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it in
    China) or an XLSX file. ImportFileError when it is neither, empty, or over the limits.

    The file is streamed and reading stops as soon as a limit is passed (rows, blank rows,
    columns, unpacked size), so a hostile file costs a second and a few megabytes."""
    name = (name or path.name).lower()
    if name.endswith(".csv"):
        source = _csv_rows(path)
    elif name.endswith(".xlsx"):
        source = _xlsx_rows(path)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    max_rows = _limits()[0]
    rows, blank = [], 0
    try:
        for raw in source:
            # tuple.count runs in C: a padded empty row of a hostile sheet costs nothing.
            if raw.count(None) + raw.count("") == len(raw) or not any(
                str(cell).strip() for cell in raw if cell is not None
            ):
                blank += 1
                if blank > max_rows:
                    raise ImportFileError(_("The sheet holds too many empty rows."))
                continue
            rows.append(["" if cell is None else cell for cell in raw])
            if len(rows) - 1 > max_rows:
                raise ImportFileError(_("At most %(max)d rows per file.") % {"max": max_rows})
    finally:
        source.close()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    return [str(h).strip() for h in rows[0]], rows[1:]


def _columns(headers: list) -> dict:
    columns = {}
    for index, header in enumerate(headers):
        key = _LOOKUP.get(_norm_header(header))
        if key and key not in columns:
            columns[key] = index
    if "name" not in columns:
        raise ImportFileError(_("No name column found (e.g. “姓名” or “name”)."))
    if "phone" not in columns and "email" not in columns:
        raise ImportFileError(_("No phone or e-mail column found (e.g. “手机” or “phone”)."))
    return columns


def _cell(row, columns, key) -> str:
    index = columns.get(key)
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores phone numbers as numbers
    return str(value).strip()


class _Channels:
    def __init__(self, default_code: str):
        self.by_key = {}
        for channel in Channel.objects.filter(is_active=True):
            for key in (channel.code, channel.name, channel.name_en):
                if key:
                    self.by_key[key.lower()] = channel
        self.default = self.by_key.get(default_code.lower())
        if self.default is None:
            raise ImportFileError(_("Unknown default channel “%(code)s”.") % {"code": default_code})

    def get(self, text: str):
        return self.by_key.get(text.lower()) if text else self.default


def _validate(headers, rows, channels) -> tuple[list, list]:
    """Split rows into good lead dicts (with their row number) and rejections."""
    columns = _columns(headers)
    # the administrator's custom fields for leads, by their key or label (customfields)
    definitions, custom_columns = custom_values.import_columns(
        headers, set(columns.values()), _norm_header
    )
    good, rejected = [], []
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows):
        number = offset + 2  # the header is row 1, as in the spreadsheet
        values = [str(v) for v in row]

        def reject(reason, number=number, values=values):
            rejected.append(Rejected(number, reason, values))

        name = _cell(row, columns, "name")
        if not name:
            reject(_("missing name"))
            continue
        if len(name) > 100:
            reject(_("name longer than 100 characters"))
            continue
        try:
            phone = normalise_phone(_cell(row, columns, "phone"))
            payer_phone = normalise_phone(_cell(row, columns, "payer_phone"))
        except ValidationError:
            reject(_("bad phone number"))
            continue
        try:
            email = normalise_email(_cell(row, columns, "email"))
        except ValidationError:
            reject(_("bad e-mail"))
            continue
        if not phone and not email:
            reject(_("no phone number or e-mail"))
            continue
        channel = channels.get(_cell(row, columns, "channel"))
        if channel is None:
            reject(_("unknown channel"))
            continue
        budget_text = _cell(row, columns, "budget").replace(",", "").replace("¥", "")
        try:
            budget = round_money(budget_text) if budget_text else None
            if budget is not None and not (0 <= budget < Decimal("1e12")):
                raise InvalidOperation
        except InvalidOperation:
            reject(_("bad budget"))
            continue
        raw_custom = {k: row[i] for k, i in custom_columns.items() if i < len(row)}
        try:
            custom = custom_values.clean("lead", raw_custom, definitions=definitions)
        except ValidationError as exc:
            reject(_("custom field: %(error)s") % {"error": "; ".join(exc.messages)})
            continue
        first = next((seen[key] for key in (phone, email) if key and key in seen), None)
        if first is not None:
            reject(_("duplicate of row %(row)d in this file") % {"row": first})
            continue
        for key in (phone, email):
            if key:
                seen[key] = number
        good.append(
            (
                number,
                values,
                {
                    "name": name,
                    "phone": phone,
                    "email": email,
                    "company": _cell(row, columns, "company")[:200],
                    "wechat": _cell(row, columns, "wechat")[:64],
                    "channel": channel,
                    "region": _cell(row, columns, "region")[:64],
                    "budget": budget,
                    "needs": _cell(row, columns, "needs")[:5000],
                    "payer_name": _cell(row, columns, "payer_name")[:100],
                    "payer_phone": payer_phone,
                    "custom": custom,
                },
            )
        )
    return good, rejected


def _drop_existing(good: list, rejected: list) -> list:
    """Reject rows whose phone or e-mail already belongs to a lead (one query per chunk)."""
    kept = []
    for start in range(0, len(good), CHUNK):
        chunk = good[start : start + CHUNK]
        phones = [d["phone"] for _n, _v, d in chunk if d["phone"]]
        emails = [d["email"] for _n, _v, d in chunk if d["email"]]
        # Two queries, each matching its partial unique index (an OR would not use them).
        taken = set(
            Lead.objects.exclude(phone="").filter(phone__in=phones).values_list("phone", flat=True)
        )
        taken.update(
            Lead.objects.exclude(email="").filter(email__in=emails).values_list("email", flat=True)
        )
        for number, values, data in chunk:
            if (data["phone"] and data["phone"] in taken) or (
                data["email"] and data["email"] in taken
            ):
                rejected.append(Rejected(number, _("duplicate of an existing lead"), values))
            else:
                kept.append((number, values, data))
    return kept


def _write(good: list, *, actor, team) -> int:
    now = timezone.now()
    rules = active_rules()
    settings = LeadSettings.load()
    owners = round_robin_owners(team=team, count=len(good))
    records = []
    for (_number, _values, data), owner_id in zip(good, owners, strict=True):
        channel = data["channel"]
        row = {
            **data,
            "decision_maker_reached": False,
            "is_urgent": False,
            "product_line_id": None,
            "last_activity_at": None,
            "channel_points": channel.quality_points,
            "trial_attended": False,
        }
        score, grade, reasons = score_row(row, rules, settings, now)
        record = {key: value for key, value in data.items() if key != "channel"}
        record.update(
            channel_id=channel.pk,
            owner_id=owner_id,
            team_id=team.pk if team else None,
            created_by_id=actor.pk if actor else None,
            created_at=now,
            assigned_at=now if owner_id else None,
            score=score,
            grade=grade,
            score_reasons=reasons,
        )
        records.append(record)
    reason = Assignment.Reason.ROUND_ROBIN if team else Assignment.Reason.CREATED
    by = actor.pk if actor else None
    if connection.vendor == "postgresql":
        _copy_leads(records, reason=reason, by=by, now=now)
        return len(records)
    leads = [Lead(**record) for record in records]
    Lead.objects.bulk_create(leads, batch_size=2000)
    StageChange.objects.bulk_create(
        [
            StageChange(
                lead_id=lead.pk,
                from_stage="",
                to_stage=Lead.Stage.NEW,
                changed_by_id=by,
                changed_at=now,
            )
            for lead in leads
        ],
        batch_size=5000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                lead_id=lead.pk,
                to_owner_id=lead.owner_id,
                reason=reason,
                changed_by_id=by,
                changed_at=now,
            )
            for lead in leads
        ],
        batch_size=5000,
    )
    return len(records)


def _copy_value(value) -> str:
    """One CSV field for PostgreSQL COPY: NULL unquoted and empty, everything else quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dt.datetime):
        value = value.isoformat()
    return '"' + str(value).replace('"', '""') + '"'


def _copy_leads(records: list[dict], *, reason: str, by, now) -> None:
    """PostgreSQL only: COPY the lead rows in one stream with ids drawn from the table's
    sequence beforehand (COPY returns no ids), then write their first stage row and their
    assignment with one INSERT ... SELECT each. Several times faster than the INSERTs the ORM
    builds, which is what makes 100,000 rows take seconds."""
    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    table = Lead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        defaults = {f.attname: f.get_default() for f in fields}
        buffer = io.StringIO()
        for pk, record in zip(ids, records, strict=True):
            values = [str(pk)] + [
                _copy_value(record[f.attname] if f.attname in record else defaults[f.attname])
                for f in fields
            ]
            buffer.write(",".join(values) + "\n")
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join([quote("id")] + [quote(f.column) for f in fields])
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
        )
        cursor.execute(
            f"INSERT INTO {quote(StageChange._meta.db_table)} "
            "(lead_id, from_stage, to_stage, changed_by_id, changed_at) "
            "SELECT id, '', %s, %s, %s FROM unnest(%s::bigint[]) AS id",
            [Lead.Stage.NEW, by, now, ids],
        )
        cursor.execute(
            f"INSERT INTO {quote(Assignment._meta.db_table)} "
            "(lead_id, from_owner_id, to_owner_id, reason, changed_by_id, changed_at) "
            f"SELECT id, NULL, owner_id, %s, %s, %s FROM {quote(table)} WHERE id = ANY(%s::bigint[])",
            [reason, by, now, ids],
        )


def leads_import(
    *,
    path: Path,
    actor: User | None,
    team: Team | None,
    dry_run: bool,
    filename: str | None = None,
    default_channel: str = "exhibition",
) -> ImportReport:
    """Read, check and (unless `dry_run`) store the good rows. Raises ImportFileError for a
    file that cannot be read at all."""
    if actor is not None:  # None: the import_leads command, run by an operator
        ensure_may(actor, Action.LEAD_IMPORT)
    started = time.monotonic()
    headers, rows = read_table(Path(path), filename)
    channels = _Channels(default_channel)
    report = ImportReport(headers=headers, total=len(rows), dry_run=dry_run)
    for attempt in range(2):
        good, rejected = _validate(headers, rows, channels)
        good = _drop_existing(good, rejected)
        if dry_run:
            break
        try:
            with transaction.atomic():
                report.created = _write(good, actor=actor, team=team)
            break
        except IntegrityError:
            # A lead with one of these phones was created meanwhile: check again once.
            if attempt:
                raise
    rejected.sort(key=lambda item: item.row_number)
    report.good, report.rejected = len(good), rejected
    report.preview = [data for _n, _v, data in good[:20]]
    report.seconds = time.monotonic() - started
    return report
