"""login_attempts: the login throttle's counters, shared by every server process

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_ends", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", "client"),
    )
    op.create_index(op.f("ix_login_attempts_window_ends"), "login_attempts", ["window_ends"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempts_window_ends"), table_name="login_attempts")
    op.drop_table("login_attempts")
