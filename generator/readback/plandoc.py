"""Reading an issued plan (Kế hoạch) DOCX: its Nghị định 30 header, the trích yếu, the
paragraphs of the body in order, the recipients (Nơi nhận) and the signer.

The document is opened safely (docxfile). Its parts are found by what they hold, whatever
the styles: the header is the table (or the lines) before the "KẾ HOẠCH" line, holding
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"; the trích yếu is the lines after "KẾ HOẠCH" up to an
empty line or the first line of the body; the body runs to the table that opens with "Nơi
nhận". Each body paragraph keeps its text (line breaks too) and whether it is italic, for a
point's title. What is not read (a table inside the body, text after the signature) is
noted for the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.readback.docxfile import open_document
from generator.readback.docxtable import LABEL_RE
from generator.readback.docxxml import TBL, P, cells, paragraph_text, table_rows
from generator.readback.source import fold

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
HEAD_CHILDREN = 60  # body elements looked at for the header and "KẾ HOẠCH"
HEADER_ROWS = 6  # a table longer than this is no header
_DOC_TYPE = re.compile(r"^KẾ\s*HOẠCH$")
_RECIPIENTS = re.compile(r"^nơi\s+nhận\s*:?\s*(.*)$", re.IGNORECASE)
_BODY_START = re.compile(r"^(?:[IVX]{1,4}\.\s|căn cứ|thực hiện|nhằm\b)", re.IGNORECASE)
_BULLET = re.compile(r"^[-–+•]\s*")


@dataclass
class SourcePara:
    text: str  # NFC, line breaks kept
    italic: bool = False  # the text after a leading number is italic
    bold: bool = False


@dataclass
class SourcePlan:
    path: Path
    header_left: list[str] = field(default_factory=list)
    header_right: list[str] = field(default_factory=list)
    doc_type: str = ""
    title: list[str] = field(default_factory=list)  # the trích yếu, line by line
    paragraphs: list[SourcePara] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer: list[str] = field(default_factory=list)  # TM. …, KT. …, title, then the name
    notes: list[str] = field(default_factory=list)  # what was not read, for the report


def _flag(run, name: str) -> bool | None:
    value = getattr(run, name)
    if value is None and run.style is not None:
        value = getattr(run.style.font, name)
    return value


def _para(p, parent) -> SourcePara:
    from docx.text.paragraph import Paragraph

    text = paragraph_text(p)
    para = Paragraph(p, parent)
    runs = [r for r in para.runs if r.text.strip()]
    style_font = para.style.font if para.style is not None else None

    def every(name: str, chosen) -> bool:
        if not chosen:
            return False
        default = bool(getattr(style_font, name)) if style_font is not None else False
        return all((v if (v := _flag(r, name)) is not None else default) for r in chosen)

    numbered = re.match(r"^\s*(?:[IVX]{1,4}\.|\d{1,2}\.|[a-zđ]\))", runs[0].text) if runs else None
    after = runs[1:] if numbered and len(runs) > 1 and len(runs[0].text.strip()) <= 4 else runs
    return SourcePara(text, every("italic", after), every("bold", runs))


def is_plan(body) -> bool:
    """Whether a document body is a plan: a "KẾ HOẠCH" line after the Quốc hiệu, both near
    its top (a header table is small: a long table is an appendix's, not looked into)."""
    national = False
    for n, child in enumerate(body.iterchildren()):
        if n >= HEAD_CHILDREN:
            break
        if child.tag == TBL:
            rows = table_rows(child)
            if len(rows) > HEADER_ROWS:
                continue
            paragraphs = [p for tr in rows for p in tr.iter(P)]
        elif child.tag == P:
            paragraphs = [child]
        else:
            continue
        for p in paragraphs:
            text = fold(paragraph_text(p)).upper().replace("HOÀ", "HÒA")
            if text.startswith(NATIONAL):
                national = True
            elif national and _DOC_TYPE.match(text):
                return True
    return False


def _cell_lines(cell) -> list[str]:
    return [line for line in (fold(x) for x in cell.text.split("\n")) if line]


class _Reader:
    def __init__(self, doc, path: Path) -> None:
        self.doc = doc
        self.out = SourcePlan(path)
        self.stage = "header"  # header -> title -> body -> signature -> after

    def table(self, tbl) -> None:
        rows = [cells(tr) for tr in table_rows(tbl)]
        lines = [fold(c.text) for row in rows for c in row]
        if self.stage == "header":
            for row in rows:
                if row:
                    self.out.header_left += _cell_lines(row[0])
                if len(row) > 1:
                    self.out.header_right += _cell_lines(row[-1])
            return
        first = next((x for x in lines if x), "")
        if _RECIPIENTS.match(first) and self.stage in ("title", "body"):
            self.signature(rows)
            return
        if self.stage in ("title", "body"):
            self.out.notes.append(f'bảng trong thân văn bản ("{first[:60]}"): không nhập')
        elif self.stage == "after" and any(lines):
            self.out.notes.append("bảng sau chữ ký: không nhập (phụ lục nhập từ tệp riêng)")

    def signature(self, rows) -> None:
        self.stage = "after"
        left = [line for row in rows[:1] for line in (row[0].text.split("\n") if row else [])]
        right = [line for row in rows[:1] for line in (row[-1].text.split("\n") if row else [])]
        for line in left:
            m = _RECIPIENTS.match(fold(line))
            text = m.group(1) if m else fold(line)
            text = _BULLET.sub("", text).rstrip(" ;.,")
            if text:
                self.out.recipients.append(text)
        self.out.signer = [fold(x) for x in right if fold(x)] if len(rows[0]) > 1 else []

    def paragraph(self, p) -> None:
        para = _para(p, self.doc._body)
        text = fold(para.text)
        if self.stage == "header":
            if _DOC_TYPE.match(text.upper()) and text.upper() == text:
                self.out.doc_type = text
                self.stage = "title"
            elif text:
                self.out.header_left.append(text)
                self.out.header_right.append(text)
            return
        if self.stage == "title":
            if not text:
                if self.out.title:
                    self.stage = "body"
                return
            if self.out.title and (_BODY_START.match(text) or len(self.out.title) >= 4):
                self.stage = "body"
            else:
                self.out.title += [fold(x) for x in para.text.split("\n") if fold(x)]
                return
        if self.stage == "body":
            if text:
                self.out.paragraphs.append(para)
            return
        if self.stage == "after" and text:
            if LABEL_RE.match(text):
                self.out.notes.append(
                    f'"{text[:40]}" sau chữ ký: phụ lục trong cùng tệp không được nhập; nhập '
                    "phụ lục từ tệp riêng"
                )
                self.stage = "done"
            else:
                self.out.notes.append(f'đoạn sau chữ ký không nhập: "{text[:60]}"')

    def read(self) -> SourcePlan:
        for child in self.doc.element.body.iterchildren():
            if child.tag == TBL:
                self.table(child)
            elif child.tag == P:
                self.paragraph(child)
        if not self.out.doc_type:
            raise UserError(
                'không thấy dòng "KẾ HOẠCH" sau Quốc hiệu: tệp không phải một Kế hoạch',
                Where(self.out.path),
            )
        if self.stage in ("title", "body") and not self.out.recipients:
            self.out.notes.append('không thấy bảng "Nơi nhận" và chữ ký: đã đọc đến hết tệp')
        return self.out


def read_plan(path: Path, doc=None) -> SourcePlan:
    """The plan document at `path` (`doc`: python-docx's Document, when already open)."""
    return _Reader(doc if doc is not None else open_document(path), path).read()
