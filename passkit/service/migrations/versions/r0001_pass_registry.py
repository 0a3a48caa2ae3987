"""The pass registry: passes, their signed bundles, devices, registrations, tag and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _create_passes()
    _create_devices()
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(counters, [{"name": "update_tag", "value": 0}])
    _create_outbox()


def _create_passes() -> None:
    op.create_table(
        "passes",
        sa.Column("serial", sa.String(256), primary_key=True),
        sa.Column("pass_type_id", sa.String(255), nullable=False),
        sa.Column("layout", sa.String(255), nullable=False),
        sa.Column("layout_hash", sa.String(64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expired_at", _WHEN, nullable=True),
        sa.Column("locations", sa.JSON(), nullable=True),
        sa.Column("beacons", sa.JSON(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("token_key", sa.String(32), nullable=False),
        sa.Column("tag", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_passes_pass_type_id", "passes", ["pass_type_id"])
    op.create_index("ix_passes_layout_status", "passes", ["layout", "status"])
    op.create_index("ix_passes_tag", "passes", ["tag"])
    op.create_table(
        "signed_passes",
        sa.Column(
            "serial",
            sa.String(256),
            sa.ForeignKey("passes.serial", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.BigInteger(), nullable=False),
        sa.Column("pkpass", sa.LargeBinary(), nullable=False),
    )


def _create_devices() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(255), primary_key=True),
        sa.Column("push_token", sa.String(255), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_table(
        "registrations",
        sa.Column(
            "device_id",
            sa.String(255),
            sa.ForeignKey("devices.device_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "serial",
            sa.String(256),
            sa.ForeignKey("passes.serial", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("created_at", _WHEN, nullable=False),
    )
    op.create_index("ix_registrations_serial", "registrations", ["serial"])


def _create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "serial",
            sa.String(256),
            sa.ForeignKey("passes.serial", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("tag", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("not_before", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index(
        "ux_outbox_pending",
        "outbox",
        ["serial", "target"],
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    for table in ("outbox", "counters", "registrations", "devices", "signed_passes", "passes"):
        op.drop_table(table)
