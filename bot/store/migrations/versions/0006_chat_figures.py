"""Anonymous chat figures, unanswered questions (masked) and answer feedback.

No table has a sender or a time finer than a day (see :mod:`bot.store.chat_figures`).

Revision ID: 0006_chat_figures
Revises: 0005_content
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_chat_figures"
down_revision = "0005_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=160), nullable=False),
        sa.Column("turns", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fallbacks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("low_confidence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("conversations", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handoffs", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_figures")),
        sa.UniqueConstraint(
            "day", "language", "topic", name=op.f("uq_chat_figures_day_language_topic")
        ),
    )
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("text_de", sa.Text(), nullable=True),
        sa.Column("translation_tried", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("count", sa.Integer(), server_default="1", nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("intent", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
        sa.UniqueConstraint("text_hash", name=op.f("uq_unanswered_questions_text_hash")),
    )
    op.create_index(
        op.f("ix_unanswered_questions_last_seen"), "unanswered_questions", ["last_seen"]
    )
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answer_id", sa.String(length=160), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("model_version", sa.String(length=160), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index(op.f("ix_answer_feedback_answer_id"), "answer_feedback", ["answer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_feedback_answer_id"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
    op.drop_index(op.f("ix_unanswered_questions_last_seen"), table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
    op.drop_table("chat_figures")
