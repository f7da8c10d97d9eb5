"""PostgreSQL: NOTIFY flowza_changes at each commit that writes workflows, versions, datasets or users

The API's read cache (flowza.api.read_cache) LISTENs on this channel, so a write from any
process empties every server's cache. SQLite has no NOTIFY; nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 12:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("users", "datasets", "workflows", "workflow_versions")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION flowza_notify_change() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('flowza_changes', TG_TABLE_NAME);
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER flowza_{table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION flowza_notify_change()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS flowza_{table}_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS flowza_notify_change()")
