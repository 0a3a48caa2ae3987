"""The environment variables passkit reads, named once.

Each is read where its setting is used (the signer, the Google account, the batch plan, the
cache location); this module only spells them, so that an error message, the CLI's help and
the code that reads a variable never disagree on its name. Importing it costs nothing.
"""

from __future__ import annotations

# Apple signing: a certificate and key in PEM, or one PKCS#12 file; the WWDR intermediate.
ENV_CERT = "PASSKIT_APPLE_CERT"
ENV_KEY = "PASSKIT_APPLE_KEY"
ENV_KEY_PASSWORD = "PASSKIT_APPLE_KEY_PASSWORD"
ENV_WWDR = "PASSKIT_WWDR"
ENV_P12 = "PASSKIT_APPLE_P12"
ENV_P12_PASSWORD = "PASSKIT_APPLE_P12_PASSWORD"

# Google Wallet: a service account key (a path or the JSON itself) and the issuer id.
ENV_SERVICE_ACCOUNT = "PASSKIT_GOOGLE_SERVICE_ACCOUNT"
ENV_ISSUER_ID = "PASSKIT_GOOGLE_ISSUER_ID"

# Where passkit keeps what it stores between processes; "off" turns storing off.
ENV_CACHE_DIR = "PASSKIT_CACHE_DIR"

# The pass service: its database (a URL or a SQLite file), the public address written into
# passes, its layouts (a folder), and its secret: the passes' authentication tokens and the
# issuance links' keys come from it (one secret, or "kid:secret" entries, the current first).
ENV_DATABASE_URL = "PASSKIT_DATABASE_URL"
ENV_WEB_SERVICE_URL = "PASSKIT_WEB_SERVICE_URL"
ENV_SERVICE_SECRET = "PASSKIT_SERVICE_SECRET"
ENV_LAYOUTS = "PASSKIT_LAYOUTS"
# The Google Wallet REST API the service's changes go to, instead of Google's (a stand-in or a
# proxy, which then also serves the access tokens at /token).
ENV_GOOGLE_API_URL = "PASSKIT_GOOGLE_API_URL"
# Google's root signing keys for save and delete callbacks (a file in Google's key format).
ENV_GOOGLE_CALLBACK_ROOT_KEYS = "PASSKIT_GOOGLE_CALLBACK_ROOT_KEYS"

# APNs, for pass update pushes: where to send ("production", "sandbox" or a URL), the CA that
# signs a test server's certificate, and a token key (.p8, its key id and team id) to use
# instead of the pass type certificate.
ENV_APNS_URL = "PASSKIT_APNS_URL"
ENV_APNS_CA_FILE = "PASSKIT_APNS_CA_FILE"
ENV_APNS_KEY_FILE = "PASSKIT_APNS_KEY_FILE"
ENV_APNS_KEY_ID = "PASSKIT_APNS_KEY_ID"
ENV_APNS_TEAM_ID = "PASSKIT_APNS_TEAM_ID"
# How a registry sends the pushes of its changes: "background" (the default: a thread of the
# process drains the outbox after each change) or "off" (left to `passkit service push`).
ENV_PUSH = "PASSKIT_PUSH"
