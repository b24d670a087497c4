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
import operator
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


def iter_table(path: Path, name: str | None = None) -> tuple[list, object]:
    """(headers, rows) of a CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it in
    China) or an XLSX file, the rows as an iterator read from the file as they are consumed.
    ImportFileError when it is neither or empty (at once), or over the limits (rows, blank
    rows, columns, unpacked size: raised while iterating, as soon as a limit is passed, so a
    hostile file costs a second and a few megabytes and the import's transaction rolls back).
    """
    name = (name or path.name).lower()
    if name.endswith(".csv"):
        source = _csv_rows(path)
    elif name.endswith(".xlsx"):
        source = _xlsx_rows(path)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    rows = _non_blank(source)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    return [str(h).strip() for h in header], rows


def _non_blank(source):
    max_rows = _limits()[0]
    kept, blank = 0, 0
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
            kept += 1
            if kept - 1 > max_rows:  # the header is not a data row
                raise ImportFileError(_("At most %(max)d rows per file.") % {"max": max_rows})
            yield ["" if cell is None else cell for cell in raw]
    finally:
        source.close()


def read_table(path: Path, name: str | None = None) -> tuple[list, list]:
    """(headers, rows) of the whole file in memory: `iter_table` read to the end."""
    headers, rows = iter_table(path, name)
    return headers, list(rows)


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
    return _cell_at(row, columns.get(key))


def _cell_at(row, index) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if value.__class__ is str:  # every CSV cell: the fast path
        return value.strip()
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


class _Checker:
    """Validates the file's rows chunk by chunk: the header's columns are read once, and the
    phones and e-mails seen so far are kept to find a row that repeats an earlier one."""

    def __init__(self, headers: list, channels: _Channels):
        columns = _columns(headers)
        self.index = {key: columns.get(key) for key in HEADERS}
        # the administrator's custom fields for leads, by their key or label (customfields)
        self.definitions, self.custom_columns = custom_values.import_columns(
            headers, set(columns.values()), _norm_header
        )
        self.channels = channels
        self.seen: dict[str, int] = {}
        # the reasons, translated once per import rather than once per rejected row
        self.reasons = {
            "name": _("missing name"),
            "long": _("name longer than 100 characters"),
            "phone": _("bad phone number"),
            "email": _("bad e-mail"),
            "contact": _("no phone number or e-mail"),
            "channel": _("unknown channel"),
            "budget": _("bad budget"),
        }

    def check(self, rows: list, first_number: int) -> tuple[list, list]:
        """Split rows into good lead dicts (with their row number and raw values) and
        rejections; `first_number` is the spreadsheet row number of rows[0]."""
        index, reasons, seen = self.index, self.reasons, self.seen
        good, rejected = [], []
        for offset, row in enumerate(rows):
            number = first_number + offset
            name = _cell_at(row, index["name"])
            reason = None
            if not name:
                reason = reasons["name"]
            elif len(name) > 100:
                reason = reasons["long"]
            if reason:
                rejected.append(Rejected(number, reason, [str(v) for v in row]))
                continue
            try:
                data = self._lead(row, name)
            except _RowError as exc:
                rejected.append(Rejected(number, exc.reason, [str(v) for v in row]))
                continue
            phone, email = data["phone"], data["email"]
            first = next((seen[key] for key in (phone, email) if key and key in seen), None)
            if first is not None:
                reason = _("duplicate of row %(row)d in this file") % {"row": first}
                rejected.append(Rejected(number, reason, [str(v) for v in row]))
                continue
            if phone:
                seen[phone] = number
            if email:
                seen[email] = number
            good.append((number, row, data))
        return good, rejected

    def _lead(self, row, name) -> dict:
        index, reasons = self.index, self.reasons
        try:
            phone = normalise_phone(_cell_at(row, index["phone"]))
            payer_phone = normalise_phone(_cell_at(row, index["payer_phone"]))
        except ValidationError:
            raise _RowError(reasons["phone"]) from None
        try:
            email = normalise_email(_cell_at(row, index["email"]))
        except ValidationError:
            raise _RowError(reasons["email"]) from None
        if not phone and not email:
            raise _RowError(reasons["contact"])
        channel = self.channels.get(_cell_at(row, index["channel"]))
        if channel is None:
            raise _RowError(reasons["channel"])
        budget_text = _cell_at(row, index["budget"]).replace(",", "").replace("¥", "")
        try:
            budget = round_money(budget_text) if budget_text else None
            if budget is not None and not (0 <= budget < Decimal("1e12")):
                raise InvalidOperation
        except InvalidOperation:
            raise _RowError(reasons["budget"]) from None
        custom = {}
        if self.definitions:
            raw_custom = {k: row[i] for k, i in self.custom_columns.items() if i < len(row)}
            try:
                custom = custom_values.clean("lead", raw_custom, definitions=self.definitions)
            except ValidationError as exc:
                raise _RowError(
                    _("custom field: %(error)s") % {"error": "; ".join(exc.messages)}
                ) from None
        return {
            "name": name,
            "phone": phone,
            "email": email,
            "company": _cell_at(row, index["company"])[:200],
            "wechat": _cell_at(row, index["wechat"])[:64],
            "channel": channel,
            "region": _cell_at(row, index["region"])[:64],
            "budget": budget,
            "needs": _cell_at(row, index["needs"])[:5000],
            "payer_name": _cell_at(row, index["payer_name"])[:100],
            "payer_phone": payer_phone,
            "custom": custom,
        }


class _RowError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _drop_existing(good: list, rejected: list) -> list:
    """Reject rows whose phone or e-mail already belongs to a lead: two queries for the
    chunk, each matching its partial unique index (an OR would not use them), each with the
    numbers as one array parameter (Django's `__in` binds and resolves them one by one)."""
    if not good:
        return good
    phones = [d["phone"] for _n, _v, d in good if d["phone"]]
    emails = [d["email"] for _n, _v, d in good if d["email"]]
    table = connection.ops.quote_name(Lead._meta.db_table)
    if connection.vendor != "postgresql":  # SQLite (the demo): the ORM's IN lists
        taken = set(
            Lead.objects.exclude(phone="").filter(phone__in=phones).values_list("phone", flat=True)
        )
        taken.update(
            Lead.objects.exclude(email="").filter(email__in=emails).values_list("email", flat=True)
        )
        phones = emails = []
    else:
        taken = set()
    with connection.cursor() as cursor:
        for column, values in (("phone", phones), ("email", emails)):
            if values:
                # the fixed column name only; the values are a parameter
                cursor.execute(
                    f"SELECT {column} FROM {table} WHERE {column} <> '' AND {column} = ANY(%s)",  # noqa: S608
                    [values],
                )
                taken.update(value for (value,) in cursor.fetchall())
    if not taken:
        return good
    kept = []
    for number, row, data in good:
        if (data["phone"] and data["phone"] in taken) or (data["email"] and data["email"] in taken):
            rejected.append(
                Rejected(number, _("duplicate of an existing lead"), [str(v) for v in row])
            )
        else:
            kept.append((number, row, data))
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


def _copy_leads(records: list[dict], *, reason: str, by, now) -> None:
    """PostgreSQL only: COPY the lead rows in one stream with ids drawn from the table's
    sequence beforehand (COPY returns no ids), then write their first stage row and their
    assignment with one INSERT ... SELECT each. Several times faster than the INSERTs the ORM
    builds, which is what makes 100,000 rows take seconds.

    The CSV is written by the csv module (in C): every field quoted, None as an empty field,
    and the nullable columns read back as NULL (FORCE_NULL; none of them is text, where an
    empty string would mean something)."""
    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    table = Lead._meta.db_table
    jsons = [f.attname for f in fields if f.get_internal_type() == "JSONField"]
    defaults = {f.attname: f.get_default() for f in fields}
    row_of = operator.itemgetter(*[f.attname for f in fields])  # one C call per row
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        writerow = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow
        dumps = json.dumps
        for pk, record in zip(ids, records, strict=True):
            merged = {**defaults, **record}
            for attname in jsons:
                merged[attname] = dumps(merged[attname], ensure_ascii=False)
            writerow((pk, *row_of(merged)))
        buffer.seek(0)
        quote = connection.ops.quote_name
        columns = ", ".join([quote("id")] + [quote(f.column) for f in fields])
        nullable = ", ".join(quote(f.column) for f in fields if f.null)
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({columns}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NULL ({nullable}))",
            buffer,
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
            "SELECT id, NULL, owner, %s, %s, %s "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS t(id, owner)",
            [reason, by, now, ids, [record["owner_id"] for record in records]],
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
    file that cannot be read at all (nothing is stored then).

    The file is read and stored in chunks of CHUNK rows inside one transaction, so memory
    stays flat with the file's size and a limit found late (too many rows) still stores
    nothing."""
    if actor is not None:  # None: the import_leads command, run by an operator
        ensure_may(actor, Action.LEAD_IMPORT)
    started = time.monotonic()
    channels = _Channels(default_channel)
    for attempt in range(2):
        try:
            with transaction.atomic():
                report = _import(Path(path), filename, channels, actor, team, dry_run)
            break
        except IntegrityError:
            # A lead with one of these phones was created meanwhile: check again once.
            if attempt:
                raise
    report.rejected.sort(key=lambda item: item.row_number)
    report.seconds = time.monotonic() - started
    return report


def _import(path, filename, channels, actor, team, dry_run) -> ImportReport:
    headers, rows = iter_table(path, filename)
    checker = _Checker(headers, channels)
    report = ImportReport(headers=headers, dry_run=dry_run)
    number = 2  # the header is row 1, as in the spreadsheet
    for chunk in _chunks(rows, CHUNK):
        report.total += len(chunk)
        good, rejected = checker.check(chunk, number)
        number += len(chunk)
        good = _drop_existing(good, rejected)
        report.rejected.extend(rejected)
        report.good += len(good)
        if len(report.preview) < 20:
            report.preview.extend(data for _n, _r, data in good[: 20 - len(report.preview)])
        if not dry_run and good:
            report.created += _write(good, actor=actor, team=team)
    return report


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
