"""What reading an appendix DOCX gives (`SourceTable`: title, columns, section and task rows,
notes for the report), and the small text rules every reading step shares: which column a
header label names, what a section code looks like."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.core.text import nfc

KEYS = ("stt", "task", "lead", "support", "deadline", "product", "note")
KEY_NAMES = {
    "stt": "STT",
    "task": "Nhiệm vụ",
    "lead": "Chủ trì",
    "support": "Phối hợp",
    "deadline": "Thời gian hoàn thành",
    "product": "Sản phẩm",
    "note": "Ghi chú",
}

ROMAN_RE = re.compile(r"^(?=[IVX])X{0,3}(IX|IV|V?I{0,3})$")
LETTER_RE = re.compile(r"^[A-Z]$")
CODE_TITLE_RE = re.compile(r"^(?P<code>[A-Z]|[IVX]+)(?:\s*[.):–-]\s*|\s+)(?P<title>\S.*)$", re.S)
NUMBER_RE = re.compile(r"^\d{1,4}[.)]?$")
COLUMN_NUMBER_RE = re.compile(r"^\(?(\d{1,2})\)?$")


def fold(text: str) -> str:
    """NFC, every run of white space (no-break spaces and line breaks too) as one space."""
    return " ".join(nfc(text).split())


def column_key(label: str) -> str | None:
    """The column a header label names, or None: "Cơ quan chủ trì" -> "lead"."""
    t = fold(label).lower()
    if not t:
        return None
    if t in ("stt", "tt", "số tt", "số thứ tự") or re.match(r"^(stt|số tt)\b", t):
        return "stt"
    if "chủ trì" in t:
        return "lead"
    if "phối hợp" in t:
        return "support"
    if "nhiệm vụ" in t or "nội dung" in t or "giải pháp" in t:
        return "task"
    if "thời gian" in t or "tiến độ" in t or "thời hạn" in t:
        return "deadline"
    if "sản phẩm" in t or "kết quả" in t:
        return "product"
    if t.startswith("ghi chú"):
        return "note"
    return None


def section_code(text: str) -> str | None:
    """'A' / 'II' / 'B.' -> the code; anything else None."""
    t = fold(text).rstrip(".)").strip()
    if ROMAN_RE.match(t) or LETTER_RE.match(t):
        return t
    return None


def is_roman(code: str) -> bool:
    return bool(ROMAN_RE.match(code))


@dataclass
class Note:
    """Something the report should say: `kind` is "odd" (a cell that looked wrong),
    "skipped" (a row left out on purpose) or "check" (to check by hand)."""

    kind: str
    text: str
    row: str = ""  # "dòng 12" or "bảng 2, dòng 3"; empty when about the whole table


@dataclass
class Column:
    key: str
    label: str
    width: float  # twips (or any unit: only the ratios count)
    start: int  # first grid column
    span: int


@dataclass
class Row:
    kind: str  # "section" | "task"
    where: str  # "dòng 12"
    code: str = ""  # section code as written ("A", "II"), or the task's STT
    title: str = ""  # section title
    level: int = 1  # sections only
    cells: dict[str, str] = field(default_factory=dict)  # tasks: key -> text (NFC)
    bullets: dict[str, bool] = field(default_factory=dict)  # cell written as "- …" lines


@dataclass
class SourceTable:
    label: str  # "Phụ lục II", "PHỤ LỤC" or "" when there is none
    numeral: str | None  # "II"
    title: str  # folded, as written
    guide: str  # "(Kèm theo Kế hoạch số …)" or ""
    columns: list[Column]
    rows: list[Row]
    rows_read: int  # table rows looked at, header rows included
    tables: int  # tables joined
    notes: list[Note]
    ignored_columns: list[str]
