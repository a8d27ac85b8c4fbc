"""Cache of runtime machine translations.

Keys are SHA-256 hashes; the source texts (what newcomers wrote) are never
stored. ``source_hash`` lets ``TranslationCache.forget`` find every cached
translation of a text whatever the route or model version.

Revision ID: 0002_translation_cache
Revises: 0001_handoff_requests
Create Date: 2025-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_translation_cache"
down_revision = "0001_handoff_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "translation_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("translation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_translation_cache")),
    )
    op.create_index(
        op.f("ix_translation_cache_source_hash"),
        "translation_cache",
        ["source_hash"],
        unique=False,
    )
    op.create_index(
        op.f("ix_translation_cache_created_at"),
        "translation_cache",
        ["created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_translation_cache_created_at"), table_name="translation_cache")
    op.drop_index(op.f("ix_translation_cache_source_hash"), table_name="translation_cache")
    op.drop_table("translation_cache")
