"""Who issued a province's plan, its number and its date, as the documents say it: the
Nghị định 30 header of the plan ("ỦY BAN NHÂN DÂN / TỈNH LAI CHÂU", "Số: 1468/KH-UBND",
"Lai Châu, ngày 16 tháng 6 năm 2026") or the guide line of an appendix ("(Kèm theo Kế
hoạch số 199/KH-UBND ngày 20/6/2027 của UBND tỉnh Lạng Sơn)").

A number left blank ("Số:     /KH-UBND") is a draft's, not a missing one; a day left blank
("ngày    tháng 6 năm 2026") gives a month-only date, as plangen writes drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.core.dates import PlanDate
from generator.core.errors import UserError, Where
from generator.model.legal import Legal
from generator.readback.source import fold

_NUMBER = re.compile(
    r"(?<!\w)số\s*:?\s*(?P<number>\d{1,9})?\s*/\s*(?P<symbol>[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*)",
    re.IGNORECASE,
)
_LONG_DATE = re.compile(
    r"(?<!\w)ngày\s*(?P<day>\d{1,2})?\s*tháng\s*(?P<month>\d{1,2})\s*năm\s*(?P<year>\d{4})",
    re.IGNORECASE,
)
_SHORT_DATE = re.compile(
    r"(?<!\w)ngày\s*(?P<day>\d{1,2})?\s*[/.]\s*(?P<month>\d{1,2})\s*[/.]\s*(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)
_LEVEL_NAME = re.compile(r"^(?P<level>TỈNH|THÀNH PHỐ)\s+(?P<name>\S.*)$")
_ISSUER = re.compile(
    r"\bcủa\s+(?P<issuer>(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?P<level>tỉnh|thành phố)"
    r"(?:\s+(?P<name>[^\s,;()][^,;()]*?))?)\s*\)?\s*$",
    re.IGNORECASE,
)


@dataclass
class Issued:
    """What one document says of the province's plan; None where it says nothing."""

    province: str | None = None  # "Lai Châu"
    level: str | None = None  # "tỉnh" | "thành phố"
    number: str | None = None  # "1468"; None while blank
    symbol: str | None = None  # "KH-UBND"
    date: PlanDate | None = None
    issuer: str | None = None  # "UBND tỉnh Lai Châu"
    numbered: bool = False  # a "Số: …/…" was seen (a blank number is a draft's)
    sources: list[str] = field(default_factory=list)  # where each part was read

    def said(self) -> str:
        """'Kế hoạch số 1468/KH-UBND ngày 16/6/2026 của UBND tỉnh Lai Châu'."""
        parts = ["Kế hoạch"]
        if self.numbered:
            parts.append(f"số {self.number or '…'}/{self.symbol}")
        if self.date is not None:
            parts.append(f"ngày {self.date.short().strip()}")
        if self.issuer:
            parts.append(f"của {self.issuer}")
        return " ".join(parts)


def plan_date(text: str) -> PlanDate | None:
    """The date of "ngày 16 tháng 6 năm 2026", "ngày 20/6/2027", "ngày   /7/2026" (a draft:
    month only), or None."""
    found = _LONG_DATE.search(text) or _SHORT_DATE.search(text)
    if not found:
        return None
    day = int(found["day"]) if found["day"] else None
    try:
        return PlanDate.parse(f"{found['year']}-{found['month']}" + (f"-{day}" if day else ""))
    except ValueError:
        return None


def number_of(text: str) -> tuple[str | None, str] | None:
    """(number or None when blank, symbol) of "Số: 1468/KH-UBND", or None."""
    found = _NUMBER.search(text)
    if not found:
        return None
    number = (found["number"].lstrip("0") or "0") if found["number"] else None
    return number, found["symbol"].upper()


def province_name(upper: str, legal: Legal) -> str:
    """'LAI CHÂU' as the province list writes it ('Lai Châu'), else each word capitalised."""
    for p in legal.provinces:
        if p.name.upper() == upper.upper():
            return p.name
    for m in legal.merged:
        if m.name.upper() == upper.upper():
            return m.name
    return " ".join(w[:1].upper() + w[1:].lower() for w in upper.split())


def from_header(left: list[str], right: list[str], legal: Legal, source: str) -> Issued:
    """The plan's header: issuer lines and "Số: …" on the left, place and date on the right."""
    out = Issued()
    for line in left:
        m = _LEVEL_NAME.match(fold(line).upper())
        if m and out.province is None:
            out.level = m["level"].lower()
            out.province = province_name(m["name"], legal)
            out.issuer = f"UBND {out.level} {out.province}"
            out.sources.append(f'{source}: "{fold(line)}"')
        got = number_of(line)
        if got is not None and not out.numbered:
            out.number, out.symbol = got
            out.numbered = True
            out.sources.append(f'{source}: "{fold(line)}"')
    for line in [*right, *left]:
        date = plan_date(line)
        if date is not None:
            out.date = date
            out.sources.append(f'{source}: "{fold(line)}"')
            break
    return out


def from_guide(guide: str, legal: Legal, source: str) -> Issued:
    """An appendix's guide line, when it cites a plan of a province (UBND tỉnh …): a
    commune's or a board's appendix cites its own plan, which is not the edition's."""
    out = Issued()
    text = fold(guide)
    m = _ISSUER.search(text.rstrip(" .)") + ")")
    if not m:
        return out
    out.level = m["level"].lower()
    if m["name"]:
        name = m["name"].strip().rstrip(".")
        out.province = province_name(name.upper(), legal)
        out.issuer = f"UBND {out.level} {out.province}"
    got = number_of(text)
    if got is not None:
        out.number, out.symbol = got
        out.numbered = True
    out.date = plan_date(text)
    out.sources.append(f'{source}: "{text}"')
    return out


FIELDS = ("province", "level", "number", "symbol", "date", "issuer")


def merge(first: Issued, other: Issued, where: Where) -> Issued:
    """What two documents of one plan say together; where both say a thing, the same thing
    (else the files are of two plans: a UserError at `where`)."""
    for name in FIELDS:
        mine, theirs = getattr(first, name), getattr(other, name)
        if theirs is None:
            continue
        if mine is None:
            setattr(first, name, theirs)
        elif mine != theirs and not (name == "date" and _fills(mine, theirs)):
            said = (
                (other.province, first.province)
                if name == "province"
                else (other.said(), first.said())
            )
            raise UserError(
                f"tệp này ghi {said[0]}, các tệp trước ghi {said[1]}: các tệp phải của cùng "
                "một kế hoạch",
                where,
            )
        elif name == "date" and mine.day is None:
            first.date = theirs
    first.numbered = first.numbered or other.numbered
    first.sources += other.sources
    return first


def _fills(a: PlanDate, b: PlanDate) -> bool:
    """A draft's month-only date and a full date of that month say the same plan."""
    return (a.year, a.month) == (b.year, b.month) and (a.day is None or b.day is None)
