"""The import report: what `plangen import` read, decided and left to check, in Vietnamese
(docs/import.md, "Review the report"); every block is there only when it has something to
say."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.readback.yamlout import overrides_yaml

_ROW = re.compile(r"(?:bảng (\d+), )?dòng (\d+):")


@dataclass
class ImportReport:
    """What the import read, decided and left to check; `lines()` says it in Vietnamese."""

    path: Path
    source: str
    unit: str
    catalog_id: str
    heading: str = ""
    title: str = ""
    columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    tables: int = 1
    sections: int = 0
    tasks: int = 0
    mentions: int = 0
    as_roles: int = 0
    literal: int = 0
    mapped: dict[str, Counter] = field(default_factory=dict)  # body -> Counter(role)
    # body -> [Counter(role chosen), roles it could have been, Counter(reason)]
    choices: dict[str, list] = field(default_factory=dict)
    unknown: dict[str, list] = field(default_factory=dict)  # name -> [count, nearest]
    overrides: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # cells naming a body by another name (a kind's alias): kept as written for the unit
    exact: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    exact_keys: dict[str, dict[str, set]] = field(default_factory=dict, repr=False)
    uses: dict[str, Counter] = field(default_factory=dict, repr=False)  # role -> body keys
    legal: list[str] = field(default_factory=list)  # bodies abolished in 2025 the source names
    odd: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    omits: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def role_share(self) -> float:
        """Percent of body mentions that became roles."""
        return 100.0 * self.as_roles / self.mentions if self.mentions else 100.0

    def lines(self) -> list[str]:
        out = [
            f"Đã đọc {self.source}: {self.heading}; {self.rows_read} dòng bảng"
            + (f" ({self.tables} bảng nối tiếp)" if self.tables > 1 else "")
            + f" -> {self.sections} mục, {self.tasks} nhiệm vụ.",
            f"Tiêu đề: {self.title}",
            "Cột: " + " · ".join(self.columns),
            f"Cơ quan: {self.mentions} lần nêu tên; {self.as_roles} thành vai trò "
            f"({self.role_share:.0f}%), {self.literal} giữ nguyên văn.",
        ]
        for body, roles in self.mapped.items():
            said = ", ".join(f"{r} ({n})" for r, n in roles.most_common())
            out.append(f'  "{body}" -> {said}')
        out += self._choices() + self._unknown() + self._exact()
        for title, items in (
            ("Ô bất thường", sorted(self.odd, key=by_row)),
            ("Đã bỏ qua", sorted(self.skipped, key=by_row)),
            ("Bỏ cho loại đơn vị khác (omit, có # TODO trong catalog)", self.omits),
            ("Cần kiểm tra tay", self.check),
            ("validate còn báo ở catalog mới", self.problems),
        ):
            if items:
                out.append(f"{title} ({len(items)}):")
                out += [f"  {item}" for item in items]
        out += [f"cảnh báo: {line}" for line in self.legal]
        out.append(
            f"Tiếp theo: xem lại các mục trên và các dòng # TODO, rồi chạy plangen validate và "
            f"plangen --unit {self.unit} --appendix {self.catalog_id}"
        )
        return out

    def _choices(self) -> list[str]:
        if not self.choices:
            return []
        out = ["Cơ quan giữ nhiều vai trò (đã chọn một; sửa trong catalog nếu cần):"]
        for body, (chosen, tied, reasons) in self.choices.items():
            said = ", ".join(f"{r} ({n})" for r, n in chosen.most_common())
            why = "; ".join(
                f"{reason} ({n})" if len(reasons) > 1 else reason
                for reason, n in reasons.most_common()
            )
            out.append(f'  "{body}" -> {said}; chọn trong {", ".join(tied)}: {why}')
        return out

    def _unknown(self) -> list[str]:
        if not self.unknown:
            return []
        out = [
            f"Cơ quan hồ sơ {self.unit} không có ({len(self.unknown)} tên, giữ nguyên văn; "
            "trong catalog tạm dùng các vai trò đã nhận ra, hoặc related):"
        ]
        for name, (count, near) in self.unknown.items():
            hint = ", ".join(f'"{n}"' for n in near) if near else "không có tên gần giống"
            out.append(f'  "{name}" ({count} lần; gần nhất: {hint})')
        out.append(
            f"  Để phụ lục của {self.unit} in đúng nguyên văn, thêm vào hồ sơ đơn vị "
            f"(units/{self.unit}.yaml):"
        )
        out += ["    " + line for line in overrides_yaml(self.overrides)]
        out.append(
            "  Nếu cơ quan đó là một vai trò chung: khai báo vai trò trong roles.yaml, gán "
            "cơ quan cho vai trò ở các loại đơn vị, rồi sửa lead/support của nhiệm vụ."
        )
        return out

    def _exact(self) -> list[str]:
        if not self.exact:
            return []
        out = [
            f"Cơ quan ghi bằng tên khác (aliases của loại đơn vị; catalog ghi vai trò, đơn vị khác "
            f"in cơ quan của mình); để {self.unit} in đúng nguyên văn, hồ sơ đơn vị ghi "
            "(plangen import --apply tự thêm):"
        ]
        out += ["    " + line for line in overrides_yaml(self.exact)]
        return out

    def profile_tasks(self) -> dict[str, dict[str, list[str]]]:
        """The `tasks:` overrides that keep the importing unit's cells as written."""
        out = {task: dict(cells) for task, cells in self.exact.items()}
        for task, cells in self.overrides.items():
            out.setdefault(task, {}).update(cells)
        return out


def by_row(line: str) -> tuple[int, int]:
    """Sort key of a report line by the table row it starts with ("bảng 2, dòng 3: …")."""
    m = _ROW.match(line)
    return (int(m.group(1) or 0), int(m.group(2))) if m else (0, 0)
