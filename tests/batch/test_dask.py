"""`build_record` on a real dask.distributed cluster: a scheduler and worker processes on
127.0.0.1, started here, each worker preparing the plan once and building passes sent to it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from passkit.batch import BuildPlan, build_record
from passkit.batch.build_plan import AppleCredentials
from passkit.devcerts import DevCertificates
from passkit.testing import open_pkpass
from tests.support.batch import member
from tests.support.layout import write_loyalty_card

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed: pip install -e '.[dask]'"
)

PASSES = 1_000


def test_a_dask_cluster_issues_a_thousand_verified_passes(
    tmp_path: Path, dev_certs: DevCertificates
) -> None:
    layout = write_loyalty_card(tmp_path)
    apple = AppleCredentials.resolve(
        certificate=str(dev_certs.pass_certificate),
        key=str(dev_certs.pass_key),
        wwdr=str(dev_certs.wwdr),
        environ={},
    )
    plan = BuildPlan(layout=layout, apple=apple)
    records = [member(index) for index in range(PASSES)]
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        shared_plan = client.scatter(plan, broadcast=True)
        futures = client.map(
            build_record,
            [shared_plan] * PASSES,
            records,
            key=[f"pass-{index}" for index in range(PASSES)],
        )
        serials: list[str] = []
        workers: set[str] = set()
        for future, result in distributed.as_completed(futures, with_results=True):
            assert result.ok, result.error
            assert result.pkpass is not None
            bundle = open_pkpass(result.pkpass)
            assert bundle.verify(ca=dev_certs.root) == [], result.serial
            assert result.serial is not None
            serials.append(result.serial)
            workers.update(client.who_has(future)[future.key])
        processes = client.run(os.getpid)
    # Every record once, each from the worker process that built it, on both workers.
    assert sorted(serials) == sorted(f"lumen-{70000000 + index}" for index in range(PASSES))
    assert len(set(processes.values())) == 2 and os.getpid() not in processes.values()
    assert len(workers) == 2
