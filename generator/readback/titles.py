"""The words of the catalog outside the tasks: the title and section titles in sentence case,
the index name, the year, the column widths in percents, and text made safe for the
placeholder engine."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.core.text import capitalize_first
from generator.model.unit import Unit
from generator.readback.source import ROMAN_RE, SourceTable, fold

INDEX_NAMES = ("SIPAS", "PAR INDEX", "CCHC")
ACRONYMS = {
    "SIPAS", "PAR", "INDEX", "CCHC", "PCI", "PAPI", "UBND", "HĐND", "TTHC", "PAKN", "CBCCVC",
    "CCVC", "CBCC", "VBQPPL", "TTĐT", "DVC", "CNTT", "MTTQ", "MTTQVN", "KTCK", "QLCK", "BHXH",
    "BQL", "KT-XH", "ĐTĐ", "NDXP",
}  # fmt: skip
PROPER = ("Việt Nam", "Chính phủ", "Trung ương", "Mặt trận Tổ quốc", "Bộ Nội vụ")
DEFAULT_WIDTHS = {
    "stt": 5,
    "task": 33,
    "lead": 15,
    "support": 15,
    "deadline": 9,
    "product": 23,
    "note": 10,
}
YEAR_MIN, YEAR_MAX = 2000, 2100  # as models.Catalog.year

_WORD = re.compile(r"[\w-]+")
_INDEX = re.compile(
    r"(?<!\w)chỉ số(?= (?:SIPAS|PAR INDEX|CCHC|PCI|PAPI|cải cách hành chính|hài lòng))"
)
_TITLE_TAIL = re.compile(r"\s*(?:năm\s+)?\d{4}\s*(\([^()]*\))?\s*$", re.I)
_TITLE_YEAR = re.compile(r"(?<!\w)năm\s+(\d{4})(?!\d)", re.IGNORECASE)
_GUIDE_DATE = re.compile(
    r"(?<![\d/])(?:\d{1,2}\s*)?/\s*\d{1,2}\s*/\s*(\d{4})(?![\d/])"  # 06/7/2026, draft: /7/2026
    r"|(?<!\d)\d{1,2}\.\d{1,2}\.(\d{4})(?!\d)"  # 06.7.2026
    r"|(?<!\w)tháng\s+\d{1,2}\s+năm\s+(\d{4})(?!\d)",
    re.IGNORECASE,
)
_OPEN = re.compile(r"\{(?=[{%#])")


def placeholder_safe(text: str) -> str:
    """Catalog text goes through the placeholder engine: keep a literal "{{", "{%" or "{#"
    (resolve.placeholders: a brace written as {{ '{' }})."""
    return _OPEN.sub("{{ '{' }}", text)


class Titles:
    """Titles written in capitals, in sentence case: lower case except abbreviations (and
    the source's own all-caps words), Roman numerals, proper names (the unit's, its bodies',
    its province's), and "Chỉ số" before an index name."""

    def __init__(self, acronyms: set[str], names: Iterable[str]) -> None:
        self.acronyms = ACRONYMS | acronyms
        proper = proper_names(names)
        self.proper = {n.lower(): n for n in proper}
        self._proper = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(n) for n in proper) + r")(?!\w)", re.IGNORECASE
            )
            if proper
            else None
        )

    @classmethod
    def for_table(cls, table: SourceTable, unit: Unit, roles: dict, names=()) -> Titles:
        texts = {text for row in table.rows for text in row.cells.values()}  # each once
        bodies = [b for found in roles.values() for b in found]
        return cls(acronyms_in(texts), [unit.name, unit.issuer or "", *names, *bodies])

    def sentence(self, text: str) -> str:
        text = fold(text)
        if text.upper() != text:
            return capitalize_first(text)

        def word(m: re.Match) -> str:
            w = m.group()
            return w if w in self.acronyms or ROMAN_RE.match(w) else w.lower()

        text = _WORD.sub(word, text)
        if self._proper is not None:
            text = self._proper.sub(lambda m: self.proper.get(m.group().lower(), m.group()), text)
        return capitalize_first(_INDEX.sub("Chỉ số", text))

    def catalog_title(self, title: str, unit: Unit, check: list[str]) -> str:
        """The title without the unit's name and the year (plangen prints them)."""
        if not title:
            check.append("không thấy tiêu đề phụ lục trước bảng: đã ghi tạm, sửa tay")
            return "Các nhiệm vụ, giải pháp (chưa có tiêu đề)"
        tail = _TITLE_TAIL.search(title)
        cut = title[: tail.start()].strip() if tail else title
        if tail and tail.group(1):
            check.append(
                f'tiêu đề: đã bỏ "{tail.group(1)}" sau năm (plangen in tiêu đề, tên đơn vị và '
                "năm); ghi lại vào title nếu cần"
            )
        name = fold(unit.name)
        if name and cut.lower().endswith(name.lower()):
            cut = cut[: len(cut) - len(name)].rstrip()
            cut = re.sub(r"\s+của$", "", cut, flags=re.I)
        elif unit.show_name and name:
            check.append(
                f'tiêu đề không kết thúc bằng tên đơn vị "{unit.name}": kiểm tra tiêu đề '
                "(plangen thêm tên đơn vị và năm khi in)"
            )
        if cut.upper() == cut:
            check.append(
                "tiêu đề và tên mục được đổi từ chữ in hoa sang chữ thường: kiểm tra chữ hoa của "
                "tên riêng"
            )
        return self.sentence(cut)


def acronyms_in(texts: Iterable[str]) -> set[str]:
    """Upper-case words of mixed-case texts: TTHC, PAKN, CBCCVC, UBND."""
    found: set[str] = set()
    for text in texts:
        if text.upper() == text:
            continue
        for w in _WORD.findall(text):
            if len(w) >= 2 and w.upper() == w and any(c.isalpha() for c in w):
                found.add(w)
    return found


def proper_names(names: Iterable[str]) -> list[str]:
    """The names (with the usual ones: Việt Nam, Chính phủ, …) holding a capital after their
    first letter, longest first."""
    every = {*PROPER, *(n for n in names if n)}
    capitalised = [n for n in every if sum(c.isupper() for c in n[1:]) >= 1]
    return sorted(capitalised, key=lambda n: (-len(n), n))


def index_name(title: str, catalog_id: str) -> str | None:
    t = title.upper()
    found = [name for name in INDEX_NAMES if name in t]
    if "PAR INDEX" in found and "CCHC" in found:
        found.remove("CCHC")
    if not found:
        low = title.lower()
        if "hài lòng" in low:
            found = ["SIPAS"]
        elif "cải cách hành chính" in low:
            found = ["PAR INDEX"]
    if not found:
        ident = catalog_id.replace("-", " ").upper()
        found = [name for name in INDEX_NAMES if name in ident]
    return ", ".join(found) if found else None


def year_of(table: SourceTable, source: Path) -> int:
    """The appendix's year: "NĂM yyyy" in the title, else the date of the guide line
    ("ngày 06/7/2026", "ngày 23 tháng 6 năm 2026"); never a plan's number ("Kế hoạch số
    2045/KH-UBND") nor today's date: without a year the import stops and says where to
    write it."""
    found = _TITLE_YEAR.findall(table.title)
    if found:
        year, where = int(found[-1]), "tiêu đề"
    else:
        dates = [next(y for y in found if y) for found in _GUIDE_DATE.findall(table.guide)]
        if not dates:
            raise UserError(
                'không thấy năm của phụ lục: tiêu đề cần có "NĂM yyyy" (ví dụ "… TỈNH LẠNG SƠN '
                'NĂM 2027") hoặc dòng "(Kèm theo Kế hoạch số … ngày dd/mm/yyyy …)"; sửa tệp '
                "rồi nhập lại",
                Where(source),
            )
        year, where = int(dates[-1]), "dòng Kèm theo"
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise UserError(
            f"năm {year} ở {where} nằm ngoài khoảng {YEAR_MIN}-{YEAR_MAX}: sửa năm trong tệp "
            "rồi nhập lại",
            Where(source),
        )
    return year


def percent(widths: list[float], keys: list[str]) -> list[int]:
    """Widths as whole percents summing to 100 (largest remainders round up)."""
    total = sum(w for w in widths if w > 0)
    if not total or not math.isfinite(total) or any(not 0 < w < math.inf for w in widths):
        widths = [float(DEFAULT_WIDTHS[k]) for k in keys]
        total = sum(widths)
    exact = [100 * w / total for w in widths]
    out = [max(1, int(x)) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for i in order[: max(0, 100 - sum(out))]:
        out[i] += 1
    return out
