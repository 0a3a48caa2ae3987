"""The sender against the bare HTTP/2 loop: pushes a second from the outbox, and the time from
`registry.update` to the last push of a pass held by many devices.

python benchmarks/push.py [REGISTRATIONS] [--holders N] -> one JSON line

The stand-in runs in a process of its own (as in benchmarks/apns.py, whose bare loop is the
baseline). In the same run, over one TLS HTTP/2 connection each:

- sender: REGISTRATIONS devices (100 per pass) of passes that all changed, drained by
  `Sender.drain` (claim the rows, read the registrations, push, delete the rows), against the
  bare loop pushing as many tokens: `sender_ratio` is the sender's rate over the loop's;
- update to last push: one pass held by N devices (1,000), `registry.update` then the
  registry's background sender until the last push was answered, against the bare loop
  pushing N tokens: `update_ratio` is the loop's time over the update's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from apns import bare_loop, stand_in, tokens

from passkit.apple.signing import AppleSigner
from passkit.devcerts import write_dev_certificates
from passkit.service import Registry
from passkit.service.apns import PRIORITY, PUSH_TYPE, ApnsClient, CertificateAuth
from passkit.service.apns_auth import ssl_context
from passkit.service.schema import devices, registrations
from passkit.service.sender import Sender

MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}


def bare_seconds(auth: CertificateAuth, url: str, ca_file: str, count: int, start: int) -> float:
    async def run() -> float:
        headers = {"apns-topic": auth.topic, "apns-push-type": PUSH_TYPE, "apns-priority": PRIORITY}
        async with httpx.AsyncClient(
            base_url=url,
            http1=False,
            http2=True,
            verify=ssl_context(auth, ca_file),
            limits=httpx.Limits(max_connections=1),
            headers=headers,
            trust_env=False,
        ) as http:
            await bare_loop(http, tokens(10**9 + start, 1), 1)  # the handshake, not measured
            begin = time.perf_counter()
            await bare_loop(http, tokens(start, count), 100)
            return time.perf_counter() - begin

    return asyncio.run(run())


def hold(registry: Registry, serial: str, first: int, count: int) -> None:
    """`count` devices registered for the pass, written at once."""
    now = datetime.now(UTC)
    names = [f"bench{index}" for index in range(first, first + count)]
    with registry.store.engine.begin() as connection:
        connection.execute(
            devices.insert(),
            [
                {"device_id": n, "push_token": t, "created_at": now, "updated_at": now}
                for n, t in zip(names, tokens(first, count), strict=True)
            ],
        )
        connection.execute(
            registrations.insert(),
            [{"device_id": n, "serial": serial, "created_at": now} for n in names],
        )


def registry_for(folder: Path, signer: AppleSigner, push: bool, client: ApnsClient) -> Registry:
    return Registry(
        f"sqlite:///{folder / ('push.db' if push else 'drain.db')}",
        apple=signer,
        web_service_url="http://127.0.0.1:9/passes",
        secret="s" * 32,
        push=push,
        apns=client,
    )


def sender_rate(folder: Path, signer: AppleSigner, client: ApnsClient, count: int) -> float:
    registry = registry_for(folder, signer, False, client)
    per_pass = 100
    for number in range(count // per_pass):
        issued = registry.issue("loyalty", {**MEMBER, "member_id": f"4012{number:06d}"})
        hold(registry, issued.serial, number * per_pass, per_pass)
        registry.update(issued.serial, {"points": 1250})
    client.send_many_sync(signer.pass_type_id, tokens(10**9 + 7, 1))  # the handshake
    sender = Sender(registry.store.engine, client)
    begin = time.perf_counter()
    report = sender.drain()
    seconds = time.perf_counter() - begin
    if report.delivered != count // per_pass * per_pass:
        raise SystemExit(f"sender: {report.delivered} pushes delivered of {count}")
    return report.delivered / seconds


def update_seconds(folder: Path, signer: AppleSigner, client: ApnsClient, holders: int) -> float:
    with registry_for(folder, signer, True, client) as registry:
        issued = registry.issue("loyalty", MEMBER)
        hold(registry, issued.serial, 10**6, holders)
        client.send_many_sync(signer.pass_type_id, tokens(10**9 + 9, 1))  # the handshake
        begin = time.perf_counter()
        registry.update(issued.serial, {"points": 1250})
        if not registry.wait_for_pushes(300):
            raise SystemExit("the background sender did not finish within 300 s")
        seconds = time.perf_counter() - begin
        delivered = registry.push_report.delivered
    if delivered != holders:
        raise SystemExit(f"update: {delivered} pushes delivered of {holders}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registrations", nargs="?", type=int, default=10_000)
    parser.add_argument("--holders", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passkit-bench-push-") as work:
        folder = Path(work)
        certificates = write_dev_certificates(folder / "certs")
        signer = certificates.signer()
        auth = CertificateAuth.from_signer(signer)
        with stand_in(certificates.root) as (url, ca_file):
            client = ApnsClient(auth, url=url, ca_file=ca_file)
            bare_many = bare_seconds(auth, url, ca_file, args.registrations, 2 * 10**6)
            rate = sender_rate(folder, signer, client, args.registrations)
            bare_one = bare_seconds(auth, url, ca_file, args.holders, 3 * 10**6)
            client.close()
            client = ApnsClient(auth, url=url, ca_file=ca_file)
            update = update_seconds(folder, signer, client, args.holders)
    bare_rate = args.registrations / bare_many
    print(
        json.dumps(
            {
                "bare_h2_per_s": bare_rate,
                "sender_per_s": rate,
                "sender_ratio": rate / bare_rate,
                "bare_h2_holders_s": bare_one,
                "update_to_last_push_s": update,
                "update_ratio": bare_one / update,
            }
        )
    )


if __name__ == "__main__":
    main()
