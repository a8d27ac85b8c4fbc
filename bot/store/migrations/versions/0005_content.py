"""PLACEHOLDER for the content store's migration (drop at merge).

The content helper's branch holds the real ``0005_content``; this empty step
only keeps the chain ``0004_office -> 0005_content -> 0006_chat_figures``
runnable on the statistics branch.

Revision ID: 0005_content
Revises: 0004_office
Create Date: 2026-12-04
"""

from __future__ import annotations

revision = "0005_content"
down_revision = "0004_office"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
