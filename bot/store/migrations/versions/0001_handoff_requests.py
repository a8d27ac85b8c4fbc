"""Handoff requests for the coordination office.

Revision ID: 0001_handoff_requests
Revises:
Create Date: 2025-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_handoff_requests"
down_revision = None
branch_labels = None
depends_on = None

# Portable JSON (json on PostgreSQL, not jsonb: keeps the order of the form fields).
JSON = sa.JSON()


def upgrade() -> None:
    op.create_table(
        "handoff_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("fields", JSON, nullable=False),
        sa.Column("excerpt", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_handoff_requests_reference")),
    )
    op.create_index(
        op.f("ix_handoff_requests_created_at"), "handoff_requests", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_handoff_requests_sender_id"), "handoff_requests", ["sender_id"], unique=False
    )
    op.create_index(
        op.f("ix_handoff_requests_status"), "handoff_requests", ["status"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_handoff_requests_status"), table_name="handoff_requests")
    op.drop_index(op.f("ix_handoff_requests_sender_id"), table_name="handoff_requests")
    op.drop_index(op.f("ix_handoff_requests_created_at"), table_name="handoff_requests")
    op.drop_table("handoff_requests")
