"""Where the progress history is kept, and opening it: SQLite in the data folder by default,
PostgreSQL when asked, with the same code (SQLAlchemy Core).

The address is, in order: `--db URL`, `$PLANGEN_DB`, then ``sqlite:///<data>/plangen.db``.
A plain path is an SQLite file; ``postgresql://user:password@host:port/name`` uses psycopg
(version 3). On first use in a process the schema is brought up to date by the Alembic
migrations in cycle/migrations (nothing to set up by hand); two processes starting at once
take turns (an SQLite write lock, a PostgreSQL advisory lock).

Writes that read before they write (a submission compared with the newest one) run in
`Database.writing()`: on SQLite a BEGIN IMMEDIATE, on PostgreSQL an advisory lock per unit,
so two clerks sending one unit's tracker at once are taken one after the other.
"""

from __future__ import annotations

import contextlib
import os
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError

ENV = "PLANGEN_DB"
FILE_NAME = "plangen.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PACKAGED = Path(__file__).resolve().parent.parent / "data"  # a wheel's read-only copy
MIGRATE_LOCK = 0x706C616E  # the advisory lock key of a migration ("plan")
SQLITE_WAIT = 30  # seconds a connection waits for another's write lock
CONNECT_WAIT = 10  # seconds to reach a PostgreSQL server before saying it does not answer

_opened: dict[str, Database] = {}
_opening = threading.Lock()


def database_url(explicit: str | None, root: Path) -> str:
    """The history's address: `explicit` (--db), $PLANGEN_DB, or the data folder's file."""
    value = (explicit or os.environ.get(ENV, "")).strip()
    if not value:
        if root.resolve() == PACKAGED.resolve():
            raise UserError(
                "chưa có nơi lưu lịch sử tiến độ: plangen đang dùng dữ liệu đóng gói sẵn (chỉ "
                f"đọc); chỉ định --db TỆP.db hoặc biến môi trường {ENV}, hoặc chạy trong thư mục "
                "dữ liệu (--data DIR)"
            )
        return f"sqlite:///{(root / FILE_NAME).resolve()}"
    if "://" not in value:  # a path: an SQLite file
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def _engine_url(url: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f'địa chỉ cơ sở dữ liệu "{_hide(url)}" không hợp lệ') from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        driver = parsed.get_driver_name()
        if parsed.drivername in ("postgres", "postgresql") or driver == "psycopg2":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise UserError("cơ sở dữ liệu SQLite cần một tệp: sqlite:///đường/dẫn/plangen.db")
        return parsed
    raise UserError(
        f'cơ sở dữ liệu "{backend}" không được hỗ trợ: dùng SQLite (sqlite:///tệp.db) hoặc '
        "PostgreSQL (postgresql://người-dùng@máy/tên)"
    )


def _hide(url: str) -> str:
    """The address with its password hidden."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        auth, host = rest.rsplit("@", 1)
        return f"{scheme}://{auth.split(':', 1)[0]}:***@{host}" if ":" in auth else url
    return url


@dataclass
class Database:
    """One history database, opened and migrated once per process; thread-safe."""

    url: str  # as given, for messages (password hidden in `shown`)
    engine: object

    @property
    def shown(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextlib.contextmanager
    def reading(self):
        """A connection in a transaction, for queries."""
        with self._errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def writing(self, unit: str | None = None):
        """A transaction that holds the write lock (SQLite) or the unit's advisory lock
        (PostgreSQL) from its first statement: read, compare, then write, safely."""
        from sqlalchemy import text

        with self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(plangen_write=True)
            with conn.begin():
                if self.postgres:
                    key = MIGRATE_LOCK if unit is None else zlib.crc32(unit.encode())
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
                yield conn

    @contextlib.contextmanager
    def _errors(self):
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            yield
        except OperationalError as exc:
            raise UserError(f"lỗi cơ sở dữ liệu {self.shown}: {_first_line(exc)}") from None
        except DBAPIError as exc:  # pragma: no cover - a constraint the code did not expect
            raise UserError(f"lỗi cơ sở dữ liệu {self.shown}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    line = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return line[:300]


def existing_database(url: str) -> Database | None:
    """The database at `url` when there is one: an SQLite file that does not exist yet is
    not made (a page that only reads need not create it)."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    return open_database(url)


def open_database(url: str) -> Database:
    """The database at `url`, its schema brought up to date on first use in this process."""
    with _opening:
        if url in _opened:
            return _opened[url]
        db = Database(url, _create_engine(url))
        _migrate(db)
        _opened[url] = db
        return db


def _create_engine(url: str):
    from sqlalchemy import create_engine, event

    parsed = _engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            raise UserError(f"không có thư mục {folder} để đặt cơ sở dữ liệu {parsed.database}")
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_WAIT})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # BEGIN is ours (below), not pysqlite's
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            write = conn.get_execution_options().get("plangen_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    try:
        import psycopg  # noqa: F401 - said here rather than as a driver error
    except ImportError:  # pragma: no cover - a dependency of plangen
        raise UserError("thiếu thư viện psycopg để dùng PostgreSQL: pip install psycopg") from None
    return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_WAIT})


def _migrate(db: Database) -> None:
    """Every migration not yet applied, in one transaction, one process at a time."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.reading() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with db.writing() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def close_all() -> None:
    """Dispose of every engine opened in this process (tests, before a server stops)."""
    with _opening:
        for db in _opened.values():
            db.engine.dispose()
        _opened.clear()
