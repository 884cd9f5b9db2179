"""Writes that survive kill -9 (write/journal.py): killed at every step of a --force write,
the folder holds the old set or, after the next run, the new one; never a mix, never a
leftover; one run at a time per folder."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.write import files as write_files
from generator.write import journal
from generator.write.files import write_all

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["ke-hoach.docx", "phu-luc-I.docx", "phu-luc-II.docx", "theo-doi.xlsx"]
STEPS = ("open", "write", "fsync", "link", "replace", "rename", "unlink")


def a_set(tag: str) -> list[tuple[str, bytes]]:
    return [(name, f"{tag}:{name}:".encode() + b"x" * 50_000) for name in NAMES]


def state_of(folder: Path) -> str:
    """ "old", "new" or what is wrong: every file of one set, nothing else."""
    names = sorted(p.name for p in folder.iterdir())
    if names != sorted(NAMES):
        return f"files {names}"
    tags = {(folder / n).read_bytes().split(b":")[0].decode() for n in NAMES}
    return tags.pop() if len(tags) == 1 else f"mixed {sorted(tags)}"


def killed_at(folder: Path, step: int) -> bool:
    """Write the new set over the old one in a child killed at its `step`-th file operation;
    whether it was killed before finishing."""
    pid = os.fork()
    if pid == 0:  # the child: every file operation counts, the step-th one is its last
        count = [0]

        def counting(name, real):
            def op(*args, **kw):
                count[0] += 1
                if count[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kw)

            return op

        for name in STEPS:
            setattr(os, name, counting(name, getattr(os, name)))
        try:
            write_all([(folder / n, d) for n, d in a_set("new")], force=True)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def test_killed_at_every_step_the_next_run_leaves_one_whole_set(tmp_path):
    folder = tmp_path / "out"
    step, kills, outcomes = 1, 0, set()
    while True:
        if folder.exists():
            for p in folder.iterdir():
                p.unlink()
        write_all([(folder / n, d) for n, d in a_set("old")])
        if not killed_at(folder, step):
            break  # the write finished before this step: every step has been tried
        kills += 1
        with journal.locked(folder):  # the next run starts with this
            journal.recover(folder)
        outcome = state_of(folder)
        assert outcome in ("old", "new"), (step, outcome)
        outcomes.add(outcome)
        step += 1
    # every file operation of the write is a moment tried (42 for four files with backups)
    assert kills > 6 * len(NAMES)
    assert outcomes == {"old", "new"}
    assert state_of(folder) == "new"


def test_a_killed_run_is_completed_by_the_next_and_says_so(tmp_path, capsys):
    folder = tmp_path / "out"
    write_all([(folder / n, d) for n, d in a_set("old")])
    placing = None
    for step in range(1, 400):
        for p in folder.iterdir():
            p.unlink()
        write_all([(folder / n, d) for n, d in a_set("old")])
        killed_at(folder, step)
        journal_text = (
            (folder / journal.JOURNAL).read_text() if (folder / journal.JOURNAL).exists() else ""
        )
        if '"placing"' in journal_text and any(p.suffix == ".part" for p in folder.iterdir()):
            placing = step
            break
    assert placing is not None
    write_all([(folder / "other.txt", b"x")])  # any next run in the folder
    assert "đã hoàn tất bộ tệp mới" in capsys.readouterr().err
    (folder / "other.txt").unlink()
    assert state_of(folder) == "new"


def test_one_run_at_a_time_per_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with journal.locked(folder):
        with pytest.raises(write_files.UserError) as info:
            write_all([(folder / "a.docx", b"x")])
    assert "đang được một lần chạy plangen khác ghi" in info.value.message
    assert not (folder / "a.docx").exists()


def test_a_damaged_journal_names_nothing_outside_its_folder(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (folder / journal.JOURNAL).write_text(
        '{"state": "placing", "files": [{"target": "../victim.txt", "part": "../victim.txt",'
        ' "backup": null}]}'
    )
    write_all([(folder / "a.docx", b"x")])
    assert victim.read_text() == "keep"
    assert sorted(p.name for p in folder.iterdir()) == ["a.docx"]


def test_kill_9_of_the_command_then_the_next_run(tmp_path):
    """The real command, killed at random moments of a --force run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "generator.cli", "--unit", "dinh-lap", "--out", str(out)]
    first = subprocess.run([*cmd, "--no-tracker"], env=env, capture_output=True, timeout=120)
    assert first.returncode == 0, first.stderr
    rng = random.Random(20)
    for _ in range(8):
        proc = subprocess.Popen([*cmd, "--no-tracker", "--force"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.6))
        proc.kill()
        proc.wait()
        again = subprocess.run(
            [*cmd, "--no-tracker", "--force"], env=env, capture_output=True, timeout=120
        )
        assert again.returncode == 0, again.stderr
        names = sorted(p.name for p in out.iterdir())
        assert names == [
            "dinh-lap-ke-hoach-2026.docx",
            "dinh-lap-phu-luc-I-par-index-2026.docx",
            "dinh-lap-phu-luc-II-sipas-2026.docx",
        ], names


def test_runs_making_the_same_new_folder_at_once_both_write(tmp_path):
    """A batch's workers create the output folder together: neither fails for it."""
    import threading

    results = []
    barrier = threading.Barrier(8)

    def one(i: int) -> None:
        barrier.wait()
        try:
            write_all([(tmp_path / "out" / f"u{i}" / "a.docx", b"x")])
            results.append("ok")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            results.append(repr(exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8
