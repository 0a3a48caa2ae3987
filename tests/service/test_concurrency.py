"""Several uvicorn workers and several writers on one PostgreSQL database behave as one
service: no update is lost, tags only grow, a registration is made once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.auth import authentication_token
from passkit.service.database import make_engine, migrate
from passkit.service.schema import counters, registrations
from passkit.testing import WalletDevice, assert_field
from tests.service.support import FIXTURES, SECRET, PostgresServer, running_service

PASS_TYPE = "pass.dev.passkit.example"
UPDATES = 12


def test_workers_and_writers_share_one_database(
    postgres: PostgresServer, dev_certs: DevCertificates
) -> None:
    url = postgres.database()
    migrate(make_engine(url))
    record = json.loads((FIXTURES / "loyalty.json").read_text())
    with running_service(dev_certs, url, workers=3) as service_url:
        registry = Registry(
            url,
            layouts=["loyalty"],
            apple=dev_certs.signer(),
            web_service_url=service_url,
            secret=SECRET,
        )
        serials = [
            registry.issue("loyalty", {**record, "member_id": f"40128833{n:02d}"}).serial
            for n in range(2)
        ]
        seen_tags: list[int] = []
        watch_errors: list[BaseException] = []
        stop = threading.Event()

        def watch() -> None:
            # What a device is told as lastUpdated never goes back, and every change it
            # fetches was listed (WalletDevice checks).
            try:
                with WalletDevice() as device:
                    for serial in serials:
                        device.add(registry.pkpass(serial) or b"")
                    while not stop.is_set():
                        device.sync()
                        seen_tags.extend(int(tag) for tag in device.tags.values() if tag)
            except BaseException as exc:
                watch_errors.append(exc)

        def points(serial: str) -> list[bool]:
            return [registry.update(serial, {"points": n}) for n in range(1, UPDATES + 1)]

        def names(serial: str) -> list[bool]:
            return [
                registry.update(serial, {"member_name": f"Member {n}"})
                for n in range(1, UPDATES + 1)
            ]

        def register(device: str, serial: str) -> int:
            token = authentication_token(SECRET.encode(), serial)
            response = httpx.post(
                f"{service_url}/v1/devices/{device}/registrations/{PASS_TYPE}/{serial}",
                json={"pushToken": "f" * 64},
                headers={"Authorization": f"ApplePass {token}"},
                timeout=30,
            )
            return response.status_code

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(12) as pool:
            writes = [pool.submit(job, serial) for serial in serials for job in (points, names)]
            devices = [f"{n:032x}" for n in range(4)]
            statuses = [
                pool.submit(register, device, serial)
                for _ in range(3)
                for device in devices
                for serial in serials
            ]
            changed = [flag for write in writes for flag in write.result()]
            answers = Counter(status.result() for status in statuses)
        stop.set()
        watcher.join(timeout=60)
        assert not watch_errors, watch_errors
        assert len(seen_tags) > 1

        # Every update changed its pass, and each got its own tag: none was lost.
        assert all(changed) and len(changed) == 4 * UPDATES
        for serial in serials:
            stored = registry.get(serial)
            assert stored is not None
            assert stored.record["points"] == UPDATES
            assert stored.record["member_name"] == f"Member {UPDATES}"
        engine = registry.store.engine
        with engine.connect() as connection:
            last_tag = connection.execute(sa.select(counters.c.value)).scalar_one()
            rows = connection.execute(
                sa.select(registrations.c.device_id, registrations.c.serial)
            ).all()
        assert last_tag == len(serials) + len(changed)
        # Tags seen by the watching device only grew.
        assert seen_tags == sorted(seen_tags)
        # One registration per device and pass, made once (201) and found again (200) after.
        assert answers == {201: len(devices) * len(serials), 200: 2 * len(devices) * len(serials)}
        registered = [(row.device_id, row.serial) for row in rows]
        assert len(registered) == len(set(registered)) == len(devices) * len(serials) + len(serials)
        # A device syncing now gets the final pass.
        with WalletDevice() as device:
            device.add(registry.pkpass(serials[0]) or b"")
            assert device.sync() == [serials[0]]
            assert_field(device.passes[serials[0]], "points", UPDATES)
