"""The progress history's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

A submission is one filled tracker sent by a unit: who sent it, when, the file's SHA-256,
the day its figures stand at (`as_of`). Each of its tasks is one row of `task_status`
(status, date done, note, and what the plan says of the task: text, lead body, due date),
and each month cell the clerk wrote is one row of `month_notes`. A unit's status of a task
in a month is that of its last submission of the month; the newest figures are those of
its last submission (by `as_of`, then by id).

The tables are made and changed only by the migrations in cycle/migrations/versions
(Alembic), run on first use; this module describes them for the queries. A change here
needs a new migration (docs/cycle.md, "The database").
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("edition", String(100), nullable=False),
    Column("submitted_at", DateTime, nullable=False),  # UTC, without a zone
    Column("submitted_by", String(200), nullable=False),
    Column("source", String(20), nullable=False),  # "cli", "web"
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_bytes", Integer, nullable=False),
    Column("file_saved_at", DateTime, nullable=True),  # the workbook's own "modified" (UTC)
    Column("as_of", Date, nullable=False),  # the day the figures stand at
    Column("forced", Boolean, nullable=False),  # stored over a refusal (--force)
    Column("tasks", Integer, nullable=False),
    Column("warnings", Text, nullable=False),  # the reader's warnings, one a line
)
Index("ix_submissions_unit_year", submissions.c.unit, submissions.c.year, submissions.c.as_of)

task_status = Table(
    "task_status",
    metadata,
    Column("submission_id", Integer, nullable=False),
    Column("appendix", String(100), nullable=False),  # the sheet: "Phụ lục I"
    Column("task", String(200), nullable=False),  # the task id ("Mã nhiệm vụ")
    Column("position", Integer, nullable=False),  # order in the appendix
    Column("section", String(50), nullable=False),  # "B.II"
    Column("section_title", Text, nullable=False),
    Column("stt", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("lead", Text, nullable=False),
    Column("deadline", Text, nullable=False),  # the plan's "Thời gian hoàn thành"
    Column("due", Date, nullable=True),  # "Hạn hoàn thành"; none for "Thường xuyên"
    Column("status", String(40), nullable=False),
    Column("done_on", Date, nullable=True),  # a date the clerk wrote for a done task
    Column("note", Text, nullable=False),
    PrimaryKeyConstraint("submission_id", "appendix", "task"),
    ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
)

month_notes = Table(
    "month_notes",
    metadata,
    Column("submission_id", Integer, nullable=False),
    Column("appendix", String(100), nullable=False),
    Column("task", String(200), nullable=False),
    Column("month", String(7), nullable=False),  # "2026-07"
    Column("text", Text, nullable=False),
    PrimaryKeyConstraint("submission_id", "appendix", "task", "month"),
    ForeignKeyConstraint(
        ["submission_id", "appendix", "task"],
        ["task_status.submission_id", "task_status.appendix", "task_status.task"],
        ondelete="CASCADE",
    ),
)
