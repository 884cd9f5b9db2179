"""Bad input as a new user would type it: one clear line each, exit 2, nothing written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import unicodedata

import pytest
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()

UNIT = "catalogs/units/moi.yaml"
CATALOG = "catalogs/editions/lang-son-2026/sipas-2026.yaml"
ANCHOR = "          - id: ho-so-phi-le-phi\n"


def new_task(text: str) -> str:
    return textwrap.indent(
        textwrap.dedent(f"""\
        - id: nhiem-vu-moi
          text: {text}
          lead: [departments]
          deadline: Thường xuyên
          product: Kết quả
        """),
        " " * 10,
    )


# (case, file, content or (anchor, insertion), expected stderr lines with {path})
CASES = [
    (
        "tab",
        UNIT,
        "kind: commune\nname: xã Mới\nplan:\n\tdate: 2026-07\n",
        ["{path}:4:1: YAML không hợp lệ: có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"],
    ),
    (
        "indentation",
        UNIT,
        "kind: commune\nname: xã Mới\nplan:\n  number: 1\n date: 2026-07\n",
        ["{path}:5:2: YAML không hợp lệ: thụt lề không khớp với các dòng trên"],
    ),
    (
        "unclosed quote",
        UNIT,
        'kind: commune\nname: "xã Mới\nplan:\n  date: 2026-07\n',
        ["{path}:5:1: YAML không hợp lệ: hết tệp khi còn dấu ngoặc kép chưa đóng"],
    ),
    (
        "misspelt key",
        UNIT,
        "kind: commune\nname: xã Mới\nplann:\n  date: 2026-07\n",
        [
            '{path}:1:1: thiếu khóa bắt buộc "plan"',
            '{path}:3:1: khóa "plann" không hợp lệ (có phải ý bạn là "plan"?)',
        ],
    ),
    (
        "wrong types",
        UNIT,
        "kind: commune\nname: [xã, Mới]\nshow_name: có\nplan:\n  number: ba\n  date: 2026-13-01\n",
        [
            '{path}:2:1: "name" phải là một chuỗi văn bản',
            '{path}:3:1: "show_name" phải là true hoặc false',
            '{path}:5:3: "number": số kế hoạch "ba" phải là số (chữ số 0-9)',
            '{path}:6:3: "date": ngày "2026-13-01" không tồn tại',
        ],
    ),
    (
        "unknown kind",
        UNIT,
        "kind: comune\nname: xã Mới\nplan:\n  date: 2026-07\nprovince: lang-son\n",
        ['{path}:1:1: loại đơn vị "comune" không tồn tại (có phải ý bạn là "commune"?)'],
    ),
    (
        "unknown role, task and omission",
        UNIT,
        "kind: commune\nname: xã Mới\nplan:\n  date: 2026-07\n"
        "roles:\n  home_afairs: [Phòng Nội vụ]\n"
        "tasks:\n  niem-yet-tthcc: {lead: [Văn phòng]}\nomit: [an-sinh]\nprovince: lang-son\n",
        [
            '{path}:6:3: vai trò "home_afairs" chưa được khai báo trong roles.yaml '
            '(có phải ý bạn là "home_affairs"?)',
            '{path}:8:3: không có nhiệm vụ "niem-yet-tthcc" để ghi đè '
            '(có phải ý bạn là "niem-yet-tthc"?)',
            '{path}:9:8: không có nhiệm vụ hoặc mục "an-sinh" để bỏ '
            '(có phải ý bạn là "an-sinh-xa-hoi"?)',
        ],
    ),
    (
        "control character",
        CATALOG,
        (ANCHOR, new_task('"Điện\\x07 nước"')),
        [
            "{path}:{task+1}:19: văn bản chứa ký tự điều khiển U+0007 không được phép trong DOCX "
            '(mục "nhiem-vu-moi")'
        ],
    ),
    (
        "jinja unknown name",
        CATALOG,
        (ANCHOR, new_task('"Tại {{ ten_xa }}"')),
        [
            '{path}:{task}: nhiệm vụ "nhiem-vu-moi": lỗi trong chỗ giữ chỗ {{{{ … }}}}: '
            'tên "ten_xa" không có (dùng được: unit.name, unit.short, year, …)'
        ],
    ),
    (
        "jinja python internals",
        CATALOG,
        (ANCHOR, new_task('"{{ unit.__class__.__init__.__globals__ }}"')),
        [
            '{path}:{task}: nhiệm vụ "nhiem-vu-moi": chỗ giữ chỗ không được phép (không được '
            'truy cập thuộc tính ẩn "__class__")'
        ],
    ),
    (
        "undeclared role in catalog",
        CATALOG,
        (ANCHOR, new_task("Mới").replace("[departments]", "[departmens]")),
        [
            '{path}:{task+2}:20: vai trò "departmens" chưa được khai báo trong roles.yaml '
            '(có phải ý bạn là "departments"?) (nhiệm vụ "nhiem-vu-moi")'
        ],
    ),
    (
        "duplicate task id",
        CATALOG,
        (ANCHOR, new_task("Mới").replace("nhiem-vu-moi", "niem-yet-tthc")),
        ['{path}:{task}:13: mã "niem-yet-tthc" bị trùng (đã dùng ở {path}:{first}:13)'],
    ),
    (
        "alias bomb",
        UNIT,
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        [
            "{path}:1:1: tệp quá nhiều phần tử sau khi mở rộng neo/tham chiếu (&/*): "
            "có thể là một 'alias bomb'"
        ],
    ),
]


def expand(line: str, path) -> str:
    """Fill {path}, {task}, {task+N} (line of an inserted task) and {first} (line of the
    first "niem-yet-tthc") so the expectations do not hard-code the catalog's lines."""
    if "{task" in line or "{first}" in line:
        lines = path.read_text(encoding="utf-8").splitlines()
        task = lines.index(ANCHOR.rstrip("\n")) + 1 - len(new_task("x").splitlines())
        first = lines.index("          - id: niem-yet-tthc") + 1
        for n in range(3):
            line = line.replace(f"{{task+{n}}}", str(task + n))
        line = line.replace("{task}", str(task)).replace("{first}", str(first))
    return line.format(path=path)


@pytest.mark.parametrize("case, rel, content, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_clear_lines_and_writes_nothing(
    tmp_path, data_copy, case, rel, content, expected
):
    path = data_copy / rel
    if isinstance(content, tuple):
        anchor, insertion = content
        text = path.read_text(encoding="utf-8")
        assert anchor in text
        path.write_text(text.replace(anchor, insertion + anchor), encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    unit = "moi" if rel == UNIT else "dinh-lap"
    result = runner.invoke(app, ["--data", str(data_copy), "--unit", unit, "--out", str(out)])
    assert result.exit_code == 2, result.output
    want = [expand(line, path) for line in expected]
    got = result.stderr.splitlines()
    if case == "alias bomb":  # the column depends on where expansion crosses the limit
        got = [line.split(":", 3)[0] + ":" + line.split(":", 3)[3] for line in got]
        want = [line.split(":", 3)[0] + ":" + line.split(":", 3)[3] for line in want]
    assert got == want
    assert "Traceback" not in result.output
    assert not out.exists()


def test_validate_reports_every_problem_of_every_file(data_copy):
    (data_copy / UNIT).write_text(
        "kind: commune\nprovince: lang-son\nname: xã Mới\nplann: {}\n", encoding="utf-8"
    )
    text = (data_copy / CATALOG).read_text(encoding="utf-8")
    (data_copy / CATALOG).write_text(
        text.replace("lead: [police]", "lead: [polise]"), encoding="utf-8"
    )
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(
        line.endswith('khóa "plann" không hợp lệ (có phải ý bạn là "plan"?)') for line in lines
    )
    assert any(
        'vai trò "polise" chưa được khai báo' in line and "(nhiệm vụ" in line for line in lines
    )
    assert all(line.startswith(str(data_copy)) and line.count(":") >= 3 for line in lines)


def test_validate_names_units_that_leave_a_role_unfilled(data_copy):
    # "police: []" is said once for every provincial body, in the abstract agency kind
    kind = data_copy / "catalogs" / "kinds" / "agency.yaml"
    kind.write_text(
        kind.read_text(encoding="utf-8").replace("  police: []\n", ""), encoding="utf-8"
    )
    cat = data_copy / CATALOG
    text = cat.read_text(encoding="utf-8")
    cat.write_text(
        text.replace(ANCHOR, new_task("Mới").replace("[departments]", "[police]") + ANCHOR),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 2
    # one line per unit left without police, each naming its own kind, and one for the kind
    # no unit uses yet (a new unit of it would have only the kind's defaults)
    problems = [line for line in result.stderr.splitlines() if "cảnh báo:" not in line]
    assert problems == [
        expand(
            f'{{path}}:{{task}}: đơn vị "{slug}": vai trò "police" (nhiệm vụ "nhiem-vu-moi" và '
            "có thể các nhiệm vụ khác) chưa được gán cơ quan (thêm vào roles của loại "
            f'"{kind}" hoặc của đơn vị)',
            cat,
        )
        for slug, kind in (("dong-dang", "board"), ("so-y-te", "department"))
    ] + [
        expand(
            '{path}:{task}: loại "public_service": vai trò "police" (nhiệm vụ "nhiem-vu-moi" và '
            "có thể các nhiệm vụ khác) chưa được gán cơ quan (thêm vào roles của loại "
            '"public_service" hoặc của đơn vị) (đơn vị mới chỉ có mặc định)',
            cat,
        )
    ]


def test_nfd_input_comes_out_nfc(tmp_path, data_copy):
    name = unicodedata.normalize("NFD", "xã Lộc Bình")
    assert name != unicodedata.normalize("NFC", name)
    (data_copy / UNIT).write_text(
        f"kind: commune\nprovince: lang-son\nname: {name}\nplan:\n  date: 2026-07-08\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "--data",
            str(data_copy),
            "--unit",
            "moi",
            "--out",
            str(tmp_path),
            "--appendix",
            "II",
            "--no-tracker",
        ],
    )
    assert result.exit_code == 0, result.output
    import zipfile

    [docx] = tmp_path.glob("*.docx")
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    assert "XÃ\u00a0LỘC\u00a0BÌNH\u00a0NĂM\u00a02026" in xml
    assert unicodedata.normalize("NFC", xml) == xml


def test_internal_error_says_so_and_debug_shows_traceback(tmp_path, monkeypatch):
    import generator.flow.generate

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(generator.flow.generate, "bound_appendices", boom)
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(tmp_path)])
    assert result.exit_code == 70
    assert result.stderr.startswith("lỗi nội bộ của plangen (RuntimeError: hỏng).")
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    result = runner.invoke(app, ["--debug", "--unit", "dinh-lap", "--out", str(tmp_path)])
    assert isinstance(result.exception, RuntimeError)


WRITER = """
import os, sys, time
from pathlib import Path
import generator.write.files as w
real_fsync = os.fsync
def slow_fsync(fd):
    print("half", flush=True)   # the data is in the temporary file, not yet renamed
    time.sleep(60)
w.os.fsync = slow_fsync
w.write_atomic(Path(sys.argv[1]), b"x" * 5_000_000)
"""


def test_a_writer_killed_midway_leaves_no_file_under_the_final_name(tmp_path):
    target = tmp_path / "phu-luc.docx"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout.readline().strip() == "half"
        partial = sorted(p.name for p in tmp_path.iterdir())  # the journal, and the part
        assert len(partial) == 2 and partial[1] == ".plangen-journal.json"
        assert partial[0].startswith(".phu-luc.docx.") and partial[0].endswith(".part")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.stdout.close()
    assert not target.exists()
    # A later run writes the file whole.
    from generator.write.files import write_atomic

    write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["phu-luc.docx"]  # the part is cleaned


def test_a_value_matching_no_type_of_a_union_is_one_line(tmp_path):
    """pydantic names each member of a union ("str", "int"): the user sees one line."""
    from generator.core.errors import ValidationFailed
    from generator.model.unit import Kind, Unit
    from generator.model.validation import validate_doc
    from generator.model.yamlfile import parse_text

    text = "kind: x\nname: X\nplan: {date: 2026-07}\nparent: 5\nprovince: [a]\n"
    with pytest.raises(ValidationFailed) as info:
        validate_doc(parse_text(tmp_path / "u.yaml", text), Unit)
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 2, lines
    assert all('"str"' not in line and '"int"' not in line for line in lines)
    # a kind is shared by every province: the plan it implements is the edition's
    doc = parse_text(tmp_path / "k.yaml", "id: x\nname: X\nparent: 5\n")
    with pytest.raises(ValidationFailed) as info:
        validate_doc(doc, Kind)
    [line] = [str(p) for p in info.value.problems]
    assert "không ghi kế hoạch cấp trên (parent)" in line and "edition.yaml" in line
