"""How a batch shows its progress: a bar on a terminal, plain periodic lines elsewhere."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from passkit.batch.progress import Progress, estimate_record_count
from passkit.batch.result import BuildResult
from passkit.devcerts import DevCertificates
from tests.support.batch import build_args, member, write_jsonl
from tests.support.layout import write_loyalty_card


def _results(count: int, failed: frozenset[int] = frozenset()) -> list[BuildResult]:
    return [
        BuildResult(record=f"line {i}", line=i, error="bad" if i in failed else None)
        for i in range(1, count + 1)
    ]


def test_without_a_terminal_progress_is_plain_lines_with_rate_and_time_left() -> None:
    stream = io.StringIO()
    progress = Progress(40, stream=stream, interval=0)
    for result in _results(10, failed=frozenset({3})):
        progress.update(result)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    pattern = re.compile(r"(\d+) of about 40 records, [\d,]+/s, about [\d,]+ s left")
    matches = [pattern.fullmatch(line) for line in lines]
    assert all(matches), lines
    assert [int(match[1]) for match in matches if match] == list(range(1, 11))
    assert progress.tally.built == 9 and progress.tally.failed == 1


def test_plain_lines_come_at_most_once_an_interval() -> None:
    stream = io.StringIO()
    progress = Progress(None, stream=stream, interval=3600)
    for result in _results(50):
        progress.update(result)
    assert stream.getvalue() == ""
    # Without an estimate of the total, a line says how far, not how long.
    assert progress._plain_line().startswith("50 records, ")
    assert "left" not in progress._plain_line()


def test_the_summary_gives_counts_time_and_rate() -> None:
    progress = Progress(None, stream=io.StringIO())
    for result in _results(5, failed=frozenset({2})):
        progress.update(result)
    progress.update(BuildResult(record="line 6", line=6, serial="s", skipped=True))
    summary = progress.tally.summary()
    assert re.fullmatch(
        r"built 4, skipped 1 already built, failed 1, in [\d.]+ s \([\d,]+ passes/s\)", summary
    ), summary


def test_the_record_count_is_estimated_from_lines(tmp_path: Path) -> None:
    jsonl = tmp_path / "members.jsonl"
    jsonl.write_text('{"a": 1}\n{"a": 2}\n{"a": 3}\n')
    csv = tmp_path / "members.csv"
    csv.write_text("a,b\n1,2\n3,4\n")
    single = tmp_path / "member.json"
    single.write_text('{"a": 1}')
    assert estimate_record_count(jsonl) == 3
    assert estimate_record_count(csv) == 2  # the header is not a record
    assert estimate_record_count(single) is None
    assert estimate_record_count(tmp_path / "missing.jsonl") is None


def test_a_terminal_shows_a_bar_with_rate_and_time_left(
    tmp_path: Path, dev_certs: DevCertificates
) -> None:
    (tmp_path / "layout").mkdir()
    layout = write_loyalty_card(tmp_path / "layout")
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(40)])
    out = tmp_path / "out"
    args = build_args(layout, data, dev_certs, "--out", str(out), "--jobs", "1")
    screen = _run_on_a_terminal([sys.executable, "-m", "passkit", *args])
    # tqdm's bar: the share done, the count, elapsed<left and the rate, in passes.
    assert re.search(r"100%\|[^|]*\| 40/40 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+pass/s\]", screen), screen
    assert re.search(r"built 40, failed 0, in [\d.]+ s \([\d,]+ passes/s\)", screen), screen
    # The bar stands in for the per-pass lines a pipe would get.
    assert "wrote" not in screen
    assert len(list(out.glob("*.pkpass"))) == 40


def _run_on_a_terminal(command: list[str]) -> str:
    """Run `command` with stdout and stderr on a pseudo-terminal 100 columns wide; its screen."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
        )
    finally:
        os.close(follower)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command and its workers are done
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        status = process.wait(timeout=120)
    assert status == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")
