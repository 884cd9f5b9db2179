"""`plangen status`: read a tracker a clerk has filled back, and summarise it.

The reader never trusts positions: a clerk may sort, filter or insert columns. Columns are
found by their header labels; the hidden "Mã nhiệm vụ" and "Mã mục" cells written by
`tracker` tell each row's task and section even after the rows are sorted.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UserError, Where
from .tracker import (
    ID_LABEL,
    LATE,
    NOT_STARTED,
    SECTION_LABEL,
    SECTION_PREFIX,
    STATUS_LABEL,
    STATUSES,
    TASK_LABEL,
    TASK_SHORT,
    UNKNOWN,
)


@dataclass(frozen=True)
class LateTask:
    sheet: str
    row: int  # the sheet row, as the clerk sees it now
    stt: str
    section: str  # "B.II THỦ TỤC HÀNH CHÍNH"
    task: str  # shortened to 80 characters
    lead: str
    ident: str = ""


@dataclass
class SheetStatus:
    name: str
    tasks: int = 0
    # (section code, section title) -> status -> count
    by_section: dict[tuple[str, str], Counter] = field(default_factory=dict)
    # lead body -> status -> count (a task with two leads counts for both)
    by_lead: dict[str, Counter] = field(default_factory=dict)
    late: list[LateTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        out: Counter = Counter()
        for counts in self.by_section.values():
            out.update(counts)
        return out


@dataclass
class StatusReport:
    path: Path
    sheets: list[SheetStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file (sheets skipped)

    @property
    def late(self) -> bool:
        return any(s.late for s in self.sheets)

    @property
    def late_tasks(self) -> list[LateTask]:
        return [t for s in self.sheets for t in s.late]

    @property
    def all_warnings(self) -> list[str]:
        return self.warnings + [f"{s.name}: {w}" for s in self.sheets for w in s.warnings]


def _norm(value) -> str:
    """Cell text for matching: NFC, single spaces, case-folded."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


_STATUS_BY_KEY = {_norm(s): s for s in STATUSES}


def read_status(path: Path) -> StatusReport:
    """Read a tracker a clerk has filled; explain in warnings what could not be read."""
    path = Path(path)
    wb = _open(path)
    report = StatusReport(path)
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            header = _find_header(rows)
            if header is None:
                report.warnings.append(
                    f'trang "{ws.title}": không tìm thấy dòng tiêu đề có cột "{TASK_LABEL}" '
                    f'và "{STATUS_LABEL}"; bỏ qua trang này'
                )
                continue
            report.sheets.append(_read_sheet(ws.title, rows, header))
    finally:
        wb.close()
    if not report.sheets and not report.warnings:
        report.warnings.append("tệp không có trang tính nào")
    return report


def _open(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def fail(reason: str) -> UserError:
        return UserError(f"không đọc được tệp theo dõi: {reason}", Where(path))

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail("không có tệp này") from None
    except IsADirectoryError:
        raise fail("đây là một thư mục") from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(
            "tệp .xls (Excel 97-2003) hoặc tệp được bảo vệ bằng mật khẩu; "
            "hãy mở và lưu lại dưới dạng .xlsx (không đặt mật khẩu)"
        ) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise fail("không phải tệp Excel .xlsx")
    try:
        with warnings.catch_warnings():  # openpyxl's notes on Excel extensions it drops
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        SyntaxError,
        EOFError,
        OSError,
    ) as exc:  # SyntaxError: XML ParseError
        raise fail(f"tệp hỏng hoặc không phải .xlsx ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class _Columns:
    task: int
    status: int
    stt: int | None
    lead: int | None
    ident: int | None
    section: int | None


def _find_header(rows: list[tuple]) -> tuple[int, _Columns] | None:
    """The first row holding both "Nhiệm vụ cụ thể" and "Trạng thái" (0-based index)."""
    task_key, status_key = _norm(TASK_LABEL), _norm(STATUS_LABEL)
    for i, values in enumerate(rows):
        labels = [_norm(v) for v in values]
        if task_key in labels and status_key in labels:
            return i, _Columns(
                task=labels.index(task_key),
                status=labels.index(status_key),
                stt=_first(labels, lambda lab: lab == "stt"),
                lead=_first(labels, lambda lab: "chủ trì" in lab),  # Cơ quan/Đơn vị chủ trì
                ident=_first(labels, lambda lab: lab == _norm(ID_LABEL)),
                section=_first(labels, lambda lab: lab == _norm(SECTION_LABEL)),
            )
    return None


def _first(labels: list[str], pred) -> int | None:
    return next((c for c, lab in enumerate(labels) if lab and pred(lab)), None)


def _split_bodies(lead: str) -> list[str]:
    return [b for b in (p.strip() for p in lead.split(";")) if b]


def _code_order(codes: set[str]) -> dict[str, tuple]:
    """Sort keys for section codes like "B.IV": per level, Roman numerals by value when every
    code at that level is one (I, II, …, VIII), else letters as A < B < … < Z < AA."""
    from .text import roman

    romans = {roman(n): n for n in range(1, 400)}
    split = {c: c.split(".") for c in codes}
    depth = max((len(p) for p in split.values()), default=0)
    by_roman = [
        all(p[i].upper() in romans for p in split.values() if len(p) > i) for i in range(depth)
    ]

    def part(i: int, p: str) -> tuple:
        if p.isdigit():
            return (0, int(p), "")
        if by_roman[i]:
            return (1, romans[p.upper()], "")
        return (2, len(p), p.upper())

    return {c: tuple(part(i, p) for i, p in enumerate(parts)) for c, parts in split.items()}


def _shorten(text: str, limit: int = TASK_SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Task:
    row: int
    ident: str
    stt: str
    text: str
    status: str  # as typed
    section: str  # a key of `sections` below
    lead: str


def _read_sheet(name: str, rows: list[tuple], header: tuple[int, _Columns]) -> SheetStatus:
    start, cols = header
    sheet = SheetStatus(name)
    if cols.ident is None:
        sheet.warnings.append(f'không có cột "{ID_LABEL}": nhận biết dòng mục theo STT')
    if cols.lead is None:
        sheet.warnings.append('không có cột "Cơ quan chủ trì": không đếm được theo cơ quan')
    if cols.section is None:
        sheet.warnings.append(
            f'không có cột "{SECTION_LABEL}": nhận biết mục theo thứ tự '
            "dòng (nếu các dòng đã bị sắp xếp lại, số liệu theo mục sai)"
        )

    def cell(values: tuple, c: int | None) -> str:
        return _text(values[c]) if c is not None and c < len(values) else ""

    # A section is known by its code path ("B.II", from the hidden "Mã mục" cell) or, when
    # that cell is missing, by the row it sits on ("#12"): key -> [code, title].
    sections: dict[str, list[str]] = {}
    tasks: list[_Task] = []
    seen: dict[str, int] = {}
    current = ""  # positional fallback: the key of the last section row above
    for i, values in enumerate(rows[start + 1 :], start + 2):  # i: the 1-based sheet row
        ident, stt = cell(values, cols.ident), cell(values, cols.stt)
        text, status = cell(values, cols.task), cell(values, cols.status)
        code = cell(values, cols.section)
        if ident.startswith(SECTION_PREFIX) or (
            not ident and stt and not stt.isdigit() and not status
        ):
            key = code or f"#{i}"
            entry = sections.setdefault(key, [code or stt, text])
            entry[1] = entry[1] or text
            current = key
            continue
        if not (ident or text or status):
            continue  # a blank or spacer row
        if ident:
            if ident in seen:
                sheet.warnings.append(
                    f"dòng {i}: mã nhiệm vụ '{ident}' trùng với dòng {seen[ident]}; bỏ qua dòng này"
                )
                continue
            seen[ident] = i
        key = code or current
        if key and key not in sections:
            sections[key] = [code, ""]
        tasks.append(_Task(i, ident, stt, text, status, key, cell(values, cols.lead)))

    coded = _code_order({k for k in sections if not k.startswith("#")})

    def order(key: str) -> tuple:
        if key in coded:
            return (0, coded[key], 0)
        return (1, (), int(key[1:]) if key.startswith("#") else 0)

    def label(key: str) -> tuple[str, str]:
        code, title = sections.get(key, ("", ""))
        return code, title

    used = sorted({t.section for t in tasks}, key=order)
    sheet.by_section = {label(k): Counter() for k in used}
    for t in sorted(tasks, key=lambda t: (order(t.section), _stt_order(t.stt), t.row)):
        status = _STATUS_BY_KEY.get(_norm(t.status)) if t.status else NOT_STARTED
        if status is None:
            sheet.warnings.append(
                f"dòng {t.row}: trạng thái '{t.status}' không hợp lệ "
                f"(chọn một trong: {', '.join(STATUSES)})"
            )
            status = UNKNOWN
        sheet.tasks += 1
        sheet.by_section[label(t.section)][status] += 1
        for body in _split_bodies(t.lead) or ["(không ghi)"]:
            body = body[:1].upper() + body[1:]  # "…; các cơ quan X" is "Các cơ quan X"
            same = next((k for k in sheet.by_lead if k.casefold() == body.casefold()), body)
            sheet.by_lead.setdefault(same, Counter())[status] += 1
        if status == LATE:
            section = " ".join(p for p in label(t.section) if p)
            sheet.late.append(
                LateTask(name, t.row, t.stt, section, _shorten(t.text), t.lead, t.ident)
            )
    sheet.warnings.sort(key=lambda w: int(m.group(1)) if (m := re.match(r"dòng (\d+)", w)) else 0)
    sheet.by_lead = dict(sorted(sheet.by_lead.items(), key=lambda kv: kv[0].casefold()))
    return sheet


def _stt_order(stt: str) -> tuple:
    return (0, int(stt), "") if stt.isdigit() else (1, 0, stt)


# =========================================================================== printing


def _table(title: str, rows: list[tuple[str, Counter]], statuses: list[str]) -> list[str]:
    label_width = min(48, max([len(title)] + [len(label) for label, _ in rows]))
    heads = [*statuses, "Tổng"]
    widths = [max(len(h), 4) for h in heads]

    def line(label: str, cells: list[str]) -> str:
        label = _shorten(label, label_width)
        return (
            "  "
            + label.ljust(label_width)
            + "".join("  " + c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )

    out = [line(title, heads)]
    out.append("  " + "-" * (label_width + sum(w + 2 for w in widths)))
    for label, counts in rows:
        out.append(
            line(label, [str(counts.get(s, 0)) for s in statuses] + [str(sum(counts.values()))])
        )
    return out


def format_report(report: StatusReport) -> str:
    """Plain Vietnamese text for the terminal."""
    out = [f"Tệp theo dõi: {report.path}"]
    for sheet in report.sheets:
        statuses = list(STATUSES)
        if any(c.get(UNKNOWN) for c in sheet.by_section.values()):
            statuses.append(UNKNOWN)
        out += ["", f"== {sheet.name}: {sheet.tasks} nhiệm vụ =="]
        if not sheet.tasks:
            out.append("  (không có nhiệm vụ nào)")
        else:
            sections = [
                (f"{code} {title}".strip() or "(không rõ mục)", counts)
                for (code, title), counts in sheet.by_section.items()
            ]
            sections.append(("Cộng", sheet.totals))
            out += _table("Theo mục", sections, statuses)
            out.append("")
            out += _table("Theo cơ quan chủ trì", list(sheet.by_lead.items()), statuses)
            out.append("  (nhiệm vụ có nhiều cơ quan chủ trì được tính cho từng cơ quan)")
    late = report.late_tasks
    out.append("")
    if late:
        out.append("Nhiệm vụ chậm tiến độ:")
        for t in late:
            out.append(
                f"  - {t.sheet}, mục {t.section}, STT {t.stt or '?'} (dòng {t.row}): {t.task}"
            )
            out.append(f"    Chủ trì: {t.lead or '(không ghi)'}")
    else:
        out.append("Không có nhiệm vụ chậm tiến độ.")
    problems = report.all_warnings
    if problems:
        out += ["", "Cảnh báo:"] + [f"  - {w}" for w in problems]
    return "\n".join(out)
