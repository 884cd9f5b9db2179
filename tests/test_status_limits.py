"""`plangen status` on files that are too big, broken or not trackers at all.

Every one ends in a one-line UserError naming the file (never a traceback), or in a
normal report; none takes long. The limits are in docs/tracker.md ("Giới hạn của lệnh
status").
"""

from __future__ import annotations

import io
import os
import random
import re
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from generator.core.errors import UserError
from generator.core.package import Limits
from generator.model.workspace import open_workspace
from generator.readback import sheet, xlsxfile
from generator.readback.status import format_report, read_status
from generator.render.tracker import tracker_bytes
from generator.resolve.unit import unit_appendices as appendices

PREFIX = "không đọc được tệp theo dõi: "
EARLY = date(2026, 1, 1)  # before every due date: only a typed status makes a task late


@pytest.fixture(scope="module")
def apps():
    return appendices(open_workspace(), "dinh-lap")


@pytest.fixture(scope="module")
def good(apps) -> bytes:
    return tracker_bytes(apps, 7, 2026)


@pytest.fixture(scope="module")
def counts(apps) -> list[int]:
    return [len(a.tasks) for a in apps]


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def refused(path: Path, *words: str) -> str:
    """read_status(path) fails with a one-line user error that names `path`."""
    with pytest.raises(UserError) as info:
        read_status(path, today=EARLY)
    error = info.value
    assert error.message.startswith(PREFIX), error.message
    assert "\n" not in str(error)
    assert error.where.path == path
    for word in words:
        assert word in error.message, error.message
    return error.message


# --------------------------------------------------------------------------- size


def test_a_stray_cell_at_xfd1048576_costs_nothing(good, counts, tmp_path):
    """A 24 KB tracker with one cell at XFD1048576 took 49 s and 3.8 GB when every row
    was read; only the header's columns and rows under it are read now."""
    wb = openpyxl.load_workbook(io.BytesIO(good))
    wb["Phụ lục II"]["XFD1048576"] = "x"
    path = tmp_path / "xa.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'<dimension ref="A1:XFD1048576"/>' in zf.read("xl/worksheets/sheet2.xml")
    started = time.monotonic()
    report = read_status(path, today=EARLY)
    took = time.monotonic() - started
    assert took < 10  # a generous bound: it takes a few hundredths of a second
    assert [s.tasks for s in report.sheets] == counts
    assert not report.late
    (warning,) = report.all_warnings
    assert warning.startswith("Phụ lục II: vùng dữ liệu của trang kéo đến ô XFD1048576")
    assert warning in format_report(report)


def test_a_stray_cell_written_into_the_xml(good, counts, tmp_path):
    """The same cell added by editing the sheet XML (a dimension that says so, a far row)."""
    parts = parts_of(good)
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    path = tmp_path / "xa.xlsx"
    path.write_bytes(zip_of(parts))
    started = time.monotonic()
    report = read_status(path, today=EARLY)
    assert time.monotonic() - started < 10
    assert [s.tasks for s in report.sheets] == counts


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "lon.xlsx"
    with path.open("wb") as f:
        f.truncate(xlsxfile.MAX_BYTES + 1)  # sparse: nothing written to disk
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda *a: pytest.fail("read a huge file") or real_read(*a))
    refused(path, "tệp quá lớn", "tối đa 20 MB")


def test_a_zip_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxfile, "LIMITS", Limits(unpacked=1024 * 1024))
    path = tmp_path / "lon.xlsx"  # incompressible: the total is too much, not the ratio
    path.write_bytes(zip_of({"[Content_Types].xml": b"<x/>", "xl/a.xml": os.urandom(2_000_000)}))
    refused(path, "tệp này giải nén ra quá lớn (1,9 MB; tối đa 1 MB)")
    path = tmp_path / "bom.xlsx"  # 2 MB of zeros in 2 kB: the ratio of a zip bomb
    path.write_bytes(zip_of({"[Content_Types].xml": b"<x/>", "xl/a.xml": b"\0" * 2_000_000}))
    assert path.stat().st_size < 20_000
    refused(path, "tệp này có phần xl/a.xml nén bất thường")


def test_a_zip_with_too_many_parts_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxfile, "LIMITS", Limits(parts=10))
    path = tmp_path / "nhieu.xlsx"
    path.write_bytes(zip_of({f"xl/{i}.xml": b"<x/>" for i in range(11)}))
    refused(path, "tệp này có quá nhiều phần (11; tối đa 10)")


def test_xml_elements_are_counted_in_every_part(good, tmp_path, monkeypatch):
    """A part that is not named .xml counts too: openpyxl is never handed the file."""
    parts = parts_of(good)
    parts["xl/media/image1.bin"] = b"<a/>" * 300
    path = tmp_path / "phan-tu.xlsx"
    path.write_bytes(zip_of(parts))
    monkeypatch.setattr(xlsxfile, "LIMITS", Limits(elements=sum(
        p.count(b"<") - p.count(b"</") - p.count(b"<?") - p.count(b"<!") for p in parts.values()
    ) - 1))  # fmt: skip
    refused(path, "tệp này có quá nhiều phần tử XML")


def long_tracker(path: Path, rows: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Phụ lục II")
    ws.append(["Phụ lục II"])
    ws.append([])
    ws.append(["STT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì", "Trạng thái", "Mã nhiệm vụ", "Mã mục"])
    ws.append(["A", "MỤC A", None, None, "section:a", "A"])
    for i in range(1, rows):
        ws.append([str(i), f"Nhiệm vụ {i}", "Phòng Nội vụ", "Hoàn thành", f"t{i}", "A"])
    wb.save(path)


def test_a_sheet_longer_than_the_row_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet, "MAX_ROWS", 500)
    path = tmp_path / "dai.xlsx"
    long_tracker(path, 500)  # the section row and 499 tasks: exactly the limit
    assert read_status(path, today=EARLY).sheets[0].tasks == 499
    long_tracker(path, 501)
    refused(path, '"Phụ lục II" có hơn 500 dòng')


def test_the_real_row_limit_reads_fast(tmp_path):
    path = tmp_path / "dai.xlsx"
    long_tracker(path, sheet.MAX_ROWS)
    started = time.monotonic()
    assert read_status(path, today=EARLY).sheets[0].tasks == sheet.MAX_ROWS - 1
    assert time.monotonic() - started < 10
    long_tracker(path, sheet.MAX_ROWS + 1)
    refused(path, "có hơn 10.000 dòng")


def test_columns_beyond_the_header_are_not_read(good, tmp_path):
    """Notes typed right of the table, far out: ignored, with a warning."""
    wb = openpyxl.load_workbook(io.BytesIO(good))
    wb["Phụ lục I"]["ZZ10"] = "Chậm tiến độ"  # not under the "Trạng thái" header
    path = tmp_path / "ghi-chu.xlsx"
    wb.save(path)
    report = read_status(path, today=EARLY)
    assert not report.late
    assert [w.split(":")[0] for w in report.all_warnings] == ["Phụ lục I"]
    assert "kéo đến ô ZZ53" in report.all_warnings[0]


def test_only_the_trackers_own_sheets_are_read(good, tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(good))
    other = wb.create_sheet("Số liệu")
    other["A1"] = "Trạng thái"  # one of the labels, not both
    other["XFD1048576"] = 1
    path = tmp_path / "them-trang.xlsx"
    wb.save(path)
    started = time.monotonic()
    report = read_status(path, today=EARLY)
    assert time.monotonic() - started < 10
    assert [s.name for s in report.sheets] == ["Phụ lục I", "Phụ lục II"]
    assert report.warnings == [
        'trang "Số liệu": không tìm thấy dòng tiêu đề có cột "Nhiệm vụ cụ thể" và '
        '"Trạng thái"; bỏ qua trang này'
    ]


# --------------------------------------------------------------------------- corrupt


def test_empty_file(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    refused(path, "tệp rỗng")


def test_not_a_zip(tmp_path):
    path = tmp_path / "van-ban.xlsx"
    path.write_text("STT;Nhiệm vụ\n1;abc\n", encoding="utf-8")
    refused(path, "tệp này không phải tệp Office (.docx, .xlsx): nội dung không phải gói zip")


def test_an_old_xls_a_pdf_and_an_ods(tmp_path):
    path = tmp_path / "cu.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    refused(path, "tệp này là tệp Office cũ (.doc, .xls) hoặc tệp đặt mật khẩu")
    path.write_bytes(b"%PDF-1.7\n" + bytes(100))
    refused(path, "tệp này là tệp PDF")
    path.write_bytes(zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))
    refused(path, "đây là tệp OpenDocument (.ods)")


def test_a_zip_without_the_workbook_parts(tmp_path):
    path = tmp_path / "zip.xlsx"
    path.write_bytes(zip_of({"hello.txt": "xin chào".encode()}))
    refused(path, "không chứa bảng tính Excel")


def test_a_workbook_missing_a_part(good, tmp_path):
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels"):
        parts = parts_of(good)
        del parts[name]
        path = tmp_path / "thieu.xlsx"
        path.write_bytes(zip_of(parts))
        refused(path, "tệp hỏng")
    parts = parts_of(good)
    del parts["xl/worksheets/sheet1.xml"]  # openpyxl would skip the sheet without a word
    path.write_bytes(zip_of(parts))
    refused(path, 'tệp hỏng, thiếu nội dung của trang "Phụ lục I"')


def test_a_docx_renamed_xlsx(tmp_path):
    import docx

    source = io.BytesIO()
    docx.Document().save(source)
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(source.getvalue())
    refused(path, "tệp Word (.docx)")


def test_a_corrupted_deflate_stream(good, tmp_path):
    """Bytes flipped inside the compressed sheet: zlib.error or a bad CRC."""
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(good)
    for i in range(start + 20, start + info.compress_size - 20, 37):
        data[i] ^= 0x5A
    path = tmp_path / "hong.xlsx"
    path.write_bytes(bytes(data))
    refused(path, "tệp này bị hỏng (không đọc được phần xl/worksheets/sheet1.xml)")


def test_a_sheet_that_is_not_xml(good, tmp_path):
    parts = parts_of(good)
    parts["xl/worksheets/sheet2.xml"] = parts["xl/worksheets/sheet2.xml"][:-200]
    path = tmp_path / "cut.xlsx"
    path.write_bytes(zip_of(parts))
    refused(path, "tệp hỏng")


def test_a_truncated_file(good, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    refused(path)


def test_random_damage_never_escapes(good, tmp_path):
    """Bytes flipped anywhere, or the file cut anywhere: a report or a UserError."""
    rng = random.Random(2026)
    path = tmp_path / "fuzz.xlsx"
    for _ in range(150):
        data = bytearray(good)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            read_status(path, today=EARLY)
        except UserError as exc:
            assert exc.message.startswith(PREFIX) and "\n" not in str(exc)


# --------------------------------------------------------------------------- the file itself


def test_a_missing_file(tmp_path):
    refused(tmp_path / "khong-co.xlsx", "không có tệp này")


def test_a_folder(tmp_path):
    folder = tmp_path / "thu-muc.xlsx"
    folder.mkdir()
    refused(folder, "thư mục")


def test_a_file_that_cannot_be_read(good, tmp_path, monkeypatch):
    path = tmp_path / "khoa.xlsx"
    path.write_bytes(good)
    real_open = os.open

    def denied(name, *args, **kwargs):
        if Path(name) == path:
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    refused(path, "không có quyền đọc")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission(good, tmp_path):
    path = tmp_path / "khoa.xlsx"
    path.write_bytes(good)
    path.chmod(0)
    try:
        refused(path, "không có quyền đọc")
    finally:
        path.chmod(0o600)
