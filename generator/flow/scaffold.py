"""`plangen new-unit`: a minimal, valid profile; everything else comes from the kind.

The profile is written through ruamel.yaml (any name round-trips, quotes and all), checked
by the same loader and model as every profile before it is written, and never written
inside an installed package: from a source checkout it goes to ``catalogs/units/``,
otherwise to ``units/`` of the working folder, or to ``--units-dir``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from generator.core.dates import PlanDate
from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import check_slug, nfc, slugify, unknown
from generator.model.unit import Unit
from generator.model.validation import validate_doc
from generator.model.workspace import PACKAGE, Workspace
from generator.model.yamlfile import parse_text
from generator.write.files import write_atomic

# Level words written in lower case before a unit's proper name (Nghị định 30, Phụ lục II).
LEVELS = ("đặc khu", "thị trấn", "phường", "xã", "tỉnh", "thành phố")


def split_level(name: str) -> tuple[str | None, str]:
    """'Xã Lộc Bình' -> ('xã', 'Lộc Bình'); a name without a level word -> (None, name)."""
    text = " ".join(nfc(name).split())
    for level in LEVELS:
        if text.lower().startswith(level + " "):
            return level, text[len(level) + 1 :]
    return None, text


def units_folder(ws: Workspace, units_dirs: list[Path]) -> tuple[Path, str]:
    """Where a new profile goes, and why (said to the user)."""
    if units_dirs:
        return units_dirs[0], "--units-dir"
    if PACKAGE in ws.root.resolve().parents or ws.root.resolve() == PACKAGE / "data":
        return Path("units"), "thư mục units/ của thư mục làm việc"
    return ws.catalog_dir / "units", "catalogs"


def _schema_line(folder: Path, root: Path) -> str | None:
    schema = root / "schemas" / "unit.schema.json"
    if not schema.is_file() or PACKAGE in schema.resolve().parents:
        return None
    rel = os.path.relpath(schema.resolve(), folder.resolve())
    return f"# yaml-language-server: $schema={Path(rel).as_posix()}"


def province_of(ws: Workspace, wanted: str | None) -> str | None:
    """The province a new unit belongs to: `wanted`, checked against the data folder's
    editions, or the only province it has plans of."""
    provinces = sorted({e.province_id for e in ws.editions.values()})
    if wanted is None:
        if len(provinces) > 1:
            raise UserError(
                "dữ liệu có kế hoạch của nhiều tỉnh: thêm --province, một trong "
                + ", ".join(provinces)
            )
        return provinces[0] if provinces else None
    if wanted not in provinces:
        raise unknown(
            f'--province: không có kế hoạch nào của tỉnh "{wanted}"', wanted, provinces, None, "có"
        )
    return wanted


def profile_yaml(
    kind: str,
    name: str,
    number: str | None,
    date: str,
    symbol: str | None,
    schema_line: str | None,
    province: str | None = None,
) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    plan = CommentedMap()
    if number:
        plan["number"] = int(number) if number.isdigit() else number
    if symbol:
        plan["symbol"] = symbol
    # a full date is written as a YAML date (unquoted); "2026-07" stays text
    plan["date"] = dt.date.fromisoformat(date) if len(date) == 10 else date
    if not number:
        plan.yaml_set_comment_before_after_key(
            "date", before="number: 123   # số kế hoạch; bỏ trống để văn thư điền", indent=2
        )
    if len(date) < 10:
        plan.yaml_add_eol_comment("YYYY-MM-DD khi đã có ngày ban hành", "date")
    data = CommentedMap()
    data["kind"] = kind
    if province:
        data["province"] = province
    data["name"] = DoubleQuotedScalarString(name)
    data["plan"] = plan
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    lines = [schema_line] if schema_line else []
    lines.append(out.getvalue().rstrip("\n"))
    lines += [
        "# roles:               # cơ quan riêng của đơn vị, nếu khác mặc định của loại",
        "#   home_affairs: [Phòng Nội vụ]",
        "# document:",
        "#   signer: {name: Nguyễn Văn A}   # họ tên người ký (bỏ trống: một dòng chấm để điền)",
        '#   drafting_office: NV           # đơn vị soạn thảo, sau "Lưu: VT," ở Nơi nhận',
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
    symbol: str | None = None,
    slug: str | None = None,
    province: str | None = None,
    edition: str | None = None,
) -> Path:
    view = ws.kind(kind)
    year = None
    if edition is not None:  # the province's plan of one year: its province, and that year
        found = ws.edition(edition)
        if province is not None and province != found.province_id:
            raise UserError(
                f'--province "{province}" khác tỉnh của --edition {edition} ({found.province_id})'
            )
        province, year = found.province_id, found.year
    province = province_of(ws, province)
    view.refuse_if_abstract()
    if not symbol and not view.plan_symbol:
        raise UserError(
            f'loại đơn vị "{kind}" không có ký hiệu kế hoạch chung: thêm --plan-symbol, '
            "ví dụ --plan-symbol KH-SYT"
        )
    level, proper = split_level(name)
    slug = slug or slugify(proper)
    if not slug:
        raise UserError(
            f'không tạo được mã đơn vị từ tên "{name}": thêm --slug, ví dụ --slug xa-moi'
        )
    check_slug(slug)
    full = f"{level} {proper}" if level else proper
    today = dt.date.today()
    if date is None:  # this month; with an edition of another year, July of that year
        date = f"{year}-07" if year not in (None, today.year) else today.strftime("%Y-%m")
    try:
        date = PlanDate.parse(date).iso()
    except ValueError as exc:
        raise UserError(f"--plan-date: {exc}") from None
    path = folder / f"{slug}.yaml"
    schema = _schema_line(folder, ws.root)
    text = profile_yaml(kind, full, number, date, symbol, schema, province)
    try:  # the profile must be valid before it is written: the same loader and model
        validate_doc(parse_text(path, text), Unit)
    except ValidationFailed as exc:
        raise UserError(
            "thông tin chưa hợp lệ: " + "; ".join(p.message for p in exc.problems)
        ) from None
    except UserError as exc:
        raise UserError(f"thông tin chưa hợp lệ: {exc.message}") from None
    if path.exists() or slug in ws.unit_files:
        existing = path if path.exists() else ws.unit_files[slug]
        raise UserError(f'đơn vị "{slug}" đã có hồ sơ; không ghi đè', Where(existing))
    return write_atomic(path, text.encode("utf-8"))
