"""The progress history: submissions, each task's status, the month cells.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("edition", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("file_bytes", sa.Integer, nullable=False),
        sa.Column("file_saved_at", sa.DateTime, nullable=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("tasks", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Text, nullable=False),
    )
    op.create_index("ix_submissions_unit_year", "submissions", ["unit", "year", "as_of"])
    op.create_table(
        "task_status",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("appendix", sa.String(100), nullable=False),
        sa.Column("task", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("section", sa.String(50), nullable=False),
        sa.Column("section_title", sa.Text, nullable=False),
        sa.Column("stt", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lead", sa.Text, nullable=False),
        sa.Column("deadline", sa.Text, nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("done_on", sa.Date, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "appendix", "task"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
    )
    op.create_table(
        "month_notes",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("appendix", sa.String(100), nullable=False),
        sa.Column("task", sa.String(200), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "appendix", "task", "month"),
        sa.ForeignKeyConstraint(
            ["submission_id", "appendix", "task"],
            ["task_status.submission_id", "task_status.appendix", "task_status.task"],
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("month_notes")
    op.drop_table("task_status")
    op.drop_index("ix_submissions_unit_year", table_name="submissions")
    op.drop_table("submissions")
