"""A layout with an e-mail input, and a small issuing registry, for the landing page tests."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from passkit.layout import LAYOUTS_DIR, Layout, load_layout
from passkit.service.landing import IssuedPass
from passkit.service.linktokens import LinkKeyring, LinkKind, LinkPayload, LinkUsedUp

SECRET = "landing-test-secret-0123456789abcdef"
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def member_layout(folder: Path) -> Layout:
    """The shipped membership card, asking also for an optional e-mail address."""
    copy = folder / "layouts"
    if not copy.exists():
        shutil.copytree(LAYOUTS_DIR, copy)
    path = copy / "generic.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["inputs"]["email"] = {
        "type": "string",
        "required": False,
        "pattern": "[^@ ]+@[^@ ]+",
        "description": "Where we send your receipts",
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_layout(path)


def keyring() -> LinkKeyring:
    return LinkKeyring({"k1": SECRET}, current="k1")


def personal_link(**prefill: Any) -> LinkPayload:
    return LinkPayload(
        layout="generic",
        prefill=prefill or {"member_id": "HAC-204817"},
        expires_at=datetime(2027, 1, 1, tzinfo=UTC),
        max_uses=1,
        kind=LinkKind.PERSONAL,
    )


@dataclass
class Issuer:
    """What the registry does for a link's use: personal links give one pass, campaign links
    a pass per use up to max_uses. Serves the .pkpass bytes it made by serial."""

    layout: Layout
    base_url: str = "http://127.0.0.1"
    google_link: Any = None  # Callable[[Pass], str] | None
    uses: dict[str, int] = field(default_factory=dict)
    by_link: dict[str, IssuedPass] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, payload: LinkPayload, record: dict[str, Any]) -> IssuedPass:
        if payload.kind is LinkKind.PERSONAL and payload.link_id in self.by_link:
            return self.by_link[payload.link_id]
        used = self.uses.get(payload.link_id, 0)
        if payload.max_uses is not None and used >= payload.max_uses:
            raise LinkUsedUp("this link has been used up", payload=payload)
        self.uses[payload.link_id] = used + 1
        p = self.layout.render(record, now=NOW)
        self.records[p.serial_number] = record
        issued = IssuedPass(
            pass_=p,
            pkpass_url=f"{self.base_url}/passes/{p.serial_number}.pkpass",
            google_save_url=self.google_link(p) if self.google_link else None,
        )
        self.by_link[payload.link_id] = issued
        return issued

    def given(self, payload: LinkPayload) -> IssuedPass | None:
        """The pass a personal link gave already, as the registry finds it."""
        if payload.kind is not LinkKind.PERSONAL:
            return None
        return self.by_link.get(payload.link_id)
