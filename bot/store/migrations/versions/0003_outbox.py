"""Persistent outbox for messages to chat channels, and long Telegram button payloads.

``outbox``: every message the assistant sends on a push channel (Telegram)
is written here before the channel returns, then delivered by a worker that
retries until the channel accepts it. ``payload`` holds the message only
while it waits: it is emptied once the row is sent or has failed for good.

``telegram_callback_data``: Telegram limits a button's ``callback_data`` to
64 bytes; longer button payloads are stored here under a short key that the
button carries instead. Keys are hashes of the payload, so a payload used
again reuses its row.

Revision ID: 0003_outbox
Revises: 0002_translation_cache
Create Date: 2025-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_outbox"
down_revision = "0002_translation_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    # The worker's question: the oldest waiting message of each recipient.
    op.create_index(
        "ix_outbox_status_channel_recipient",
        "outbox",
        ["status", "channel", "recipient", "id"],
        unique=False,
    )
    op.create_index(op.f("ix_outbox_created_at"), "outbox", ["created_at"], unique=False)
    op.create_table(
        "telegram_callback_data",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_telegram_callback_data")),
    )


def downgrade() -> None:
    op.drop_table("telegram_callback_data")
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox")
    op.drop_index("ix_outbox_status_channel_recipient", table_name="outbox")
    op.drop_table("outbox")
