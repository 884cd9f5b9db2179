"""DOCX -> PDF through LibreOffice headless, a whole run's documents at once.

Starting LibreOffice costs seconds, so every DOCX a run makes is converted by one start per
core (each with its own private profile, the documents shared out between them), never one
start per file. Each start runs in a process group of its own: on timeout the whole group
(soffice and the oosplash/soffice.bin it spawns) is killed, nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from generator.core.errors import UserError

INSTALL_HINT = (
    "không tìm thấy LibreOffice (lệnh soffice) để xuất PDF; cài đặt rồi chạy lại, "
    "ví dụ trên Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui"
)
START_SECONDS = 60  # one LibreOffice start, before its first document
DOC_SECONDS = 30  # each document it converts


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docs: list[tuple[str, bytes]], processes: int | None = None) -> list[bytes]:
    """The PDF of each (file name, DOCX bytes), in order; one LibreOffice per process."""
    if not docs:
        return []
    exe = soffice()
    if not exe:
        raise UserError(INSTALL_HINT)
    count = max(1, min(processes or os.cpu_count() or 1, len(docs)))
    with tempfile.TemporaryDirectory(prefix="plangen-pdf-") as tmp:
        root = Path(tmp)
        sources = []
        for n, (name, data) in enumerate(docs):
            source = root / "in" / f"{n:05d}-{Path(name).name}"
            source.parent.mkdir(exist_ok=True)
            source.write_bytes(data)
            sources.append(source)
        groups = [sources[i::count] for i in range(count)]
        runs = [_start(exe, root, i, group) for i, group in enumerate(groups)]
        deadline = time.monotonic() + START_SECONDS + DOC_SECONDS * len(groups[0])
        _wait(runs, deadline)
        out = []
        for source, (name, _) in zip(sources, docs, strict=True):
            produced = root / "pdf" / (source.stem + ".pdf")
            if not produced.exists():
                detail = _detail(runs)
                raise UserError(
                    f"{name}: LibreOffice không xuất được PDF" + (f": {detail}" if detail else "")
                )
            out.append(produced.read_bytes())
        return out


def _start(exe: str, root: Path, n: int, group: list[Path]) -> subprocess.Popen:
    profile = root / f"profile-{n}"  # a private profile: no clash with a running office
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(root / "pdf"),
        *map(str, group),
    ]
    return subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed whole on timeout
    )


def _wait(runs: list[subprocess.Popen], deadline: float) -> None:
    try:
        for run in runs:
            remaining = max(0.1, deadline - time.monotonic())
            run.output = run.communicate(timeout=remaining)[0] or b""  # type: ignore[attr-defined]
    except subprocess.TimeoutExpired:
        for run in runs:
            _kill_group(run)
        raise UserError(
            f"LibreOffice không xuất xong PDF sau {round(deadline - time.monotonic() + 0.5):d} "
            "giây; đã dừng"
        ) from None
    except BaseException:  # Ctrl-C: nothing of LibreOffice outlives the run
        for run in runs:
            _kill_group(run)
        raise


def _kill_group(run: subprocess.Popen) -> None:
    try:
        os.killpg(run.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    run.wait()


def _detail(runs: list[subprocess.Popen]) -> str:
    for run in runs:
        lines = getattr(run, "output", b"").decode("utf-8", "replace").strip().splitlines()
        if lines:
            return lines[-1][:200]
    return ""
