"""`passkit service push`: sender processes that drain the outbox of a shared database.

Each worker process claims due rows, pushes them (and applies Google's, when Google
credentials are set) and claims again; with nothing due it looks
again every `poll` seconds. SIGTERM and SIGINT end it after the batch under way. With `once`,
it ends as soon as nothing is due. `ApnsRefusedError` ends it (status 2): the rows stay.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from dataclasses import dataclass
from types import FrameType

from passkit.errors import PasskitError
from passkit.service.sender import DrainReport


@dataclass(frozen=True)
class WorkerSettings:
    database_url: str
    once: bool = False
    poll: float = 1.0
    lease: float = 300.0
    batch: int = 200
    # The Google Wallet REST API to apply changes through (None: Google's own).
    google_api_url: str | None = None


class Senders:
    """The Apple and Google senders of one worker, over one registry of the settings."""

    def __init__(self, settings: WorkerSettings) -> None:
        from passkit.service.config import ServiceConfig
        from passkit.service.sender import Sender, apns_client_for

        config = ServiceConfig.load(
            database_url=settings.database_url, google_api_url=settings.google_api_url
        )
        # The registry renders the passes Google gets; it checks the schema is current.
        self.registry = config.registry(push=False)
        signer = self.registry.apple
        self.apple = (
            Sender(
                self.registry.store.engine,
                lambda: apns_client_for(signer),
                batch=settings.batch,
                lease=settings.lease,
            )
            if signer is not None
            else None
        )
        self.google = self.registry.pushing.google

    def drain(self) -> DrainReport:
        """Google changes, then Apple pushes: a refusal of APNs stops only the latter."""
        report = DrainReport()
        if self.google is not None:
            report.add(self.google.drain())
        if self.apple is not None:
            report.add(self.apple.drain())
        return report

    def close(self) -> None:
        if self.apple is not None:
            self.apple.close()
        self.registry.close()


def run_worker(settings: WorkerSettings, stop: threading.Event | None = None) -> DrainReport:
    """Drain until stopped (or, with `once`, until nothing is due)."""
    stop = stop or threading.Event()
    senders = Senders(settings)
    total = DrainReport()
    try:
        while not stop.is_set():
            total.add(senders.drain())
            if settings.once:
                break
            stop.wait(settings.poll)
    finally:
        senders.close()
    return total


def stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _child(settings: WorkerSettings) -> None:
    stop = threading.Event()
    stop_on_signals(stop)
    try:
        run_worker(settings, stop)
    except PasskitError as error:
        print(f"error: {error}", flush=True)
        raise SystemExit(2) from None


def run_workers(settings: WorkerSettings, workers: int) -> int:
    """`workers` processes (spawned, each with its own connections); the worst exit status."""
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_child, args=(settings,)) for _ in range(workers)]
    for process in processes:
        process.start()
    stop = threading.Event()

    def forward(signum: int, frame: FrameType | None) -> None:
        stop.set()
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for process in processes:
        process.join()
    return max((process.exitcode or 0) for process in processes)
