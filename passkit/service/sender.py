"""`Sender`: drains the outbox, pushing each changed pass's devices through APNs.

    sender = Sender(engine, lambda: ApnsClient.from_env())
    report = sender.drain()          # until nothing is due; ApnsRefusedError stops it

Each Apple row stands for one pass that changed (several changes made before the push are one
row: see `passkit.service.schema`). The sender claims a batch of rows (`passkit.service.outbox`),
looks up the devices registered for their passes and pushes `{}` to each device's token, one
batch per pass type (the APNs topic) over the client's one connection for it. Then, per answer:

- delivered: the row is deleted once all its devices were pushed;
- 410 or a token APNs refuses: that registration is removed (and the pass marked removed
  from wallets when it was the last), the row done all the same;
- 429, 5xx or APNs unreachable, after the client's own retries: the row is given back with a
  back-off that doubles with each attempt, and all its devices are pushed again then;
- `ApnsRefusedError` (credentials or topic refused): every row still held is given back as it
  was, and the error is raised: no push can succeed until the setting it names is fixed.

Google rows are left pending here for the Google sync.
"""

from __future__ import annotations

import logging
import os
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from passkit.apple.signing import AppleSigner
from passkit.environment import ENV_APNS_CA_FILE, ENV_APNS_URL
from passkit.errors import PasskitError
from passkit.service.apns import ApnsClient, CertificateAuth, PushOutcome, PushResult, TokenAuth
from passkit.service.outbox import Claimed, Holder, Outbox

log = logging.getLogger("passkit.sender")

APPLE = "apple"


@dataclass(frozen=True)
class RowBackoff:
    """When a row APNs asked to wait for is tried again: a random time up to `first` *
    2**(attempts - 1) seconds, at most `most`, and at least a tenth of that bound."""

    first: float = 30.0
    most: float = 3600.0

    def delay(self, attempts: int) -> float:
        bound = min(self.most, self.first * 2 ** max(0, attempts - 1))
        return random.uniform(bound / 10, bound)


@dataclass
class DrainReport:
    """What one drain did."""

    rows: int = 0  # rows whose pushes all went out (or whose devices were all dropped)
    pushes: int = 0  # tokens sent to
    delivered: int = 0
    dropped: int = 0  # registrations removed
    kept: int = 0  # rows given back for later
    no_device: list[str] = field(default_factory=list)  # passes no device holds any more

    def add(self, other: DrainReport) -> None:
        self.rows += other.rows
        self.pushes += other.pushes
        self.delivered += other.delivered
        self.dropped += other.dropped
        self.kept += other.kept
        self.no_device += other.no_device


class Sender:
    """Drains the Apple rows of one database's outbox (see the module).

    `apns` is a client, or a function making one on first need (so that a sender with nothing
    to send never loads credentials). `batch` rows are claimed at a time, for `lease` seconds,
    renewed after every `chunk` tokens pushed: another sender takes a row whose lease ran out.
    """

    def __init__(
        self,
        engine: Engine,
        apns: ApnsClient | Callable[[], ApnsClient],
        *,
        batch: int = 200,
        lease: float = 300.0,
        chunk: int = 1000,
        backoff: RowBackoff | None = None,
    ) -> None:
        self.outbox = Outbox(engine)
        self.chunk = chunk
        self._apns = apns
        self.batch = batch
        self.lease = lease
        self.backoff = backoff or RowBackoff()

    @property
    def apns(self) -> ApnsClient:
        if not isinstance(self._apns, ApnsClient):
            self._apns = self._apns()
        return self._apns

    def close(self) -> None:
        if isinstance(self._apns, ApnsClient):
            self._apns.close()

    def drain(self) -> DrainReport:
        """Send every row that is due, batch after batch, until none is."""
        report = DrainReport()
        while True:
            rows = self.outbox.claim(APPLE, self.batch, self.lease)
            if not rows:
                return report
            report.add(self.send(rows))

    def send(self, rows: Sequence[Claimed]) -> DrainReport:
        """Push the devices of claimed rows; each row is deleted or given back."""
        report = DrainReport()
        by_topic: dict[str, list[Claimed]] = defaultdict(list)
        for row in rows:
            by_topic[row.pass_type_id].append(row)
        topics = list(by_topic.items())
        for index, (topic, group) in enumerate(topics):
            try:
                report.add(self._send_topic(topic, group))
            except PasskitError as error:  # APNs refused, or no credentials to push with
                held = [row for _, later in topics[index:] for row in later]
                self.outbox.give_back(held, delay=0.0, error=str(error), attempt=False)
                log.error("APNs pushes stopped, %d changes kept: %s", len(held), error)
                raise
        return report

    def _send_topic(self, topic: str, rows: list[Claimed]) -> DrainReport:
        holders = self.outbox.holders([row.serial for row in rows])
        tokens = list(dict.fromkeys(holder.push_token for holder in holders))
        results: list[PushResult] = []
        for start in range(0, len(tokens), self.chunk):
            if start:
                self.outbox.extend(rows, self.lease)  # still at work on them
            results += self.apns.send_many_sync(topic, tokens[start : start + self.chunk])
        by_token = {result.token: result for result in results}
        report = DrainReport(pushes=len(tokens))
        report.delivered = sum(r.outcome is PushOutcome.DELIVERED for r in results)
        dropped = [h for h in holders if by_token[h.push_token].outcome.drops_registration]
        if dropped:
            report.no_device = self.outbox.drop(dropped)
            report.dropped = len(dropped)
            for serial in report.no_device:
                log.info("pass %s: removed from wallets (APNs dropped its last device)", serial)
        self._settle(rows, holders, by_token, report)
        return report

    def _settle(
        self,
        rows: list[Claimed],
        holders: list[Holder],
        by_token: Mapping[str, PushResult],
        report: DrainReport,
    ) -> None:
        """Delete the rows that are done; give back those with a device APNs asked to wait."""
        waiting: dict[str, PushResult] = {}
        for holder in holders:
            result = by_token[holder.push_token]
            if result.outcome is PushOutcome.RETRY_LATER:
                waiting.setdefault(holder.serial, result)
        done = [row for row in rows if row.serial not in waiting]
        self.outbox.done(done)
        report.rows += len(done)
        for row in rows:
            late = waiting.get(row.serial)
            if late is None:
                continue
            why = f"APNs answered {late.status or 'nothing'}" + (
                f" ({late.reason})" if late.reason else ""
            )
            delay = self.backoff.delay(row.attempts + 1)
            self.outbox.give_back([row], delay=delay, error=why)
            report.kept += 1
            log.warning("pass %s: push kept for %.0fs: %s", row.serial, delay, why)


def apns_client_for(signer: object | None, environ: Mapping[str, str] | None = None) -> ApnsClient:
    """The APNs client of a service: PASSKIT_APNS_KEY_FILE's token key when set, else the
    pass type certificate of `signer` (an AppleSigner) or of the PASSKIT_APPLE_* settings;
    PASSKIT_APNS_URL and PASSKIT_APNS_CA_FILE say where to push."""
    env = os.environ if environ is None else environ
    if not isinstance(signer, AppleSigner):
        return ApnsClient.from_env(env)
    auth = TokenAuth.from_env(env) or CertificateAuth.from_signer(signer)
    return ApnsClient(auth, url=env.get(ENV_APNS_URL), ca_file=env.get(ENV_APNS_CA_FILE) or None)
