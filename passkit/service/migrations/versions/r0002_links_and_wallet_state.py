"""Issuance links' uses, Google callbacks' nonces, and whether each pass is in a wallet.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("passes") as batch:
        batch.add_column(
            sa.Column("wallet_state", sa.String(16), nullable=False, server_default="issued")
        )
        batch.add_column(sa.Column("wallet_changed_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("link_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("google_object_id", sa.String(255), nullable=True))
        batch.create_index("ix_passes_link_id", ["link_id"])
        batch.create_index("ix_passes_google_object_id", ["google_object_id"])
        batch.create_index("ix_passes_layout_wallet_state", ["layout", "wallet_state"])
    op.create_table(
        "links",
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("layout", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("first_used_at", _WHEN, nullable=False),
        sa.Column("last_used_at", _WHEN, nullable=False),
    )
    op.create_table(
        "callback_nonces",
        sa.Column("nonce", sa.String(256), primary_key=True),
        sa.Column("expires_at", _WHEN, nullable=False),
    )
    op.create_index("ix_callback_nonces_expires_at", "callback_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_table("callback_nonces")
    op.drop_table("links")
    with op.batch_alter_table("passes") as batch:
        batch.drop_index("ix_passes_layout_wallet_state")
        batch.drop_index("ix_passes_google_object_id")
        batch.drop_index("ix_passes_link_id")
        for column in ("google_object_id", "link_id", "wallet_changed_at", "wallet_state"):
            batch.drop_column(column)
