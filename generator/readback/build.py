"""A source table (read by docxread) turned into the catalog to write: its title, columns,
sections and tasks, ids, roles, and the omits for kinds the source's wording does not fit,
everything decided said in the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.model.catalog import Catalog
from generator.model.kinds import KindView
from generator.model.legal import advice
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.readback.bodies import Bodies
from generator.readback.checks import continuous, duplicate_catalogs, numbering_notes
from generator.readback.draft import CatalogOut, SectionOut, TaskOut
from generator.readback.hints import Hints
from generator.readback.ids import assign_ids
from generator.readback.omits import omit_for_other_kinds
from generator.readback.report import ImportReport
from generator.readback.roles import CellRoles, unit_bodies
from generator.readback.source import KEY_NAMES, Column, Row, SourceTable
from generator.readback.titles import Titles, index_name, percent, placeholder_safe

UNKNOWN_FIELD = "Chưa xác định"
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass
class Setting:
    """Who imports, into what: the unit whose bodies the cells name, and the edition's
    state the new catalog must fit (ids taken, the other appendices)."""

    ws: Workspace
    kind: KindView
    unit: Unit
    slug: str
    taken: set[str] = field(default_factory=set)  # section and task ids already used
    others: list[Catalog] = field(default_factory=list)  # the edition's other appendices
    names: tuple[str, ...] = ()  # proper names besides the unit's (its province, its issuer)
    bodies: Bodies | None = None  # the unit's bodies as matched (set by the first Builder)


class Builder:
    def __init__(self, setting: Setting, table: SourceTable, report: ImportReport,
                 target: Path, year: int) -> None:  # fmt: skip
        self.ws, self.kind, self.unit = setting.ws, setting.kind, setting.unit
        self.setting = setting
        self.table, self.report, self.target, self.year = table, report, target, year
        slug = setting.slug
        rendered, declared, aliases = unit_bodies(self.ws, self.kind, self.unit, slug, year)
        hints = Hints(self.ws, self.kind, self.unit, slug, target)
        bodies = Bodies(rendered, declared, aliases)
        setting.bodies = bodies
        self.roles = CellRoles(bodies, hints, report, slug, declared)
        self.titles = Titles.for_table(table, self.unit, rendered, setting.names)

    def build(self, catalog_id: str) -> CatalogOut:
        t, r = self.table, self.report
        index = index_name(t.title, catalog_id)
        if index is None:
            index = "CHƯA RÕ"
            r.check.append(
                "không nhận ra tên chỉ số (SIPAS, PAR INDEX, CCHC) trong tiêu đề: đã ghi "
                '"index: CHƯA RÕ", sửa tay'
            )
        numeral = t.numeral
        if numeral and numeral not in NUMERALS:
            r.check.append(f'số phụ lục "{numeral}" ngoài I-X: bỏ trống appendix')
            numeral = None
        title = self.titles.catalog_title(t.title, self.unit, r.check)
        columns = self.columns()
        sections = self.sections()
        catalog = CatalogOut(catalog_id, numeral, index, self.year, title, None, columns, sections)
        running = continuous(t.rows)
        if running:
            catalog.numbering = "continuous"
            r.check.append(
                "số thứ tự nhiệm vụ chạy liên tục qua các mục (1, 2, … cả bảng): catalog ghi "
                '"numbering: continuous"'
            )
        assign_ids(catalog, self.setting.taken, self.year)
        for section in catalog.all_sections():  # roles once ids are known (the report names them)
            for task in section.tasks:
                assert task.row is not None
                self.roles.task(task, task.row)
        catalog.bodies = self.layout()
        r.omits += omit_for_other_kinds(self.ws, self.kind, catalog)
        r.heading = f"{t.label or 'không có dòng Phụ lục'}, chỉ số {index}, năm {self.year}"
        r.title = title
        r.sections = sum(1 for _ in catalog.all_sections())
        r.tasks = sum(len(s.tasks) for s in catalog.all_sections())
        r.rows_read, r.tables = t.rows_read, t.tables
        for note in t.notes:
            text = f"{note.row}: {note.text}" if note.row else note.text
            {"odd": r.odd, "skipped": r.skipped}.get(note.kind, r.check).append(text)
        r.check += numbering_notes(t.rows, running)
        r.check += duplicate_catalogs(self.setting.others, catalog)
        for s in catalog.all_sections():
            if not s.tasks and not s.sections:
                r.check.append(f'mục "{s.title}" không có nhiệm vụ nào: plangen không in mục rỗng')
        self.legal()
        return catalog

    def legal(self) -> None:
        """Bodies abolished, merged or renamed in 2025 that the source names, with what
        replaced them (catalogs/legal/bodies.yaml)."""
        legal = self.ws.legal
        texts = [("tiêu đề", self.table.title)]
        texts += [(row.where, text) for row in self.table.rows for text in row.cells.values()]
        texts += [(row.where, row.title) for row in self.table.rows if row.kind == "section"]
        seen: set[tuple[str, str]] = set()
        found: dict[str, list] = {}  # a table repeats its cells: each text is searched once
        for where, text in texts:
            if text not in found:
                found[text] = legal.abolished(text)
            for name, body in found[text]:
                if (where, body.names[0]) not in seen:
                    seen.add((where, body.names[0]))
                    self.report.legal.append(f"{where}: {advice(name, body)}")

    def columns(self) -> list[dict]:
        cols = list(self.table.columns)
        r = self.report
        if not any(c.key == "stt" for c in cols):
            r.check.append('bảng không có cột STT: đã thêm cột "STT" (plangen đánh số)')
            total = sum(c.width for c in cols) or 1.0
            cols.insert(0, Column("stt", "STT", total * 5 / 95, -1, 1))
        elif cols[0].key != "stt":
            r.check.append("cột STT không đứng đầu bảng: đã chuyển lên đầu")
            cols.sort(key=lambda c: c.key != "stt")
        for key in ("deadline", "product"):
            if not any(c.key == key for c in cols):
                r.check.append(
                    f'bảng không có cột "{KEY_NAMES[key]}": catalog ghi '
                    f'"{UNKNOWN_FIELD}" cho mọi nhiệm vụ (cột này không được in)'
                )
        widths = percent([c.width for c in cols], [c.key for c in cols])
        r.columns = [f"{c.label} {w:g}%" for c, w in zip(cols, widths, strict=True)]
        return [
            {"key": c.key, "label": c.label, "width": w} for c, w in zip(cols, widths, strict=True)
        ]

    def layout(self) -> str | None:
        default = self.kind.bodies or "inline"
        if self.roles.bullet_cells > self.roles.inline_cells and default != "lines":
            self.report.check.append(
                'cơ quan trong ô được ghi mỗi cơ quan một dòng "- …": catalog ghi "bodies: lines"'
            )
            return "lines"
        return None

    def sections(self) -> list[SectionOut]:
        top: list[SectionOut] = []
        stack: list[SectionOut] = []
        for row in self.table.rows:
            if row.kind == "section":
                section = SectionOut("", self.titles.sentence(row.title), row.level)
                while stack and stack[-1].level >= row.level:
                    stack.pop()
                (stack[-1].sections if stack else top).append(section)
                stack.append(section)
                continue
            if not stack:
                general = SectionOut("", "Nhiệm vụ chung", 1)
                general.notes["title"] = [
                    "TODO: bảng gốc có nhiệm vụ không thuộc mục nào; mục này do plangen thêm"
                ]
                self.report.check.append(
                    f'{row.where}: nhiệm vụ đứng trước mục đầu tiên: đã đặt vào mục "Nhiệm vụ '
                    'chung" (bảng in ra sẽ có thêm dòng mục này)'
                )
                top.append(general)
                stack.append(general)
            stack[-1].tasks.append(self.task(row))
        return top

    def task(self, row: Row) -> TaskOut:
        note = " ".join(row.cells.get("note", "").split()) if "note" in row.cells else ""
        return TaskOut(
            id="",
            text=placeholder_safe(row.cells.get("task", "")),
            lead=[],
            support=[],
            deadline=self.plain_field(row, "deadline"),
            product=self.plain_field(row, "product"),
            row=row,
            note=placeholder_safe(row.cells["note"].strip()) if note else None,
        )

    def plain_field(self, row: Row, key: str) -> str:
        if key not in row.cells:
            return UNKNOWN_FIELD
        value = row.cells[key].strip()
        if not value:
            self.report.odd.append(
                f'{row.where}: ô "{KEY_NAMES[key]}" trống: ghi tạm "{UNKNOWN_FIELD}"'
            )
            return UNKNOWN_FIELD
        return placeholder_safe(value)
