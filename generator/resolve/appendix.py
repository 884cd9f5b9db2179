"""The resolved appendix: plain, final text, nothing left to look up.

Everything after `resolve` (DOCX, XLSX tracker, PDF) works from an `Appendix` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from generator.core.frozen import FrozenDict


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    width: float  # percent of the text width


@dataclass(frozen=True)
class Row:
    """A section heading (``is_section``) or a task; `cells` maps column key to text."""

    code: str
    cells: FrozenDict  # column key -> text
    path: tuple[str, ...]  # section codes above and including this row's section
    ident: str  # task or section id in the catalog
    is_section: bool = False
    # The bodies behind the "lead" and "support" cells, one name each, without notes
    # ("Sở Tài chính", not "Sở Tài chính (tham mưu kinh phí)"): who does what, for the plan body.
    bodies: FrozenDict = field(default_factory=FrozenDict)
    # "catalog"; "own" for a task of the unit's own (its profile's `add`); "assigned" for a
    # task the province's table names the unit for, which its kind would leave out.
    origin: str = "catalog"

    @property
    def title(self) -> str:
        return self.cells.get("task", "")


@dataclass(frozen=True)
class Appendix:
    unit: str  # unit slug
    unit_name: str
    catalog: str  # catalog id
    catalog_hash: str
    numeral: str  # "II"
    index: str  # "SIPAS"
    year: int
    label: str  # "Phụ lục II", or "PHỤ LỤC" for a plan's single appendix
    title: str  # upper case, with the unit's name and the year
    guide: str  # "(Kèm theo Kế hoạch số …)"
    columns: tuple[ColumnSpec, ...]
    rows: tuple[Row, ...]
    title_tail: str = ""  # the end of `title` naming the unit and year: "XÃ ĐÌNH LẬP NĂM 2026"
    unit_short: str = ""  # "xã", "Sở"
    issuer: str = ""  # the issuing body in full: "Ủy ban nhân dân xã Đình Lập", "Sở Y tế"
    plan_number: str = ""  # "235", or blanks for the văn thư
    plan_symbol: str = ""  # "KH-UBND"
    plan_date: str = ""  # "06/7/2026", or "    /7/2026"

    @property
    def running_label(self) -> str:
        """How running text names the appendix: "Phụ lục II", or "Phụ lục" for an
        unnumbered one (whose heading is "PHỤ LỤC")."""
        return f"Phụ lục {self.numeral}" if self.numeral else "Phụ lục"

    @property
    def tasks(self) -> list[Row]:
        return [r for r in self.rows if not r.is_section]

    @property
    def sections(self) -> list[Row]:
        return [r for r in self.rows if r.is_section]

    @cached_property
    def codes_under(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Each section's path -> the full codes of every task under it ("B.II.2")."""
        under: dict[tuple[str, ...], list[str]] = {}
        for row in self.tasks:
            code = ".".join((*row.path, row.code))
            for depth in range(1, len(row.path) + 1):
                under.setdefault(row.path[:depth], []).append(code)
        return {path: tuple(codes) for path, codes in under.items()}
