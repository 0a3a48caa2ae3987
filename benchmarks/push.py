"""The sender against the bare HTTP/2 loop: pushes a second from the outbox, and the time from
`registry.update` to the last push of a pass held by many devices.

python benchmarks/push.py [REGISTRATIONS] [--holders N] -> one JSON line

The stand-in runs in a process of its own (as in benchmarks/apns.py, whose bare loop is the
baseline). In the same run, over one TLS HTTP/2 connection each:

- sender: REGISTRATIONS devices (100 per pass) of passes that changed, drained by
  `Sender.drain` (claim the rows, read the registrations, push, delete the rows), a fifth at a
  time, in turns with the bare loop pushing as many tokens: `sender_ratio` is the sender's
  rate over the loop's;
- update to last push: one pass held by N devices (1,000), `registry.update` then the
  registry's background sender until the last push was answered (the median of three), in
  turns with the bare loop pushing N tokens: `update_ratio` is the loop's time over the
  update's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from apns import bare_client, bare_loop, stand_in, tokens

from passkit.apple.signing import AppleSigner
from passkit.devcerts import write_dev_certificates
from passkit.service import Registry
from passkit.service.apns import ApnsClient, CertificateAuth
from passkit.service.schema import devices, registrations
from passkit.service.sender import Sender

MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}


class Bare:
    """The baseline: one HTTP/2 connection of its own, kept open, pushing with the bare loop."""

    def __init__(self, auth: CertificateAuth, url: str, ca_file: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.http = bare_client(auth, url, ca_file)
        self.next = 5 * 10**6
        self.seconds(1)  # the handshake, not measured

    def seconds(self, count: int) -> float:
        batch, self.next = tokens(self.next, count), self.next + count
        begin = time.perf_counter()
        self.loop.run_until_complete(bare_loop(self.http, batch, 100))
        return time.perf_counter() - begin

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


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


PER_PASS = 100
ROUNDS = 5


def sender_rates(
    folder: Path, signer: AppleSigner, client: ApnsClient, bare: Bare, count: int
) -> tuple[float, float]:
    """Pushes a second of the sender and of the bare loop, in turns, a fifth at a time."""
    registry = registry_for(folder, signer, False, client)
    serials = []
    for number in range(count // PER_PASS):
        issued = registry.issue("loyalty", {**MEMBER, "member_id": f"4012{number:06d}"})
        hold(registry, issued.serial, number * PER_PASS, PER_PASS)
        serials.append(issued.serial)
    client.send_many_sync(signer.pass_type_id, tokens(10**9 + 7, 1))  # the handshake
    sender = Sender(registry.store.engine, client)
    per_round = len(serials) // ROUNDS
    ours = theirs = 0.0
    delivered = 0
    for turn in range(ROUNDS):
        for serial in serials[turn * per_round : (turn + 1) * per_round]:
            registry.update(serial, {"points": 1250})  # queued, not timed
        theirs += bare.seconds(per_round * PER_PASS)
        begin = time.perf_counter()
        delivered += sender.drain().delivered
        ours += time.perf_counter() - begin
    if delivered != ROUNDS * per_round * PER_PASS:
        raise SystemExit(f"sender: {delivered} pushes delivered of {count}")
    return delivered / ours, delivered / theirs


def update_seconds(
    folder: Path, signer: AppleSigner, client: ApnsClient, bare: Bare, holders: int
) -> tuple[float, float]:
    """Median seconds from `registry.update` to the last push answered, for a pass held by
    `holders` devices, and of the bare loop pushing as many tokens, in turns."""
    ours, theirs = [], []
    with registry_for(folder, signer, True, client) as registry:
        issued = registry.issue("loyalty", MEMBER)
        hold(registry, issued.serial, 10**6, holders)
        client.send_many_sync(signer.pass_type_id, tokens(10**9 + 9, 1))  # the handshake
        for turn in range(3):
            theirs.append(bare.seconds(holders))
            begin = time.perf_counter()
            registry.update(issued.serial, {"points": 1250 + turn})
            if not registry.wait_for_pushes(300):
                raise SystemExit("the background sender did not finish within 300 s")
            ours.append(time.perf_counter() - begin)
        delivered = registry.push_report.delivered
    if delivered != 3 * holders:
        raise SystemExit(f"update: {delivered} pushes delivered of {3 * holders}")
    return statistics.median(ours), statistics.median(theirs)


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
            bare = Bare(auth, url, ca_file)
            client = ApnsClient(auth, url=url, ca_file=ca_file)
            rate, bare_rate = sender_rates(folder, signer, client, bare, args.registrations)
            client.close()
            # A client of its own: the registry's background sender runs it on its thread.
            client = ApnsClient(auth, url=url, ca_file=ca_file)
            update, bare_one = update_seconds(folder, signer, client, bare, args.holders)
            bare.close()
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
