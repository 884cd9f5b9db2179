"""DOCX -> PDF through LibreOffice headless, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import UserError, Where
from .write import write_atomic

INSTALL_HINT = (
    "không tìm thấy LibreOffice (lệnh soffice) để xuất PDF; cài đặt rồi chạy lại, "
    "ví dụ trên Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, force: bool = False, timeout: int = 180) -> Path:
    exe = soffice()
    if not exe:
        raise UserError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="plangen-pdf-") as tmp:
        profile = Path(tmp) / "profile"  # a private profile: no clash with a running office
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(docx),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise UserError(
                f"LibreOffice không xuất xong PDF sau {timeout} giây", Where(docx)
            ) from None
        produced = Path(tmp) / (docx.stem + ".pdf")
        if proc.returncode != 0 or not produced.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise UserError(
                "LibreOffice không xuất được PDF" + (f": {detail[-1]}" if detail else ""),
                Where(docx),
            )
        return write_atomic(docx.with_suffix(".pdf"), produced.read_bytes(), force)
