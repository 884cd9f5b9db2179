"""The history on a real PostgreSQL server, with the same code as on SQLite: the five units'
scenario of test_cycle.py gives identical figures, and an older tracker is refused there too.

The server is this machine's PostgreSQL (initdb, pg_ctl from PATH or
/usr/lib/postgresql/*/bin), started for the module in a temporary folder on a free port of
127.0.0.1 and torn down after. PostgreSQL refuses to run as root, so as root the cluster
belongs to the unprivileged user `nobody` (runuser). Without the binaries the module is
skipped, except on CI ($CI set), where that is a failure: .ci/run installs them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from test_cycle import rollup_figures, run_older, scenario

ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
USER = "nobody"  # the unprivileged owner of the cluster when the tests run as root


def binaries() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


BIN = binaries()
pytestmark = pytest.mark.skipif(
    BIN is None and not ON_CI, reason="PostgreSQL (initdb, pg_ctl) not installed"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster: initdb, pg_ctl start, pg_ctl stop, removed."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="plangen-pg-"))
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, USER)
            os.chmod(self.root, 0o700)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(BIN / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", USER, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)

    def start(self) -> str:
        data = self.root / "data"
        done = self.run("initdb", "-D", str(data), "-U", "plangen", "--auth=trust", "-E", "UTF8",
                        "--locale=C", "--no-sync")  # fmt: skip
        assert done.returncode == 0, done.stderr
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = self.run("pg_ctl", "-D", str(data), "-l", str(self.root / "log"), "-o", options,
                        "-w", "-t", "60", "start")  # fmt: skip
        assert done.returncode == 0, done.stderr + (self.root / "log").read_text()
        return f"postgresql://plangen@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    if BIN is None:  # only reached on CI: the skipif let the module run
        pytest.fail("CI is set but PostgreSQL (initdb, pg_ctl) is not installed")
    cluster = Cluster()
    try:
        url = cluster.start()
        deadline = time.monotonic() + 30
        while True:  # the server takes a moment to accept TCP connections
            try:
                socket.create_connection(("127.0.0.1", cluster.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        from generator.cycle.db import close_all

        close_all()
        cluster.stop()


def _reset(url: str) -> None:
    """An empty database for the next scenario (the schema is made again on first use)."""
    import sqlalchemy

    from generator.cycle.db import close_all

    close_all()
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def test_the_same_figures_on_postgresql_as_on_sqlite(postgres, tmp_path):
    _reset(postgres)
    on_sqlite = scenario(tmp_path / "sqlite", str(tmp_path / "sqlite.db"))
    on_postgres = scenario(tmp_path / "postgres", postgres)
    a, b = rollup_figures(on_sqlite["xlsx"]), rollup_figures(on_postgres["xlsx"])
    assert a["units"] and a == b
    from test_cycle import docx_text

    assert docx_text(on_sqlite["report"]) == docx_text(on_postgres["report"])
    assert docx_text(on_sqlite["docx"]) == docx_text(on_postgres["docx"])


def test_the_schema_is_made_by_the_migrations(postgres):
    import sqlalchemy

    url = postgres.replace("postgresql://", "postgresql+psycopg://")
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        tables = set(sqlalchemy.inspect(conn).get_table_names())
    engine.dispose()
    assert version == "0001"
    assert {"submissions", "task_status", "month_notes"} <= tables


def test_an_older_tracker_changes_nothing_on_postgresql(postgres, tmp_path):
    _reset(postgres)
    run_older(tmp_path, postgres)


def test_a_server_that_does_not_answer_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    url = f"postgresql://plangen@127.0.0.1:{_free_port()}/postgres"
    result = CliRunner().invoke(app, ["status", "--due", "14", "--unit", "x", "--db", url])
    assert result.exit_code == 2 and "lỗi cơ sở dữ liệu" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
