"""Opening an appendix DOCX that came from outside, before python-docx sees a byte of it.

The file is read through `core.files.read_bounded` (a regular file, at most MAX_BYTES) and
checked as a zip by `core.package.Package` (parts, unpacked sizes, ratios, encryption, and
the XML elements of every part whatever its name, so a main part renamed
"word/document.dat" counts like "word/document.xml"). What the file is instead of a DOCX
(an .xlsx, .pptx or .odt renamed, an old .doc, a PDF, a text file) is said in one
Vietnamese line, like every other refusal, lxml's own limits included.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path

from lxml import etree

from generator.core.errors import UserError, Where
from generator.core.files import MB, read_bounded
from generator.core.package import Limits, Package

MAX_BYTES = 20 * MB  # an appendix is a few hundred kB
LIMITS = Limits()  # the core's bounds of a package (parts, sizes, ratios, XML elements)
MAIN = "word/document.xml"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the main part's relationship type
OTHER_KINDS = {  # Package.office_kind -> what a file of that kind renamed .docx is told
    "excel": "đây là bảng tính Excel (.xlsx) đổi đuôi thành .docx, không phải tệp Word",
    "powerpoint": "đây là tệp PowerPoint (.pptx) đổi đuôi, không phải tệp Word",
    "opendocument": "đây là tệp OpenDocument (.odt): mở bằng Word hoặc LibreOffice và lưu lại "
    "dạng .docx",
}


def open_document(path: Path):
    """python-docx's Document for `path`; every way the file can be wrong is a UserError."""
    import docx

    where = Where(path)
    data = read_bounded(path, MAX_BYTES, "tệp DOCX")
    if not data:
        raise UserError("tệp rỗng, không phải tệp DOCX", where)
    with Package(data, where, "tệp DOCX", LIMITS) as package:
        _recognise(package, where)
        parts = package.parts()  # every part read once: the XML elements of all are bounded
        main = main_part(parts)
        if main not in parts:
            raise UserError(f"không phải tệp DOCX (Word): gói không có {main[:80]}", where)
    del parts
    try:
        return docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        raise UserError(xml_error(exc), where) from None
    except MemoryError:
        raise UserError("tệp DOCX quá lớn để đọc: tách bảng ra tệp nhỏ hơn", where) from None
    except Exception:  # python-docx raises many kinds (in English) on a broken package
        raise UserError(
            "không đọc được tệp DOCX: gói hỏng hoặc thiếu phần bắt buộc; mở bằng Word rồi lưu "
            "lại dạng .docx",
            where,
        ) from None


def _recognise(package: Package, where: Where) -> None:
    """Another kind of Office file renamed .docx, said by what its package holds."""
    kind = package.office_kind()
    if kind in OTHER_KINDS:
        raise UserError(OTHER_KINDS[kind], where)
    if "_rels/.rels" not in package.names and MAIN not in package.names:
        raise UserError(f"không phải tệp DOCX (Word): gói không có {MAIN}", where)


def main_part(parts) -> str:
    """The part `_rels/.rels` names as the document (word/document.xml when it names none)."""
    rels = parts.get("_rels/.rels")
    if rels is None:
        return MAIN
    try:
        root = etree.fromstring(rels, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return MAIN
    for rel in root:
        if str(rel.get("Type", "")).endswith(OFFICE_DOCUMENT):
            target = str(rel.get("Target", "")).lstrip("/")
            return posixpath.normpath(target) if target else MAIN
    return MAIN


def xml_error(exc: etree.XMLSyntaxError) -> str:
    """An lxml parse error in Vietnamese (its own messages are English)."""
    text = str(exc)
    line = getattr(exc, "lineno", 0)
    at = f" (dòng {line} của phần XML)" if isinstance(line, int) and line > 0 else ""
    low = text.lower()
    if "too long" in low or "huge" in low:
        what = "có một đoạn chữ quá dài trong phần XML (trên 10 MB)"
    elif "depth" in low:
        what = "phần XML lồng nhau quá sâu"
    elif "memory" in low:
        what = "phần XML quá lớn để đọc"
    else:
        what = f"phần XML bị hỏng{at}"
    return f"không đọc được tệp DOCX: {what}; mở bằng Word rồi lưu lại dạng .docx"
