"""The pass service against its baselines, measured in one run on this machine.

    .venv/bin/python benchmarks/service.py [--seconds 2] [--rounds 3] [--passes 20]

  list serials   GET .../registrations/{passTypeId}?passesUpdatedSince=T through passkit's web
                 service, against a bare Starlette endpoint answering the same JSON, both
                 served by one uvicorn process (SQLite database);
  fetch a pass   GET /v1/passes/... of a current pass (200, the stored signed bytes), against
                 a bare endpoint sending the same bytes;
  updates        Registry.update, each one re-rendering, re-signing and storing the pass with a
                 new tag, against the signature floor: detached PKCS#7 signatures over distinct
                 manifests with the key loaded once (benchmarks/floor.py's loop), in-process.
Requests are made one after another on one keep-alive connection; the two sides of each ratio
are measured in turn within a round, and the table shows the median ratio of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from passkit.service import Registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = ROOT / "fixtures" / "loyalty.json"
SECRET = "a benchmark secret and never a real one"
DEVICE = "0" * 32
PASS_TYPE = "pass.dev.passkit.example"


def serve(database: str, certs: Path, port: int, serials: list[str]) -> None:
    """The server side: passkit's web service at /passes and bare endpoints at /bare."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Mount, Route

    registry = _registry(database, certs, port)
    pkpass = registry.pkpass(serials[0]) or b""
    listing = {"serialNumbers": serials, "lastUpdated": "1"}

    async def bare_list(request: Request) -> Response:
        return JSONResponse(listing)

    async def bare_pass(request: Request) -> Response:
        headers = {"Last-Modified": "Sun, 06 Dec 2026 05:00:00 GMT"}
        return Response(pkpass, media_type="application/vnd.apple.pkpass", headers=headers)

    app = Starlette(
        routes=[
            Mount("/passes", registry.web_service()),
            Route("/bare/list", bare_list),
            Route("/bare/pass", bare_pass),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _registry(database: str, certs: Path, port: int) -> Registry:
    from development_keys import apple_credentials

    from passkit.service import Registry

    return Registry(
        database,
        layouts=["loyalty"],
        apple=apple_credentials(certs).signer(),
        web_service_url=f"http://127.0.0.1:{port}/passes",
        secret=SECRET,
    )


def rate(call: Callable[[], object], seconds: float) -> float:
    call()  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        count += 1
    return count / (time.perf_counter() - start)


def floor_signer(certs: Path) -> Callable[[], object]:
    """benchmarks/floor.py's signature, one distinct manifest per call."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7

    certificate = x509.load_pem_x509_certificate((certs / "pass-cert.pem").read_bytes())
    wwdr = x509.load_pem_x509_certificate((certs / "wwdr.pem").read_bytes())
    key = serialization.load_pem_private_key((certs / "pass-key.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    counter = iter(range(10**9))

    def sign() -> bytes:
        manifest = b'{"pass.json":"%040x"}' % next(counter)
        builder = pkcs7.PKCS7SignatureBuilder().set_data(manifest)
        builder = builder.add_signer(certificate, key, hashes.SHA256()).add_certificate(wwdr)
        return builder.sign(serialization.Encoding.DER, options)

    return sign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        database, certs, port, serials = args.serve
        serve(database, Path(certs), int(port), serials.split(","))
        return
    with tempfile.TemporaryDirectory(prefix="passkit-service-bench-") as folder:
        print(table(measure(Path(folder), args)))


def measure(folder: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    certs = folder / "certs"
    subprocess.run(
        [sys.executable, "-m", "passkit", "certs", "dev", str(certs)],
        check=True,
        capture_output=True,
    )
    database = f"sqlite:///{folder / 'passes.db'}"
    port = _free_port()
    registry = _registry(database, certs, port)
    record = json.loads(FIXTURE.read_text())
    serials = [
        registry.issue("loyalty", {**record, "member_id": f"40128833{n:02d}"}).serial
        for n in range(args.passes)
    ]
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", database, str(certs), str(port), ",".join(serials)],
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            _wait(client)
            return _rounds(client, registry, serials, floor_signer(certs), args)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _rounds(
    client: httpx.Client,
    registry: Registry,
    serials: list[str],
    sign: Callable[[], object],
    args: argparse.Namespace,
) -> dict[str, list[float]]:
    """Each measure and its baseline in turn, `args.rounds` times."""
    from passkit.service.auth import authentication_token

    def auth(serial: str) -> dict[str, str]:
        return {"Authorization": f"ApplePass {authentication_token(SECRET.encode(), serial)}"}

    for serial in serials:
        url = f"/passes/v1/devices/{DEVICE}/registrations/{PASS_TYPE}/{serial}"
        answer = client.post(url, json={"pushToken": "f" * 64}, headers=auth(serial))
        assert answer.status_code == 201
    list_url = f"/passes/v1/devices/{DEVICE}/registrations/{PASS_TYPE}?passesUpdatedSince=0"
    pass_url = f"/passes/v1/passes/{PASS_TYPE}/{serials[0]}"
    headers = auth(serials[0])
    assert client.get(list_url).status_code == 200
    assert client.get(pass_url, headers=headers).status_code == 200
    points = iter(range(10**9))

    def update() -> bool:
        return registry.update(serials[0], {"points": next(points)})

    calls: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "list serials": (lambda: client.get(list_url), lambda: client.get("/bare/list")),
        "fetch a current pass": (
            lambda: client.get(pass_url, headers=headers),
            lambda: client.get("/bare/pass"),
        ),
        "updates, each re-signed": (update, sign),
    }
    results: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, (ours, baseline) in calls.items():
            results.setdefault(name, []).append(rate(ours, args.seconds))
            results.setdefault(name + " baseline", []).append(rate(baseline, args.seconds))
    return results


def table(results: dict[str, list[float]]) -> str:
    baselines = {
        "list serials": "bare Starlette endpoint, same JSON",
        "fetch a current pass": "bare Starlette endpoint, same bytes",
        "updates, each re-signed": "signature floor (PKCS#7, key loaded once)",
    }
    lines = [
        "| measure | passkit /s | baseline | baseline /s | ratio (median of rounds) |",
        "|---|---|---|---|---|",
    ]
    for name, baseline in baselines.items():
        ours, theirs = results[name], results[name + " baseline"]
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        lines.append(
            f"| {name} | {statistics.median(ours):,.0f} | {baseline} | "
            f"{statistics.median(theirs):,.0f} | {statistics.median(ratios):.2f} "
            f"({min(ratios):.2f}-{max(ratios):.2f}) |"
        )
    return "\n".join(lines)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(client: httpx.Client) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get("/bare/list").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the benchmark server did not start")


if __name__ == "__main__":
    main()
