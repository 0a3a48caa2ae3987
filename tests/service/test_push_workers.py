"""`passkit service push` workers: one killed mid-batch leaves nothing unsent after a restart;
two senders on one PostgreSQL outbox never send a change twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.apns import ApnsClient, CertificateAuth
from passkit.service.database import make_engine, migrate
from passkit.service.devices import DeviceStore
from passkit.service.outbox import PENDING, SENDING, Outbox
from passkit.service.sender import DrainReport, Sender
from passkit.testing import ApnsAnswer, ApnsStandIn
from tests.service.support import PostgresServer, registry_at, service_env

MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}
URL = "http://127.0.0.1:9/passes"


def _passes_held(registry: Registry, passes: int, devices: int) -> list[str]:
    """`passes` passes, each held by `devices` devices, each changed once; their tokens."""
    store = DeviceStore(registry.store.engine)
    tokens = []
    for number in range(passes):
        issued = registry.issue("loyalty", {**MEMBER, "member_id": f"40128833{number:02d}"})
        stored = registry.get(issued.serial)
        assert stored is not None
        for index in range(devices):
            token = f"{number:032x}{index:032x}"
            assert store.register(f"d{number}-{index}", token, stored.pass_type_id, issued.serial)
            tokens.append(token)
        registry.update(issued.serial, {"points": 1250})
    return tokens


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "passkit", "service", "push", "--lease", "2", *args]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def test_a_worker_killed_mid_batch_sends_everything_after_a_restart(
    tmp_path: object, dev_certs: DevCertificates
) -> None:
    database = f"sqlite:///{tmp_path}/passes.db"
    registry = registry_at(database, dev_certs.signer())
    tokens = _passes_held(registry, passes=4, devices=100)
    with ApnsStandIn(client_ca=dev_certs.root) as apns:
        apns.default = ApnsAnswer(delay=0.3)  # each push takes a while: the kill lands mid-batch
        env = service_env(dev_certs, database, URL)
        env.update(PASSKIT_APNS_URL=apns.url, PASSKIT_APNS_CA_FILE=str(apns.ca_file))
        first = _worker(env)
        try:
            apns.wait_for(20, timeout=60)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.communicate(timeout=30)
        before = {push.token for push in apns.delivered}
        assert 0 < len(before) < len(tokens), "the kill should land mid-batch"
        outbox = Outbox(registry.store.engine)
        assert outbox.count("apple", PENDING) + outbox.count("apple", SENDING) == 4
        time.sleep(2.1)  # the dead worker's lease runs out
        second = _worker(env, "--once")
        output, _ = second.communicate(timeout=120)
        assert second.returncode == 0, output
    assert {push.token for push in apns.delivered} == set(tokens)
    assert outbox.count("apple", PENDING) + outbox.count("apple", SENDING) == 0
    assert "4 changes pushed" in output


def test_two_senders_share_a_postgresql_outbox_without_sending_twice(
    postgres: PostgresServer, dev_certs: DevCertificates
) -> None:
    database = postgres.database()
    migrate(make_engine(database))
    signer = dev_certs.signer()
    registry = registry_at(database, signer)
    tokens = _passes_held(registry, passes=30, devices=2)
    reports: list[DrainReport] = []
    with ApnsStandIn(client_ca=dev_certs.root) as apns:
        apns.default = ApnsAnswer(delay=0.02)

        def drain() -> None:
            client = ApnsClient(
                CertificateAuth.from_signer(signer), url=apns.url, ca_file=apns.ca_file
            )
            with client:
                reports.append(Sender(make_engine(database), client, batch=3).drain())

        threads = [threading.Thread(target=drain) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        pushed = Counter(push.token for push in apns.pushes)
    assert sorted(pushed) == sorted(tokens)
    assert set(pushed.values()) == {1}, "a push was sent twice"
    assert sorted(report.rows > 0 for report in reports) == [True, True]
    assert sum(report.rows for report in reports) == 30
    assert Outbox(registry.store.engine).count("apple") == 0


def test_workers_once_send_everything_and_a_refusal_is_one_line(
    tmp_path: object, dev_certs: DevCertificates
) -> None:
    database = f"sqlite:///{tmp_path}/passes.db"
    registry = registry_at(database, dev_certs.signer())
    tokens = _passes_held(registry, passes=3, devices=5)
    outbox = Outbox(registry.store.engine)
    with ApnsStandIn(client_ca=dev_certs.root) as apns:
        env = service_env(dev_certs, database, URL)
        env.update(PASSKIT_APNS_URL=apns.url, PASSKIT_APNS_CA_FILE=str(apns.ca_file))
        apns.answer_next(ApnsAnswer(403, "BadCertificate"))
        stopped = _worker(env, "--once")
        refused, _ = stopped.communicate(timeout=120)
        assert stopped.returncode == 2, refused
        assert outbox.count("apple", PENDING) == 3  # nothing lost
        assert "BadCertificate" in refused and "Traceback" not in refused
        output, _ = _worker(env, "--once", "--workers", "2").communicate(timeout=120)
        assert outbox.count("apple", PENDING) == 0, output
    assert {push.token for push in apns.delivered} == set(tokens)
