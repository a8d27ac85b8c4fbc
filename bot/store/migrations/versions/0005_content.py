"""PLACEHOLDER of another helper's migration (dropped at merge; keeps one chain here).

Revision ID: 0005_content
Revises: 0004_office
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
