"""Every kind of unit, right out of the box: each shipped unit's appendices in its own words.

The shipped profiles cover five kinds: province (lang-son), commune (dinh-lap), board
(dong-dang), ward (tam-thanh) and department (so-y-te). Each is rendered for both appendices
and read back for words of another level, empty lead cells, leftovers of the catalog's
placeholders, its title and guide line, and deadlines that end before the plan is issued.
The layouts described in docs/kinds.md are rendered too.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, fold, read_table
from typer.testing import CliRunner

from generator.check.wording import kind_trial, sample_unit
from generator.check.workspace import validate
from generator.cli import app
from generator.model.workspace import open_workspace
from generator.render.appendix import render_appendix
from generator.render.template import load_template
from generator.resolve.deadlines import bound_deadline
from generator.resolve.duedate import DATE, parse_deadline
from generator.resolve.scope import bind
from generator.resolve.unit import unit_appendices as appendices

runner = CliRunner()

# slug -> (kind, date of the unit's plan; a plan without a day counts from the 1st)
UNITS = {
    "lang-son": ("province", dt.date(2026, 6, 23)),
    "dinh-lap": ("commune", dt.date(2026, 7, 6)),
    "dong-dang": ("board", dt.date(2026, 7, 1)),
    "tam-thanh": ("ward", dt.date(2026, 7, 3)),
    "so-y-te": ("department", dt.date(2026, 7, 2)),
    # the example province of catalogs/editions/lai-chau-2026
    "lai-chau": ("province", dt.date(2026, 6, 16)),
    "ta-leng": ("commune", dt.date(2026, 6, 30)),
    "tan-phong": ("ward", dt.date(2026, 6, 29)),
}

# Words a unit of each kind must never print: another level's names for itself and its bodies.
# (pattern, flags) pairs; "xã" alone is a word of a commune, "xã hội" is everybody's.
XA = r"\bxã\b(?!\s+hội)"
FOREIGN = {
    "province": [r"\bcủa xã\b", r"\bUBND xã\b", r"\bcủa Ban\b", r"\bcủa Sở\b", r"Ban Quản lý"],
    "commune": [
        r"\bphường\b",
        r"Hạ tầng và Đô thị",
        r"\bcủa Sở\b",
        r"\bcủa Ban\b",
        r"Ban Quản lý",
        r"Khu kinh tế",
        r"sở, ban, ngành",
    ],
    "ward": [XA, r"\bcủa Sở\b", r"\bcủa Ban\b", r"Ban Quản lý", r"Khu kinh tế"],
    "department": [
        r"Ban Quản lý",
        r"Khu kinh tế",
        r"cửa khẩu",
        r"\bcủa Ban\b",
        r"UBND xã",
        r"HĐND và UBND",
        XA,
        r"\bphường\b",
        # the province's own words that a department must not inherit
        r"Thủ tướng Chính phủ giao",
        r"lãnh đạo tỉnh",
        r"Cổng Thông tin điện tử (?:của )?tỉnh",
        r"quy chế làm việc của UBND tỉnh",
    ],
    "board": [r"UBND xã", r"HĐND và UBND", r"\bcủa Sở\b", XA, r"\bphường\b"],
}


@pytest.fixture(scope="module")
def ws():
    return open_workspace()


@pytest.fixture(scope="module")
def rendered(ws):
    return {slug: appendices(ws, slug) for slug in UNITS}


def cells(appendix, keys=("task", "lead", "support", "deadline", "product")):
    """(row id, column, text) of every cell of the appendix, section titles included."""
    for row in appendix.rows:
        for key, text in row.cells.items():
            if row.is_section or key in keys:
                yield row.ident, key, fold(text)


def test_the_shipped_units_are_the_ones_tested(ws):
    assert sorted(ws.unit_files) == sorted(UNITS)
    for slug, (kind, _) in UNITS.items():
        assert ws.unit(slug).model.kind == kind


@pytest.mark.parametrize("slug", UNITS)
def test_no_word_of_another_level(rendered, slug):
    kind, _ = UNITS[slug]
    found = [
        (appendix.catalog, ident, key, pattern)
        for appendix in rendered[slug]
        for ident, key, text in cells(appendix)
        for pattern in FOREIGN[kind]
        if re.search(pattern, text, flags=re.IGNORECASE)
    ]
    assert found == []
    titles = [fold(a.title) for a in rendered[slug]]
    assert all(not re.search(p, t, flags=re.IGNORECASE) for p in FOREIGN[kind] for t in titles)


@pytest.mark.parametrize("slug", UNITS)
def test_lead_cells_filled_and_nothing_of_the_catalog_left(ws, rendered, slug):
    roles = set(ws.roles.model.roles)
    for appendix in rendered[slug]:
        assert appendix.tasks, appendix.catalog
        for row in appendix.tasks:
            assert row.cells["lead"].strip(), (appendix.catalog, row.ident)
        for ident, key, text in cells(appendix):
            assert "{{" not in text and "}}" not in text and "{%" not in text, (ident, key)
            leftover = [w for w in re.findall(r"[a-z_]+", text) if w in roles or "_" in w]
            assert leftover == [], (appendix.catalog, ident, key, text)


def test_lead_cells_of_each_level_name_its_own_bodies(rendered):
    lead = {
        slug: [fold(r.cells["lead"]) for a in rendered[slug] for r in a.tasks] for slug in UNITS
    }
    # a commune's lead bodies are its own offices, never a Sở
    assert not [c for c in lead["dinh-lap"] + lead["tam-thanh"] if re.search(r"\bSở\b", c)]
    # a department leads with its own offices; the province's groups only ever support
    for cell in lead["so-y-te"]:
        assert "các sở, ban, ngành" not in cell.casefold(), cell
        assert "UBND cấp xã" not in cell, cell
        assert "UBND tỉnh" not in cell, cell
    # no sở has an inspectorate since 1/7/2025 (Luật Thanh tra 84/2025/QH15)
    assert not any("Thanh tra" in cell for cell in lead["so-y-te"])
    assert any("Văn phòng Sở" in cell for cell in lead["so-y-te"])
    # a ward's economic office is the ward's, and it is called a ward's office
    assert any("Văn phòng HĐND và UBND phường" in c for c in lead["tam-thanh"])
    assert any("Văn phòng HĐND và UBND xã" in c for c in lead["dinh-lap"])


def test_inspection_falls_to_the_office_of_a_board_or_department(rendered):
    def lead(slug, ident):
        return next(
            fold(r.cells["lead"]) for a in rendered[slug] for r in a.tasks if r.ident == ident
        )

    assert lead("so-y-te", "kiem-tra-cong-vu") == "Văn phòng Sở"
    assert lead("dong-dang", "kiem-tra-cong-vu") == "Văn phòng"
    assert lead("lang-son", "kiem-tra-cong-vu") == "Thanh tra tỉnh; Sở Nội vụ"


@pytest.mark.parametrize(
    "slug, tail, guide",
    [
        (
            "tam-thanh",
            "PHƯỜNG TAM THANH NĂM 2026",
            "(Kèm theo Kế hoạch số 98/KH-UBND ngày 03/7/2026 của Ủy ban nhân dân phường)",
        ),
        (
            "so-y-te",
            "SỞ Y TẾ NĂM 2026",
            "(Kèm theo Kế hoạch số 1502/KH-SYT ngày 02/7/2026 của Sở Y tế)",
        ),
    ],
)
def test_title_and_guide_line_of_the_new_sample_units(rendered, slug, tail, guide):
    par, sipas = rendered[slug]
    head = "CÁC NHIỆM VỤ, GIẢI PHÁP NHẰM NÂNG CAO CHỈ SỐ"
    assert (par.label, sipas.label) == ("Phụ lục I", "Phụ lục II")
    assert fold(par.title) == f"{head} CẢI CÁCH HÀNH CHÍNH (PAR INDEX) {tail}"
    assert fold(sipas.title) == f"{head} SIPAS {tail}"
    assert fold(par.guide) == fold(sipas.guide) == guide


def test_what_a_department_and_a_ward_drop(rendered):
    def ids(slug, numeral):
        return {r.ident for a in rendered[slug] if a.numeral == numeral for r in a.rows}

    sector = {
        "an-sinh-xa-hoi",
        "giao-duc-pho-thong",
        "trat-tu-an-toan-xa-hoi",
        "giao-thong-duong-bo",
        "cung-cap-dien",
        "nuoc-sinh-hoat",
    }
    province_only = {
        "kien-truc-so-ndxp",
        "phan-mem-truc-tuyen-toan-trinh",
        "chuan-hoa-cong-ttdt-tinh",
    }
    assert sector <= ids("tam-thanh", "II") and sector <= ids("lang-son", "II")
    assert not sector & ids("dong-dang", "II")
    # a department keeps only the sector task the province names it for (Sở Y tế: A.3)
    assert sector & ids("so-y-te", "II") == {"an-sinh-xa-hoi"}
    assert "tiep-can-dich-vu" not in ids("so-y-te", "II") | ids("dong-dang", "II")
    assert province_only <= ids("lang-son", "I")
    for slug in ("dinh-lap", "tam-thanh", "so-y-te", "dong-dang"):
        assert not province_only & ids(slug, "I"), slug
    # the board alone drops these two; a department keeps them in its own words
    assert {"cong-bang-khach-quan", "kenh-tiep-nhan-pakn"} <= ids("so-y-te", "II")
    assert not {"cong-bang-khach-quan", "kenh-tiep-nhan-pakn"} & ids("dong-dang", "II")


@pytest.mark.parametrize("slug", UNITS)
def test_no_deadline_ends_before_the_plan_is_issued(rendered, slug):
    _, issued = UNITS[slug]
    early = []
    for appendix in rendered[slug]:
        for row in appendix.tasks:
            due = parse_deadline(row.cells["deadline"], appendix.year)
            if due.kind == DATE and due.end < issued:
                early.append((appendix.catalog, row.ident, row.cells["deadline"], due.end))
    assert early == []


def test_the_province_keeps_its_own_deadline(rendered):
    [row] = [r for a in rendered["lang-son"] for r in a.tasks if r.ident == "de-an-vi-tri-viec-lam"]
    assert row.cells["deadline"] == "Trước quý III/2026"


@pytest.mark.parametrize("slug", [s for s, (k, _) in UNITS.items() if k != "province"])
def test_every_kind_below_the_province_has_the_15_day_rule(ws, slug):
    """15 days after its own province's plan: Lạng Sơn's of 23/6, Lai Châu's of 16/6."""
    due = bound_deadline(bind(ws, slug))
    lai_chau = ws.unit(slug).model.province == "lai-chau"
    assert due is not None and due.due == dt.date(2026, 7, 1 if lai_chau else 8)
    assert due.parent.title == (
        "Kế hoạch số 1468/KH-UBND" if lai_chau else "Kế hoạch số 252/KH-UBND"
    )
    assert not due.late


def test_every_kind_a_unit_may_have_is_clean(ws):
    for kind_id, loaded in ws.kinds.items():
        if loaded.model.abstract:
            continue
        kind = ws.kind(kind_id)
        for edition in ws.editions.values():
            assert [str(p) for p in kind_trial(ws, kind, edition)] == [], kind_id
        sample = sample_unit(kind)
        assert sample.kind == kind_id


# --------------------------------------------------------------------------- new-unit


@pytest.mark.parametrize(
    "args, shipped",
    [
        (
            ["Phường Tam Thanh", "--kind", "ward", "--plan-number", "98"]
            + ["--plan-date", "2026-07-03"],
            "tam-thanh",
        ),
        (
            ["Sở Y tế", "--kind", "department", "--plan-number", "1502"]
            + ["--plan-symbol", "KH-SYT", "--plan-date", "2026-07-02"],
            "so-y-te",
        ),
    ],
    ids=["ward", "department"],
)
def test_new_unit_of_a_new_kind_validates_and_renders_like_the_sample(tmp_path, args, shipped):
    units = tmp_path / "units"
    slug = f"{shipped}-moi"
    made = runner.invoke(
        app,
        ["new-unit", *args, "--province", "lang-son", "--units-dir", str(units), "--slug", slug],
    )
    assert made.exit_code == 0, made.output
    assert (units / f"{slug}.yaml").is_file()
    checked = runner.invoke(app, ["--units-dir", str(units), "validate"])
    assert checked.exit_code == 0, checked.output  # every role of the kind has its bodies
    assert checked.stdout.strip().endswith(f"{len(UNITS) + 1} đơn vị.")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["--units-dir", str(units), "--unit", slug, "--out", str(out), "--no-tracker"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*-phu-luc-*.docx"))) == 2
    # kind defaults only: the new profile gives the shipped sample's tables, cell for cell
    ws = open_workspace(None, [units])
    for new, old in zip(appendices(ws, slug), appendices(ws, shipped), strict=True):
        assert (new.title, new.guide) == (old.title, old.guide)
        assert [(r.ident, r.cells) for r in new.rows] == [(r.ident, r.cells) for r in old.rows]


def test_the_shipped_sample_profiles_use_kind_defaults_only(ws):
    for slug in ("tam-thanh", "so-y-te"):
        unit = ws.unit(slug)
        assert unit.model.roles == {} and unit.model.tasks == {} and unit.model.omit == ()
        first = unit.path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/unit.schema.json"


# --------------------------------------------------------------------------- a kind of its own


CUSTOM_KIND = """\
# Một loại đơn vị mới, không kế thừa loại nào, chưa có variants trong catalog.
id: custom
name: Khu thử nghiệm
short: khu
plan_symbol: KH-KTN
avoid: ["tỉnh"]
roles:
{roles}
"""


def test_validate_lists_every_task_of_a_new_kind_still_worded_for_another(data_copy):
    roles = open_workspace().roles.model.roles
    body = "\n".join(f"  {r}: [Văn phòng khu]" for r in roles)
    (data_copy / "catalogs" / "kinds" / "custom.yaml").write_text(
        CUSTOM_KIND.format(roles=body), encoding="utf-8"
    )
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 2
    # the task catalogs' lines of the Lạng Sơn edition (a kind no plan body serves gets its
    # appendices alone)
    lines = [
        line
        for line in result.stderr.splitlines()
        if "chưa có cách viết" in line and "lang-son-2026" in line
    ]
    pattern = re.compile(
        r'^(?P<path>.+\.yaml):\d+: loại "custom": nhiệm vụ "(?P<task>[a-z0-9-]+)" chưa có '
        r"cách viết của cấp này \(còn “tỉnh”\): thêm variants cho \"custom\", hoặc viết "
        r"\{\{ unit\.short \}\} thay cho từ chỉ cấp$"
    )
    found = [pattern.match(line) for line in lines]
    assert all(found), lines
    tasks = [m["task"] for m in found]
    assert len(tasks) == len(set(tasks))  # one line per task
    # both catalogs in one run
    assert {Path(m["path"]).name for m in found} == {"par-index-2026.yaml", "sipas-2026.yaml"}
    assert {"doi-thoai", "quy-che-lam-viec", "co-so-vat-chat-mot-cua"} <= set(tasks)
    # a task kept for the province only is not a custom unit's task at all
    assert "chuan-hoa-cong-ttdt-tinh" not in tasks
    # the expected set, from the province's common wording the kind falls back on
    ws = open_workspace(data_copy)
    kind = ws.kind("custom")
    want = {
        row.ident
        for cat in ws.editions["lang-son-2026"].catalogs.values()
        for row in appendices_for(ws, cat, kind)
        if not row.is_section and any(re.search(r"\btỉnh\b", t, re.I) for t in row.cells.values())
    }
    assert set(tasks) == want


def appendices_for(ws, cat, kind):
    from generator.resolve.tables import Resolver

    return Resolver(cat.model, kind, sample_unit(kind), "mau").appendix().rows


# --------------------------------------------------------------------------- layouts


def doc_example(name: str) -> str:
    """The YAML of the example `name` in docs/kinds.md (the block after "<!-- ví dụ: name -->")."""
    text = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- ví dụ: {re.escape(name)} -->\s*```yaml\n(.*?)```", text, re.S)
    assert m, f"docs/kinds.md has no example {name!r}"
    return m.group(1)


def render_table(data: Path, slug: str, only: list[str] | None = None):
    ws = open_workspace(data)
    assert [str(p) for p in validate(ws, [slug])] == []
    [appendix] = appendices(ws, slug, only)
    docx = render_appendix(load_template(ws.template), appendix)
    return appendix, read_table(docx), docx


def lines(cell: str) -> list[str]:
    return [fold(line) for line in cell.split("\n")]


def test_single_appendix_catalog_is_headed_phu_luc(data_copy):
    catalogs = data_copy / "catalogs"
    edition = catalogs / "editions" / "lang-son-2026"
    for old in ("par-index-2026.yaml", "sipas-2026.yaml", "ke-hoach-2026.yaml"):
        (edition / old).unlink()
    shutil.rmtree(catalogs / "plans")  # the plan bodies refer to both appendices
    (edition / "tuyen-truyen-2026.yaml").write_text(doc_example("một phụ lục"), encoding="utf-8")
    appendix, rows, docx = render_table(data_copy, "lang-son")
    import io

    import docx as python_docx

    paragraphs = [fold(p.text) for p in python_docx.Document(io.BytesIO(docx)).paragraphs]
    assert appendix.label == "PHỤ LỤC" and paragraphs[0] == "PHỤ LỤC"
    assert paragraphs[1] == "CÁC NHIỆM VỤ TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH TỈNH LẠNG SƠN NĂM 2026"
    [section, task] = rows
    assert (section["code"], section["title"]) == ("I", "TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH")
    keys = ["stt", "task", "lead", "support", "deadline", "product"]
    raw = dict(zip(keys, task["raw"], strict=True))
    assert fold(raw["task"]) == "Tuyên truyền kết quả cải cách hành chính năm 2026 của tỉnh."
    # bodies: lines -> one "- " line per body; a note in brackets or as running text
    assert lines(raw["lead"]) == ["- Sở Nội vụ tham mưu UBND tỉnh", "- Văn phòng UBND tỉnh"]
    assert lines(raw["support"]) == [
        "- Sở Tài chính (tham mưu kinh phí)",
        "- Các cơ quan, đơn vị có liên quan",
    ]
    # a "|-" block keeps its "- " lines
    assert lines(raw["deadline"]) == ["- Quý III/2026: kế hoạch", "- Quý IV/2026: báo cáo"]
    assert lines(raw["product"]) == ["- Kế hoạch tuyên truyền.", "- Báo cáo kết quả."]
    # the deadline's latest date is what the tracker reads
    assert parse_deadline(raw["deadline"], 2026).end == dt.date(2026, 12, 31)


def test_bodies_one_per_line_for_a_whole_kind(data_copy):
    kind = data_copy / "catalogs" / "kinds" / "commune.yaml"
    text = kind.read_text(encoding="utf-8")
    kind.write_text(
        text.replace("\nroles:\n", "\n" + doc_example("bodies") + "roles:\n"), encoding="utf-8"
    )
    _, rows, _ = render_table(data_copy, "dinh-lap", ["II"])
    first = next(r for r in rows if r["kind"] == "task")
    assert lines(first["raw"][2]) == [
        "- Phòng Văn hóa - Xã hội",
        "- Văn phòng HĐND và UBND xã",
        "- Trung tâm Dịch vụ công ích",
    ]
    # one body alone stays a plain name, without a dash
    assert lines(first["raw"][3]) == ["Các cơ quan, đơn vị có liên quan"]
    # and the kinds inheriting from commune have it too
    _, ward_rows, _ = render_table(data_copy, "tam-thanh", ["II"])
    assert fold(next(r for r in ward_rows if r["kind"] == "task")["raw"][2]).startswith("- ")


def test_kind_bodies_with_a_comma_are_one_body(ws):
    """A body whose name holds a comma is quoted in the kind's YAML flow list."""
    assert ws.kind("department").roles["departments"] == ("các phòng chuyên môn, nghiệp vụ",)
    assert ws.kind("ward").roles["economy"] == ("Phòng Kinh tế, Hạ tầng và Đô thị",)
