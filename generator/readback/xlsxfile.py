"""Opening a filled tracker (.xlsx) that came from outside, before openpyxl sees it.

The file is read through `core.files.read_bounded` (a regular file, at most MAX_BYTES) and
checked as a zip by `core.package.Package` (parts, unpacked sizes, ratios, encryption, the
XML elements of every part). A Word or PowerPoint file renamed .xlsx, an OpenDocument
spreadsheet, a zip without a workbook: each is said in one Vietnamese line. The workbook's
own parts are read here too: which sheets it lists (a sheet whose part is missing would be
skipped by openpyxl without a word), and each sheet's merged cells, which openpyxl's
streaming mode does not give.
"""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from generator.core.errors import UserError, Where
from generator.core.files import MB, read_bounded
from generator.core.package import Limits, Package

MAX_BYTES = 20 * MB  # the file on disk; a unit's tracker is some tens of kB
LIMITS = Limits()  # the core's bounds of a package (parts, sizes, ratios, XML elements)
OTHER_KINDS = {  # Package.office_kind -> what a file of that kind renamed .xlsx is told
    "word": "đây là tệp Word (.docx), không phải tệp Excel .xlsx",
    "powerpoint": "đây là tệp PowerPoint (.pptx), không phải tệp Excel .xlsx",
    "opendocument": "đây là tệp OpenDocument (.ods): mở bằng Excel hoặc LibreOffice và lưu lại "
    "dạng .xlsx",
}
MAX_MERGES = 10_000  # merged ranges of one sheet (a tracker has one per section row)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\sref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7}"
    rb"(?::[A-Za-z]{1,3}[0-9]{1,7})?)[\"']"
)


@dataclass
class Merge:
    ref: str  # "B10:N12", as the sheet writes it
    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass
class Tracker:
    book: object  # openpyxl's read-only workbook
    merges: dict[str, list[Merge]] = field(default_factory=dict)  # sheet title -> merges

    def close(self) -> None:
        self.book.close()


def open_tracker(path: Path) -> Tracker:
    """The workbook at `path`, read-only; every way the file can be wrong is a UserError
    whose message the caller prefixes with the file's role."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    where = Where(path)
    data = read_bounded(path, MAX_BYTES, "tệp")
    if not data:
        raise UserError("tệp rỗng (0 byte)", where)
    with Package(data, where, "tệp này", LIMITS) as package:
        _recognise(package, where)
        parts = package.parts()  # every part read once: the XML elements of all are bounded
    sheets = listed_sheets(parts, where)
    merges = {name: merges_of(parts[part], name, where) for name, part in sheets}
    del parts
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise UserError(f"tệp không phải .xlsx ({exc})", where) from None
    return Tracker(book, merges)


def _recognise(package: Package, where: Where) -> None:
    names = package.names
    kind = package.office_kind()
    if kind in OTHER_KINDS:
        raise UserError(OTHER_KINDS[kind], where)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UserError(
            "tệp nén không chứa bảng tính Excel (thiếu [Content_Types].xml hoặc thư mục xl/)",
            where,
        )


def _xml(parts, name: str, where: Where):
    if name not in parts:
        raise UserError(f"tệp hỏng, thiếu phần {name[:80]}", where)
    try:
        return etree.fromstring(parts[name], _PARSER)
    except etree.XMLSyntaxError:
        raise UserError(f"tệp hỏng, phần {name[:80]} không phải XML đọc được", where) from None


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _targets(parts, rels_name: str, where: Where) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target) of a .rels part."""
    return {
        rel.get("Id", ""): (rel.get("Type", ""), rel.get("Target", ""))
        for rel in _xml(parts, rels_name, where)
        if _local(rel.tag) == "Relationship"
    }


def _resolve(base: str, target: str) -> str:
    """A relationship's target as a part name (relative to the part `base` that names it)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def listed_sheets(parts, where: Where) -> list[tuple[str, str]]:
    """(name, part) of every worksheet the workbook lists; a listed sheet whose part is
    missing is a damaged file (its tasks would not count)."""
    main = next(
        (t for kind, t in _targets(parts, "_rels/.rels", where).values()
         if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )  # fmt: skip
    book_part = _resolve("", main)
    book = _xml(parts, book_part, where)
    rels_part = posixpath.join(
        posixpath.dirname(book_part), "_rels", posixpath.basename(book_part) + ".rels"
    )
    rels = _targets(parts, rels_part, where)
    out = []
    for el in book.iter():
        if _local(el.tag) != "sheet":
            continue
        name = el.get("name", "")
        rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and "}" in k), "")
        kind, target = rels.get(rid, ("", ""))
        part = _resolve(book_part, target) if target else ""
        if not part or part not in parts:
            raise UserError(f'tệp hỏng, thiếu nội dung của trang "{name}"', where)
        if kind.endswith("/worksheet"):
            out.append((name, part))
    return out


def merges_of(sheet: bytes, name: str, where: Where) -> list[Merge]:
    """The merged ranges a sheet's XML declares, in order."""
    from openpyxl.utils.cell import range_boundaries

    out: list[Merge] = []
    for m in _MERGE.finditer(sheet):
        if len(out) == MAX_MERGES:
            raise UserError(
                f'trang "{name}" có quá nhiều vùng ô gộp (trên {MAX_MERGES:,}'.replace(",", ".")
                + "); bỏ gộp ô rồi lưu lại",
                where,
            )
        ref = m.group(1).decode("ascii").upper()
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        out.append(Merge(ref, min_col, min_row, max_col, max_row))
    return out
