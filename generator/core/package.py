"""Opening an Office package (DOCX, XLSX) that came from outside, safely.

A zip can claim little and unpack to gigabytes, hold millions of parts, or pack millions of
XML elements into a few kilobytes; every library that reads one (python-docx, openpyxl,
docxtpl) would then spend what the file asks. `Package` checks a zip once, before any of
them sees it, counting every part whatever its name: how many parts, what they unpack to,
each part's and the whole's compression ratio, encrypted parts, and the XML elements all
parts hold together (a start tag is a "<" not followed by "/", "?" or "!"). Python's zipfile
never returns more than a part's declared size and checks its CRC, so the declared sizes
bound what reading can cost. Every refusal is one Vietnamese `UserError`, saying which
kind of file it was (`what`: "tệp DOCX", "tệp theo dõi", "mẫu DOCX").
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from types import MappingProxyType

from generator.core.errors import UserError, Where
from generator.core.files import MB, size_text

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, and any password-protected Office file
OFFICE_PARTS = (  # the main part of each kind of Office Open XML file
    ("word/document.xml", "word"),
    ("xl/workbook.xml", "excel"),
    ("ppt/presentation.xml", "powerpoint"),
)


@dataclass(frozen=True)
class Limits:
    parts: int = 1000  # members of the zip (a DOCX or XLSX has a few dozen)
    unpacked: int = 100 * MB  # all parts together
    part: int = 50 * MB  # any one part
    ratio: int = 100  # unpacked / packed, of a part and of the whole (Word's XML: 10-30)
    ratio_from: int = MB  # below this size a ratio says nothing
    elements: int = 2_000_000  # XML elements of all parts together


def start_tags(data: bytes) -> int:
    """The XML start tags in `data` (an upper bound of its elements), counted in place."""
    return data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")


def number(n: int) -> str:
    """10000 -> '10.000', as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


class Package:
    """A checked zip: its parts' names and bytes, read on demand (each at most once)."""

    def __init__(self, data: bytes, where: Where, what: str, limits: Limits = Limits()) -> None:
        self.where, self.what, self.limits = where, what, limits
        if data.startswith(OLE):
            raise self.fail(
                "là tệp Office cũ (.doc, .xls) hoặc tệp đặt mật khẩu: mở bằng Word hoặc Excel, "
                "bỏ mật khẩu nếu có, rồi lưu lại dạng mới (.docx, .xlsx)"
            )
        if data.startswith(b"%PDF-"):
            raise self.fail("là tệp PDF, không phải tệp Office (.docx, .xlsx)")
        if not data.startswith(b"PK"):
            raise self.fail("không phải tệp Office (.docx, .xlsx): nội dung không phải gói zip")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            raise self.fail("bị hỏng (không mở được gói zip)") from None
        self._check(infos, len(data))
        self._infos = {i.filename: i for i in infos}
        self.names = frozenset(self._infos)

    def fail(self, reason: str) -> UserError:
        return UserError(f"{self.what} {reason}", self.where)

    def _check(self, infos: list[zipfile.ZipInfo], packed_total: int) -> None:
        lim = self.limits
        if len(infos) > lim.parts:
            raise self.fail(f"có quá nhiều phần ({number(len(infos))}; tối đa {number(lim.parts)})")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise self.fail("có phần bị mã hóa (đặt mật khẩu): bỏ mật khẩu rồi lưu lại")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.fail("được nén theo cách không đọc được: mở và lưu lại")
            name = info.filename[:80]
            if info.file_size > lim.part:
                raise self.fail(
                    f"có phần {name} giải nén ra quá lớn ({size_text(info.file_size)}; "
                    f"tối đa {size_text(lim.part)} mỗi phần)"
                )
            if info.file_size > lim.ratio_from and info.file_size > lim.ratio * max(
                1, info.compress_size
            ):
                raise self.fail(
                    f"có phần {name} nén bất thường (giải nén ra gấp "
                    f"{info.file_size // max(1, info.compress_size)} lần; tối đa {lim.ratio}): "
                    "mở và lưu lại"
                )
            total += info.file_size
        if total > lim.unpacked:
            raise self.fail(
                f"giải nén ra quá lớn ({size_text(total)}; tối đa {size_text(lim.unpacked)})"
            )
        if total > lim.ratio_from and total > lim.ratio * max(1, packed_total):
            raise self.fail(
                f"nén bất thường (giải nén ra gấp {total // max(1, packed_total)} lần; "
                f"tối đa {lim.ratio}): mở và lưu lại"
            )

    def read(self, name: str) -> bytes:
        """One part's bytes (a damaged part is a UserError)."""
        try:
            return self._zip.read(self._infos[name])
        except KeyError:
            raise self.fail(f"thiếu phần {name}") from None
        except RuntimeError:  # "File is encrypted, password required"
            raise self.fail("có phần bị mã hóa (đặt mật khẩu): bỏ mật khẩu rồi lưu lại") from None
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error):
            raise self.fail(f"bị hỏng (không đọc được phần {name[:80]})") from None

    def office_kind(self) -> str:
        """What its parts say the package is: "word", "excel", "powerpoint", "opendocument"
        (any of LibreOffice's own formats), or "" (none of them), so a reader can say a file
        of another kind for what it is."""
        for part, kind in OFFICE_PARTS:
            if part in self._infos:
                return kind
        if "mimetype" in self._infos and b"opendocument" in self.read("mimetype")[:200]:
            return "opendocument"
        return ""

    def parts(self) -> MappingProxyType:
        """Every part, read and counted: XML elements of all parts together are bounded (a
        part named "document.dat" counts as much as "document.xml")."""
        out: dict[str, bytes] = {}
        elements = 0
        for name in self._infos:
            data = self.read(name)
            elements += start_tags(data)
            if elements > self.limits.elements:
                raise self.fail(
                    f"có quá nhiều phần tử XML (trên {number(self.limits.elements)}): mở và "
                    "lưu lại, bỏ bớt nội dung thừa"
                )
            out[name] = data
        return MappingProxyType(out)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
