"""PLACEHOLDER of another helper's migration (dropped at merge; keeps one chain here).

Revision ID: 0006_chat_figures
Revises: 0005_content
"""

from __future__ import annotations

revision = "0006_chat_figures"
down_revision = "0005_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
