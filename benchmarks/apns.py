"""APNs pushes per second: passkit's client against a bare httpx HTTP/2 loop, to the stand-in.

python benchmarks/apns.py [COUNT] [--streams N] -> one JSON line

The stand-in (passkit.testing.ApnsStandIn) runs in a process of its own, so that its work does
not share the client's interpreter. Both sides push COUNT distinct tokens over one TLS HTTP/2
connection with the development pass certificate as client certificate, N streams at a time:
the bare loop posts `{}` with the same headers from N coroutines over plain httpx; passkit's
`ApnsClient.send_many` adds what a sender needs (token checks, answer sorting, retries). The
two take turns, a block at a time, so that a change of the machine's speed weighs on both.
Reports both rates, their ratio, and the client process's processor time per push of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from passkit.devcerts import write_dev_certificates
from passkit.service.apns import PRIORITY, PUSH_TYPE, ApnsClient, CertificateAuth, PushOutcome
from passkit.service.apns_auth import ssl_context

SERVER = """
import sys
from passkit.testing.apns import ApnsStandIn
with ApnsStandIn(client_ca=sys.argv[1]) as apns:
    print(apns.url, apns.ca_file, flush=True)
    sys.stdin.read()
"""


@contextmanager
def stand_in(root: Path) -> Iterator[tuple[str, str]]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url, ca_file = server.stdout.readline().split()
        yield url, ca_file
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(30)


def tokens(start: int, count: int) -> list[str]:
    return [f"{index:064x}" for index in range(start, start + count)]


async def bare_loop(http: httpx.AsyncClient, batch: list[str], streams: int) -> None:
    """The baseline: POST {} to each token, `streams` at a time, nothing else."""
    queue = iter(batch)

    async def worker() -> None:
        for token in queue:
            response = await http.post(f"/3/device/{token}", content=b"{}")
            if response.status_code != 200:
                raise SystemExit(f"bare loop: push answered {response.status_code}")

    await asyncio.gather(*(worker() for _ in range(streams)))


async def measure(
    auth: CertificateAuth, url: str, ca_file: str, args: argparse.Namespace
) -> dict[str, float]:
    headers = {"apns-topic": auth.topic, "apns-push-type": PUSH_TYPE, "apns-priority": PRIORITY}
    bare = httpx.AsyncClient(
        base_url=url,
        http1=False,
        http2=True,
        verify=ssl_context(auth, ca_file),
        limits=httpx.Limits(max_connections=1),
        headers=headers,
        trust_env=False,
    )
    client = ApnsClient(auth, url=url, ca_file=ca_file, max_streams=args.streams)
    rounds, block = 10, args.count // 10
    bare_s = ours_s = bare_cpu = ours_cpu = 0.0
    async with bare, client:
        # One warm-up push each: the TLS handshake is not what is measured.
        await bare_loop(bare, tokens(10**9, 1), 1)
        await client.send_many(auth.topic, tokens(10**9 + 1, 1))
        for turn in range(rounds):
            begin, cpu = time.perf_counter(), time.process_time()
            await bare_loop(bare, tokens(2 * turn * block, block), args.streams)
            bare_s += time.perf_counter() - begin
            bare_cpu += time.process_time() - cpu
            begin, cpu = time.perf_counter(), time.process_time()
            results = await client.send_many(auth.topic, tokens((2 * turn + 1) * block, block))
            ours_s += time.perf_counter() - begin
            ours_cpu += time.process_time() - cpu
            if any(r.outcome is not PushOutcome.DELIVERED for r in results):
                raise SystemExit("passkit: a push was not delivered")
    total = rounds * block
    # The client process's processor time per push: what each side costs the sender, apart
    # from the stand-in's own time (which bounds both rates alike).
    return {
        "bare_h2_per_s": total / bare_s,
        "passkit_per_s": total / ours_s,
        "bare_h2_cpu_us": bare_cpu / total * 1e6,
        "passkit_cpu_us": ours_cpu / total * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--streams", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passkit-bench-apns-") as work:
        certificates = write_dev_certificates(Path(work) / "certs")
        auth = CertificateAuth.from_signer(certificates.signer())
        with stand_in(certificates.root) as (url, ca_file):
            rates = asyncio.run(measure(auth, url, ca_file, args))
    rates["ratio"] = rates["passkit_per_s"] / rates["bare_h2_per_s"]
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
