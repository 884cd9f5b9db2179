"""The command line through typer's runner, on a private copy of the shipped data."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fold, read_table
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()

NEW_TASK = """\
          - id: tthc-khong-giay-to
            text: >-
              Cắt giảm giấy tờ công dân khi giải quyết TTHC nhờ khai thác dữ liệu dân cư
              & dữ liệu chuyên ngành đã số hóa.
            lead: [departments, communes]
            support: [office]
            deadline: Quý IV/2026
            product: Giảm số giấy tờ phải nộp.
"""


def plangen(*args: str):
    return runner.invoke(app, list(args))


def test_unit_writes_both_appendices_and_prints_paths(tmp_path, data_copy):
    result = plangen("--unit", "dinh-lap", "--out", str(tmp_path / "o"), "--data", str(data_copy))
    assert result.exit_code == 0, result.output
    printed = [Path(p) for p in result.stdout.split()]
    assert [p.name for p in printed] == [
        "dinh-lap-ke-hoach-2026.docx",
        "dinh-lap-phu-luc-I-par-index-2026.docx",
        "dinh-lap-phu-luc-II-sipas-2026.docx",
        "dinh-lap-2026-theo-doi.xlsx",
    ]
    assert all(p.exists() for p in printed)


def test_default_output_folder_is_out_slash_unit(tmp_path, data_copy, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = plangen("--unit", "lang-son", "--appendix", "II", "--data", str(data_copy))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "lang-son" / "lang-son-phu-luc-II-sipas-2026.docx").exists()


# Tasks of Phụ lục II per shipped unit: a board drops the sector policies, "Tiếp cận dịch vụ"
# and two more tasks; a department (agency) drops the sector policies and "Tiếp cận dịch vụ",
# but keeps the one the province names it for (Sở Y tế: the social-security policy).
SIPAS_TASKS = {"lang-son": 21, "dinh-lap": 21, "dong-dang": 12, "tam-thanh": 21, "so-y-te": 15}


@pytest.mark.parametrize("slug", sorted(SIPAS_TASKS))
def test_every_shipped_unit_renders(tmp_path, slug):
    result = plangen("--unit", slug, "--out", str(tmp_path), "--appendix", "II")
    assert result.exit_code == 0, result.output
    [docx] = tmp_path.glob("*.docx")
    assert len([r for r in read_table(docx) if r["kind"] == "task"]) == SIPAS_TASKS[slug]


def test_unknown_unit_lists_known_ones_with_suggestion(tmp_path):
    result = plangen("--unit", "dinh-lapp", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'không có đơn vị "dinh-lapp" (có phải ý bạn là "dinh-lap"?); '
        "các đơn vị hiện có: dinh-lap, dong-dang, lai-chau, lang-son, so-y-te, ta-leng, "
        "tam-thanh, tan-phong"
    )
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("bad", ["../dinh-lap", "units/dinh-lap", "Dinh Lap", ".."])
def test_unit_with_path_characters_is_refused(tmp_path, bad):
    result = plangen("--unit", bad, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "không hợp lệ" in result.stderr and "\n" not in result.stderr.strip()


def test_existing_output_needs_force(tmp_path):
    args = ("--unit", "dong-dang", "--out", str(tmp_path), "--appendix", "II")
    assert plangen(*args).exit_code == 0
    [docx] = tmp_path.glob("*.docx")
    docx.write_bytes(b"the clerk's edited copy")
    result = plangen(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{docx}: tệp đã tồn tại; thêm --force để ghi đè"
    assert docx.read_bytes() == b"the clerk's edited copy"
    assert plangen(*args, "--force").exit_code == 0
    assert docx.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # and no temp files left
        "dong-dang-2026-theo-doi.xlsx",
        docx.name,
    ]


def department_offices(data: Path) -> str:
    """The lead cell of a department's task led by `departments`, as its kind names them."""
    from generator.model.workspace import open_workspace
    from generator.resolve.tables import join_bodies

    return join_bodies(open_workspace(data).kind("department").roles["departments"])


def test_a_task_added_to_the_catalog_appears_numbered_in_every_unit(tmp_path, data_copy):
    path = data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = "          - id: ho-so-phi-le-phi\n"
    assert anchor in text
    path.write_text(text.replace(anchor, NEW_TASK + "\n" + anchor), encoding="utf-8")
    where = {
        "lang-son": ("B", "II", "Các sở, ban, ngành; UBND cấp xã", "Văn phòng UBND tỉnh"),
        "dinh-lap": ("B", "II", "Các cơ quan chuyên môn", "Văn phòng HĐND và UBND xã"),
        # the board has no "Tiếp cận dịch vụ": its "Thủ tục hành chính" is I
        "dong-dang": ("B", "I", "Các phòng chuyên môn", "Văn phòng"),
        "tam-thanh": ("B", "II", "Các cơ quan chuyên môn", "Văn phòng HĐND và UBND phường"),
        # a department neither: its offices, whatever the kind calls them
        "so-y-te": ("B", "I", department_offices(data_copy), "Văn phòng Sở"),
    }
    for slug, (top, sub, lead, support) in where.items():
        out = tmp_path / slug
        result = plangen(
            "--unit", slug, "--out", str(out), "--appendix", "II", "--data", str(data_copy)
        )
        assert result.exit_code == 0, result.output
        rows = read_table(next(out.glob("*.docx")))
        section = top
        numbered = []
        for row in rows:
            if row["kind"] == "section":
                section = row["code"] if row["code"] != sub else f"{top}.{sub}"
                continue
            if section == f"{top}.{sub}":
                numbered.append((row["stt"], row["raw"][1]))
        assert numbered[1][0] == "2"
        assert numbered[1][1].startswith("Cắt giảm giấy tờ công dân") and "&" in numbered[1][1]
        assert [n for n, _ in numbered] == [str(i) for i in range(1, len(numbered) + 1)]
        task_row = next(r for r in rows if r["kind"] == "task" and "Cắt giảm" in r["raw"][1])
        assert [fold(c) for c in task_row["raw"][2:5]] == [lead, support, "Quý IV/2026"]
