"""After the plan is signed (docs/cycle.md): five units' real trackers, made by plangen and
filled with openpyxl with known statuses, submitted into the history, then the roll-up and a
unit's report: every figure equals what was written, nothing is made up; an older tracker
sent again changes nothing. The same scenario runs on PostgreSQL in test_cycle_postgres.py
(`scenario` and `expected` are shared)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, fold
from typer.testing import CliRunner

from generator.cli import app
from generator.cycle.periods import Period, parse_period
from generator.render.tracker import DONE, IN_PROGRESS, LATE, NOT_STARTED

runner = CliRunner()
REF = dt.date(2026, 9, 14)  # the cut-off of 2026-Q3 (Nghị định 09/2019, Điều 12)
REPORT_DAY = "2026-09-16"

# Five units of the Lạng Sơn edition: kind, plan number, plan date (due 08/7/2026).
UNITS = {
    "xa-binh-gia": ("commune", "xã Bình Gia", 11, "2026-07-01"),
    "xa-loc-binh": ("commune", "xã Lộc Bình", 12, "2026-07-20"),  # past the 15 days
    "phuong-ky-lua": ("ward", "phường Kỳ Lừa", 13, "2026-07-08"),  # the last day
    "so-tu-phap": ("department", "Sở Tư pháp", 14, "2026-07-02"),
    "xa-van-lang": ("commune", "xã Văn Lãng", None, "2026-07"),  # a draft: not issued
}
STATUS_CYCLE = (DONE, LATE, IN_PROGRESS, NOT_STARTED, DONE, IN_PROGRESS, NOT_STARTED)


def load(path: Path, **options):
    """openpyxl's workbook; its note on the data validation extension it drops is not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **options)


def plangen(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def make_data(target: Path) -> Path:
    """A copy of the shipped data with the province and the five units only."""
    for part in ("catalogs", "templates"):
        shutil.copytree(ROOT / part, target / part)
    units = target / "catalogs" / "units"
    for path in units.glob("*.yaml"):
        if path.stem != "lang-son":
            path.unlink()
    for slug, (kind, name, number, date) in UNITS.items():
        lines = [f"kind: {kind}", "province: lang-son", f"name: {name}", "plan:"]
        lines += [f"  number: {number}"] if number else []
        lines += [f"  date: {date}"]
        if kind == "department":
            lines.append("  symbol: KH-STP")
        (units / f"{slug}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def statuses_for(n: int, ids: list[str]) -> dict[str, tuple[str, str, dict]]:
    """Unit n's statuses, notes and month cells, task by task (a known pattern)."""
    out = {}
    for i, ident in enumerate(ids):
        status = STATUS_CYCLE[(i + n) % len(STATUS_CYCLE)]
        note, months = "", {}
        if status == DONE and i % 2 == 0:
            note = f"Đã hoàn thành ngày 20/7/2026 (đơn vị {n}, nhiệm vụ {i})"
        elif status == LATE:
            note = f"Vướng kinh phí (đơn vị {n}, nhiệm vụ {i})"
        elif status == IN_PROGRESS and i % 3 == 0:
            months = {"Tháng 8/2026": f"Đang triển khai (đơn vị {n}, nhiệm vụ {i})"}
        out[ident] = (status, note, months)
    return out


def fill(src: Path, dst: Path, values: dict) -> None:
    """Write statuses, notes and month cells into a tracker made by plangen (openpyxl)."""
    wb = load(src)
    for ws in wb.worksheets:
        header = [c.value for c in ws[3]]
        ident, status, note = (
            header.index(k) + 1 for k in ("Mã nhiệm vụ", "Trạng thái", "Ghi chú")
        )
        for r in range(4, ws.max_row + 1):
            key = ws.cell(r, ident).value
            if key in values:
                st, text, months = values[key]
                ws.cell(r, status).value = st
                ws.cell(r, note).value = text or None
                for label, cell in months.items():
                    ws.cell(r, header.index(label) + 1).value = cell
    wb.save(dst)


def tracker_rows(path: Path) -> list[dict]:
    """Every task row of a filled tracker as openpyxl reads it: the test's own reading."""
    wb = load(path, data_only=True)
    rows = []
    for ws in wb.worksheets:
        header = [c.value for c in ws[3]]
        col = {k: header.index(k) for k in header if k}
        for values in ws.iter_rows(min_row=4, values_only=True):
            ident = values[col["Mã nhiệm vụ"]]
            if not ident or ident.startswith("section:"):
                continue
            due = values[col["Hạn hoàn thành"]]
            rows.append(
                {
                    "sheet": ws.title,
                    "id": ident,
                    "text": values[col["Nhiệm vụ cụ thể"]],
                    "status": values[col["Trạng thái"]],
                    "note": values[col["Ghi chú"]] or "",
                    "due": due.date() if isinstance(due, dt.datetime) else None,
                }
            )
    return rows


def expected_class(row: dict, ref: dt.date = REF) -> str:
    """The rule of docs/cycle.md, written out again for the test."""
    status, due = row["status"], row["due"]
    if status == DONE:
        return "done"
    if status == LATE or (due is not None and due < ref):
        return "late"
    if due is not None and due <= ref + dt.timedelta(days=30):
        return "at_risk"
    return {IN_PROGRESS: "in_progress", NOT_STARTED: "not_started"}[status]


def scenario(tmp: Path, db: str) -> dict:
    """Make, fill and submit the five trackers into `db`; run the roll-up and one report."""
    data = make_data(tmp / "data")
    filled = {}
    for n, slug in enumerate(UNITS):
        out = tmp / "made" / slug
        result = plangen("--unit", slug, "--out", out, "--data", data)
        assert result.exit_code == 0, result.output
        [made] = out.glob("*-theo-doi.xlsx")
        ids = [r["id"] for r in tracker_rows(made)]
        filled[slug] = tmp / "filled" / f"{slug}.xlsx"
        filled[slug].parent.mkdir(parents=True, exist_ok=True)
        fill(made, filled[slug], statuses_for(n, ids))
        result = plangen(
            "submit", filled[slug], "--unit", slug, "--date", REPORT_DAY, "--by", f"vt-{slug}",
            "--db", db, "--data", data,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    result = plangen(
        "rollup", "--period", "2026-Q3", "--date", REPORT_DAY, "--out", tmp / "rollup",
        "--db", db, "--data", data,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [xlsx] = (tmp / "rollup").glob("*.xlsx")
    [docx] = (tmp / "rollup").glob("*.docx")
    result = plangen(
        "report", "--unit", "xa-binh-gia", "--period", "2026-Q3", "--date", REPORT_DAY,
        "--out", tmp / "report", "--db", db, "--data", data,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [report] = (tmp / "report").glob("*.docx")
    return {"data": data, "filled": filled, "xlsx": xlsx, "docx": docx, "report": report}


def sheet_rows(xlsx: Path, name: str, header_row: int = 4) -> list[dict]:
    wb = load(xlsx, data_only=True)
    ws = wb[name]
    header = [c.value for c in ws[header_row]]
    out = []
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        out.append(dict(zip(header, values, strict=False)))
    return out


def rollup_figures(xlsx: Path) -> dict:
    """Everything the workbook counts, for comparing two databases' roll-ups."""
    units = [r for r in sheet_rows(xlsx, "Tổng hợp") if r.get("Mã đơn vị")]
    matrix = sheet_rows(xlsx, "Ma trận")
    tasks = [r for r in sheet_rows(xlsx, "Nhiệm vụ") if r.get("Mã")]
    strip = ("Nộp theo dõi",)  # the time of sending differs between two runs
    return {
        "units": [{k: v for k, v in r.items() if k not in strip} for r in units],
        "matrix": [{k: v for k, v in r.items() if k not in strip} for r in matrix],
        "tasks": tasks,
    }


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(io.BytesIO(path.read_bytes()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return fold("\n".join(parts))


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("cycle")
    return scenario(tmp, str(tmp / "plangen.db"))


# --------------------------------------------------------------------------- the roll-up


def test_every_count_of_the_rollup_equals_the_statuses_written(run):
    units = {r["Mã đơn vị"]: r for r in sheet_rows(run["xlsx"], "Tổng hợp") if r.get("Mã đơn vị")}
    assert set(units) == set(UNITS)
    for slug, path in run["filled"].items():
        rows = tracker_rows(path)
        classes = [expected_class(r) for r in rows]
        got = units[slug]
        assert got["Tổng nhiệm vụ"] == len(rows)
        assert got["Hoàn thành"] == classes.count("done") == sum(r["status"] == DONE for r in rows)
        assert got["Chậm tiến độ"] == classes.count("late")
        assert got["Sắp đến hạn, chưa xong"] == classes.count("at_risk")
        assert got["Đang thực hiện"] == classes.count("in_progress")
        assert got["Chưa triển khai"] == classes.count("not_started")
        assert got["Không rõ trạng thái"] == 0
        assert classes.count("late") >= sum(r["status"] == LATE for r in rows) > 0


def test_the_matrix_holds_each_units_state_of_each_task(run):
    short = {"done": "Hoàn thành", "late": "Chậm", "at_risk": "Sắp đến hạn",
             "in_progress": "Đang làm", "not_started": "Chưa làm"}  # fmt: skip
    wb = load(run["xlsx"], data_only=True)
    ws = wb["Ma trận"]
    ids = [c.value for c in ws[3]]  # the hidden row of task ids
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A4")
    assert ws.conditional_formatting  # the states are coloured
    matrix = {row[1]: row for row in ws.iter_rows(min_row=5, values_only=True)}
    for slug, path in run["filled"].items():
        row = matrix[slug]
        for r in tracker_rows(path):
            column = ids.index(f"{r['sheet']}:{r['id']}")
            assert row[column] == short[expected_class(r)], (slug, r["id"])
        states = [v for v in row[3:] if v]
        assert len(states) == len(tracker_rows(path))


def test_each_task_names_the_units_where_it_is_late(run):
    names = {slug: name for slug, (_, name, _, _) in UNITS.items()}
    late: dict[tuple[str, str], set[str]] = {}
    for slug, path in run["filled"].items():
        for r in tracker_rows(path):
            if expected_class(r) == "late":
                late.setdefault((r["sheet"], r["id"]), set()).add(names[slug])
    tasks = [r for r in sheet_rows(run["xlsx"], "Nhiệm vụ") if r.get("Mã")]
    seen = {}
    for r in tasks:
        units = {u for u in (r["Đơn vị chậm tiến độ"] or "").split("; ") if u}
        assert r["Chậm tiến độ"] == len(units)
        if units:
            seen[(r["Phụ lục"], r["Mã nhiệm vụ"])] = units
    assert seen == late


def test_plans_issued_against_the_15_day_deadline(run):
    units = {r["Mã đơn vị"]: r for r in sheet_rows(run["xlsx"], "Tổng hợp") if r.get("Mã đơn vị")}
    assert units["xa-binh-gia"]["Ban hành"] == "Đúng hạn"
    assert units["phuong-ky-lua"]["Ban hành"] == "Đúng hạn"  # 08/7/2026, the last day
    assert units["xa-loc-binh"]["Ban hành"] == "Quá hạn"
    assert units["xa-van-lang"]["Ban hành"] == "Chưa ban hành"
    assert units["xa-binh-gia"]["Hạn ban hành"] == dt.datetime(2026, 7, 8)


def test_the_workbook_has_its_charts_and_filters(run):
    import zipfile

    names = zipfile.ZipFile(run["xlsx"]).namelist()
    assert len([n for n in names if n.startswith("xl/charts/chart")]) == 2
    wb = load(run["xlsx"])
    for name in ("Tổng hợp", "Ma trận", "Nhiệm vụ"):
        assert wb[name].auto_filter.ref, name


def test_the_province_report_counts_the_units(run):
    text = docx_text(run["docx"])
    assert "BÁO CÁO" in text and "Kính gửi: Bộ Nội vụ." in text
    assert "Có 5 cơ quan, đơn vị; đã ban hành 4 (3 trong hạn, 1 quá hạn); chưa ban hành 1." in text
    assert "Ban hành quá hạn: xã Lộc Bình (ngày 20/7/2026)." in text
    assert "Chưa ban hành: xã Văn Lãng." in text
    assert "Có 5/5 cơ quan, đơn vị đã nộp tệp theo dõi tiến độ." in text


# --------------------------------------------------------------------------- the unit's report


def test_the_units_report_names_each_late_task_and_counts_right(run):
    text = docx_text(run["report"])
    rows = tracker_rows(run["filled"]["xa-binh-gia"])
    classes = [expected_class(r) for r in rows]
    assert "BÁO CÁO" in text and "Số: /BC-UBND" in " ".join(text.split())
    assert "Kính gửi: UBND tỉnh (qua Sở Nội vụ)." in text
    assert "quý III năm 2026" in text and "từ ngày 15/6/2026 đến ngày 14/9/2026" in text
    assert f"Kế hoạch có {len(rows)} nhiệm vụ" in text
    assert f"hoàn thành {classes.count('done')} nhiệm vụ" in text
    assert f"chậm tiến độ {classes.count('late')}" in text
    assert f"Nhiệm vụ chậm tiến độ ({classes.count('late')} nhiệm vụ)" in text
    late = [r for r, c in zip(rows, classes, strict=True) if c == "late"]
    body = text.split("II. TỒN TẠI, HẠN CHẾ")[1].split("III. PHƯƠNG HƯỚNG")[0]
    for r in late:
        assert fold(r["text"])[:100] in body, r["text"]
    assert body.count("- Phụ lục") == classes.count("late") + classes.count("at_risk")


def test_the_units_report_invents_nothing(run):
    text = docx_text(run["report"])
    rows = tracker_rows(run["filled"]["xa-binh-gia"])
    said = set(re.findall(r"\(đơn vị \d+, nhiệm vụ \d+\)", text))
    notes = {n[n.index("(đơn vị ") :] for r in rows if (n := r["note"])}
    months = {
        f"(đơn vị 0, nhiệm vụ {i})"
        for i in range(len(rows))
        if i % 3 == 0 and STATUS_CYCLE[i % len(STATUS_CYCLE)] == IN_PROGRESS
    }
    assert said == notes | months  # every note and month cell written, and nothing else
    # what the tracker cannot say is left to the clerk, as dots
    assert "Đánh giá chung: ....." in text and "Nguyên nhân" in text
    plan_text = fold(" ".join(r["text"] for r in rows))
    stock = ("đạt kết quả tốt", "cơ bản hoàn thành", "tích cực", "nghiêm túc", "hiệu quả")
    for phrase in stock:  # an assessment is the clerk's to write, unless the plan says it
        assert phrase in plan_text or phrase not in text, phrase


def test_a_report_from_the_tracker_file_gives_the_same_figures(run, tmp_path):
    result = plangen(
        "report", "--unit", "xa-binh-gia", "--period", "2026-Q3", "--date", REPORT_DAY,
        "--tracker", run["filled"]["xa-binh-gia"], "--out", tmp_path, "--data", run["data"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("*.docx")
    figures = docx_text(path).split("Kết quả chung")[1].split("Kết quả theo từng lĩnh vực")[0]
    stored = docx_text(run["report"]).split("Kết quả chung")[1].split("Kết quả theo từng")[0]
    assert figures.split("tính đến ngày")[1] == stored.split("tính đến ngày")[1]


def test_report_refuses_to_overwrite_and_says_so_in_one_line(run, tmp_path):
    args = [
        "report", "--unit", "xa-binh-gia", "--period", "2026-Q3", "--date", REPORT_DAY,
        "--tracker", run["filled"]["xa-binh-gia"], "--out", tmp_path, "--data", run["data"],
    ]  # fmt: skip
    assert plangen(*args).exit_code == 0
    again = plangen(*args)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.output
    assert plangen(*args, "--force").exit_code == 0


# --------------------------------------------------------------------------- resubmission


def test_an_older_tracker_sent_again_changes_nothing(tmp_path):
    run_older(tmp_path, str(tmp_path / "plangen.db"))


def two_versions(tmp: Path, tasks: int, note: str) -> tuple[Path, Path, Path]:
    """(data folder, v1, v2): xa-binh-gia's tracker with its first `tasks` tasks in progress
    (v1), then done with `note` (v2)."""
    data = make_data(tmp / "data")
    out = tmp / "made"
    assert plangen("--unit", "xa-binh-gia", "--out", out, "--data", data).exit_code == 0
    [made] = out.glob("*-theo-doi.xlsx")
    ids = [r["id"] for r in tracker_rows(made)]
    v1, v2 = tmp / "v1.xlsx", tmp / "v2.xlsx"
    fill(made, v1, {i: (IN_PROGRESS, "", {}) for i in ids[:tasks]})
    fill(made, v2, {i: (DONE, note, {}) for i in ids[:tasks]})
    return data, v1, v2


def run_older(tmp: Path, db: str) -> None:
    """v1 then v2 (more done) submitted; v1 again is refused with its differences, and the
    roll-up keeps v2's figures; with --force it is stored, marked as forced."""
    data, v1, v2 = two_versions(tmp, 6, "Xong ngày 01/8/2026")
    base = ["--unit", "xa-binh-gia", "--db", db, "--data", data]
    assert plangen("submit", v1, *base, "--date", "2026-08-01").exit_code == 0
    assert plangen("submit", v2, *base, "--date", "2026-09-01").exit_code == 0
    again = plangen("submit", v1, *base, "--date", "2026-09-02")
    assert again.exit_code == 2
    assert "cũ hơn lần nộp mới nhất" in again.stderr and "--force" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert again.stdout.count("LÙI") == 12  # six statuses back, six notes erased
    same = plangen("submit", v2, *base, "--date", "2026-09-03")
    assert same.exit_code == 0 and "không ghi lại" in same.stdout
    rollup = plangen(
        "rollup", "--date", "2026-09-05", "--out", tmp / "r", "--db", db, "--data", data
    )
    assert rollup.exit_code == 0, rollup.output
    [xlsx] = (tmp / "r").glob("*.xlsx")
    unit = next(r for r in sheet_rows(xlsx, "Tổng hợp") if r.get("Mã đơn vị") == "xa-binh-gia")
    assert unit["Hoàn thành"] == 6 and unit["Số liệu ngày"] == dt.datetime(2026, 9, 1)
    forced = plangen("submit", v1, *base, "--date", "2026-09-04", "--force")
    assert forced.exit_code == 0, forced.output
    shutil.rmtree(tmp / "r")
    assert (
        plangen(
            "rollup", "--date", "2026-09-05", "--out", tmp / "r", "--db", db, "--data", data
        ).exit_code
        == 0
    )
    [xlsx] = (tmp / "r").glob("*.xlsx")
    unit = next(r for r in sheet_rows(xlsx, "Tổng hợp") if r.get("Mã đơn vị") == "xa-binh-gia")
    assert unit["Hoàn thành"] == 0  # the clerk chose it explicitly


def test_an_older_tracker_dated_earlier_goes_into_history_only(tmp_path):
    data, v1, v2 = two_versions(tmp_path, 3, "")
    base = ["--unit", "xa-binh-gia", "--db", tmp_path / "h.db", "--data", data]
    assert plangen("submit", v2, *base, "--date", "2026-09-01").exit_code == 0
    late = plangen("submit", v1, *base, "--date", "2026-08-01")
    assert late.exit_code == 2 and "trước ngày 01/9/2026" in late.stderr
    kept = plangen("submit", v1, *base, "--date", "2026-08-01", "--force")
    assert kept.exit_code == 0 and "số liệu mới nhất không đổi" in kept.stdout


def test_a_tracker_of_another_unit_is_refused(run, tmp_path):
    result = plangen(
        "submit", run["filled"]["xa-binh-gia"], "--unit", "xa-loc-binh",
        "--db", tmp_path / "x.db", "--data", run["data"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert 'được lập cho đơn vị "xa-binh-gia", không phải "xa-loc-binh"' in result.stderr


# --------------------------------------------------------------------------- reminders, periods


def test_status_due_lists_what_falls_due_per_unit(run):
    db = run["data"].parent / "plangen.db"
    result = plangen(
        "status", "--due", "14", "--unit", "xa-binh-gia", "--db", db, "--date", REPORT_DAY
    )
    assert result.exit_code in (0, 1), result.output
    rows = tracker_rows(run["filled"]["xa-binh-gia"])
    today = dt.date(2026, 9, 16)
    due = [
        r
        for r in rows
        if r["status"] != DONE and r["due"] and today <= r["due"] <= today + dt.timedelta(days=14)
    ]
    assert result.stdout.count("\n  - ") == len(due)
    files = plangen("status", "--due", "14", run["filled"]["xa-binh-gia"], "--date", REPORT_DAY)
    assert files.stdout.count("\n  - ") == len(due)


def test_status_without_due_still_reads_trackers(run):
    result = plangen("status", run["filled"]["xa-binh-gia"], "--date", REPORT_DAY)
    assert result.exit_code == 1 and "Nhiệm vụ chậm tiến độ:" in result.stdout


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2026-Q1", dt.date(2025, 12, 15), dt.date(2026, 3, 14), "quý I năm 2026"),
        ("2026-Q3", dt.date(2026, 6, 15), dt.date(2026, 9, 14), "quý III năm 2026"),
        ("2026-H1", dt.date(2025, 12, 15), dt.date(2026, 6, 14), "6 tháng đầu năm 2026"),
        ("2026-H2", dt.date(2026, 6, 15), dt.date(2026, 12, 14), "6 tháng cuối năm 2026"),
        ("2026-9M", dt.date(2025, 12, 15), dt.date(2026, 9, 14), "9 tháng đầu năm 2026"),
        ("2026", dt.date(2025, 12, 15), dt.date(2026, 12, 14), "năm 2026"),
        ("2026-03", dt.date(2026, 2, 15), dt.date(2026, 3, 14), "tháng 3 năm 2026"),
        ("2026-01", dt.date(2025, 12, 15), dt.date(2026, 1, 14), "tháng 01 năm 2026"),
    ],
)
def test_periods_follow_decree_09_2019_article_12(code, start, end, label):
    p = parse_period(code)
    assert (p.start, p.end, p.label, p.code) == (start, end, label, code)


def test_the_period_after_each():
    assert parse_period("2026-Q4").following() == Period(2027, "quarter", 1)
    assert parse_period("2026-9M").following() == Period(2026, "quarter", 4)
    assert parse_period("2026-H1").following() == Period(2026, "half", 2)
    assert parse_period("2026").following() == Period(2027, "year")


@pytest.mark.parametrize("bad", ["2026-Q5", "26-Q1", "2026-13", "quý 3", "2026-H3", ""])
def test_a_bad_period_is_one_line(bad, run):
    result = plangen("report", "--unit", "xa-binh-gia", "--period", bad, "--data", run["data"])
    assert result.exit_code == 2 and "kỳ báo cáo" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
