"""The rows of the task table, one by one: section rows, task rows, and what to skip.

- a section row holds a letter (A, B) or a Roman numeral (I, II) in the STT cell with the
  title merged across the other cells (or the other cells empty), or one merged cell
  holding "A. TITLE"; letters are level 1, Roman numerals level 2 under a letter (level 1
  without letters);
- vertically merged cells take the text of the cell where the merge starts; a row with no
  STT and no section code continues the task above it (a row split by hand across pages);
- repeated header rows, a "(1) (2) (3) …" numbering row and empty rows are skipped.

Everything odd is noted (`Note`) for the import report, nothing is silently dropped.
"""

from __future__ import annotations

import re

from generator.readback.docxtable import Table
from generator.readback.docxxml import Cell, cells
from generator.readback.source import (
    CODE_TITLE_RE,
    COLUMN_NUMBER_RE,
    KEY_NAMES,
    NUMBER_RE,
    Column,
    Note,
    Row,
    fold,
    is_roman,
    section_code,
)

_BULLET_LINE = re.compile(r"^[-–+•*]\s")


class RowReader:
    def __init__(self, columns: list[Column], header_rows: list[list[str]], several: bool, notes):
        self.columns = columns
        self.by_key = {c.key: c for c in columns}
        self.header_rows = header_rows
        self.several = several
        self.notes: list[Note] = notes
        self.rows: list[Row] = []
        self.above: dict[int, str] = {}  # grid column -> text of the row above

    def where(self, table: Table, i: int) -> str:
        return f"bảng {table.index}, dòng {i + 1}" if self.several else f"dòng {i + 1}"

    def note(self, kind: str, text: str, where: str = "") -> None:
        self.notes.append(Note(kind, text, where))

    def table(self, t: Table) -> None:
        self.above = {}
        for i, tr in enumerate(t.rows):
            if i < t.header_at:
                continue  # a title row above the header
            if i == t.header_at:
                if self.rows:  # the header again at the top of a table that continues
                    self.note(
                        "skipped",
                        "dòng tiêu đề cột lặp lại (bảng nối tiếp): bỏ qua",
                        self.where(t, i),
                    )
                continue
            self.row(cells(tr), self.where(t, i))

    # -- one row
    def cell_at(self, row: list[Cell], key: str) -> Cell | None:
        col = self.by_key.get(key)
        if col is None:
            return None
        return next((c for c in row if c.start <= col.start < c.start + c.span), None)

    def row(self, row: list[Cell], where: str) -> None:
        merged_from_above = []
        for c in row:
            if c.vmerged:
                c.text = self.above.get(c.start, "")
                if c.text:
                    merged_from_above.append(c)
        self.above = {c.start: c.text for c in row}
        texts = [fold(c.text) for c in row]
        if not any(texts):
            self.note("skipped", "dòng trống: bỏ qua", where)
            return
        if [t.casefold() for t in texts] in self.header_rows:
            self.note("skipped", "dòng tiêu đề cột lặp lại (sang trang): bỏ qua", where)
            return
        numbers = [COLUMN_NUMBER_RE.match(t) for t in texts if t]
        if len(numbers) >= 3 and all(numbers):
            values = [int(m.group(1)) for m in numbers if m]
            if values == list(range(values[0], values[0] + len(values))):
                self.note("skipped", "dòng đánh số cột (1), (2), …: bỏ qua", where)
                return
        if self.section(row, where):
            return
        self.task(row, where, merged_from_above)

    def section(self, row: list[Cell], where: str) -> bool:
        filled = [c for c in row if fold(c.text)]
        stt = self.cell_at(row, "stt")
        task = self.cell_at(row, "task")
        stt_text = fold(stt.text) if stt else ""
        code = section_code(stt_text) if stt is not None and stt is not task else None
        if code:
            rest = [c for c in filled if c is not stt]
            title_cell = (
                task if task is not None and fold(task.text) else (rest[0] if rest else None)
            )
            others = [c for c in rest if c is not title_cell]
            if title_cell is None:
                self.note("odd", f'dòng chỉ có mã mục "{code}" mà không có tên mục: bỏ qua', where)
                return True
            spans_across = title_cell.span > 1 and self._covers_other(title_cell)
            if spans_across or not others:
                self.add_section(code, fold(title_cell.text), where)
                return True
            self.note(
                "odd",
                f'ô STT ghi "{stt_text}" như mã mục nhưng dòng có nội dung ở các cột khác: '
                "đọc như một nhiệm vụ",
                where,
            )
            return False
        if len(filled) == 1 and (filled[0].span > 1 or stt_text == ""):
            only = filled[0]
            m = CODE_TITLE_RE.match(fold(only.text))
            if m and section_code(m.group("code")):
                self.add_section(m.group("code"), m.group("title").strip(), where)
                return True
            if (
                only.span > 1
                and self._covers_other(only)
                and not (stt_text and NUMBER_RE.match(stt_text))
            ):
                self.note("odd", "dòng gộp ô không có mã mục: đọc như một mục", where)
                self.add_section("", fold(only.text), where)
                return True
        return False

    def _covers_other(self, cell: Cell) -> bool:
        """Whether `cell` spans the grid column of a column other than STT and the task."""
        return any(
            cell.start <= c.start < cell.start + cell.span
            for c in self.columns
            if c.key not in ("stt", "task")
        )

    def add_section(self, code: str, title: str, where: str) -> None:
        self.rows.append(Row("section", where, code=code, title=title))

    def task(self, row: list[Cell], where: str, merged: list[Cell]) -> None:
        values: dict[str, str] = {}
        bullets: dict[str, bool] = {}
        for col in self.columns:
            cell = self.cell_at(row, col.key)
            if cell is None or cell.start != col.start:  # absent, or merged from the left
                values[col.key] = ""
                continue
            values[col.key] = cell.text
            lines = cell.text.split("\n")
            bullets[col.key] = len(lines) > 1 and all(_BULLET_LINE.match(x) for x in lines)
        self.merge_notes(row, where, merged)
        stt_cell = self.cell_at(row, "stt")
        stt = fold(values.get("stt", ""))
        previous = self.rows[-1] if self.rows else None
        if previous is not None and previous.kind == "task":
            if stt_cell is not None and stt_cell.vmerged:  # one task over several rows
                values["stt"] = ""
                self.continue_task(previous, values, where)
                return
            if not stt and (previous.code or not fold(values.get("task", ""))):
                self.continue_task(previous, values, where)
                return
        if not fold(values.get("task", "")):
            self.note("odd", "dòng có STT nhưng không có nội dung nhiệm vụ: bỏ qua", where)
            return
        if stt and not NUMBER_RE.match(stt):
            self.note("odd", f'STT "{stt}" không phải số thứ tự', where)
        elif not stt:
            self.note("odd", "nhiệm vụ không có STT", where)
        self.rows.append(Row("task", where, code=stt.rstrip(".)"), cells=values, bullets=bullets))

    def merge_notes(self, row: list[Cell], where: str, merged: list[Cell]) -> None:
        """What the merges of a task row mean for the reading, said for the report."""
        for key in ("lead", "support", "deadline", "product"):
            cell = self.cell_at(row, key)
            if cell is None or cell.start != self.by_key[key].start or not fold(cell.text):
                continue
            covered = [
                c.key
                for c in self.columns
                if c.key != key and cell.start < c.start < cell.start + cell.span
            ]
            if covered:
                names = ", ".join(f'"{KEY_NAMES[k]}"' for k in covered)
                self.note(
                    "odd",
                    f'ô "{KEY_NAMES[key]}" gộp sang cột {names}: cả ô được đọc là '
                    f'"{KEY_NAMES[key]}", cột {names} để trống; kiểm tra lại bảng gốc',
                    where,
                )
        task_cell = self.cell_at(row, "task")
        if task_cell is not None and task_cell.span > 1 and self._covers_other(task_cell):
            self.note(
                "odd",
                "ô nội dung gộp sang các cột cơ quan, thời gian ở chỗ cần một dòng nhiệm vụ: đọc "
                "như một nhiệm vụ chưa có cơ quan",
                where,
            )
        for c in merged:
            key = next((col.key for col in self.columns if col.start == c.start), None)
            if key and key != "stt":
                self.note(
                    "odd",
                    f"ô {KEY_NAMES[key].lower()} gộp dọc với dòng trên: dùng nội dung ô phía trên",
                    where,
                )

    def continue_task(self, previous: Row, values: dict[str, str], where: str) -> None:
        self.note("odd", "dòng không có STT: nối vào nhiệm vụ ở dòng trên (dòng bị tách)", where)
        for key, text in values.items():
            if key == "stt" or not text:
                continue
            old = previous.cells.get(key, "")
            sep = "\n" if key in ("lead", "support") else " "
            previous.cells[key] = f"{old}{sep}{text}" if old else text

    # -- after the last row
    def finish(self) -> list[Row]:
        rows = self.rows
        has_letters = any(
            r.kind == "section" and r.code and not is_roman(section_code(r.code) or "")
            for r in rows
        )
        seen_letter = False
        last_level = 1
        for r in rows:
            if r.kind != "section":
                continue
            code = section_code(r.code) if r.code else None
            if code is None:
                r.level = last_level
            elif is_roman(code):
                r.level = 2 if has_letters and seen_letter else 1
                if has_letters and not seen_letter:
                    self.note("odd", f'mục "{code}" đứng trước mục chữ cái đầu tiên', r.where)
            else:
                r.level = 1
                seen_letter = True
            r.code = code or ""
            last_level = r.level
        return rows
