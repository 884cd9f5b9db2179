"""`plangen import` of editions: fidelity (other names of bodies, a note column, numbering
on across sections, bodies abolished in 2025), the province's profile with --apply (a round
trip keeping its comments, one `tasks:` key), an edition's identity never contradicted
without --force, nothing written on an error, another edition never changed, and a plan
DOCX read back (plangen's own)."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, read_table
from lai_chau_docs import appendix_docx, build_all, plan_docx
from test_editions import docx_text
from test_import import compare, reference
from typer.testing import CliRunner

from generator.cli import app
from generator.model.workspace import open_workspace
from generator.readback.bodybuild import BodyBuilder
from generator.readback.importer import Request, import_documents
from generator.readback.plandoc import read_plan

runner = CliRunner()
HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian", "Sản phẩm"]
KEYS = ["stt", "task", "lead", "support", "deadline", "product"]
EDITIONS = Path("catalogs") / "editions"


def plangen(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    for part in ("catalogs", "templates", "schemas"):
        shutil.copytree(ROOT / part, target / part)
    return target


def section(code: str, title: str) -> dict:
    return {"kind": "section", "code": code, "title": title}


def task(stt: str, text: str, lead: str, support: str = "", **more: str) -> dict:
    cells = {"task": text, "lead": lead, "support": support, "deadline": "Thường xuyên",
             "product": "Báo cáo", **more}  # fmt: skip
    return {"kind": "task", "stt": stt, "cells": cells}


def table(rows: list[dict], guide: str = "", year: int = 2026, **more) -> dict:
    out = {
        "label": "Phụ lục II",
        "title": f"CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM {year}",
        "subtitle": guide,
        "columns": HEADER,
        "column_keys": KEYS,
        "widths_cm": [1.2, 8.0, 3.6, 3.6, 2.2, 5.6],
        "rows": rows,
    }
    out.update(more)
    return out


def edition_file(data: Path, edition: str, name: str) -> Path:
    return data / EDITIONS / edition / name


def tasks_of(path: Path) -> list[dict]:
    catalog = yaml.safe_load(path.read_text("utf-8"))
    out, stack = [], list(catalog["sections"])
    while stack:
        s = stack.pop(0)
        out += s.get("tasks", [])
        stack[:0] = s.get("sections", [])
    return out


# --------------------------------------------------------------------------- fidelity


USUAL_FORMS = [
    ("UBND các xã, phường", "communes"),
    ("UBND cấp xã", "communes"),
    ("các xã, phường, đặc khu", "communes"),
    ("UBND các xã, phường, đặc khu", "communes"),
    ("Ủy ban nhân dân cấp xã", "communes"),
    ("các sở, ban, ngành", "departments"),
    ("Các sở, ngành", "departments"),
    ("các sở, ban, ngành tỉnh", "departments"),
    ("các cơ quan, đơn vị liên quan", "related"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "office"),
]


def test_every_usual_form_of_a_known_body_becomes_its_role(tmp_path, data):
    rows = [section("I", "CÔNG VỤ")]
    rows += [task(str(i), f"Nhiệm vụ số {i}.", name) for i, (name, _) in enumerate(USUAL_FORMS, 1)]
    source = appendix_docx(tmp_path / "a.docx", table(rows))
    ws = open_workspace(data)
    report = import_documents(
        ws, Request([source], unit="lang-son", catalog_id="ten-khac", today=dt.date(2026, 7, 1))
    ).appendices[0]
    assert report.unknown == {} and report.role_share == 100
    leads = [t["lead"] for t in tasks_of(report.path)]
    assert leads == [[role] for _, role in USUAL_FORMS]
    # lang-son's profile serves its 2026 plan: each cell named otherwise is kept as written
    kept = report.profile_tasks()
    canonical = ("ubnd cấp xã", "các sở, ban, ngành")
    assert [cells["lead"] for cells in kept.values()] == [
        [name] for name, _ in USUAL_FORMS if name.casefold() not in canonical
    ]


def test_a_note_column_and_numbering_on_across_sections(tmp_path, data):
    rows = [
        section("I", "CÔNG VỤ"),
        task("1", "Rà soát quy trình nội bộ.", "Sở Nội vụ", note="Trọng tâm"),
        task("2", "Kiểm tra công vụ.", "Thanh tra tỉnh", note=""),
        section("II", "THỦ TỤC HÀNH CHÍNH"),
        task("3", "Niêm yết thủ tục hành chính.", "Văn phòng UBND tỉnh", note="Hằng tháng"),
        task("4", "Số hóa hồ sơ.", "Sở Khoa học và Công nghệ", note=""),
    ]
    t = table(rows, columns=[*HEADER, "Ghi chú"], column_keys=[*KEYS, "note"],
              widths_cm=[1.2, 7.0, 3.6, 3.6, 2.2, 4.6, 2.0])  # fmt: skip
    source = appendix_docx(tmp_path / "a.docx", t)
    result = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "ghi-chu")
    assert result.exit_code == 0, result.output
    assert "theo thứ tự phải là" not in result.stderr
    assert 'cột "Ghi chú" không thuộc bảng' not in result.stderr
    path = edition_file(data, "lang-son-2026", "ghi-chu.yaml")
    catalog = yaml.safe_load(path.read_text("utf-8"))
    assert catalog["numbering"] == "continuous"
    assert catalog["columns"][-1] == {"key": "note", "label": "Ghi chú", "width": 8}
    assert [t.get("note") for t in tasks_of(path)] == ["Trọng tâm", None, "Hằng tháng", None]
    out = tmp_path / "out"
    shown = plangen("--data", data, "--unit", "lang-son", "--appendix", "ghi-chu", "--out", out,
                    "--no-tracker")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    [rendered] = out.glob("*.docx")
    assert compare(rows, rendered) == (6, [])
    assert [r["stt"] for r in read_table(rendered) if r["kind"] == "task"] == ["1", "2", "3", "4"]


def test_bodies_abolished_in_2025_are_warned_with_their_successor(tmp_path, data):
    rows = [
        section("I", "ĐẦU TƯ"),
        task("1", "Thẩm định dự án theo ý kiến của Sở Kế hoạch và Đầu tư.", "Sở Tài chính",
             "Sở Thông tin và Truyền thông"),
    ]  # fmt: skip
    source = appendix_docx(tmp_path / "a.docx", table(rows))
    result = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "cu")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("cảnh báo: ")]
    assert any('"Sở Kế hoạch và Đầu tư" đã hợp nhất' in w and "nay là Sở Tài chính" in w
               for w in warnings), warnings  # fmt: skip
    assert any('"Sở Thông tin và Truyền thông"' in w and "Sở Khoa học và Công nghệ" in w
               for w in warnings), warnings  # fmt: skip


# --------------------------------------------------------------------------- --apply


OTHER_YEAR_GUIDE = "(Kèm theo Kế hoạch số 41/KH-UBND ngày 05/3/2027 của Ủy ban nhân dân tỉnh)"


def other_year(tmp_path: Path) -> tuple[Path, dict]:
    t = copy.deepcopy(reference("other-year"))
    return appendix_docx(tmp_path / "2027.docx", t), t


def test_apply_merges_the_bodies_into_the_profile_keeping_its_comments(tmp_path, data):
    profile = data / "catalogs" / "units" / "lang-son.yaml"
    profile.write_text(
        profile.read_text("utf-8")
        + "# nhiệm vụ riêng của tỉnh\ntasks:\n  tiep-can-dich-vu:   # giữ nguyên\n"
        "    deadline: Quý IV/2026\n",
        encoding="utf-8",
    )
    source, t = other_year(tmp_path)
    before = profile.read_text("utf-8")
    dry = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "cchc-2027")
    assert dry.exit_code == 0, dry.output
    assert "Thêm --apply để cập nhật hồ sơ lang-son.yaml:" in dry.stderr
    assert profile.read_text("utf-8") == before  # nothing without --apply
    again = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "cchc-2027",
                    "--apply", "--force")  # fmt: skip
    assert again.exit_code == 0, again.output
    text = profile.read_text("utf-8")
    lines = iter(text.splitlines())
    assert all(old in lines for old in before.splitlines())  # every line kept, in order
    assert text.count("\ntasks:") == 1 and "# giữ nguyên" in text and "# nhiệm vụ riêng" in text
    assert "# như Kế hoạch số 252/KH-UBND" in text  # the recipients' comment, untouched
    data_ = yaml.safe_load(text)
    assert data_["plans"][2027] == {"number": 41, "date": dt.date(2027, 3, 5)}
    assert data_["plan"] == {"number": 252, "date": dt.date(2026, 6, 23)}
    assert data_["tasks"]["tiep-can-dich-vu"] == {"deadline": "Quý IV/2026"}
    assert data_["document"] == yaml.safe_load(before)["document"]
    check = plangen("--data", data, "validate")
    assert check.exit_code == 0, check.output
    out = tmp_path / "out"
    shown = plangen("--data", data, "--unit", "lang-son", "--year", "2027", "--appendix",
                    "cchc-2027", "--out", out, "--no-tracker")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    [rendered] = out.glob("*.docx")
    assert compare(t["rows"], rendered) == (8, [])  # the province's table, exactly


def test_apply_is_for_the_province_profile(tmp_path, data):
    source, _ = other_year(tmp_path)
    result = plangen("--data", data, "import", source, "--unit", "dinh-lap", "--id", "x", "--apply")
    assert result.exit_code == 2
    assert "--apply cập nhật hồ sơ của tỉnh" in result.stderr


# --------------------------------------------------------------------------- identity


def guided(tmp_path: Path, name: str, guide: str) -> Path:
    t = table([section("I", "CÔNG VỤ"), task("1", "Rà soát quy trình.", "Sở Nội vụ")], guide, 2027)
    return appendix_docx(tmp_path / name, t)


def test_an_edition_is_never_contradicted_without_force(tmp_path, data):
    first = guided(tmp_path, "a.docx", "(Kèm theo Kế hoạch số 199/KH-UBND ngày 20/6/2027 của "
                   "UBND tỉnh Lạng Sơn)")  # fmt: skip
    assert (
        plangen("--data", data, "import", first, "--unit", "lang-son", "--id", "a").exit_code == 0
    )
    identity = edition_file(data, "lang-son-2027", "edition.yaml")
    written = identity.read_text("utf-8")
    second = guided(tmp_path, "b.docx", "(Kèm theo Kế hoạch số 200/KH-UBND ngày 20/6/2027 của "
                    "UBND tỉnh Lạng Sơn)")  # fmt: skip
    refused = plangen("--data", data, "import", second, "--unit", "lang-son", "--id", "b")
    assert refused.exit_code == 2
    line = refused.stderr.strip()
    assert "\n" not in line and line.startswith(f"{identity}:") and "--force" in line, line
    assert "số 200 (edition ghi số 199)" in line
    assert not edition_file(data, "lang-son-2027", "b.yaml").exists()
    assert identity.read_text("utf-8") == written
    forced = plangen("--data", data, "import", second, "--unit", "lang-son", "--id", "b", "--force")
    assert forced.exit_code == 0, forced.output
    text = identity.read_text("utf-8")
    assert yaml.safe_load(text)["plan"]["number"] == 200
    assert text.split("province:")[0] == written.split("province:")[0]  # its comments kept


def test_a_new_edition_needs_the_plan_date(tmp_path, data):
    source = guided(tmp_path, "a.docx", "")
    result = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "a")
    assert result.exit_code == 2
    assert "chưa có kế hoạch tỉnh Lạng Sơn năm 2027 (edition lang-son-2027)" in result.stderr


def test_the_documents_must_be_of_one_plan(tmp_path, data):
    plan, first, second = build_all(tmp_path / "docs")
    late = guided(tmp_path, "late.docx", "")
    before = sorted(p for p in (data / "catalogs").rglob("*"))
    result = plangen("--data", data, "import", plan, first, late)
    assert result.exit_code == 2
    assert "các tệp phải của cùng một kế hoạch" in result.stderr
    twice = plangen("--data", data, "import", plan, plan_docx(tmp_path / "b.docx"), second)
    assert twice.exit_code == 2 and "đã có một tệp Kế hoạch" in twice.stderr
    several = plangen("--data", data, "import", first, second, "--id", "x")
    assert (
        several.exit_code == 2 and "--id và --out chỉ dùng khi nhập một phụ lục" in several.stderr
    )
    assert sorted(p for p in (data / "catalogs").rglob("*")) == before


def test_another_edition_renders_as_before(tmp_path, data):
    shutil.rmtree(data / EDITIONS / "lai-chau-2026")
    (data / "catalogs" / "units" / "lai-chau.yaml").unlink()
    for unit in ("ta-leng", "tan-phong"):
        (data / "catalogs" / "units" / f"{unit}.yaml").unlink()

    def texts(out: Path) -> dict[str, str]:
        for unit in ("lang-son", "dinh-lap", "tam-thanh"):
            result = plangen("--data", data, "--unit", unit, "--out", out / unit, "--no-tracker")
            assert result.exit_code == 0, result.output
        return {p.name: docx_text(p) for p in sorted(out.rglob("*.docx"))}

    before = texts(tmp_path / "before")
    result = plangen("--data", data, "import", *build_all(tmp_path / "docs"), "--apply")
    assert result.exit_code == 0, result.output
    assert texts(tmp_path / "after") == before


# --------------------------------------------------------------------------- reading a plan


def test_plangens_own_plan_reads_back(tmp_path):
    out = tmp_path / "out"
    result = plangen("--unit", "lang-son", "--out", out, "--no-tracker", "--year", "2026")
    assert result.exit_code == 0, result.output
    path = out / "lang-son-ke-hoach-2026.docx"
    plan = read_plan(path)
    assert plan.header_left[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN"]
    assert "Số: 252/KH-UBND" in plan.header_left
    assert plan.doc_type == "KẾ HOẠCH" and plan.title[-1].endswith("năm 2026")
    assert plan.recipients[0] == "Bộ Nội vụ" and plan.recipients[-1] == "Lưu: VT, NC (HTMĐ)"
    assert plan.signer[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert plan.signer[-1] == "Trần Thanh Nhân"
    body = BodyBuilder(plan, 2026).build()
    assert body.counts["phần"] == 3 and body.deadline_days == 15
    assert body.target and body.target.startswith("đưa các chỉ số của tỉnh đạt mức trung bình")
    rendered = docx_text(path)
    assert "(Chi tiết tại Phụ lục I)" in rendered


def test_a_whole_plan_of_next_year_for_a_province_with_a_profile(tmp_path, data):
    """Lạng Sơn's 2027 Kế hoạch with its Phụ lục II: the profile gets a plan of 2027 and
    keeps its signer and recipients (they serve 2026 too); the body's reference to a
    Phụ lục I the edition has not is kept as text, and said."""
    from lai_chau_docs import load
    from test_editions_next_year import table_2027

    plan = load("ke-hoach.json")
    plan["header"]["left"] = ["ỦY BAN NHÂN DÂN", "TỈNH LẠNG SƠN"]
    plan["header"]["number"] = "Số: 199/KH-UBND"
    plan["header"]["place_date"] = "Lạng Sơn, ngày 20 tháng 6 năm 2027"
    plan["title"][-1] = "tỉnh Lạng Sơn năm 2027"
    for para in plan["body"]:
        para["text"] = para["text"].replace("Lai Châu", "Lạng Sơn").replace("2026", "2027")
    sources = [plan_docx(tmp_path / "kh.docx", plan)]
    sources.append(appendix_docx(tmp_path / "pl2.docx", table_2027()))
    profile = data / "catalogs" / "units" / "lang-son.yaml"
    before = yaml.safe_load(profile.read_text("utf-8"))
    result = plangen("--data", data, "import", *sources, "--apply")
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "lang-son-2027 (mới): tỉnh Lạng Sơn, Kế hoạch số 199/KH-UBND ngày 20/6/2027" in err
    assert "người ký và nơi nhận giữ nguyên: hồ sơ còn dùng cho năm 2026" in err
    assert '"(Chi tiết tại Phụ lục I)": không có phụ lục I trong edition' in err
    assert '"(Chi tiết tại Phụ lục II)" -> refer: sipas-2027' in err
    after = yaml.safe_load(profile.read_text("utf-8"))
    assert after["plans"][2027] == {"number": 199, "date": dt.date(2027, 6, 20)}
    assert after["document"] == before["document"] and after["plan"] == before["plan"]
    assert sorted(p.name for p in (data / EDITIONS / "lang-son-2027").iterdir()) == [
        "edition.yaml", "ke-hoach-2027.yaml", "sipas-2027.yaml"
    ]  # fmt: skip
    check = plangen("--data", data, "validate")
    assert check.exit_code == 0, check.output
    out = tmp_path / "out"
    shown = plangen("--data", data, "--unit", "lang-son", "--year", "2027", "--out", out,
                    "--no-tracker")  # fmt: skip
    assert shown.exit_code == 0, shown.output
    text = docx_text(out / "lang-son-ke-hoach-2027.docx")
    assert "Số: 199/KH-UBND" in text and "Lạng Sơn, ngày 20 tháng 6 năm 2027" in text
    assert "Trần Thanh Nhân" in text  # the profile's signer


def test_a_catalog_written_elsewhere_makes_no_edition(tmp_path, data):
    source, _ = other_year(tmp_path)
    out = tmp_path / "ra" / "cchc.yaml"
    result = plangen("--data", data, "import", source, "--unit", "lang-son", "--id", "cchc-2027",
                     "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(out)]
    assert out.is_file() and not (data / EDITIONS / "lang-son-2027").exists()
