"""The coordination office: staff accounts, a request's history, audit log,
interpreter pool, reply templates and the figures that outlive a request.

``handoff_requests`` gains the office's work on it: the town (a column, so the
queue filters by it), who holds it, when it was claimed, first answered and
closed, and whether a coordinator holds the conversation.

Revision ID: 0004_office
Revises: 0003_outbox
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_office"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    with op.batch_alter_table("handoff_requests") as batch:
        batch.add_column(sa.Column("town", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("held", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("relay_noticed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("unclaimed_notified_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_foreign_key(
            op.f("fk_handoff_requests_assignee_id_staff_users"),
            "staff_users",
            ["assignee_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_handoff_requests_town"), ["town"], unique=False)
        batch.create_index(op.f("ix_handoff_requests_assignee_id"), ["assignee_id"], unique=False)
        batch.create_index(op.f("ix_handoff_requests_updated_at"), ["updated_at"], unique=False)
    op.execute("UPDATE handoff_requests SET updated_at = created_at WHERE updated_at IS NULL")

    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=120), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_translated", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("machine_translated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["handoff_requests.id"],
            name=op.f("fk_case_entries_request_id_handoff_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_case_entries_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entries")),
    )
    op.create_index(op.f("ix_case_entries_request_id"), "case_entries", ["request_id"])
    op.create_index(op.f("ix_case_entries_delivery"), "case_entries", ["delivery"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_reference"), "audit_log", ["reference"])

    op.create_table(
        "interpreters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("towns", sa.JSON(), nullable=False),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("availability_note", sa.String(length=255), nullable=True),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.Column("listing_consent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpreters")),
    )
    op.create_table(
        "interpreter_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("interpreter_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("appointment_date", sa.String(length=40), nullable=True),
        sa.Column("appointment_time", sa.String(length=40), nullable=True),
        sa.Column("place", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["handoff_requests.id"],
            name=op.f("fk_interpreter_assignments_request_id_handoff_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interpreter_id"],
            ["interpreters.id"],
            name=op.f("fk_interpreter_assignments_interpreter_id_interpreters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_interpreter_assignments_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpreter_assignments")),
    )
    op.create_index(
        op.f("ix_interpreter_assignments_request_id"), "interpreter_assignments", ["request_id"]
    )
    op.create_index(
        op.f("ix_interpreter_assignments_interpreter_id"),
        "interpreter_assignments",
        ["interpreter_id"],
    )
    op.create_index(
        op.f("ix_interpreter_assignments_created_at"), "interpreter_assignments", ["created_at"]
    )
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), server_default="", nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
    )
    op.create_table(
        "request_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("town", sa.String(length=120), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("first_reply_seconds", sa.Integer(), nullable=True),
        sa.Column("close_seconds", sa.Integer(), nullable=True),
        sa.Column("interpreter_languages", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_figures")),
    )
    op.create_index(op.f("ix_request_figures_month"), "request_figures", ["month"])


def downgrade() -> None:
    op.drop_table("request_figures")
    op.drop_table("reply_templates")
    op.drop_table("interpreter_assignments")
    op.drop_table("interpreters")
    op.drop_table("audit_log")
    op.drop_table("case_entries")
    with op.batch_alter_table("handoff_requests") as batch:
        batch.drop_index(op.f("ix_handoff_requests_updated_at"))
        batch.drop_index(op.f("ix_handoff_requests_assignee_id"))
        batch.drop_index(op.f("ix_handoff_requests_town"))
        batch.drop_constraint(
            op.f("fk_handoff_requests_assignee_id_staff_users"), type_="foreignkey"
        )
        for column in (
            "unclaimed_notified_at",
            "relay_noticed_at",
            "held",
            "updated_at",
            "closed_at",
            "first_reply_at",
            "claimed_at",
            "assignee_id",
            "town",
        ):
            batch.drop_column(column)
    op.drop_table("staff_users")
