"""Batch builds in tests: sample member records, record files, and `passkit build` arguments
signed with the development chain."""

from __future__ import annotations

import json
from pathlib import Path

from passkit.devcerts import DevCertificates


def member(index: int, **changes: object) -> dict[str, object]:
    record = {"member_name": "Camille Durand", "tier": "Gold"}
    return {**record, "member_id": f"{70000000 + index}", "points": index, **changes}


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def signing_args(certs: DevCertificates) -> list[str]:
    return [
        "--apple-cert",
        str(certs.pass_certificate),
        "--apple-key",
        str(certs.pass_key),
        "--wwdr",
        str(certs.wwdr),
    ]


def build_args(layout: Path, data: Path, certs: DevCertificates, *options: str) -> list[str]:
    """`passkit build` of `layout` over `data`, signed with the development chain."""
    return ["build", str(layout), "--data", str(data), *options, *signing_args(certs)]
