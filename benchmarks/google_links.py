"""Google save links per second: passkit (render, compile, sign) against a bare PyJWT RS256 loop.

python benchmarks/google_links.py LAYOUT RECORD.json SERVICE_ACCOUNT.json COUNT -> JSON line
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization

from passkit.google import ServiceAccount, compile_google, save_link
from passkit.layout import load_layout

ISSUER_ID = "3388000000022000000"


def main() -> None:
    layout_path, record_path, account_path, count = sys.argv[1:5]
    total = int(count)
    layout = load_layout(layout_path)
    record = json.loads(Path(record_path).read_text())
    account = ServiceAccount.from_file(account_path)
    key = serialization.load_pem_private_key(
        json.loads(Path(account_path).read_text())["private_key"].encode(), None
    )

    def record_for(index: int) -> dict[str, object]:
        return {**record, "member_id": f"{80000000 + index}"}

    compiled = compile_google(
        layout.render(record_for(0)), issuer_id=ISSUER_ID, options=layout.google
    )
    payload_template = json.loads(
        json.dumps(
            {
                "iss": "bench@example.iam.gserviceaccount.com",
                "aud": "google",
                "typ": "savetowallet",
                "origins": [],
                "payload": compiled.payload(),
            }
        )
    )

    # The two loops take turns, a block at a time, so that a change of the machine's speed
    # during the run (other processes, frequency) weighs on both alike.
    rounds = 10
    bare_s = ours_s = 0.0
    for turn in range(rounds):
        indexes = range(turn * total // rounds, (turn + 1) * total // rounds)
        begin = time.perf_counter()
        for index in indexes:
            claims = dict(payload_template, iat=1_700_000_000 + index)
            jwt.encode(claims, key, algorithm="RS256")  # type: ignore[arg-type]
        bare_s += time.perf_counter() - begin
        begin = time.perf_counter()
        for index in indexes:
            pass_ = layout.render(record_for(index))
            save_link(compile_google(pass_, issuer_id=ISSUER_ID, options=layout.google), account)
        ours_s += time.perf_counter() - begin
    bare, ours = total / bare_s, total / ours_s
    print(json.dumps({"bare_pyjwt_per_s": bare, "passkit_per_s": ours}))


if __name__ == "__main__":
    main()
