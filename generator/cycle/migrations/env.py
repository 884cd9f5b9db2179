"""Alembic's environment for plangen's progress history: migrations run on the connection
cycle/db.py hands over (config.attributes["connection"]), inside its transaction; there
is no alembic.ini. Offline (SQL script) mode is not used."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
