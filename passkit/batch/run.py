"""Building many passes: in this process, or on worker processes with a bounded window.

Records are pulled from the input only as fast as workers finish them, so memory stays flat
however long the input is. Each worker prepares the plan's layout and signers once.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from itertools import islice
from typing import TYPE_CHECKING, Any

from passkit.batch.build_plan import BuildPlan
from passkit.batch.builder import Builder
from passkit.batch.claims import new_batch_id, repeated_serial
from passkit.batch.file_names import output_stem
from passkit.batch.records import Record, RecordLine
from passkit.batch.result import BuildResult, ChunkInterrupted
from passkit.batch.writer import remove_stale
from passkit.gc_tuning import BatchCollector

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# Records built together (see Builder.build_chunk) and sent to a worker at once: large enough
# to amortise the inter-process round trip and to keep each step's code in the processor's
# caches, small enough that progress stays smooth and an interrupt loses little work.
CHUNK_SIZE = 128
# Chunks queued per worker beyond the one it is working on.
CHUNKS_AHEAD = 2


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


Source = Record | RecordLine


def as_records(records: Iterable[Source | Mapping[str, Any]]) -> Iterator[Source]:
    for index, item in enumerate(records, start=1):
        if isinstance(item, Record | RecordLine):
            yield item
        else:
            yield Record(data=dict(item), name=f"record {index}", line=index)


def build_many(
    plan: BuildPlan,
    records: Iterable[Record | RecordLine | Mapping[str, Any]],
    *,
    jobs: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    builder: Builder | None = None,
) -> Generator[BuildResult, None, None]:
    """Yield one BuildResult per record as it finishes (not necessarily in input order).

    `records` are Records, plain mappings, or unparsed lines (`read_records_lazily`), which
    the workers parse.

    `jobs` defaults to the number of cores; 1 builds in this process. With `plan.out_dir` set,
    workers write the files themselves and results carry paths instead of bytes.

    On Ctrl-C (KeyboardInterrupt, raised here or thrown in with `throw`), no new record is
    started; the results of records already finished or under way are still yielded, so that
    every file written is accounted for, and then KeyboardInterrupt is raised again.
    `results_after_interrupt` collects them for a caller that was interrupted itself.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    stream = as_records(records)
    # Made here first (unless the caller made it, to read what it found), so that a layout or
    # certificate that cannot work at all fails early, in this process.
    if builder is None:
        builder = Builder(plan)
    out_dir = plan.out_dir
    if out_dir is None:
        # Results carry their bytes to this process: it alone sees every serial.
        yield from _refuse_repeated_serials(_build(builder, stream, jobs, chunk_size))
        return
    remove_stale(out_dir)
    claims = builder.start_batch(new_batch_id())
    try:
        yield from _build(builder, stream, jobs, chunk_size)
    finally:
        claims.remove()


def _build(
    builder: Builder, stream: Iterator[Source], jobs: int, chunk_size: int
) -> Iterator[BuildResult]:
    if jobs == 1:
        yield from _build_here(builder, stream, chunk_size)
        return
    yield from _build_in_workers(builder, stream, jobs, chunk_size)


def results_after_interrupt(
    results: Generator[BuildResult, None, None],
) -> Iterator[BuildResult]:
    """The results `build_many` still hands out when its caller was interrupted by Ctrl-C:
    records finished, or under way and finished since, whose files are written."""
    try:
        first = results.throw(KeyboardInterrupt())
    except (KeyboardInterrupt, StopIteration):
        return
    yield first
    try:
        yield from results
    except KeyboardInterrupt:
        return


def _build_here(
    builder: Builder, stream: Iterator[Source], chunk_size: int
) -> Generator[BuildResult, None, None]:
    ready: deque[BuildResult] = deque()
    try:
        while chunk := list(islice(stream, chunk_size)):
            try:
                ready.extend(builder.build_chunk(chunk))
            except ChunkInterrupted as stop:
                ready.extend(stop.results)
                raise KeyboardInterrupt from None
            while ready:
                yield ready.popleft()
    except KeyboardInterrupt:
        while ready:
            yield ready.popleft()
        raise


def _refuse_repeated_serials(results: Iterator[BuildResult]) -> Iterator[BuildResult]:
    """The results, a pass whose file name is already taken in this batch made a failure."""
    first: dict[str, str] = {}
    for result in results:
        if result.ok and not result.skipped and result.serial is not None:
            stem = output_stem(result.serial)
            if stem in first:
                error = repeated_serial(result.serial, first[stem])
                result = BuildResult(record=result.record, line=result.line, error=error)
            else:
                first[stem] = result.record
        yield result


def _build_in_workers(
    builder: Builder, stream: Iterator[Source], jobs: int, chunk_size: int
) -> Generator[BuildResult, None, None]:
    context = _fork_context()
    if context is not None:
        # Build here until one pass is made: that prepares what every pass shares (images,
        # their hashes and zip members), and the workers forked afterwards inherit it with the
        # loaded layout and keys instead of preparing everything again.
        yield from _build_first_pass(builder, stream)
    executor = _worker_pool(builder, jobs, context)
    yield from _results_of_workers(executor, stream, jobs, chunk_size)


def _build_first_pass(
    builder: Builder, stream: Iterator[Source]
) -> Generator[BuildResult, None, None]:
    """Build records here up to the first that makes a pass (neither failed nor skipped)."""
    try:
        for record in stream:
            result = builder.build(record)
            yield result
            if result.ok and not result.skipped:
                break
    except ChunkInterrupted as stop:
        yield from stop.results
        raise KeyboardInterrupt from None


def _worker_pool(builder: Builder, jobs: int, context: BaseContext | None) -> ProcessPoolExecutor:
    """`jobs` worker processes, forked from this one with `context`, or else spawned."""
    # Imported here: a build in this process (--jobs 1) does not need the process machinery.
    from concurrent.futures import ProcessPoolExecutor

    if context is not None:
        # A forked worker receives its initializer's arguments as they are, not pickled.
        return ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_forked_worker,
            initargs=(builder,),
        )
    # Spawned workers start afresh, as macOS and Windows start them anyway: each receives
    # the plan, pickled, and prepares the layout and the signers itself.
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_spawn_context(),
        initializer=_start_worker,
        initargs=(builder.plan,),
    )


def _results_of_workers(
    executor: ProcessPoolExecutor, stream: Iterator[Source], jobs: int, chunk_size: int
) -> Generator[BuildResult, None, None]:
    """The results of the chunks of `stream`, sent to the workers of `executor` a bounded
    window at a time, as they finish; the executor is shut down at the end."""
    pending: deque[Future[list[BuildResult]]] = deque()
    ready: deque[BuildResult] = deque()
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < jobs * (1 + CHUNKS_AHEAD):
                chunk = list(islice(stream, chunk_size))
                if not chunk:
                    exhausted = True
                    break
                pending.append(executor.submit(_build_chunk, chunk))
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.remove(future)
                ready.extend(future.result())
            while ready:
                yield ready.popleft()
    except KeyboardInterrupt:
        # Workers ignore Ctrl-C and finish the chunks they hold (their files are written):
        # hand out those results too, and those not yet taken, before stopping.
        started = [future for future in pending if not future.cancel()]
        pending.clear()
        for future in started:
            ready.extend(future.result())
        while ready:
            yield ready.popleft()
        raise
    finally:
        for future in pending:
            future.cancel()
        executor.shutdown(wait=True, cancel_futures=True)


def _fork_context() -> BaseContext | None:
    """Fork where it is safe and cheap (Linux); elsewhere workers start afresh from the plan."""
    import multiprocessing

    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def _spawn_context() -> BaseContext:
    import multiprocessing

    return multiprocessing.get_context("spawn")


_worker_builder: Builder | None = None


def _start_forked_worker(builder: Builder) -> None:
    # The parent decides what Ctrl-C means; workers finish the pass they are on and stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_builder
    _worker_builder = builder
    builder.write_behind = True  # writing waits on the disk while the other workers compute
    BatchCollector().settle()  # for good: the worker only builds passes from here on


def _start_worker(plan: BuildPlan) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_builder
    _worker_builder = Builder(plan)
    _worker_builder.write_behind = True
    BatchCollector().settle()


def _build_chunk(chunk: list[Source]) -> list[BuildResult]:
    assert _worker_builder is not None, "worker started without a plan"
    return _worker_builder.build_chunk(chunk)
