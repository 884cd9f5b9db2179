"""DOCX -> PDF through LibreOffice headless, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.core.errors import UserError

INSTALL_HINT = (
    "không tìm thấy LibreOffice (lệnh soffice) để xuất PDF; cài đặt rồi chạy lại, "
    "ví dụ trên Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(name: str, data: bytes, timeout: int = 180) -> bytes:
    """The PDF of the DOCX `data` (`name` is its file name, for messages and the title)."""
    exe = soffice()
    if not exe:
        raise UserError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="plangen-pdf-") as tmp:
        source = Path(tmp) / Path(name).name
        source.write_bytes(data)
        profile = Path(tmp) / "profile"  # a private profile: no clash with a running office
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(Path(tmp) / "pdf"),
            str(source),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"{name}: LibreOffice không xuất xong PDF sau {timeout} giây") from None
        produced = Path(tmp) / "pdf" / (source.stem + ".pdf")
        if proc.returncode != 0 or not produced.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise UserError(
                f"{name}: LibreOffice không xuất được PDF" + (f": {detail[-1]}" if detail else "")
            )
        return produced.read_bytes()
