"""A unit's own plan (issue 19): its own tasks (`add:`), the tasks the province's tables give
it by name, kinds for what exists in 2026, and a signature page ready to sign."""

from __future__ import annotations

import re

import openpyxl
import pytest
from conftest import fold, read_table
from typer.testing import CliRunner

from generator.cli.app import app
from generator.model.kinds import foreign_words
from generator.model.workspace import open_workspace
from generator.resolve.body import build_plan
from generator.resolve.unit import unit_appendices

runner = CliRunner()

OWN = """
add:
  sipas-2026:
    - id: ho-tro-thon-ban
      after: thong-tin-chinh-sach
      text: >-
        Hỗ trợ người dân các thôn, bản vùng sâu, vùng xa thực hiện dịch vụ công trực tuyến
        tại nhà văn hóa thôn.
      lead: [culture_social, Đoàn Thanh niên xã]
      support: [one_stop]
      deadline: Quý III/2026
      product: Người dân các thôn, bản được hỗ trợ nộp hồ sơ trực tuyến.
    - id: so-ket-cuoi-muc
      section: chinh-sach
      text: Sơ kết việc tổ chức thực hiện chính sách tại các thôn, bản.
      lead: [office]
      deadline: Tháng 12/2026
      product: Báo cáo sơ kết.
"""


def profile(data, slug: str):
    return data / "catalogs" / "units" / f"{slug}.yaml"


def add_to(data, slug: str, text: str) -> None:
    path = profile(data, slug)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def plangen(*args: str):
    return runner.invoke(app, list(args))


def sipas(ws, slug: str):
    return next(a for a in unit_appendices(ws, slug) if a.catalog == "sipas-2026")


# --------------------------------------------------------------------------- own tasks


def test_a_communes_own_tasks_are_numbered_in_place_and_reach_no_other_unit(data_copy, tmp_path):
    add_to(data_copy, "dinh-lap", OWN)
    ws = open_workspace(data_copy)
    table = sipas(ws, "dinh-lap")
    section_a = [r for r in table.tasks if r.path == ("A",)]
    idents = [r.ident for r in section_a]
    assert idents[:3] == ["thong-tin-chinh-sach", "ho-tro-thon-ban", "lay-y-kien-chinh-sach"]
    assert idents[-1] == "so-ket-cuoi-muc"  # at the end of its section
    assert [r.code for r in section_a] == [str(n) for n in range(1, len(section_a) + 1)]
    own = section_a[1]
    assert own.origin == "own"
    assert own.cells["lead"] == "Phòng Văn hóa - Xã hội; Đoàn Thanh niên xã"
    assert own.cells["support"] == "Trung tâm Phục vụ hành chính công"
    # never in another unit's table
    for slug in ("tam-thanh", "lang-son", "so-y-te", "dong-dang"):
        assert "ho-tro-thon-ban" not in {r.ident for r in sipas(ws, slug).rows}, slug
    # in Tổ chức thực hiện: the body written out by name is given its task
    plan = build_plan(ws, "dinh-lap", unit_appendices(ws, "dinh-lap"))
    texts = [p.full for p in plan.paragraphs]
    heading = next(i for i, t in enumerate(texts) if t.endswith(". Đoàn Thanh niên xã"))
    assert texts[heading + 1] == "Chủ trì thực hiện nhiệm vụ tại mục A.2 Phụ lục II."
    assert "- Đoàn Thanh niên xã;" in plan.recipients  # and it is sent the plan
    # in the printed table and the tracker
    out = tmp_path / "out"
    result = plangen("--data", str(data_copy), "--unit", "dinh-lap", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = read_table(out / "dinh-lap-phu-luc-II-sipas-2026.docx")
    printed = [r for r in rows if r["kind"] == "task"]
    assert printed[1]["stt"] == "2" and printed[1]["cells"]["Nhiệm vụ cụ thể"].startswith(
        "Hỗ trợ người dân các thôn, bản"
    )
    book = openpyxl.load_workbook(out / "dinh-lap-2026-theo-doi.xlsx", read_only=True)
    cells = {
        fold(str(c))
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c
    }
    assert any(c.startswith("Hỗ trợ người dân các thôn, bản") for c in cells)


@pytest.mark.parametrize(
    "entry, field, message",
    [
        (
            "{id: moi, after: thong-tin-chinh-sachh, text: X., lead: [office], "
            "deadline: Quý IV, product: Y.}",
            "after",
            'không có nhiệm vụ "thong-tin-chinh-sachh" trong sipas-2026 (có phải ý bạn là '
            '"thong-tin-chinh-sach"?)',
        ),
        (
            "{id: an-sinh-xa-hoi, section: chinh-sach, text: X., lead: [office], "
            "deadline: Quý IV, product: Y.}",
            "id",
            'nhiệm vụ riêng "an-sinh-xa-hoi": mã này đã có',
        ),
        (
            "{id: moi, section: chinh-sach, text: X., lead: [ofice], deadline: Quý IV, "
            "product: Y.}",
            "lead.0",
            'không có vai trò "ofice" (ghi tên vai trò, hoặc tên cơ quan viết hoa chữ đầu) '
            '(có phải ý bạn là "office"?)',
        ),
    ],
)
def test_an_own_task_that_cannot_be_placed_is_said_at_its_line(data_copy, entry, field, message):
    add_to(data_copy, "dinh-lap", f"add:\n  sipas-2026:\n    - {entry}\n")
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if "cảnh báo:" not in x]
    assert line.startswith(f"{profile(data_copy, 'dinh-lap')}:") and message in line
    assert re.match(r".+dinh-lap\.yaml:\d+:\d+: ", line), line  # the line of the entry


def test_an_own_task_needs_exactly_one_place(data_copy):
    add_to(
        data_copy,
        "dinh-lap",
        "add:\n  sipas-2026:\n    - {id: moi, text: X., lead: [office], deadline: Q, "
        "product: Y.}\n",
    )
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 2
    assert 'ghi đúng một chỗ đặt nhiệm vụ: "after: <mã nhiệm vụ>"' in result.stderr


def test_an_own_task_for_a_catalog_no_edition_has_is_refused(data_copy, tmp_path):
    add_to(
        data_copy,
        "dinh-lap",
        "add:\n  sipas-2062:\n    - {id: moi, section: chinh-sach, text: X., lead: [office], "
        "deadline: Q, product: Y.}\n",
    )
    out = tmp_path / "out"
    result = plangen("--data", str(data_copy), "--unit", "dinh-lap", "--out", str(out))
    assert result.exit_code == 2
    assert 'add: không có catalog "sipas-2062"' in result.stderr
    assert 'có phải ý bạn là "sipas-2026"' in result.stderr
    assert not out.exists()


def test_an_own_task_in_another_levels_words_is_refused_by_validate(data_copy):
    add_to(
        data_copy,
        "dinh-lap",
        "add:\n  sipas-2026:\n    - {id: moi, section: chinh-sach, text: Rà soát của phường., "
        "lead: [office], deadline: Q, product: Y.}\n",
    )
    # a commune's kind does not avoid "phường"; a ward avoids "xã"
    add_to(
        data_copy,
        "tam-thanh",
        "add:\n  sipas-2026:\n    - {id: moi, section: chinh-sach, text: Rà soát của xã., "
        "lead: [office], deadline: Q, product: Y.}\n",
    )
    result = plangen("--data", str(data_copy), "validate")
    assert result.exit_code == 2
    [line] = [x for x in result.stderr.splitlines() if "cảnh báo:" not in x]
    assert "tam-thanh.yaml" in line and 'nhiệm vụ "moi" chưa có cách viết của cấp này' in line


# --------------------------------------------------------------------------- assignments


def named_bodies(ws) -> dict[str, set[str]]:
    """Each sở the province's tables name as lead or support -> the ids of those tasks."""
    province = ws.kind("province")
    out: dict[str, set[str]] = {}
    for cat in ws.editions["lang-son-2026"].catalogs.values():
        for task in cat.model.iter_tasks():
            if province.is_a(task.omit):
                continue
            for ref in (*task.lead, *task.support):
                for body in province.roles.get(ref.split()[0], ()):
                    if body.startswith("Sở "):
                        out.setdefault(body, set()).add(task.id)
    return out


def test_every_department_the_province_names_gets_its_tasks(data_copy):
    ws = open_workspace(data_copy)
    named = named_bodies(ws)
    assert {"Sở Y tế", "Sở Nội vụ", "Sở Công Thương", "Sở Xây dựng"} <= set(named)
    units = data_copy / "units"
    for n, name in enumerate(sorted(named)):
        result = plangen(
            "--data", str(data_copy), "--units-dir", str(units), "new-unit", name,
            "--province", "lang-son", "--kind", "department", "--plan-symbol", f"KH-S{n}",
            "--plan-date", "2026-07-02",
            "--slug", f"so-{n}",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    ws = open_workspace(data_copy, [units])
    for n, name in enumerate(sorted(named)):
        tables = unit_appendices(ws, f"so-{n}")
        rows = {r.ident: r for a in tables for r in a.tasks}
        assert named[name] <= set(rows), (name, named[name] - set(rows))
        for a in tables:
            for r in a.tasks:
                assert "Thanh tra" not in r.cells["lead"] + r.cells.get("support", ""), name
                if r.origin == "assigned":  # led by the sở's own offices
                    assert r.cells["lead"] == "Các phòng chuyên môn, nghiệp vụ", (name, r.ident)
                    assert name not in r.cells.get("support", "")


def test_soyte_carries_the_social_security_task_led_by_its_offices():
    ws = open_workspace()
    table = sipas(ws, "so-y-te")
    row = next(r for r in table.tasks if r.ident == "an-sinh-xa-hoi")
    # in its place among the tasks of section A (after the two the sở keeps anyway)
    assert (row.path, row.code, row.origin) == (("A",), "3", "assigned")
    assert row.cells["lead"] == "Các phòng chuyên môn, nghiệp vụ"
    # the bodies the province named with it are its partners, and are sent the plan
    assert row.cells["support"] == "Bảo hiểm xã hội tỉnh; Sở Nội vụ; Sở Nông nghiệp và Môi trường"
    plan = build_plan(ws, "so-y-te", unit_appendices(ws, "so-y-te"))
    assert {"- Bảo hiểm xã hội tỉnh;", "- Sở Nông nghiệp và Môi trường;"} <= set(plan.recipients)


def test_a_unit_named_by_the_role_it_plays(data_copy, tmp_path):
    """A body whose name the province writes differently says which role it plays."""
    (tmp_path / "vhtt.yaml").write_text(
        "kind: department\nprovince: lang-son\nname: Sở Văn hoá Thể thao Du lịch\n"
        "plays: [culture_social]\nplan: {date: 2026-07-02, symbol: KH-SVHTTDL}\n",
        encoding="utf-8",
    )
    ws = open_workspace(data_copy, [tmp_path])
    assigned = {
        r.ident for a in unit_appendices(ws, "vhtt") for r in a.tasks if r.origin != "catalog"
    }
    province = ws.kind("province")
    expected = {
        t.id
        for cat in ws.editions["lang-son-2026"].catalogs.values()
        for t in cat.model.iter_tasks()
        if any(ref.split()[0] == "culture_social" for ref in (*t.lead, *t.support))
        and ws.kind("department").is_a(t.omit)
        and not province.is_a(t.omit)
    }
    assert assigned == expected


# --------------------------------------------------------------------------- kinds


def test_no_shipped_kind_names_an_inspectorate_of_a_department():
    ws = open_workspace()
    for kind_id in ws.kinds:
        for role, bodies in ws.kind(kind_id).roles.items():
            for body in bodies:
                assert not re.search(r"Thanh tra (Sở|\{\{ unit\.short)", body), (kind_id, role)


def test_a_project_board_is_a_public_service_unit_without_economic_zone_words(tmp_path):
    units = tmp_path / "units"
    name = "Ban Quản lý dự án đầu tư xây dựng tỉnh Lạng Sơn"
    result = plangen(
        "--units-dir", str(units), "new-unit", name, "--province", "lang-son",
        "--kind", "public_service",
        "--plan-symbol", "KH-BQLDA", "--plan-date", "2026-07-05", "--slug", "bqlda",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "province: lang-son" in (units / "bqlda.yaml").read_text(encoding="utf-8")
    out = tmp_path / "out"
    result = plangen("--units-dir", str(units), "--unit", "bqlda", "--out", str(out))
    assert result.exit_code == 0, result.output
    ws = open_workspace(None, [units])
    plan = build_plan(ws, "bqlda", unit_appendices(ws, "bqlda"))
    texts = [p.full for p in plan.paragraphs] + [
        t for a in unit_appendices(ws, "bqlda") for r in a.rows for t in r.cells.values()
    ]
    for word in ("Khu kinh tế", "cửa khẩu", "UBND xã"):
        assert not [t for t in texts if word.casefold() in t.casefold()], word
    assert not [t for t in texts if "Thanh tra" in t]  # a body; "sau thanh tra" is not
    assert plan.signer[-1] == "GIÁM ĐỐC"
    assert any("của Ban" in t for t in texts)  # it calls itself by the head of its name


def test_no_kind_forbids_its_own_units_name():
    ws = open_workspace()
    department = ws.kind("department")  # avoids "Ban Quản lý" (a board's words)
    text = "Ban Quản lý các dự án trọng điểm tổ chức thực hiện."
    assert foreign_words(text, department) == ["Ban Quản lý"]
    assert foreign_words(text, department, ("Ban Quản lý các dự án trọng điểm",)) == []


# --------------------------------------------------------------------------- signature page


@pytest.mark.parametrize("slug", ["dinh-lap", "tam-thanh", "so-y-te", "dong-dang", "lang-son"])
def test_every_body_given_tasks_is_sent_the_plan(slug):
    ws = open_workspace()
    plan = build_plan(ws, slug, unit_appendices(ws, slug))
    unit = ws.unit(slug).model
    kind = ws.kind(unit.kind)
    covered_roles = (unit.document and unit.document.covered_roles) or kind.document.covered_roles
    roles = {**kind.roles, **unit.roles}
    covered = {
        b.casefold().replace("{{ unit.short }}", "")
        for r in covered_roles
        for b in roles.get(r, ())
    }
    listed = " ".join(plan.recipients).casefold()
    stated = {p.body.casefold() for p in plan.paragraphs if p.body}
    for duty in plan.duties:
        body = duty.body.casefold()
        if body not in stated:
            continue
        in_group = any(body.startswith(c.strip()) or c.strip() == body for c in covered if c)
        assert in_group or body in listed, (slug, duty.body)
    assert plan.recipients[-1].startswith("- Lưu: VT, ")  # the drafting office follows VT


def test_a_ward_names_its_police_and_schools_among_the_recipients():
    ws = open_workspace()
    plan = build_plan(ws, "tam-thanh", unit_appendices(ws, "tam-thanh"))
    assert plan.recipients[-3:] == (
        "- Công an phường;",
        "- Các đơn vị trường học;",
        "- Lưu: VT, VHXH.",
    )


def test_a_missing_signer_name_is_warned_about_and_left_as_a_dotted_line():
    result = plangen("validate")
    assert result.exit_code == 0
    warned = [x for x in result.stderr.splitlines() if "họ tên người ký" in x]
    assert sorted(re.search(r'đơn vị "([^"]+)"', x).group(1) for x in warned) == [
        "dinh-lap",
        "dong-dang",
        "so-y-te",
        "ta-leng",
        "tam-thanh",
        "tan-phong",
    ]
    assert all(": cảnh báo: " in x for x in warned)
    ws = open_workspace()
    assert build_plan(ws, "lang-son", unit_appendices(ws, "lang-son")).signer_name == (
        "Trần Thanh Nhân"
    )
