"""`plangen new-unit`: a minimal, valid profile; everything else comes from the kind."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import UserError, Where
from .generate import check_slug
from .load import Workspace
from .models import Unit
from .text import did_you_mean, nfc, slugify
from .write import write_atomic

# Level words written in lower case before a unit's proper name (Nghị định 30, Phụ lục II).
LEVELS = ("đặc khu", "thị trấn", "phường", "xã", "tỉnh", "thành phố")


def split_level(name: str) -> tuple[str | None, str]:
    """'Xã Lộc Bình' -> ('xã', 'Lộc Bình'); a name without a level word -> (None, name)."""
    text = " ".join(nfc(name).split())
    for level in LEVELS:
        if text.lower().startswith(level + " "):
            return level, text[len(level) + 1 :]
    return None, text


def profile_yaml(kind: str, name: str, issuer: str | None, number: str | None, date: str) -> str:
    lines = [
        "# yaml-language-server: $schema=../../schemas/unit.schema.json",
        f"kind: {kind}",
        f'name: "{name}"',
    ]
    if issuer:
        lines.append(f'issuer: "{issuer}"')
    lines.append("plan:")
    lines.append(
        f"  number: {number}"
        if number
        else "  # number: 123        # số kế hoạch; bỏ trống để văn thư điền"
    )
    lines.append(
        f"  date: {date}"
        + (
            ""
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
            else "        # YYYY-MM-DD khi đã có ngày ban hành"
        )
    )
    lines += [
        "# roles:               # cơ quan riêng của đơn vị, nếu khác mặc định của loại",
        "#   home_affairs: [Phòng Nội vụ]",
        "",
    ]
    return "\n".join(lines)


def write_unit(
    ws: Workspace,
    folder: Path,
    name: str,
    kind: str,
    number: str | None,
    date: str | None,
    slug: str | None = None,
) -> Path:
    if kind not in ws.kinds:
        raise UserError(
            f'loại đơn vị "{kind}" không tồn tại'
            + did_you_mean(kind, ws.kinds)
            + "; có: "
            + ", ".join(sorted(ws.kinds))
        )
    level, proper = split_level(name)
    slug = check_slug(slug or slugify(proper))
    if not slug:
        raise UserError(f'không tạo được mã từ tên "{name}"; dùng --slug')
    full = f"{level} {proper}" if level else proper
    issuer = None
    if level and kind == "commune" and level != "xã":
        issuer = f"Ủy ban nhân dân {level}"
    date = date or dt.date.today().strftime("%Y-%m")
    text = profile_yaml(kind, full, issuer, number, date)
    import yaml

    try:  # the profile must be valid before it is written
        Unit.model_validate(yaml.safe_load(text))
    except Exception as exc:
        raise UserError(f"thông tin chưa hợp lệ: {str(exc).splitlines()[-1].strip()}") from None
    path = folder / f"{slug}.yaml"
    if path.exists() or slug in ws.unit_files:
        existing = path if path.exists() else ws.unit_files[slug]
        raise UserError(f'đơn vị "{slug}" đã có hồ sơ; không ghi đè', Where(existing))
    return write_atomic(path, text.encode("utf-8"))
