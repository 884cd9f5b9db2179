"""The report of an import as a whole, in Vietnamese: the edition and where its identity was
read, the plan body, each appendix's own report (report.py), what --apply changes (or would
change) in the province's profile, the warnings on bodies abolished in 2025, and what
`plangen validate` would still say; every block only when it has something to say."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.readback.report import ImportReport


@dataclass
class EditionReport:
    edition: str
    heading: str = ""  # "lai-chau-2026: tỉnh Lai Châu, Kế hoạch số 1468/KH-UBND ngày 16/6/2026"
    identity: list[str] = field(default_factory=list)  # where each part was read
    body: list[str] = field(default_factory=list)
    body_notes: list[str] = field(default_factory=list)  # what could not be placed
    appendices: list[ImportReport] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    profile_path: Path | None = None
    applied: bool = False
    legal: list[str] = field(default_factory=list)  # "cảnh báo: …" of the body
    problems: list[str] = field(default_factory=list)  # validate, at the files written
    written: list[Path] = field(default_factory=list)
    unit: str = ""

    def lines(self) -> list[str]:
        out = [f"Kế hoạch {self.heading}"]
        out += [f"  {line}" for line in self.identity]
        if self.body:
            out.append("Thân kế hoạch:")
            out += [f"  {line}" for line in self.body]
        if self.body_notes:
            out.append(f"Thân kế hoạch, chưa đặt được hoặc cần xem lại ({len(self.body_notes)}):")
            out += [f"  {line}" for line in self.body_notes]
        out += [f"cảnh báo: {line}" for line in self.legal]
        single = len(self.appendices) == 1 and not self.body
        for report in self.appendices:
            lines = report.lines()
            out += lines[:-1]  # its "Tiếp theo: …" is said once, at the end
        next_step = self.appendices[0].lines()[-1] if single else None
        if self.profile:
            where = self.profile_path.name if self.profile_path else "hồ sơ tỉnh"
            if self.applied:
                out.append(f"Hồ sơ {where} (--apply):")
            else:
                out.append(f"Thêm --apply để cập nhật hồ sơ {where}:")
            out += [f"  {line}" for line in self.profile]
        if self.problems:
            out.append(f"validate còn báo ở các tệp mới ({len(self.problems)}):")
            out += [f"  {p}" for p in self.problems]
        unit = f" --unit {self.unit}" if self.unit else ""
        out.append(
            next_step
            or "Tiếp theo: xem lại các mục trên và các dòng # TODO, rồi chạy plangen validate, "
            f"plangen editions và plangen{unit} --year {self.edition.rsplit('-', 1)[-1]}"
        )
        return out
