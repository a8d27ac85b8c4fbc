"""Intent examples staff add in the office, trained at the next training.

No sender: texts come from staff (or from masked unanswered questions).

Revision ID: 0007_training
Revises: 0006_chat_figures
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_training"
down_revision = "0006_chat_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_training_examples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_training_examples")),
    )


def downgrade() -> None:
    op.drop_table("office_training_examples")
