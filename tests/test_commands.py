"""The other commands: schema, new-unit, listings, status, --all, and the deadline rule."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import ROOT, read_table
from typer.testing import CliRunner

from generator.cli import app
from generator.flow.schema import schemas
from generator.model.unit import ParentPlan, Unit
from generator.resolve.deadlines import deadline, due_date

runner = CliRunner()


def plangen(*args: str):
    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- schema


def test_schemas_in_the_repository_match_the_models():
    for name, text in schemas().items():
        shipped = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert shipped == text, f"schemas/{name} is stale: run `plangen schema`"


def test_schema_rejects_unknown_keys_and_yaml_files_point_to_it():
    catalog = json.loads(schemas()["catalog.schema.json"])
    assert catalog["additionalProperties"] is False
    assert catalog["$defs"]["Task"]["additionalProperties"] is False
    assert {"id", "text", "lead", "deadline", "product"} <= set(
        catalog["$defs"]["Task"]["required"]
    )
    for path in (ROOT / "catalogs").rglob("*.yaml"):
        if path.name == "provinces.yaml":
            continue  # a list of names, no schema of its own
        first = path.read_text(encoding="utf-8").splitlines()[0]
        text = path.read_text(encoding="utf-8")
        kind = {"units": "unit", "kinds": "kind", "plans": "plan", "legal": "legal"}.get(
            path.parent.name, "roles" if path.name == "roles.yaml" else "catalog"
        )
        if path.parent.parent.name == "editions":
            kind = "edition" if path.name == "edition.yaml" else kind
            kind = "plan" if "\nparts:" in text else kind
        depth = len(path.relative_to(ROOT / "catalogs").parts)
        rel = "/".join([".."] * depth) + "/schemas"
        assert first == f"# yaml-language-server: $schema={rel}/{kind}.schema.json", path


def test_schema_command_writes_the_files(tmp_path):
    result = plangen("schema", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(schemas())


# --------------------------------------------------------------------------- new-unit


def test_new_unit_writes_a_minimal_valid_profile(tmp_path, data_copy):
    units = tmp_path / "units"
    result = plangen(
        "--data",
        str(data_copy),
        "new-unit",
        "Xã Lộc Bình",
        "--province",
        "lang-son",
        "--kind",
        "commune",
        "--plan-number",
        "12",
        "--plan-date",
        "2026-07-08",
        "--units-dir",
        str(units),
    )
    assert result.exit_code == 0, result.output
    path = units / "loc-binh.yaml"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert 'name: "xã Lộc Bình"' in text and "number: 12" in text
    out = tmp_path / "out"
    result = plangen(
        "--data",
        str(data_copy),
        "--units-dir",
        str(units),
        "--unit",
        "loc-binh",
        "--out",
        str(out),
        "--appendix",
        "II",
        "--no-tracker",
    )
    assert result.exit_code == 0, result.output
    rows = read_table(next(out.glob("*.docx")))
    assert rows[1]["cells"]["Cơ quan chủ trì"] == (
        "Phòng Văn hóa - Xã hội; Văn phòng HĐND và UBND xã; Trung tâm Dịch vụ tổng hợp"
    )
    again = plangen(
        "--data",
        str(data_copy),
        "new-unit",
        "Xã Lộc Bình",
        "--province",
        "lang-son",
        "--kind",
        "commune",
        "--units-dir",
        str(units),
    )
    assert again.exit_code == 2
    assert again.stderr.strip() == f'{path}: đơn vị "loc-binh" đã có hồ sơ; không ghi đè'
    assert path.read_text(encoding="utf-8") == text


def test_new_unit_folds_the_slug_and_knows_a_ward(tmp_path, data_copy):
    result = plangen(
        "--data",
        str(data_copy),
        "new-unit",
        "Phường Đông Kinh",
        "--province",
        "lang-son",
        "--kind",
        "ward",
        "--units-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "dong-kinh.yaml").read_text(encoding="utf-8")
    assert 'name: "phường Đông Kinh"' in text and "kind: ward" in text
    assert "issuer" not in text  # "Ủy ban nhân dân phường" comes from the kind
    assert "# number:" in text or "number: 123" in text  # left for the văn thư


def test_new_unit_refuses_unknown_kind_and_existing_shipped_unit(tmp_path, data_copy):
    result = plangen(
        "--data", str(data_copy), "new-unit", "Xã Mới", "--province", "lang-son", "--kind", "comune"
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'loại đơn vị "comune" không tồn tại (có phải ý bạn là '
        '"commune"?); có: board, commune, department, province, public_service, special_zone, '
        "ward"
    )
    result = plangen(
        "--data",
        str(data_copy),
        "new-unit",
        "Xã Đình Lập",
        "--province",
        "lang-son",
        "--kind",
        "commune",
    )
    assert result.exit_code == 2
    assert "đã có hồ sơ" in result.stderr


# --------------------------------------------------------------------------- listings


def test_listings_print_plain_tables_in_a_pipe():
    result = plangen("catalogs")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Catalog"
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["par-index-2026"][1] == "Phụ" and rows["par-index-2026"][-1] == "45"
    assert rows["sipas-2026"][-1] == "21"
    assert {"par-index-2026-lai-chau", "sipas-2026-lai-chau"} <= set(rows)
    units = plangen("units").stdout
    assert re.search(
        r"^dinh-lap\s+commune\s+xã Đình Lập\s+lang-son-2026\s+Kế hoạch số 235/KH-UBND ngày "
        r"06/7/2026 của Ủy ban nhân dân xã\s+08/7/2026$",
        units,
        re.M,
    )
    tasks = plangen("tasks", "--catalog", "sipas-2026").stdout
    assert tasks.splitlines()[0] == "sipas-2026 (21 nhiệm vụ)"
    assert "niem-yet-tthc" in tasks
    roles = plangen("roles").stdout.splitlines()
    assert roles[1].split() == [
        "Vai",
        "trò",
        "Mô",
        "tả",
        "board",
        "commune",
        "department",
        "province",
        "public_service",
        "special_zone",
        "ward",
    ]
    # one column per kind a unit may have (not the abstract "agency"); a kind's bodies may be
    # written with {{ unit.short }} ("Công an {{ unit.short }}" for every commune-like kind)
    police = next(line for line in roles if line.startswith("police "))
    assert "Công an tỉnh" in police and police.count("Công an") == 4
    bad = plangen("tasks", "--catalog", "sipas")
    assert bad.exit_code == 2
    assert "par-index-2026, par-index-2026-lai-chau, sipas-2026" in bad.stderr


def test_validate_is_quiet_and_zero_on_the_shipped_data():
    result = plangen("validate")
    assert result.exit_code == 0, result.output
    # the abstract "agency" kind is a file that is checked too, so it is counted
    assert result.stdout.strip() == "Hợp lệ: 4 catalog, 8 loại đơn vị, 8 đơn vị."
    # the only things said are warnings: the shipped units that leave the signer's name to the
    # văn thư, and the two Lai Châu samples without a drafting office
    warned = result.stderr.splitlines()
    assert all("cảnh báo:" in line for line in warned)
    assert sum("họ tên người ký" in line for line in warned) == 6
    assert sum("đơn vị soạn thảo" in line for line in warned) == 2


# --------------------------------------------------------------------------- --all


def test_all_renders_every_unit_and_reports_a_broken_one(tmp_path, data_copy):
    (data_copy / "catalogs" / "units" / "hong.yaml").write_text(
        "kind: commune\nprovince: lang-son\n"
        "name: xã Hỏng\nplan: {date: 2026-07}\nomit: [khong-co]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = plangen("--data", str(data_copy), "--all", "--out", str(out), "--no-tracker")
    assert result.exit_code == 2
    shipped = sorted(p.stem for p in (data_copy / "catalogs" / "units").glob("*.yaml"))
    shipped.remove("hong")
    assert sorted(p.name for p in out.iterdir()) == shipped
    for slug in shipped:
        assert len(list((out / slug).glob("*-phu-luc-*.docx"))) == 2
    assert re.search(r"^hong\s+LỖI\s", result.stdout, re.M)
    assert re.search(r"^dinh-lap\s+3 tệp\s+hạn ban hành 08/7/2026 ", result.stdout, re.M)
    assert 'không có nhiệm vụ hoặc mục "khong-co" để bỏ' in result.stdout
    *warned, summary = result.stderr.strip().splitlines()
    assert summary == f"1/{len(shipped) + 1} đơn vị lỗi: hong"
    assert all("cảnh báo:" in line for line in warned)


# --------------------------------------------------------------------------- --pdf


def test_pdf_without_libreoffice_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.flow.generate.soffice", lambda: None)
    out = tmp_path / "out"
    result = plangen("--unit", "dinh-lap", "--out", str(out), "--pdf", "--appendix", "II")
    assert result.exit_code == 2
    assert "LibreOffice" in result.stderr and "apt-get install" in result.stderr
    assert not out.exists()  # checked before anything is written


# --------------------------------------------------------------------------- deadline


@pytest.mark.parametrize(
    "start, days, due",
    [
        ("2026-06-23", 15, "2026-07-08"),  # the real case: KH 252 -> Đình Lập by 08/7
        ("2026-01-20", 15, "2026-02-04"),  # across a month end
        ("2026-02-20", 15, "2026-03-07"),  # February of a common year
        ("2028-02-20", 15, "2028-03-06"),  # leap year
        ("2026-12-20", 15, "2027-01-04"),  # across the year
        ("2026-06-23", 30, "2026-07-23"),  # another number of days
    ],
)
def test_due_date(start, days, due):
    assert due_date(dt.date.fromisoformat(start), days) == dt.date.fromisoformat(due)


def _deadline(plan_date: str):
    parent = ParentPlan.model_validate(
        {"title": "Kế hoạch số 252/KH-UBND", "issuer": "UBND tỉnh Lạng Sơn", "date": "2026-06-23"}
    )
    unit = Unit.model_validate({"kind": "commune", "name": "xã A", "plan": {"date": plan_date}})
    return deadline(unit, parent)


def test_late_plan_is_flagged_and_a_draft_month_is_judged_by_month():
    assert not _deadline("2026-07-08").late
    late = _deadline("2026-07-09")
    assert late.late
    assert late.describe() == (
        "hạn ban hành 08/7/2026 (15 ngày kể từ Kế hoạch số 252/KH-UBND ngày 23/6/2026 của UBND "
        "tỉnh Lạng Sơn); CẢNH BÁO: kế hoạch 09/7/2026 đã quá hạn"
    )
    assert not _deadline("2026-07").late
    assert _deadline("2026-08").late


def test_late_unit_gets_a_warning_with_its_output(tmp_path, data_copy):
    unit = data_copy / "catalogs" / "units" / "dinh-lap.yaml"
    unit.write_text(
        unit.read_text(encoding="utf-8").replace("2026-07-06", "2026-07-20"), encoding="utf-8"
    )
    result = plangen("--data", str(data_copy), "--unit", "dinh-lap", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.strip().endswith("CẢNH BÁO: kế hoạch 20/7/2026 đã quá hạn")


# --------------------------------------------------------------------------- status


def test_status_command_exit_code_follows_late_tasks(tmp_path):
    import openpyxl

    result = plangen("--unit", "dinh-lap", "--out", str(tmp_path), "--appendix", "II")
    assert result.exit_code == 0, result.output
    tracker = tmp_path / "dinh-lap-2026-theo-doi.xlsx"
    ok = plangen("status", str(tracker))
    assert ok.exit_code == 0, ok.output
    assert "Không có nhiệm vụ chậm tiến độ." in ok.stdout
    wb = openpyxl.load_workbook(tracker)
    sheet = wb.worksheets[0]
    header = next(r for r in sheet.iter_rows() if any(c.value == "Trạng thái" for c in r))
    col = next(c.column for c in header if c.value == "Trạng thái")
    first_task = next(
        r for r in sheet.iter_rows(min_row=header[0].row + 1) if str(r[0].value).isdigit()
    )
    sheet.cell(first_task[0].row, col, "Chậm tiến độ")
    wb.save(tracker)
    late = plangen("status", str(tracker))
    assert late.exit_code == 1
    assert "Nhiệm vụ chậm tiến độ:" in late.stdout and "Tăng cường cung cấp" in late.stdout
    missing = plangen("status", str(tmp_path / "khong-co.xlsx"))
    assert missing.exit_code == 2 and "không đọc được tệp theo dõi" in missing.stderr


# --------------------------------------------------------------------------- size


def test_a_catalog_of_2000_tasks_renders(tmp_path, data_copy):
    lines = [
        "# yaml-language-server: $schema=../schemas/catalog.schema.json",
        "id: lon",
        "appendix: III",
        "index: THỬ",
        "year: 2026",
        "title: Danh mục lớn",
        "columns:",
    ]
    lines += [
        f"  - {{key: {k}, label: {k}, width: 10}}"
        for k in ("stt", "task", "lead", "support", "deadline", "product")
    ]
    lines.append("sections:")
    for s in range(20):
        lines += [f"  - id: muc-{s}", f"    title: Mục {s}", "    tasks:"]
        for t in range(100):
            lines += [
                f"      - id: nv-{s}-{t}",
                f"        text: Nhiệm vụ {s}.{t} & <kiểm tra>",
                "        lead: [departments, office]",
                "        support: [related]",
                "        deadline: Thường xuyên",
                "        product: Kết quả",
            ]
    edition = data_copy / "catalogs" / "editions" / "lang-son-2026"
    (edition / "lon.yaml").write_text("\n".join(lines), encoding="utf-8")
    result = plangen(
        "--data",
        str(data_copy),
        "--unit",
        "dinh-lap",
        "--appendix",
        "lon",
        "--out",
        str(tmp_path),
        "--no-tracker",
    )
    assert result.exit_code == 0, result.output
    rows = read_table(tmp_path / "dinh-lap-phu-luc-III-lon.docx")
    tasks = [r for r in rows if r["kind"] == "task"]
    assert len(tasks) == 2000 and len(rows) == 2020
    assert tasks[-1]["stt"] == "100" and tasks[-1]["raw"][1] == "Nhiệm vụ 19.99 & <kiểm tra>"


def test_tasks_due_before_the_plan_date_are_warned_about(tmp_path, data_copy):
    """validate and rendering warn (exit 0) when a deadline ends before the unit's plan."""
    profile = data_copy / "catalogs" / "units" / "dinh-lap.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("date: 2026-07-06", "date: 2026-12-20"),
        encoding="utf-8",
    )
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "có thời hạn" in line]
    assert warnings and all('đơn vị "dinh-lap"' in line for line in warnings)
    assert any('"tap-huan-par-index"' in line and "31/7/2026" in line for line in warnings)
    assert all(re.match(r".+\.yaml:\d+: cảnh báo: ", line) for line in warnings)
    out = plangen("--data", str(data_copy), "--unit", "dinh-lap", "--out", str(tmp_path / "o"))
    assert out.exit_code == 0, out.output
    assert sum("có thời hạn" in line for line in out.stderr.splitlines()) == len(warnings)
    clean = plangen("validate")  # the shipped units: no stale deadline
    assert "có thời hạn" not in clean.stderr


def test_tracker_paper_follows_the_months_tracked(tmp_path):
    """docs/tracker.md: up to 6 months print legibly on A4; more go on A3 (or as asked)."""
    import openpyxl

    def paper(slug: str, *extra: str) -> set[int]:
        out = tmp_path / f"{slug}{len(extra)}"
        result = plangen("--unit", slug, "--out", str(out), "--appendix", "II", *extra)
        assert result.exit_code == 0, result.output
        wb = openpyxl.load_workbook(next(out.glob("*.xlsx")))
        return {ws.page_setup.paperSize for ws in wb.worksheets}

    assert paper("dinh-lap") == {9}  # July to December: A4
    assert paper("lang-son") == {8}  # June to December: A3
    assert paper("lang-son", "--tracker-paper", "A4") == {9}
    bad = plangen("--unit", "lang-son", "--tracker-paper", "A5")
    assert bad.exit_code == 2 and "--tracker-paper" in bad.stderr


def test_status_takes_the_report_date(tmp_path):
    out = tmp_path / "o"
    assert plangen("--unit", "lang-son", "--out", str(out)).exit_code == 0
    tracker = next(out.glob("*.xlsx"))
    early = plangen("status", str(tracker), "--date", "2026-06-24")
    late = plangen("status", str(tracker), "--date", "2026-12-31")
    assert early.exit_code == 0, early.output
    assert late.exit_code == 1 and "đã quá hạn" in late.stdout
    bad = plangen("status", str(tracker), "--date", "31/12/2026")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr


def test_validate_reports_a_kind_new_units_could_not_use(data_copy):
    """A kind no unit uses yet is tried with its defaults alone: its role gaps are named."""
    (data_copy / "catalogs" / "kinds" / "town.yaml").write_text(
        "id: town\nname: Thị trấn\nshort: thị trấn\nplan_symbol: KH-UBND\n"
        "roles:\n  office: [Văn phòng]\n",
        encoding="utf-8",
    )
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any('loại "town"' in line and "chưa được gán cơ quan" in line for line in lines)
    gaps = [line for line in lines if 'loại "town"' in line and "chưa được gán cơ quan" in line]
    assert gaps and all(line.endswith("(đơn vị mới chỉ có mặc định)") for line in gaps)


def test_new_unit_writes_the_date_as_a_date(tmp_path):
    result = plangen(
        "new-unit",
        "Xã Thử",
        "--province",
        "lang-son",
        "--kind",
        "commune",
        "--plan-date",
        "2026-7-2",
        "--units-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert "  date: 2026-07-02\n" in (tmp_path / "thu.yaml").read_text(encoding="utf-8")
    bad = plangen(
        "new-unit",
        "Xã B",
        "--province",
        "lang-son",
        "--kind",
        "commune",
        "--plan-date",
        "2026-13-02",
    )
    assert bad.exit_code == 2 and bad.stderr.startswith("--plan-date: ")


def test_listings_show_bodies_as_a_unit_gets_them():
    roles = plangen("roles").stdout
    assert "Công an phường" in roles and "{{" not in roles
    kinds = plangen("kinds").stdout
    assert "Ủy ban nhân dân phường" in kinds and "{{" not in kinds
    assert re.search(r"^ward\s+ward -> commune\s+phường\s+KH-UBND", kinds, re.M)


def test_validate_speaks_vietnamese_only(data_copy):
    """Every message is Vietnamese: no "Input should be", no "'I' or 'V'"."""
    catalog = data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml"
    text = catalog.read_text(encoding="utf-8")
    for old, new in [
        ("appendix: II", "appendix: XX"),
        ("year: 2026", "year: 2026.5"),
        ("{key: stt, label: STT, width: 5}", "{key: stt, label: STT, width: 0}"),
        ("{key: lead, label: Cơ quan chủ trì, width: 15}", "{key: lead, label: X, width: .inf}"),
        ("{key: support, label: Cơ quan phối hợp, width: 15}", "{key: ho, label: X, width: 5}"),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    catalog.write_text(text, encoding="utf-8")
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 5, lines  # every problem of the file, in one run
    for line in lines:
        assert not re.search(r"\b(Input|should|or|than|valid)\b", line), line
    assert any(
        '"appendix" phải là một trong: "I", "II",' in line and "hoặc" in line for line in lines
    )
    assert any('"width" ngoài khoảng cho phép (phải lớn hơn 0)' in line for line in lines)
    assert any('"width" phải là một số hữu hạn' in line for line in lines)


def test_a_units_own_fault_is_said_once_at_its_profile(tmp_path):
    """A department without a plan symbol: one line, at the profile's plan, not one per
    catalog."""
    (tmp_path / "stp.yaml").write_text(
        "kind: department\nprovince: lang-son\nname: Sở Tư pháp\nplan: {date: 2026-07}\n",
        encoding="utf-8",
    )
    result = plangen("--units-dir", str(tmp_path), "validate")
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if "cảnh báo:" not in line] == [
        f'{tmp_path / "stp.yaml"}:4:1: đơn vị "stp": thiếu ký hiệu kế hoạch (plan.symbol, ví '
        'dụ KH-SYT): loại "department" không có ký hiệu chung'
    ]


def test_all_passes_on_each_units_warnings(tmp_path, data_copy):
    profile = data_copy / "catalogs" / "units" / "dinh-lap.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("date: 2026-07-06", "date: 2026-12-20"),
        encoding="utf-8",
    )
    result = plangen("--data", str(data_copy), "--all", "--out", str(tmp_path), "--no-tracker")
    assert result.exit_code == 0, result.output
    assert any('cảnh báo: đơn vị "dinh-lap"' in line for line in result.stderr.splitlines())


def test_new_unit_of_an_edition_takes_its_province(tmp_path):
    result = plangen(
        "new-unit", "Phường Đoàn Kết", "--kind", "ward", "--edition", "lai-chau-2026",
        "--plan-date", "2026-06-30", "--units-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "province: lai-chau" in (tmp_path / "doan-ket.yaml").read_text(encoding="utf-8")
    made = plangen("--units-dir", str(tmp_path), "--unit", "doan-ket", "--out", str(tmp_path / "o"))
    assert made.exit_code == 0, made.output
    assert "Kế hoạch số 1468/KH-UBND ngày 16/6/2026" in made.stderr
    wrong = plangen("new-unit", "Phường Y", "--kind", "ward", "--edition", "lai-chau-2025")
    assert wrong.exit_code == 2 and 'có phải ý bạn là "lai-chau-2026"' in wrong.stderr
