"""Resolution rules on tiny inline inputs: one rule per test."""

from __future__ import annotations

import re

import pytest

from generator.core.errors import UserError
from generator.model.catalog import Catalog
from generator.model.kinds import merge
from generator.model.unit import Kind, Unit
from generator.resolve.tables import Resolver, join_bodies

COLUMNS = [
    {"key": k, "label": k.upper(), "width": 10}
    for k in ("stt", "task", "lead", "support", "deadline", "product")
]


def task(tid: str, **kw) -> dict:
    return {
        "id": tid,
        "text": f"Nhiệm vụ {tid}",
        "lead": ["office"],
        "support": ["related"],
        "deadline": "Thường xuyên",
        "product": "Kết quả",
        **kw,
    }


def single(**task_fields) -> Catalog:
    """A catalog of one section holding one task "x"."""
    return catalog([{"id": "a", "title": "Mục", "tasks": [task("x", **task_fields)]}])


def catalog(sections: list[dict]) -> Catalog:
    return Catalog.model_validate(
        {
            "id": "t",
            "appendix": "II",
            "index": "SIPAS",
            "year": 2026,
            "title": "Các nhiệm vụ",
            "columns": COLUMNS,
            "sections": sections,
        }
    )


KIND = merge(
    [
        Kind.model_validate(
            {
                "id": "commune",
                "name": "Xã",
                "issuer": "Ủy ban nhân dân xã",
                "plan_symbol": "KH-UBND",
                "roles": {
                    "office": ["Văn phòng HĐND và UBND xã"],
                    "related": ["các cơ quan, đơn vị có liên quan"],
                    "one_stop": ["Trung tâm Phục vụ hành chính công"],
                    "communes": [],
                    "finance": ["Phòng Kinh tế"],
                    "home_affairs": ["Phòng Văn hóa - Xã hội"],
                },
                "column_labels": {"lead": "Đơn vị chủ trì"},
            }
        )
    ]
)


def unit(**kw) -> Unit:
    return Unit.model_validate(
        {"kind": "commune", "name": "xã Thử", "plan": {"number": 7, "date": "2026-07-06"}, **kw}
    )


def rows(cat: Catalog, u: Unit | None = None):
    return resolve(cat, KIND, u or unit(), "thu").rows


def resolve(cat, kind, unit, slug):
    return Resolver(cat, kind, unit, slug).appendix()


def test_roles_become_bodies_in_order_joined_and_capitalised():
    cat = catalog(
        [
            {
                "id": "a",
                "title": "Mục",
                "tasks": [
                    task(
                        "x",
                        lead=["one_stop", "office"],
                        support=["related", "finance (tham mưu kinh phí)"],
                    )
                ],
            }
        ]
    )
    [_, row] = rows(cat)
    assert row.cells["lead"] == "Trung tâm Phục vụ hành chính công; Văn phòng HĐND và UBND xã"
    assert (
        row.cells["support"]
        == "Các cơ quan, đơn vị có liên quan; Phòng Kinh tế (tham mưu kinh phí)"
    )


def test_duplicates_dropped_and_empty_roles_skipped():
    assert (
        join_bodies(["Văn phòng", "văn phòng", "Phòng Kinh tế", "Văn phòng"])
        == "Văn phòng; Phòng Kinh tế"
    )
    cat = single(lead=["communes", "office"])
    assert rows(cat)[1].cells["lead"] == "Văn phòng HĐND và UBND xã"


def test_generic_group_capitalised_only_first():
    cat = catalog(
        [
            {
                "id": "a",
                "title": "Mục",
                "tasks": [task("x", support=["related"]), task("y", support=["office", "related"])],
            }
        ]
    )
    r = rows(cat)
    assert r[1].cells["support"] == "Các cơ quan, đơn vị có liên quan"
    assert r[2].cells["support"] == "Văn phòng HĐND và UBND xã; các cơ quan, đơn vị có liên quan"


def test_kind_variant_then_unit_override():
    cat = catalog(
        [
            {
                "id": "a",
                "title": "Mục",
                "tasks": [
                    task(
                        "x",
                        variants={
                            "commune": {"text": "Cách viết của xã", "lead": ["one_stop"]},
                            "board": {"text": "Cách viết của Ban"},
                        },
                    )
                ],
            }
        ]
    )
    r = rows(cat)[1]
    assert (r.cells["task"], r.cells["lead"]) == (
        "Cách viết của xã",
        "Trung tâm Phục vụ hành chính công",
    )
    r = rows(cat, unit(tasks={"x": {"lead": ["Phòng Nội vụ"], "deadline": "Tháng 9/2026"}}))[1]
    assert (r.cells["task"], r.cells["lead"], r.cells["deadline"]) == (
        "Cách viết của xã",
        "Phòng Nội vụ",
        "Tháng 9/2026",
    )


def test_unit_role_override_wins_over_kind():
    cat = single(lead=["home_affairs"])
    assert (
        rows(cat, unit(roles={"home_affairs": ["Phòng Nội vụ"]}))[1].cells["lead"] == "Phòng Nội vụ"
    )


def test_omissions_renumber_sections_and_tasks():
    cat = catalog(
        [
            {
                "id": "a",
                "title": "Chính sách",
                "tasks": [task("a1"), task("a2", omit=["commune"]), task("a3")],
            },
            {
                "id": "b",
                "title": "Dịch vụ",
                "sections": [
                    {"id": "b1", "title": "Tiếp cận", "omit": ["commune"], "tasks": [task("b11")]},
                    {"id": "b2", "title": "Thủ tục", "tasks": [task("b21")]},
                    {"id": "b3", "title": "Kết quả", "tasks": [task("b31")]},
                    {"id": "b4", "title": "Trống", "tasks": [task("b41")]},
                ],
            },
        ]
    )
    got = [(r.code, r.ident) for r in rows(cat, unit(omit=["b41"]))]
    assert got == [
        ("A", "a"),
        ("1", "a1"),
        ("2", "a3"),
        ("B", "b"),
        ("I", "b2"),
        ("1", "b21"),
        ("II", "b3"),
        ("1", "b31"),
    ]


def test_single_level_catalog_numbers_sections_in_roman():
    cat = catalog(
        [{"id": f"s{i}", "title": f"Lĩnh vực {i}", "tasks": [task(f"t{i}")]} for i in range(1, 10)]
    )
    assert [r.code for r in rows(cat) if r.is_section] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
    ]


def test_section_titles_upper_case_and_variant():
    cat = catalog(
        [
            {
                "id": "a",
                "title": "Tiếp nhận, xử lý phản ánh (PAKN)",
                "variants": {"commune": {"title": "Phản ánh ở xã"}},
                "tasks": [task("x")],
            }
        ]
    )
    assert rows(cat)[0].title == "PHẢN ÁNH Ở XÃ"


def test_text_kept_verbatim_with_newlines_and_markup_characters():
    cat = single(text='Điện & nước <sinh hoạt> "sạch"\n- dòng hai')
    assert rows(cat)[1].cells["task"] == 'Điện & nước <sinh hoạt> "sạch"\n- dòng hai'


def test_nfd_input_is_normalised_to_nfc():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Tăng cường thông tin")
    cat = single(text=nfd)
    assert rows(cat)[1].cells["task"] == "Tăng cường thông tin"


def test_placeholders_render_in_a_sandbox():
    cat = single(text="Tuyên truyền tại {{ unit.name }} năm {{ year }}")
    assert rows(cat)[1].cells["task"] == "Tuyên truyền tại xã Thử năm 2026"
    for bad, words in [
        ("{{ khong_co }}", 'tên "khong_co" không có'),
        ("{{ unit.__class__.__mro__ }}", "không được phép"),
        ("{{ ''.__class__.__subclasses__() }}", "không được phép"),
        ("{% for %}", "vòng lặp {% for %} không được phép"),
    ]:
        cat = single(text=bad)
        with pytest.raises(UserError, match=words):
            rows(cat)


@pytest.mark.parametrize(
    "bomb, words",
    [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "vòng lặp {% for %} không được phép trong nội dung catalog",
        ),
        ("{{ lipsum(1000000) }}", "lời gọi hàm không được phép"),
        ("{{ 'x' * 100000000 }}", "phép tính (+, -, *, /, **) không được phép"),
        ("{{ 10**5000 }}", "phép tính (+, -, *, /, **) không được phép"),
        ("{{ ((unit.name ~ unit.name) ~ unit.name) ~ unit.name }}", "chuỗi ghép ~ không được phép"),
        ("{{ unit.name.upper }}", "chỗ giữ chỗ là một hàm"),
        ("{{ unit.name|center(100000000) }}", 'bộ lọc "|center" không được phép'),
        ("{{ cycler.__init__.__globals__.os.system('true') }}", "lời gọi hàm không được phép"),
    ],
)
def test_catalog_text_bombs_are_refused_before_running(bomb, words):
    """Catalog text is data: only placeholders (docs/sandbox.md), checked before it runs."""
    import time

    start = time.monotonic()
    with pytest.raises(UserError, match=re.escape(words)):
        rows(single(text=bomb))
    assert time.monotonic() - start < 5


def test_unfilled_role_and_empty_lead_are_errors():
    cat = single(lead=["police"])
    with pytest.raises(UserError, match='vai trò "police" \\(nhiệm vụ "x"'):
        rows(cat)
    cat = single(lead=["communes"])
    with pytest.raises(UserError, match="không có cơ quan chủ trì"):
        rows(cat)


def test_title_guide_and_relabelled_columns():
    cat = single()
    a = resolve(cat, KIND, unit(), "thu")
    assert a.title == "CÁC NHIỆM VỤ XÃ THỬ NĂM 2026"
    assert a.guide == "(Kèm theo Kế hoạch số 07/KH-UBND ngày 06/7/2026 của Ủy ban nhân dân xã)"
    assert [c.label for c in a.columns][2] == "Đơn vị chủ trì"
    hidden = resolve(cat, KIND, unit(show_name=False, plan={"date": "2026-02"}), "thu")
    assert hidden.title == "CÁC NHIỆM VỤ NĂM 2026"
    assert hidden.guide == (
        "(Kèm theo Kế hoạch số       /KH-UBND ngày     /02/2026 của Ủy ban nhân dân xã)"
    )


def test_a_units_own_bodies_are_the_rows_bodies():
    """A unit's override of a task's lead is what the plan body's duties are computed from."""
    cat = single(lead=["office"], support=["related"])
    u = unit(tasks={"x": {"lead": ["Bưu điện xã", "Văn phòng HĐND và UBND xã"]}})
    [_, row] = rows(cat, u)
    assert row.cells["lead"] == "Bưu điện xã; Văn phòng HĐND và UBND xã"
    assert row.bodies["lead"] == ("Bưu điện xã", "Văn phòng HĐND và UBND xã")
    assert row.bodies["support"] == ("các cơ quan, đơn vị có liên quan",)


def test_continuous_numbering_runs_across_sections():
    """Some plans number tasks 1-12 across the whole table: a catalog setting, not a slip."""
    sections = [
        {"id": "a", "title": "Mục A", "tasks": [task("x1"), task("x2")]},
        {"id": "b", "title": "Mục B", "tasks": [task("x3")], "omit": ["commune"]},
        {"id": "c", "title": "Mục C", "tasks": [task("x4"), task("x5")]},
    ]
    data = catalog(sections).model_dump()
    assert [r.code for r in rows(catalog(sections)) if not r.is_section] == ["1", "2", "1", "2"]
    continuous = Catalog.model_validate({**data, "numbering": "continuous"})
    got = [(r.path, r.code) for r in rows(continuous)]
    # the omitted section takes no number: the next section goes on from 2
    assert got == [(("I",), "I"), (("I",), "1"), (("I",), "2"),
                   (("II",), "II"), (("II",), "3"), (("II",), "4")]  # fmt: skip


def test_a_note_column_shows_each_task_note():
    """An issued table's "Ghi chú" column is kept: a task field, printed where declared."""
    cat = single(note="Phối hợp với Bưu điện")
    data = cat.model_dump()
    plain = resolve(cat, KIND, unit(), "thu")
    assert "note" not in [c.key for c in plain.columns]  # no such column: not printed
    data["columns"] = [*data["columns"], {"key": "note", "label": "Ghi chú", "width": 10}]
    with_note = Catalog.model_validate(data)
    appendix = resolve(with_note, KIND, unit(), "thu")
    assert [c.label for c in appendix.columns][-1] == "Ghi chú"
    assert appendix.rows[1].cells["note"] == "Phối hợp với Bưu điện"
    own = unit(tasks={"x": {"note": "Riêng của xã"}})
    assert resolve(with_note, KIND, own, "thu").rows[1].cells["note"] == "Riêng của xã"
