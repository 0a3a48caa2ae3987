"""Google Wallet identifiers: `<issuer id>.<suffix>`, checked when given, made safe when derived.

Google's rule: the issuer id is the number Google gave the issuer, and a suffix holds only ASCII
letters, digits, `.`, `_` and `-`. A suffix the caller chose (a class suffix) is checked and
refused with a clear message; a suffix passkit derives from data (a serial number, an event
name) is made safe instead: characters outside the rule are replaced, and then a short hash of
the original text is appended so that two serials that differ only in replaced characters
("A/1" and "A:1") still get different ids.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from passkit.errors import WalletRuleError

_ISSUER_ID = re.compile(r"[0-9]+")
_SUFFIX = re.compile(r"[A-Za-z0-9._\-]+")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._\-]+")
# Text module ids are referenced from template field paths, where dots separate the parts.
_UNSAFE_MODULE_RUN = re.compile(r"[^A-Za-z0-9_\-]+")
_SLUG_RUN = re.compile(r"[^a-z0-9]+")
SUFFIX_RULE = "only ASCII letters, digits, '.', '_' and '-'"


def check_issuer_id(issuer_id: object) -> str:
    """The issuer id as text, or WalletRuleError if it is not the number Google issued."""
    text = str(issuer_id).strip() if isinstance(issuer_id, int | str) else ""
    if isinstance(issuer_id, bool) or not _ISSUER_ID.fullmatch(text):
        raise WalletRuleError(
            f"Google issuer id {issuer_id!r} is not valid: it must be the number shown in the "
            "Google Pay & Wallet Console (digits only, e.g. 3388000000012345678)"
        )
    return text


def check_suffix(suffix: str, *, what: str) -> str:
    """A suffix chosen by the caller, returned unchanged, or WalletRuleError naming it."""
    if not isinstance(suffix, str) or not _SUFFIX.fullmatch(suffix):
        raise WalletRuleError(
            f"{what} {suffix!r} is not a valid Google Wallet id suffix: use {SUFFIX_RULE}"
        )
    return suffix


def short_hash(text: str, length: int = 10) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def safe_suffix(text: str) -> str:
    """`text` itself when it is already a valid suffix, else a safe, collision-resistant form."""
    if _SUFFIX.fullmatch(text):
        return text
    cleaned = _UNSAFE_RUN.sub("_", text).strip("_")
    return f"{cleaned}-{short_hash(text)}" if cleaned else short_hash(text)


# Pure, and called with the same few keys (the layout's) for every pass.
@lru_cache(maxsize=1024, typed=True)
def safe_module_id(key: str) -> str:
    """A text, link or image module id (no dots: template field paths split on them)."""
    if _UNSAFE_MODULE_RUN.search(key) is None and key:
        return key
    cleaned = _UNSAFE_MODULE_RUN.sub("_", key).strip("_")
    return f"{cleaned}-{short_hash(key, 8)}" if cleaned else short_hash(key, 8)


def slug(text: str) -> str:
    """A readable lower-case suffix part ("Acme Coffee" -> "acme_coffee")."""
    return _SLUG_RUN.sub("_", text.lower()).strip("_") or short_hash(text, 8)


def make_id(issuer_id: str, suffix: str) -> str:
    return f"{issuer_id}.{suffix}"


def split_id(resource_id: str) -> tuple[str, str]:
    """(issuer id, suffix) of a full id, or WalletRuleError naming the id and the rule."""
    issuer, dot, suffix = resource_id.partition(".")
    if not dot or not _ISSUER_ID.fullmatch(issuer) or not _SUFFIX.fullmatch(suffix):
        raise WalletRuleError(
            f"{resource_id!r} is not a Google Wallet id: it must be '<issuer id>.<suffix>' with a "
            f"numeric issuer id and a suffix of {SUFFIX_RULE}"
        )
    return issuer, suffix
