"""The imported plan body and a new edition.yaml written as YAML, through ruamel.yaml, in the
style of the shipped files (catalogs/editions/lang-son-2026/): a header comment, block style,
long text folded at the catalogs' width, text with line breaks kept (`|-`), a blank line
between the parts."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.readback.yamlout import INDENT, LINE_WIDTH, dump, flow, stamp, text, wrap
from generator.write import yamledit

TEXT_KEYS = ("title", "text")
LISTS = ("paragraphs", "blocks", "after", "opening", "parts", "closing")


def schema_line(target: Path, root: Path, schema: str) -> str | None:
    """The line that gives editors the file's JSON Schema (schemas/ of the data folder), for
    a file in the data folder's catalogs/; None elsewhere."""
    path = root / "schemas" / schema
    try:
        inside = (root / "catalogs").resolve() in target.resolve().parents
    except OSError:
        return None
    if not inside:
        return None
    rel = os.path.relpath(path.resolve(), target.parent.resolve())
    return f"yaml-language-server: $schema={Path(rel).as_posix()}"


def _node(data: dict, indent: int) -> CommentedMap:
    out = CommentedMap()
    for key, value in data.items():
        if key in TEXT_KEYS and isinstance(value, str):
            out[key] = text(value, key, indent)
        elif key in LISTS:
            out[key] = CommentedSeq(_node(v, indent + 2 * INDENT) for v in value)
        elif isinstance(value, dict):
            out[key] = flow(value)
        else:
            out[key] = value
    return out


def body_yaml(data: dict, header: list[str]) -> str:
    """The body catalog `data` as YAML, `header` (lines) as its opening comment."""
    root = CommentedMap()
    for key, value in data.items():
        if key == "kinds":
            root[key] = flow(value)
        elif key in TEXT_KEYS:
            root[key] = text(value, key, 0)
        elif key in LISTS:
            root[key] = CommentedSeq(_node(v, 2 * INDENT) for v in value)
            root.yaml_set_comment_before_after_key(key, before="\n")
        else:
            root[key] = value
    parts = root.get("parts")
    for i in range(1, len(parts or [])):
        parts.yaml_set_comment_before_after_key(i, before="\n", indent=INDENT)
    root.yaml_set_start_comment("\n".join(f"# {h}".rstrip() for h in header))
    return dump(root)


def body_header(schema: str | None, said: str, province: str, year: int, source: str,
                when: dt.date) -> list[str]:  # fmt: skip
    lines = [schema, ""] if schema else []
    lines += wrap(
        f"Thân Kế hoạch năm {year} của {province} (phần văn bản trước các phụ lục): {said}, nhập "
        f'từ tệp "{source}" bằng lệnh plangen import. Kế hoạch của các cấp dưới (xã, phường, '
        "đặc khu, sở, ban) dùng thân kế hoạch chung catalogs/plans/ke-hoach-don-vi.yaml. Hướng "
        "dẫn: docs/plan.md, docs/editions.md.",
        LINE_WIDTH - 2,
    )
    lines += ["", stamp(when), ""]
    for item in (
        "Số I., 1., a) do plangen tự đánh theo vị trí; mục có tiêu đề (title) hoặc nội dung "
        "ngay sau số (text); paragraphs là các đoạn dưới mục, after là các đoạn sau các mục con.",
        '"refer: <mã catalog>" in "(Chi tiết tại Phụ lục …)" theo số của phụ lục đó.',
        "Lời văn là của văn bản gốc: sửa lỗi chính tả ở đây nếu cần.",
    ):
        lines += wrap(item, LINE_WIDTH - 2, "- ", "  ")
    return lines


def edition_yaml(identity: dict, header: list[str]) -> str:
    """A new edition.yaml: the identity, its target sentence folded."""
    root = CommentedMap()
    for key, value in identity.items():
        if key == "plan":
            plan = CommentedMap(value)
            if isinstance(plan.get("date"), str) and len(plan["date"]) == 10:
                plan["date"] = dt.date.fromisoformat(plan["date"])
            root[key] = plan
        elif key == "texts":
            root[key] = CommentedMap((k, text(v, k, INDENT)) for k, v in value.items())
        else:
            root[key] = value
    root.yaml_set_start_comment("\n".join(f"# {h}".rstrip() for h in header))
    return dump(root)


def edition_header(schema: str | None, said: str, province: str, year: int, files: list[str],
                   when: dt.date) -> list[str]:  # fmt: skip
    lines = [schema, ""] if schema else []
    lines += wrap(
        f"Kế hoạch nâng cao Chỉ số PAR INDEX và Chỉ số SIPAS năm {year} của {province}: {said}. "
        f"Thư mục này là một edition: kế hoạch của một tỉnh trong một năm (tệp này), thân kế "
        f"hoạch và các phụ lục ({', '.join(files) or 'chưa có'}). Kế hoạch của mọi đơn vị thuộc "
        f"tỉnh năm {year} dẫn chiếu kế hoạch này và chỉ dùng các phụ lục ở đây "
        "(docs/editions.md). Tạo bằng lệnh plangen import.",
        LINE_WIDTH - 2,
    )
    lines += ["", stamp(when)]
    return lines


def edited_identity(original: str, changes: dict[tuple, object]) -> str:
    """An existing edition.yaml with `changes` (key path -> value) made in place, through
    ruamel.yaml's round trip: its comments and order kept."""
    yaml = yamledit.round_trip_yaml()
    data = yamledit.load_map(yaml, original)
    for path, value in changes.items():
        if path == ("plan", "date") and isinstance(value, str) and len(value) == 10:
            value = dt.date.fromisoformat(value)
        elif isinstance(value, str):
            value = text(value, path[-1], INDENT * (len(path) - 1))
        yamledit.set_path(data, path, value, {})
    return yamledit.dump(yaml, data)
