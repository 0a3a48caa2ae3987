"""Passes to a list of recipients: one pass each, issued into the registry with its own link.

For each record (a row of a CSV file, a line of JSON Lines, ...), `distribute` issues the
pass through a personal link pre-filled with the record, so that opening the link gives that
pass (and counts nothing), and writes, in the output folder:

    <serial>.link.txt   the link
    <serial>.png        a QR code of the link (segno), to print on a letter or a card
    links.csv           line, serial and link of every recipient, in the file's order

A record that cannot be issued (a value the layout refuses, a serial issued already) is a
failure, reported with its line; the others go on. With `skip_existing`, a recipient whose
link file exists is skipped (its line is read back into links.csv): the same command resumes
an interrupted run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from passkit.batch.file_names import output_stem
from passkit.batch.records import Record, read_records
from passkit.batch.result import BuildResult
from passkit.errors import PasskitError
from passkit.files import atomic_write
from passkit.service.linktokens import LinkKind
from passkit.service.registry import Registry

INDEX_NAME = "links.csv"


@dataclass(frozen=True)
class Distributed:
    """One recipient's outcome; `result` is what the batch's progress and failures file read."""

    result: BuildResult
    link: str | None = None


def qr_png(text: str) -> bytes:
    """A QR code of `text`, as PNG (error correction M, 4-module quiet zone)."""
    import segno

    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


class Distribution:
    """Issues the passes of one layout to recipients (see the module)."""

    def __init__(
        self,
        registry: Registry,
        layout: str,
        out_dir: Path,
        *,
        expires: datetime | date | str | None = None,
        skip_existing: bool = False,
    ) -> None:
        self.registry = registry
        self.layout = registry.layouts.get(layout)
        self.out_dir = out_dir
        self.expires = expires
        self.skip_existing = skip_existing

    def run(self, recipients: Path) -> Iterator[Distributed]:
        """Each recipient's outcome, in the file's order; links.csv is written at the end."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        rows: list[tuple[int, str, str]] = []
        try:
            for record in read_records(recipients):
                done = self.one(record)
                if done.link is not None and done.result.serial is not None:
                    rows.append((record.line, done.result.serial, done.link))
                yield done
        finally:
            self._write_index(rows)

    def one(self, record: Record) -> Distributed:
        def failed(message: str) -> Distributed:
            return Distributed(BuildResult(record.name, record.line, error=message))

        if record.problem is not None:
            return failed(record.problem)
        try:
            serial = self.layout.layout.render(record.data, record_name=record.name).serial_number
            stem = self.out_dir / output_stem(serial)
            link_file = stem.with_name(stem.name + ".link.txt")
            if self.skip_existing and link_file.exists():
                link = link_file.read_text(encoding="utf-8").strip()
                result = BuildResult(record.name, record.line, serial=serial, skipped=True)
                return Distributed(result, link)
            link, payload = self.registry.links.link(
                self.layout.name,
                record.data,
                expires=self.expires,
                max_uses=1,
                kind=LinkKind.PERSONAL,
            )
            self.registry.issue_for_link(payload, record.data)
        except PasskitError as exc:
            return failed(str(exc))
        image = stem.with_name(stem.name + ".png")
        atomic_write(image, qr_png(link))
        atomic_write(link_file, f"{link}\n".encode())
        written = (str(link_file), str(image))
        return Distributed(
            BuildResult(record.name, record.line, serial=serial, written=written), link
        )

    def _write_index(self, rows: list[tuple[int, str, str]]) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["line", "serial", "link"])
        writer.writerows(sorted(rows))
        atomic_write(self.out_dir / INDEX_NAME, text.getvalue().encode())
