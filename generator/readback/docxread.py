"""Read the task table of an issued appendix DOCX: title, columns, section and task rows.

This is the reading half of `plangen import` (the catalog is built in build.py). It knows
python-docx and the shapes real appendices take, nothing of roles or catalogs: the file is
opened safely (docxfile), the task table and the lines around it are found (docxtable),
and its rows are read one by one (rows). Everything odd is noted for the import report.
"""

from __future__ import annotations

from pathlib import Path

from generator.core.errors import UserError, Where
from generator.readback.docxfile import open_document
from generator.readback.docxtable import columns, find_tables, title_parts
from generator.readback.docxxml import grid
from generator.readback.rows import RowReader
from generator.readback.source import Note, SourceTable


def read_table(path: Path, doc=None) -> SourceTable:
    """Read the task table of the appendix at `path` (`doc`: python-docx's Document of it,
    when already open)."""
    doc = doc if doc is not None else open_document(path)
    tables, before, notes = find_tables(doc.element.body, path)
    if not tables:
        count = len(doc.tables)
        what = (
            "tệp không có bảng nào"
            if not count
            else f"không thấy bảng nhiệm vụ trong {count} bảng của tệp (cần dòng tiêu đề cột có "
            '"STT", "Nhiệm vụ", "Cơ quan chủ trì", …)'
        )
        raise UserError(what, Where(path))
    label, numeral, title, guide = title_parts(before)
    first = tables[0]
    if first.header_rows and len(first.header_rows) > 1:
        notes.append(Note("check", "tiêu đề cột hai tầng: dùng nhãn ở tầng dưới"))
    cols, ignored = columns(first.header, grid(first.tbl), notes)
    if "lead" not in [c.key for c in cols]:
        raise UserError(
            'bảng nhiệm vụ không có cột "Cơ quan chủ trì"/"Đơn vị chủ trì": cột đọc được: '
            + ", ".join(c.label for c in cols),
            Where(path),
        )
    reader = RowReader(cols, first.header_rows, len(tables) > 1, notes)
    rows_read = 0
    for t in tables:
        rows_read += len(t.rows)
        reader.table(t)
    return SourceTable(
        label=label,
        numeral=numeral,
        title=title,
        guide=guide,
        columns=cols,
        rows=reader.finish(),
        rows_read=rows_read,
        tables=len(tables),
        notes=notes,
        ignored_columns=ignored,
    )
