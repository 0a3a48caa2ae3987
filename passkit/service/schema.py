"""The pass service's tables, described once: the migrations create them, the code reads them.

passes            one row per issued pass: what it was made from and its current update tag
signed_passes     the signed .pkpass of each pass at its current tag (served without signing)
devices           the devices that registered for updates, with their push token
registrations     which device holds which pass (unique per device and pass), looked up both ways
counters          the update tag: one counter for the whole service, so that "passes updated
                  since tag T" compares tags of different passes
links             the issuance links used so far (a row on first use): how often each was used
callback_nonces   the nonces of Google callbacks accepted, kept until their messages expire
google_classes    the class JSON's hash each Google class was last patched with (the sync
                  patches a class again only when its layout changed it)
google_notifications  when each Google object got a notifying message (three a day at most)
outbox            what must be sent because a pass changed, one pending row per pass and target
                  ('apple': push to the registered devices; 'google': patch the object), written
                  in the same transaction as the change; a sender drains it (see below)

The outbox, for the sender that drains it: `serial` and `target` name what to send; `tag` is
the pass's update tag when the row was last written; `message` is the text to show with the
change (the latest one given, when several changes coalesce before sending), or NULL;
`state` is 'pending' until a sender claims the row ('sending', with `not_before` the end of
its lease) and deletes it once the push went out; `attempts`, `not_before` and `last_error`
are the sender's own (retries and back-off; see `passkit.service.outbox`). At most one
'pending' row exists per pass and target: later changes update it instead of adding rows, and
a change made while its row is being sent adds a new pending row (the push may have left
before the change committed).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Apple's serial numbers and identifiers are short; these bounds are what the web service
# accepts in a path, and what the columns hold.
SERIAL_LENGTH = 256
IDENTIFIER_LENGTH = 255
PUSH_TOKEN_LENGTH = 255
LINK_ID_LENGTH = 64
GOOGLE_ID_LENGTH = 255
NONCE_LENGTH = 256

TAG_COUNTER = "update_tag"
# Integer keys that autoincrement on SQLite (which does so only for INTEGER PRIMARY KEY).
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)

passes = sa.Table(
    "passes",
    metadata,
    sa.Column("serial", sa.String(SERIAL_LENGTH), primary_key=True),
    sa.Column("pass_type_id", sa.String(IDENTIFIER_LENGTH), nullable=False),
    sa.Column("layout", sa.String(IDENTIFIER_LENGTH), nullable=False),
    sa.Column("layout_hash", sa.String(64), nullable=False),
    sa.Column("record", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("expired_at", _WHEN, nullable=True),
    # NULL: the layout's own locations (beacons); a list once changed for this pass alone.
    sa.Column("locations", sa.JSON(), nullable=True),
    sa.Column("beacons", sa.JSON(), nullable=True),
    # What the bundle holds (a hash of its manifest, and of the Google object when made).
    sa.Column("content_hash", sa.String(64), nullable=False),
    # The key id of the service secret the pass's authentication token comes from (the token
    # itself is never stored: see passkit.service.auth).
    sa.Column("token_key", sa.String(32), nullable=False),
    sa.Column("tag", sa.BigInteger(), nullable=False),
    sa.Column("issued_at", _WHEN, nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
    # Whether the pass is in a wallet (see `passkit.service.state.WalletState`), apart from
    # its status: a redeemed pass can still be installed.
    sa.Column("wallet_state", sa.String(16), nullable=False, server_default="issued"),
    sa.Column("wallet_changed_at", _WHEN, nullable=True),
    # The issuance link that issued the pass (None: issued directly).
    sa.Column("link_id", sa.String(LINK_ID_LENGTH), nullable=True),
    # The Google Wallet object of the pass, which Google's callbacks name.
    sa.Column("google_object_id", sa.String(GOOGLE_ID_LENGTH), nullable=True),
    sa.Index("ix_passes_pass_type_id", "pass_type_id"),
    sa.Index("ix_passes_layout_status", "layout", "status"),
    sa.Index("ix_passes_tag", "tag"),
    sa.Index("ix_passes_link_id", "link_id"),
    sa.Index("ix_passes_google_object_id", "google_object_id"),
    sa.Index("ix_passes_layout_wallet_state", "layout", "wallet_state"),
)

signed_passes = sa.Table(
    "signed_passes",
    metadata,
    sa.Column(
        "serial",
        sa.String(SERIAL_LENGTH),
        sa.ForeignKey("passes.serial", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("tag", sa.BigInteger(), nullable=False),
    sa.Column("pkpass", sa.LargeBinary(), nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", sa.String(IDENTIFIER_LENGTH), primary_key=True),
    sa.Column("push_token", sa.String(PUSH_TOKEN_LENGTH), nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
)

registrations = sa.Table(
    "registrations",
    metadata,
    sa.Column(
        "device_id",
        sa.String(IDENTIFIER_LENGTH),
        sa.ForeignKey("devices.device_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "serial",
        sa.String(SERIAL_LENGTH),
        sa.ForeignKey("passes.serial", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Index("ix_registrations_serial", "serial"),
)

counters = sa.Table(
    "counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger(), nullable=False),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("link_id", sa.String(LINK_ID_LENGTH), primary_key=True),
    sa.Column("layout", sa.String(IDENTIFIER_LENGTH), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("max_uses", sa.Integer(), nullable=True),
    sa.Column("uses", sa.Integer(), nullable=False),
    sa.Column("first_used_at", _WHEN, nullable=False),
    sa.Column("last_used_at", _WHEN, nullable=False),
)

callback_nonces = sa.Table(
    "callback_nonces",
    metadata,
    sa.Column("nonce", sa.String(NONCE_LENGTH), primary_key=True),
    sa.Column("expires_at", _WHEN, nullable=False),
    sa.Index("ix_callback_nonces_expires_at", "expires_at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column(
        "serial",
        sa.String(SERIAL_LENGTH),
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
    sa.Index(
        "ux_outbox_pending",
        "serial",
        "target",
        unique=True,
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    ),
)

google_classes = sa.Table(
    "google_classes",
    metadata,
    sa.Column("class_id", sa.String(IDENTIFIER_LENGTH), primary_key=True),
    sa.Column("class_hash", sa.String(64), nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
)

google_notifications = sa.Table(
    "google_notifications",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("object_id", sa.String(IDENTIFIER_LENGTH), nullable=False),
    sa.Column("sent_at", _WHEN, nullable=False),
    sa.Index("ix_google_notifications_object", "object_id", "sent_at"),
)
