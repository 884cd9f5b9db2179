"""The hostile suite: what a careless or malicious input, or a broken environment, does.

Every case must end as one Vietnamese line with exit code 2 (never exit 70, never a
traceback) and leave the output folder as it was. Cases run the real command in a
subprocess where the environment matters (pipes, ulimit, kill), else through typer's runner.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.core.errors import UserError

runner = CliRunner()
PLANGEN = [sys.executable, "-m", "generator.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, data: Path | None = None, **kw) -> subprocess.CompletedProcess:
    cmd = [*PLANGEN, *(["--data", str(data)] if data else []), *args]
    env = kw.pop("env", None) or {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, **kw)


def shell(line: str) -> subprocess.CompletedProcess:
    """plangen run by a shell, with `line` after it (a pipe, a closed stream)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = f"{' '.join(PLANGEN)} {line}"
    return subprocess.run(command, shell=True, capture_output=True, text=True, env=env, timeout=60)


def one_clean_line(result, exit_code: int = 2) -> str:
    out = result.stderr
    code = result.returncode if hasattr(result, "returncode") else result.exit_code
    assert code == exit_code, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, out
    assert "Traceback" not in out and "lỗi nội bộ" not in out, out
    return lines[0]


def listing(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.name: (p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p))
        for p in folder.iterdir()
    }


# --------------------------------------------------------------------------- templates


def test_a_template_running_a_shell_command_runs_nothing(tmp_path, data_copy):
    marker = tmp_path / "pwned"
    template = data_copy / "templates" / "appendix.docx"
    with zipfile.ZipFile(template) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    payload = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"{{ label }}", b"{{ label }}" + payload.encode()
    )
    with zipfile.ZipFile(template, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = run("--unit", "dinh-lap", "--out", str(tmp_path / "out"), data=data_copy)
    assert result.returncode == 2, result.stderr
    assert "mẫu" in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def with_template_jinja(data: Path, jinja: str) -> None:
    """Put `jinja` after {{ guide }} in the data folder's appendix template."""
    template = data / "templates" / "appendix.docx"
    with zipfile.ZipFile(template) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"{{ guide }}", b"{{ guide }}" + jinja.encode()
    )
    with zipfile.ZipFile(template, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize(
    "jinja",
    [
        "{{ ('%0999999999d' % 1)|length }}",  # 1 GB from one string format
        "{{ (['x'*100000]*100000)|join|length }}",  # 10 GB through a join
        "{% if ('%0100000000d' % 1)|length > 1 %}{% endif %}" * 650,  # minutes of CPU
        "{{ " + "(" * 300 + "1" + ")" * 300 + " }}",  # deep parentheses
        "{% if 1 %}" * 120 + "x" + "{% endif %}" * 120,  # deep statements
    ],
    ids=["format-1GB", "join-10GB", "cpu-650-ifs", "parens-300", "ifs-120"],
)
def test_a_templates_jinja_is_bounded_by_the_system(tmp_path, data_copy, jinja):
    """docs/templates.md: whatever an expression builds, the answer comes within 5 seconds,
    in under 500 MB, as one Vietnamese line (the render runs in a bounded child)."""
    with_template_jinja(data_copy, jinja)
    out = tmp_path / "out"
    start = time.monotonic()
    result = run("--unit", "dinh-lap", "-a", "II", "--out", str(out), data=data_copy)
    elapsed = time.monotonic() - start
    line = one_clean_line(result)
    assert "mẫu" in line, line
    assert elapsed < 5 + 4, elapsed  # the 5 s bound, and the process's own start
    assert not out.exists()


def test_a_long_but_valid_filter_chain_renders(tmp_path, data_copy):
    with_template_jinja(data_copy, "{{ 'a' " + "|upper" * 250 + " }}")
    result = run("--unit", "dinh-lap", "-a", "II", "--out", str(tmp_path / "o"), data=data_copy)
    assert result.returncode == 0, result.stderr


def test_a_templates_arithmetic_stays_small(tmp_path, data_copy):
    with_template_jinja(data_copy, "{{ 1000 ** 16 }}")
    result = run("--unit", "dinh-lap", "-a", "II", "--out", str(tmp_path / "o"), data=data_copy)
    assert "số quá lớn" in one_clean_line(result) or "lũy thừa" in result.stderr


# --------------------------------------------------------------------------- catalog text bombs


@pytest.mark.parametrize(
    "bomb",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{{ lipsum(1000000) }}",
        "{{ 'x' * 100000000 }}",
        "{{ 10**5000 }}",
    ],
)
def test_catalog_text_bombs_are_refused_quickly(data_copy, bomb):
    catalog = data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml"
    text = catalog.read_text(encoding="utf-8")
    anchor = "        product: Thông tin được cung cấp đầy đủ"
    assert anchor in text
    bomb_yaml = bomb.replace('"', '\\"')
    catalog.write_text(
        text.replace(anchor, f'        deadline: "{bomb_yaml}"\n' + anchor, 1).replace(
            "        deadline: Thường xuyên\n        deadline:", "        deadline:", 1
        ),
        encoding="utf-8",
    )
    start = time.monotonic()
    result = run("validate", data=data_copy)
    assert time.monotonic() - start < 10
    assert result.returncode == 2, result.stdout + result.stderr
    assert "sipas-2026.yaml:" in result.stderr
    assert "không được phép" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- output paths


@pytest.mark.parametrize("target", ["file", "devnull", "under-a-file"])
def test_bad_output_paths_are_user_errors(tmp_path, target):
    afile = tmp_path / "afile"
    afile.write_text("x")
    out = {"file": afile, "devnull": Path("/dev/null"), "under-a-file": afile / "sub"}[target]
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "không phải thư mục" in result.stderr
    assert afile.read_text() == "x"


def test_a_dangling_symlink_at_one_name_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "dinh-lap-2026-theo-doi.xlsx").symlink_to(tmp_path / "nowhere")
    before = listing(out)
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out)])
    assert result.exit_code == 2
    assert "liên kết tượng trưng đã tồn tại" in result.stderr
    assert listing(out) == before


def test_a_failure_while_writing_undoes_the_files_already_placed(tmp_path, monkeypatch):
    """All or nothing: the third file fails (a permission fault), the first two go away."""
    import generator.write.files as write

    real = write._place
    calls = []

    def failing(tmp, path, force):
        calls.append(path)
        if len(calls) == 3:
            raise PermissionError(13, "Permission denied", str(path))
        return real(tmp, path, force)

    monkeypatch.setattr(write, "_place", failing)
    out = tmp_path / "out"
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "không ghi được: không có quyền ghi" in result.stderr
    assert not out.exists()  # the folder made for this run is gone too


def test_force_restores_the_old_files_when_a_write_fails(tmp_path, monkeypatch):
    import generator.write.files as write

    out = tmp_path / "out"
    assert runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out)]).exit_code == 0
    before = listing(out)
    real = write._place
    calls = []

    def failing(tmp, path, force):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        return real(tmp, path, force)

    monkeypatch.setattr(write, "_place", failing)
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out), "--force"])
    assert result.exit_code == 2
    assert "hết dung lượng đĩa" in result.stderr
    assert listing(out) == before


def test_a_full_disk_is_a_clean_error(tmp_path):
    """ulimit -f: the kernel refuses the write (EFBIG); nothing is left behind."""

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    out = tmp_path / "out"
    result = run("--unit", "dinh-lap", "--out", str(out), preexec_fn=small_files)
    line = one_clean_line(result)
    assert "không ghi được" in line
    assert not out.exists()


def test_stale_part_files_of_a_killed_run_are_cleaned(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = 2**22 + 12345  # above pid_max on most systems: no such process
    stale = out / f".dinh-lap-phu-luc-II-sipas-2026.docx.{dead}.0a1b2c3d.part"
    stale.write_bytes(b"half")
    other = out / ".notes.txt.part"
    other.write_text("not ours")
    result = runner.invoke(app, ["--unit", "dinh-lap", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert other.exists()


# --------------------------------------------------------------------------- data faults


@pytest.mark.parametrize(
    "case, rel, old, new, words",
    [
        (
            "far date",
            "catalogs/editions/lang-son-2026/edition.yaml",
            "date: 2026-06-23",
            "date: 9999-12-31",
            "năm 9999 nằm ngoài khoảng",
        ),
        (
            "infinite width",
            "catalogs/editions/lang-son-2026/sipas-2026.yaml",
            "width: 32}",
            "width: .inf}",
            "width",
        ),
        (
            "recursive alias",
            "catalogs/units/dinh-lap.yaml",
            "kind: commune",
            "kind: commune\nomit: &a [*a]",
            "trỏ vào chính nó",
        ),
    ],
)
def test_data_faults_are_user_errors(data_copy, case, rel, old, new, words):
    path = data_copy / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, case
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 2, result.output
    assert words in result.stderr, result.stderr
    assert "lỗi nội bộ" not in result.stderr


def test_very_deep_yaml_is_refused_not_crashed(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run("validate", str(deep))
    assert one_clean_line(result).endswith("dữ liệu lồng quá sâu (trên 50 cấp)")


# --------------------------------------------------------------------------- the command line


def test_a_closed_pipe_ends_quietly():
    result = shell("units | head -n 1")
    assert result.stdout.strip() == "Đơn vị"
    assert result.stderr == ""


def test_global_options_after_the_command(tmp_path, data_copy):
    units = tmp_path / "units"
    units.mkdir()
    (units / "xa-moi.yaml").write_text(
        "kind: commune\nprovince: lang-son\nname: xã Mới\nplan: {date: 2026-07}\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["units", "--units-dir", str(units), "--data", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "xa-moi" in result.stdout


def test_new_unit_any_name_round_trips(tmp_path):
    result = runner.invoke(
        app,
        [
            "new-unit",
            'Xã A"B: #1',
            "--province",
            "lang-son",
            "--kind",
            "commune",
            "--units-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("*.yaml")
    check = runner.invoke(app, ["--units-dir", str(tmp_path), "validate", str(path)])
    assert check.exit_code == 0, check.output
    from generator.model.unit import Unit
    from generator.model.validation import load_file

    assert load_file(path, Unit).model.name == 'xã A"B: #1'


def test_new_unit_writes_a_schema_line_that_resolves_or_none(tmp_path):
    result = runner.invoke(
        app,
        [
            "new-unit",
            "Xã Mới",
            "--province",
            "lang-son",
            "--kind",
            "commune",
            "--units-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    first = (tmp_path / "moi.yaml").read_text(encoding="utf-8").splitlines()[0]
    if first.startswith("# yaml-language-server: $schema="):
        target = (tmp_path / first.split("=", 1)[1]).resolve()
        assert target.is_file(), target
    assert "--units-dir" in result.stderr  # the next-step hint keeps the folder


def test_new_unit_from_an_installed_copy_goes_to_the_working_folder(tmp_path, monkeypatch):
    from generator.flow.scaffold import units_folder
    from generator.model.workspace import PACKAGE, Workspace

    ws = Workspace(PACKAGE / "data")
    folder, why = units_folder(ws, [])
    assert folder == Path("units") and "làm việc" in why


def test_validate_recognises_a_catalog_kept_elsewhere(tmp_path):
    copy = tmp_path / "mot-catalog.yaml"
    edition = ROOT / "catalogs" / "editions" / "lang-son-2026"
    text = (edition / "sipas-2026.yaml").read_text(encoding="utf-8")
    copy.write_text(text.replace("id: sipas-2026", "id: sipas-ban-sao"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(copy)])
    assert result.exit_code == 0, result.output  # on its own, outside any edition: sound
    copy.write_text(text.replace("[one_stop]", "[one_stop, ban_mot_cua]", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(copy)])
    assert result.exit_code == 2
    assert 'vai trò "ban_mot_cua" chưa được khai báo' in result.stderr
    assert "mot-catalog.yaml" in result.stderr


def test_killing_all_leaves_no_worker_behind(tmp_path, data_copy):
    units = data_copy / "catalogs" / "units"
    for i in range(150):
        (units / f"xa-{i}.yaml").write_text(
            f"kind: commune\nprovince: lang-son\nname: xã Số {i}\nplan: {{date: 2026-07}}\n",
            encoding="utf-8",
        )
    proc = subprocess.Popen(
        [*PLANGEN, "--data", str(data_copy), "--all", "--out", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    children: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not children and proc.poll() is None:
        children = _children(proc.pid)
        time.sleep(0.05)
    if not children:
        proc.wait(60)
        pytest.skip("the batch ended before its workers could be seen")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)]


def test_ctrl_c_on_all_stops_pending_units_and_reports(tmp_path, data_copy):
    units = data_copy / "catalogs" / "units"
    for i in range(300):
        (units / f"xa-{i}.yaml").write_text(
            f"kind: commune\nprovince: lang-son\nname: xã Số {i}\nplan: {{date: 2026-07}}\n",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*PLANGEN, "--data", str(data_copy), "--all", "--out", str(out), "--no-tracker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and len(list(out.iterdir())) > 3):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    stdout, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - start < 5
    assert proc.returncode == 130
    [summary] = [line for line in stderr.splitlines() if line.startswith("Đã dừng (Ctrl-C)")]
    done, total = map(int, re.search(r"(\d+)/(\d+) đơn vị đã xong", summary).groups())
    assert total == len(list(units.glob("*.yaml"))) and 0 < done < total
    assert "chưa lập: đã dừng bằng Ctrl-C" in stdout
    for folder in out.iterdir():  # every unit's folder holds a whole set or is not there
        assert len(list(folder.glob("*.docx"))) == 3, folder


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_force_never_leaves_a_moment_without_the_file(tmp_path, monkeypatch):
    """A profile or output replaced with --force keeps its name until the atomic replace
    (a reader never finds it missing): the old file is kept by a hard link, not moved."""
    import generator.write.files as write

    target = tmp_path / "ho-so.yaml"
    target.write_text("cũ", encoding="utf-8")
    real = write._place
    seen = []

    def watching(tmp, path, force):
        seen.append(path.exists())
        return real(tmp, path, force)

    monkeypatch.setattr(write, "_place", watching)
    write.write_atomic(target, "mới".encode(), force=True)
    assert seen == [True]
    assert target.read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho-so.yaml"]


@pytest.mark.parametrize(
    "typed, printed_or_error",
    [
        ("010", "số 10/KH-UBND"),  # YAML 1.2: decimal, not octal 8
        ("08", "số 08/KH-UBND"),
        ("0x1A", 'số kế hoạch "0x1A" phải là số'),
        ("1_000", 'số kế hoạch "1_000" phải là số'),
        ("true", 'số kế hoạch "True" phải là số'),
        ("yes", 'số kế hoạch "yes" phải là số'),
        ("'١٢'", 'số kế hoạch "١٢" phải là số'),
    ],
)
def test_plan_numbers_are_read_as_typed(tmp_path, typed, printed_or_error):
    (tmp_path / "a.yaml").write_text(
        "kind: commune\nprovince: lang-son\n"
        f"name: xã A\nplan: {{number: {typed}, date: 2026-07-06}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--units-dir", str(tmp_path), "units"])
    out = result.stdout + result.stderr
    assert printed_or_error in out, out


def test_hidden_files_in_data_folders_are_not_data(data_copy):
    """An editor's lock file (".#x.yaml", a dangling link) or "._x.yaml" is not a catalog."""
    catalogs = data_copy / "catalogs"
    (catalogs / ".#sipas-2026.yaml").symlink_to("nowhere@host.1234")
    (catalogs / "kinds" / "._ward.yaml").write_bytes(b"\x00\x05\x16\x07binary")
    (catalogs / "units" / ".~lock.yaml").write_text("x: [", encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 0, result.output


def test_a_second_file_with_the_same_id_is_named(data_copy):
    catalogs = data_copy / "catalogs"
    edition = catalogs / "editions" / "lang-son-2026"
    text = (edition / "sipas-2026.yaml").read_text(encoding="utf-8")
    (edition / "zz-copy.yaml").write_text(text, encoding="utf-8")
    kind = (catalogs / "kinds" / "ward.yaml").read_text(encoding="utf-8")
    (catalogs / "kinds" / "zz-ward.yaml").write_text(kind, encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data_copy), "validate"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any(
        "zz-copy.yaml:" in x and 'mã catalog "sipas-2026" bị trùng với sipas-2026.yaml' in x
        for x in lines
    )
    assert any(
        "zz-ward.yaml:" in x and 'mã loại đơn vị "ward" bị trùng với ward.yaml' in x for x in lines
    )


def test_validate_takes_every_kind_of_file(tmp_path):
    files = [
        "catalogs/editions/lang-son-2026/sipas-2026.yaml",
        "catalogs/kinds/ward.yaml",
        "catalogs/roles.yaml",
        "catalogs/units/dinh-lap.yaml",
        "catalogs/editions/lang-son-2026/ke-hoach-2026.yaml",
    ]
    result = runner.invoke(app, ["validate", *(str(ROOT / f) for f in files)])
    assert result.exit_code == 0, result.output
    broken = tmp_path / "kh.yaml"
    text = (ROOT / "catalogs/editions/lang-son-2026/ke-hoach-2026.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("doc_type: Kế hoạch", "doc_type: Kế hoạch\nfoo: 1"), "utf-8")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 2 and 'khóa "foo" không hợp lệ' in result.stderr


def test_what_a_unit_writes_goes_through_the_same_sandbox(tmp_path):
    units = tmp_path / "units"
    units.mkdir()
    profile = units / "thu.yaml"
    profile.write_text(
        "kind: commune\nprovince: lang-son\nname: xã Thử\nplan: {number: 5, date: 2026-07-06}\n"
        'roles:\n  police: ["Công an {{ unit.short }} Thử"]\n'
        'tasks:\n  niem-yet-tthc:\n    text: "Niêm yết tại UBND {{ unit.short }}."\n'
        '    lead: [Trưởng thôn]\n    support: ["Bưu điện {{ unit.short }}"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["--units-dir", str(units), "--unit", "thu", "-a", "II", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    from conftest import read_table

    rows = read_table(next(out.glob("*.docx")))
    cells = {r["cells"]["Nhiệm vụ cụ thể"]: r["cells"] for r in rows if r["kind"] == "task"}
    mine = cells["Niêm yết tại UBND xã."]
    assert (mine["Cơ quan chủ trì"], mine["Cơ quan phối hợp"]) == ("Trưởng thôn", "Bưu điện xã")
    assert any("Công an xã Thử" in c["Cơ quan chủ trì"] for c in cells.values())
    # a wrong placeholder of the unit's own is said at the unit's profile
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("{{ unit.short }} Thử", "{{ unit.ten }}"),
        encoding="utf-8",
    )
    bad = runner.invoke(app, ["--units-dir", str(units), "validate"])
    assert bad.exit_code == 2
    # at the line and column of the role's body in the profile
    assert bad.stderr.splitlines()[0].startswith(f'{profile}:6:12: vai trò "police" của đơn vị: ')


def test_a_units_name_is_never_a_template(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "kind: commune\nprovince: lang-son\nname: 'xã {{ unit.short }}'\nplan: {date: 2026-07}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--units-dir", str(tmp_path), "validate"])
    assert result.exit_code == 2
    assert "là một tên, không được chứa {{ … }}" in result.stderr
    assert str(tmp_path / "x.yaml") in result.stderr


def test_the_working_folder_is_the_data_folder_when_it_is_one(tmp_path, data_copy, monkeypatch):
    """Run inside a data folder (a clone, a copy), plangen reads and writes that folder."""
    from generator.model.workspace import data_root

    (data_copy / "catalogs" / "units" / "xa-rieng.yaml").write_text(
        "kind: commune\nprovince: lang-son\nname: xã Riêng\nplan: {date: 2026-07}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(data_copy)
    assert data_root() == data_copy
    result = runner.invoke(app, ["units"])
    assert "xa-rieng" in result.stdout
    monkeypatch.chdir(tmp_path)  # not a data folder: the checkout or the packaged copy
    assert data_root() != tmp_path


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize(
    "args, said",
    [
        (["--unitt", "x"], 'không có tùy chọn "--unitt" (có phải ý bạn là "--unit"'),
        (["units", "--data"], 'tùy chọn "--data" cần một giá trị'),
        (["tasks", "--catalog"], 'tùy chọn "--catalog" cần một giá trị'),
        (["nosuchcmd"], 'không có lệnh "nosuchcmd"'),
        (["units", "extra"], "thừa đối số: extra"),
        (["new-unit", "Xã A"], "thiếu tùy chọn --kind"),
        (["--unit", "dinh-lap", "--year", "abc"], "giá trị không hợp lệ cho --year"),
    ],
)
def test_usage_errors_are_vietnamese(args, said):
    result = run(*args)
    line = one_clean_line(result)
    assert said in line and "; xem: plangen" in line, line
    assert not re.search(r"\b(Usage|Error|Possible|option|Missing|Try)\b", result.stderr)


def test_help_is_vietnamese():
    result = run("-h")
    assert result.returncode == 0
    assert result.stdout.startswith("Cách dùng: plangen [TÙY-CHỌN] LỆNH [ĐỐI-SỐ]...")
    assert "Hiện hướng dẫn này rồi thoát" in result.stdout
    assert not re.search(r"\b(Usage|Options|Commands|Show this message)\b", result.stdout)


def test_help_lists_every_command_and_a_command_line_builds_only_its_own():
    """cli/base.py, `Commands`: help lists all commands in the order they are registered;
    running one builds that one alone (the others stay typer's descriptions)."""
    import typer.main

    from generator.cli import app

    listed = run("-h").stdout.split("Lệnh:")[1].split()
    names = [n for n in app.infos]
    assert [w for w in listed if w in names] == names and "validate" in names
    group = typer.main.get_command(app)
    assert set(group.commands) == set(names) and group.commands.built == {}
    with group.make_context("plangen", ["validate"]) as ctx:
        assert group.get_command(ctx, "validate").name == "validate"
        assert group.get_command(ctx, "nosuchcmd") is None
    assert list(group.commands.built) == ["validate"]


def test_a_closed_stdout_or_an_ascii_locale_is_not_a_crash():
    closed = shell("units >&-")
    assert one_clean_line(closed) == "không ghi được kết quả: đầu ra chuẩn (stdout) đã đóng"
    ascii_run = run(
        "units", env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"}
    )
    assert ascii_run.returncode == 0 and "Đơn vị" in ascii_run.stdout


def test_a_half_data_folder_is_an_error_not_the_bundled_data(tmp_path, data_copy, monkeypatch):
    (data_copy / "templates").rename(data_copy / "t.bak")
    result = subprocess.run(
        [*PLANGEN, "--unit", "dinh-lap", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=data_copy,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert "thư mục dữ liệu chưa đủ: thiếu templates/" in one_clean_line(result)
    assert not (tmp_path / "o").exists()


def test_nothing_is_written_inside_the_package(tmp_path):
    from generator.write.files import PACKAGE, write_all

    with pytest.raises(UserError) as info:
        write_all([(PACKAGE / "data" / "schemas" / "x.json", b"{}")], force=True)
    assert "không ghi vào thư mục cài đặt" in info.value.message
    assert not (PACKAGE / "data" / "schemas" / "x.json").exists()


def test_a_very_long_unit_id_is_refused(tmp_path):
    result = run("new-unit", "Xã A", "--kind", "commune", "--province", "lang-son",
                 "--slug", "a" * 225, "--units-dir", str(tmp_path))  # fmt: skip
    assert "tối đa 80" in one_clean_line(result)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "target",
    ["catalogs/roles.yaml", "catalogs/kinds/commune.yaml", "catalogs/units/moi.yaml",
     "templates/x.yaml", "catalogs/editions/lang-son-2026/sipas-2026.yaml", "out.docx"],
)  # fmt: skip
def test_import_out_writes_its_own_catalog_only(tmp_path, data_copy, target):
    import sys as _sys

    _sys.path.insert(0, str(ROOT / "tests"))
    from lai_chau_docs import build_all

    source = build_all(tmp_path / "docs")[-1]  # Phụ lục II
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}
    out = data_copy / target
    args = ["import", str(source), "--unit", "lai-chau", "--id", "x-2026", "--out", str(out)]
    result = run(*args, "--force", data=data_copy)
    assert "--out:" in one_clean_line(result)
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()} == before
    free = tmp_path / "x.yaml"  # a new file, then the same catalog again
    assert run(*args[:-1], str(free), data=data_copy).returncode == 0
    assert run(*args[:-1], str(free), "--force", data=data_copy).returncode == 0


# --------------------------------------------------------------------------- more inputs


def test_non_regular_inputs_are_refused_at_once(tmp_path, data_copy):
    """A device or a FIFO where a profile, a template or a tracker should be: refused before
    a byte is read (a /dev/zero profile once took all memory; a FIFO hung validate)."""
    units = data_copy / "catalogs" / "units"
    (units / "z.yaml").symlink_to("/dev/zero")
    os.mkfifo(units / "f.yaml")
    start = time.monotonic()
    result = run("validate", data=data_copy)
    assert time.monotonic() - start < 10 and result.returncode == 2
    said = [line for line in result.stderr.splitlines() if "không phải một tệp thường" in line]
    assert {Path(line.split(":")[0]).name for line in said} == {"z.yaml", "f.yaml"}
    (units / "z.yaml").unlink()
    (units / "f.yaml").unlink()
    template = data_copy / "templates" / "appendix.docx"
    template.unlink()
    template.symlink_to("/dev/zero")
    out = tmp_path / "o"
    assert "không phải một tệp thường" in one_clean_line(
        run("--unit", "dinh-lap", "--out", str(out), data=data_copy)
    )
    fifo = tmp_path / "t.xlsx"
    os.mkfifo(fifo)
    assert "không phải một tệp thường" in one_clean_line(run("status", str(fifo)))
    assert not out.exists()


def test_an_alias_amplified_profile_is_refused_quickly(tmp_path):
    """A 1 MB string aliased 3,000 times in a profile's recipients: a 1 MB file that would
    expand to 3 GB; counted by what it expands to, refused at once."""
    big = "x" * 1_000_000
    lines = ["kind: commune", "province: lang-son", "name: xã A", "plan: {date: 2026-07}"]
    lines += ["document:", "  recipients:", f'    - &a "{big}"', *["    - *a"] * 3000]
    (tmp_path / "a.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.monotonic()
    result = run("--units-dir", str(tmp_path), "validate")
    assert time.monotonic() - start < 5
    assert result.returncode == 2 and "alias bomb" in result.stderr


@pytest.mark.parametrize("text", ["{{ unit.name.upper|upper }}", "{{ unit }}", "{{ unit|string }}"])
def test_catalog_text_never_prints_an_object(data_copy, text):
    catalog = data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml"
    body = catalog.read_text(encoding="utf-8")
    catalog.write_text(body.replace("deadline: Thường xuyên", f'deadline: "{text}"', 1))
    result = run("validate", data=data_copy)
    assert result.returncode == 2
    assert "sipas-2026.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_no_home_means_no_cache_at_the_root(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PLANGEN_CACHE", "XDG_CACHE_HOME")}
    env.update(HOME="", PYTHONPATH=str(ROOT))
    existed = Path("/.cache/plangen").exists()
    result = run("--unit", "dinh-lap", "--out", str(tmp_path / "o"), env=env)
    assert result.returncode == 0, result.stderr
    assert Path("/.cache/plangen").exists() == existed


def test_a_size_over_a_cap_is_said_as_it_is():
    from generator.core.files import MB, size_text, too_big

    assert size_text(21 * MB) == "21 MB" and size_text(20 * MB + MB // 2) == "20,5 MB"
    assert too_big(21 * MB, 20 * MB, None).message == "tệp quá lớn (21 MB; tối đa 20 MB)"


def test_a_tracker_without_its_status_column_is_an_error(tmp_path):
    import openpyxl

    result = run("--unit", "dinh-lap", "-a", "II", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "dinh-lap-2026-theo-doi.xlsx"
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "Trạng thái":
                    cell.value = "Tình hình"
    book.save(path)
    status = run("status", str(path))
    assert status.returncode == 2, status.stdout + status.stderr
    assert "Không có nhiệm vụ chậm tiến độ" not in status.stdout
