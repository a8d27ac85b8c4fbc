"""Staff content in the database: the working copy, the publications, the translations' sources.

``content_files`` holds the draft of each content file (YAML text) as staff
edit it in the office; ``content_publications`` every published version
(all files' texts, so a rollback publishes an old snapshot again);
``content_text_sources`` which German text each translation was made from,
so the editor shows a translation as outdated once the German changed.

Revision ID: 0005_content
Revises: 0004_office
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_content"
down_revision = "0004_office"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_files",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_content_files")),
    )
    op.create_table(
        "content_publications",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_files", sa.JSON(), nullable=False),
        sa.Column("needs_training", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_content_publications")),
    )
    op.create_table(
        "content_text_sources",
        sa.Column("file", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.String(length=120), nullable=False),
        sa.Column("field", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), server_default="curated", nullable=False),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "file", "entry", "field", "language", name=op.f("pk_content_text_sources")
        ),
    )


def downgrade() -> None:
    op.drop_table("content_text_sources")
    op.drop_table("content_publications")
    op.drop_table("content_files")
