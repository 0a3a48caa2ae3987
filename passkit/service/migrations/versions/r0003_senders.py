"""What the Google sender keeps: the class each Google class was last written with, and the
notifying Google messages sent (three a day per pass).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "google_classes",
        sa.Column("class_id", sa.String(255), primary_key=True),
        sa.Column("class_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_table(
        "google_notifications",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("object_id", sa.String(255), nullable=False),
        sa.Column("sent_at", _WHEN, nullable=False),
    )
    op.create_index(
        "ix_google_notifications_object", "google_notifications", ["object_id", "sent_at"]
    )


def downgrade() -> None:
    op.drop_table("google_notifications")
    op.drop_table("google_classes")
