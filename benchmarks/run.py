"""passkit's benchmarks, each reported as a ratio to the signing floor measured in the same run.

    make bench                 # or: .venv/bin/python benchmarks/run.py [--records N] [--quick]

Measures, on this machine and in one run:
  a. the floor: a minimal process that only makes detached PKCS#7 signatures (key loaded once),
     alone and as one process per core at once (what the machine's cores give together);
  b. passkit's single-pass latency in a warm process;
  c. `passkit build` throughput on N records of a shipped layout, --jobs 1 and all cores, as
     whole processes (start-up included) writing real files: into a RAM-backed directory
     (/dev/shm) when the machine has one, so that the ratio measures passkit rather than the
     disk, and once more, --jobs 1, onto the disk beside the run's other files. The layout's
     images are in passkit's on-disk store by then (prepared by step b, as by any earlier
     run of the layout on a machine); one more --jobs 1 run starts with an empty store. And
     the same records through `build_many` from Python, bundles kept in memory as a backend
     feeding its own storage keeps them. And --jobs 1 on a shipped layout with lighter
     images (the membership card), to show how much the size of the files written weighs.
     And where a pass's time goes inside a batch: the processor time of each step of a build
     (benchmarks/steps.py), against the RSA operation alone and the floor's PKCS#7 builder;
     And the same records on a dask.distributed cluster of as many worker processes on
     127.0.0.1 (`build_record` in one task per record, and in tasks of 100 records), right
     after the all-cores build it is set beside (benchmarks/dask_cluster.py);
  d. peak memory building 1,000 and 100,000 records;
  e. Google save links per second against a bare PyJWT RS256 loop;
  f. APNs pushes per second to the local stand-in, passkit's client against a bare httpx
     HTTP/2 loop over the same kind of connection (benchmarks/apns.py);
  g. the sender draining the outbox against the same loop: pushes per second for 10,000
     registrations, and the time from `registry.update` to the last push of a pass held by
     1,000 devices (benchmarks/push.py).
The floor and passkit's builds run in turn, in --repeats rounds: on a shared machine the speed
drifts by tens of percent within minutes (other machines' load, clock frequency), so each
ratio is taken within a round, between runs made close together (the --jobs 1 builds of both
layouts right after the floor, the all-cores build right after the floor on all cores), and
the table shows the median of the rounds with the lowest and highest of them. The image
store is a fresh folder of this run's, empty at its start.
Writes the table to benchmarks/results.md (or --output) and prints it.

passkit's modules are compiled to bytecode first, as an installed package's are: a checkout
run with PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start-up.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LAYOUT = ROOT / "layouts" / "loyalty.yaml"
FIXTURE = ROOT / "fixtures" / "loyalty.json"
# A second shipped layout with lighter images (a membership card: icon, logo, thumbnail, no
# strip), to show how much of a build's cost is the size of the files it writes.
LIGHT_LAYOUT = ROOT / "layouts" / "generic.yaml"
LIGHT_FIXTURE = ROOT / "fixtures" / "generic.json"
PYTHON = sys.executable
PASSKIT = [PYTHON, "-m", "passkit"]
RAM_DISK = Path("/dev/shm")
HAS_DASK = importlib.util.find_spec("distributed") is not None


def timed(command: list[str], **kwargs: object) -> tuple[float, str]:
    begin = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    elapsed = time.perf_counter() - begin
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{done.stderr}")
    return elapsed, done.stdout


def timed_together(commands: list[list[str]]) -> float:
    """Seconds until every one of `commands`, started at once, has finished."""
    begin = time.perf_counter()
    running = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for command in commands
    ]
    for process, command in zip(running, commands, strict=True):
        _, stderr = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{stderr.decode()}")
    return time.perf_counter() - begin


def write_records(path: Path, count: int, fixture: Path = FIXTURE) -> Path:
    """`count` distinct records made from a layout's sample record (distinct serial numbers)."""
    record = json.loads(fixture.read_text())
    with path.open("w") as handle:
        for index in range(count):
            handle.write(json.dumps({**record, **_distinct(fixture, index)}))
            handle.write("\n")
    return path


def _distinct(fixture: Path, index: int) -> dict[str, object]:
    if fixture == LIGHT_FIXTURE:
        return {"member_id": f"HAC-{index:06d}"}  # the layout's pattern: six digits
    return {"member_id": f"{10000000 + index}", "points": index}


def round_ratios(rounds: list[dict[str, float]], name: str, base: str) -> list[float]:
    # Each round's own ratio: the two ran moments apart.
    return [r[name] / r[base] for r in rounds]


def ratio_range(rounds: list[dict[str, float]], name: str, base: str, unit: str = "") -> str:
    """The median of the rounds' ratios, and the lowest and highest of them."""
    ratios = round_ratios(rounds, name, base)
    text = f"{statistics.median(ratios):.2f}{unit}"
    if len(ratios) > 1:
        text += f" ({min(ratios):.2f}-{max(ratios):.2f})"
    return text


def disk_rows(
    rounds: list[dict[str, float]], records: int, cores: int, size: int, ram: bool
) -> list[tuple[str, str, str]]:
    """The rows of the batch onto the disk, beside the disk's own limit (and the RAM disk's).

    The limit is what plain writes of files of the bundle's size reach, each written under a
    temporary name and renamed as the batch does (benchmarks/disk.py): no batch onto that
    directory can go faster. The last row compares the batch on all cores with the lower of
    its two ceilings: the signature floor on all cores, and the disk's own rate.
    """

    def rate(name: str) -> str:
        return f"{statistics.median(r[name] for r in rounds):,.0f} /s"

    kib = size / 1024
    rows: list[tuple[str, str, str]] = []
    places = (
        [("RAM disk", "limit ram"), ("disk", "limit disk")] if ram else [("disk", "limit disk")]
    )
    for where, limit in places:
        together = f"{limit} together" if cores > 1 else limit
        rows.append(
            (
                f"c. the {where}'s own limit: plain writes of {kib:.0f} KiB files, then rename, "
                f"{records:,} files, 1 process",
                rate(limit),
                ratio_range(rounds, limit, "floor"),
            )
        )
        if cores > 1:
            rows.append(
                (
                    f"c. the {where}'s own limit, {cores} processes at once",
                    rate(together),
                    ratio_range(rounds, together, "floor"),
                )
            )
    if ram:
        rows.append(
            (
                f"c. passkit build, {records:,} records, --jobs 1, files on the disk",
                rate("disk"),
                ratio_range(rounds, "disk", "floor"),
            )
        )
        if cores > 1:
            rows.append(
                (
                    f"c. passkit build, {records:,} records, --jobs {cores}, files on the disk",
                    rate(f"disk jobs {cores}"),
                    ratio_range(rounds, f"disk jobs {cores}", "floor"),
                )
            )
    batch = (
        (f"disk jobs {cores}" if ram else f"jobs {cores}")
        if cores > 1
        else ("disk" if ram else "jobs 1")
    )
    floor = "floor together" if cores > 1 else "floor"
    disk = "limit disk together" if cores > 1 else "limit disk"
    for r in rounds:
        r["lower limit"] = min(r[floor], r[disk])
    floor_rate = statistics.median(r[floor] for r in rounds)
    disk_rate = statistics.median(r[disk] for r in rounds)
    rows.append(
        (
            f"c. on the disk, --jobs {cores} over the lower of its two limits (the floor on "
            f"{cores} cores: {floor_rate:,.0f} /s; the disk: {disk_rate:,.0f} /s)",
            ratio_range(rounds, batch, "lower limit"),
            "",
        )
    )
    return rows


def compile_passkit() -> None:
    import passkit

    compileall.compile_dir(str(Path(passkit.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description="passkit benchmarks")
    parser.add_argument("--records", type=int, default=10_000, help="records for throughput")
    parser.add_argument(
        "--memory-large", type=int, default=100_000, help="records, large memory run"
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of every size, for a try")
    parser.add_argument(
        "--output", type=Path, default=HERE / "results.md", help="where the table is written"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="rounds of the floor and passkit's builds"
    )
    args = parser.parse_args()
    repeats = max(1, args.repeats)
    scale = 10 if args.quick else 1
    records, large, small = args.records // scale, args.memory_large // scale, 1_000 // scale
    cores = len(os.sched_getaffinity(0))
    load_before = os.getloadavg()[0]
    compile_passkit()

    work = Path(tempfile.mkdtemp(prefix="passkit-bench-"))
    ram = (
        Path(tempfile.mkdtemp(prefix="passkit-bench-", dir=RAM_DISK)) if RAM_DISK.is_dir() else None
    )
    try:
        # This run's own image store, empty at first (see the module's docstring).
        os.environ["PASSKIT_CACHE_DIR"] = str(work / "cache")
        certs = work / "certs"
        timed([*PASSKIT, "certs", "dev", str(certs)])
        cert, key, wwdr = (str(certs / n) for n in ("pass-cert.pem", "pass-key.pem", "wwdr.pem"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
        env.update(PASSKIT_APPLE_CERT=cert, PASSKIT_APPLE_KEY=key, PASSKIT_WWDR=wwdr)
        env.update(PASSKIT_CACHE_DIR=os.environ["PASSKIT_CACHE_DIR"])
        data = write_records(work / "records.jsonl", records)

        floor = [PYTHON, str(HERE / "floor.py"), cert, key, wwdr]

        # First, as any earlier run of the layout on a machine would, this prepares the
        # layout's images into the store that the builds below read.
        print("(b) warm single-pass latency ...", flush=True)
        _, out = timed(
            [PYTHON, str(HERE / "latency.py"), str(LAYOUT), str(FIXTURE), str(certs), "500"]
        )
        latency = json.loads(out)

        target = ram or work

        print("(c) bundle bytes of every shipped layout ...", flush=True)
        _, out = timed([PYTHON, str(HERE / "bundle_sizes.py"), str(certs)], env=env)
        layout_bytes: dict[str, int] = json.loads(out)

        def limit_rate(directory: Path, processes: int) -> float:
            """Files a second that plain writes of loyalty-sized files, then rename, reach."""
            share = records // processes
            command = [PYTHON, str(HERE / "disk.py"), str(directory)]
            command += [str(layout_bytes[LAYOUT.stem]), str(share)]
            seconds = timed_together([[*command, "--tag", f"p{i}-"] for i in range(processes)])
            shutil.rmtree(directory)
            return share * processes / seconds

        light_data = write_records(work / "light.jsonl", records, LIGHT_FIXTURE)
        bundle_sizes: dict[Path, list[int]] = {LAYOUT: [], LIGHT_LAYOUT: []}

        def build_rate(
            jobs: int,
            out_dir: Path,
            run_env: dict[str, str],
            layout: Path = LAYOUT,
            records_file: Path = data,
        ) -> float:
            command = [*PASSKIT, "build", str(layout), "--data", str(records_file)]
            command += ["--out", str(out_dir), "--jobs", str(jobs)]
            seconds, _ = timed(command, env=run_env)
            bundle_sizes[layout].extend(path.stat().st_size for path in out_dir.glob("*.pkpass"))
            shutil.rmtree(out_dir)
            return float(records / seconds)

        in_memory = [PYTHON, str(HERE / "memory.py"), str(LAYOUT), str(data), str(certs)]

        # The lighter layout's images are prepared before the rounds, as the loyalty
        # layout's were by step b.
        one = write_records(work / "light-one.jsonl", 1, LIGHT_FIXTURE)
        prepare = [*PASSKIT, "build", str(LIGHT_LAYOUT), "--data", str(one)]
        timed([*prepare, "--out", str(work / "light-first")], env=env)

        rounds: list[dict[str, float]] = []
        dask_start: list[float] = []
        for index in range(repeats):
            print(f"(a, c) round {index + 1} of {repeats}: the floor, then passkit ...", flush=True)
            # Each of passkit's runs comes right after the floor run it is compared with.
            rates = {"floor": records / timed([*floor, str(records)])[0]}
            rates["jobs 1"] = build_rate(1, target / "out", env)
            rates["light"] = build_rate(1, target / "out", env, LIGHT_LAYOUT, light_data)
            if cores > 1:
                share = str(records // cores)
                together = timed_together([[*floor, share] for _ in range(cores)])
                rates["floor together"] = (records // cores) * cores / together
                rates[f"jobs {cores}"] = build_rate(cores, target / "out", env)
            if HAS_DASK:
                cluster = [PYTHON, str(HERE / "dask_cluster.py"), str(LAYOUT), str(data)]
                cluster += [str(certs), str(cores), str(target / "out-dask")]
                dask = json.loads(timed(cluster, env=env)[1])
                shutil.rmtree(target / "out-dask")
                rates["dask"], rates["dask chunked"] = dask["per_task_s"], dask["chunked_s"]
                dask_start.append(dask["start_s"])
            # A store of its own, empty at the run's start: every image is prepared.
            cold_env = {**env, "PASSKIT_CACHE_DIR": str(work / f"empty-cache-{index}")}
            rates["cold"] = build_rate(1, target / "out", cold_env)
            if ram is not None:
                rates["disk"] = build_rate(1, work / "out-disk", env)
                rates["limit ram"] = limit_rate(ram / "limit", 1)
                if cores > 1:
                    rates[f"disk jobs {cores}"] = build_rate(cores, work / "out-disk", env)
                    rates["limit ram together"] = limit_rate(ram / "limit", cores)
            rates["limit disk"] = limit_rate(work / "limit", 1)
            if cores > 1:
                rates["limit disk together"] = limit_rate(work / "limit", cores)
            rates["in memory"] = records / timed(in_memory, env=env)[0]
            rounds.append(rates)

        print("(c) each step of a build, inside a batch ...", flush=True)
        steps_command = [PYTHON, str(HERE / "steps.py"), str(LAYOUT), str(data), str(certs)]
        _, out = timed([*steps_command, str(target / "steps")], env=env)
        steps = json.loads(out)

        memory: dict[int, float] = {}
        for count in (small, large):
            print(f"(d) peak memory, {count} records ...", flush=True)
            path = write_records(work / f"memory-{count}.jsonl", count)
            _, out = timed([PYTHON, str(HERE / "memory.py"), str(LAYOUT), str(path), str(certs)])
            memory[count] = json.loads(out)["peak_mib"]

        print("(e) Google save links ...", flush=True)
        _, out = timed(
            [
                PYTHON,
                str(HERE / "google_links.py"),
                str(LAYOUT),
                str(FIXTURE),
                str(certs / "google-service-account.json"),
                str(max(200, records // 5)),
            ]
        )
        google = json.loads(out)

        pushes_count = 10_000 // scale
        print(f"(f) APNs pushes, {pushes_count} tokens ...", flush=True)
        _, out = timed([PYTHON, str(HERE / "apns.py"), str(pushes_count)])
        pushes = json.loads(out)

        registrations, holders = 10_000 // scale, 1_000 // scale
        print(f"(g) the sender, {registrations} registrations ...", flush=True)
        command = [PYTHON, str(HERE / "push.py"), str(registrations), "--holders", str(holders)]
        _, out = timed(command)
        sender = json.loads(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if ram is not None:
            shutil.rmtree(ram, ignore_errors=True)
    load_after = os.getloadavg()[0]

    def median_rate(name: str) -> float:
        return statistics.median(r[name] for r in rounds)

    def median_ratio(name: str, base: str = "floor") -> float:
        return statistics.median(round_ratios(rounds, name, base))

    def ratio_text(name: str, base: str = "floor", unit: str = "") -> str:
        return ratio_range(rounds, name, base, unit)

    floor_rate = median_rate("floor")
    per_signature = 1 / floor_rate
    where = "RAM disk" if ram is not None else "disk"
    rows = [("a. floor: PKCS#7 signatures, whole process", f"{floor_rate:,.0f} /s", "1.00")]
    if cores > 1:
        rows.append(
            (
                f"a. floor: {cores} processes at once (the cores' own scaling: "
                f"{median_ratio('floor together'):.2f}x)",
                f"{median_rate('floor together'):,.0f} /s",
                f"{median_ratio('floor together'):.2f}",
            )
        )
    rows += [
        (
            "b. warm single pass, median latency",
            f"{latency['median_s'] * 1000:.2f} ms",
            f"{per_signature / latency['median_s']:.2f}",
        ),
        (
            "b. warm single pass, 95th percentile",
            f"{latency['p95_s'] * 1000:.2f} ms",
            f"{per_signature / latency['p95_s']:.2f}",
        ),
        (
            "b. cold: load layout and keys, prepare images, first pass",
            f"{latency['cold_first_pass_s'] * 1000:.0f} ms",
            "",
        ),
    ]
    for jobs in sorted({1, cores}):
        rows.append(
            (
                f"c. passkit build, {records:,} records, --jobs {jobs}, files on the {where}",
                f"{median_rate(f'jobs {jobs}'):,.0f} /s",
                ratio_text(f"jobs {jobs}"),
            )
        )
    if cores > 1:
        rows.append(
            (
                f"c. scaling, --jobs {cores} over --jobs 1 (the floor's own: "
                f"{ratio_text('floor together', unit='x')})",
                ratio_text(f"jobs {cores}", "jobs 1", "x"),
                "",
            )
        )
    rows.append(
        (
            f"c. passkit build, {records:,} records, --jobs 1, files on the {where}, "
            "no stored images",
            f"{median_rate('cold'):,.0f} /s",
            ratio_text("cold"),
        )
    )
    if HAS_DASK:
        for name, tasks in (("dask", "one task per record"), ("dask chunked", "tasks of 100")):
            rows.append(
                (
                    f"c. dask.distributed, {records:,} records, {cores} worker processes on "
                    f"127.0.0.1, {tasks}, files on the {where} (cluster started in "
                    f"{statistics.median(dask_start):.1f} s beforehand)",
                    f"{median_rate(name):,.0f} /s",
                    f"{ratio_text(name)}; {ratio_text(name, f'jobs {cores}', 'x')} "
                    f"of --jobs {cores}",
                )
            )
    else:
        rows.append(("c. dask.distributed: not installed (pip install -e '.[dask]')", "", ""))
    rows += disk_rows(rounds, records, cores, layout_bytes[LAYOUT.stem], ram is not None)
    rows.append(
        (
            f"c. build_many from Python, {records:,} records, jobs=1, bundles kept in memory",
            f"{median_rate('in memory'):,.0f} /s",
            ratio_text("in memory"),
        )
    )
    loyalty_size = statistics.mean(bundle_sizes[LAYOUT]) / 1024
    light_size = statistics.mean(bundle_sizes[LIGHT_LAYOUT]) / 1024
    rows.append(
        (
            f"c. passkit build, {records:,} records, --jobs 1, files on the {where}, "
            f"layout `{LIGHT_LAYOUT.stem}` ({light_size:.0f} KiB bundles)",
            f"{median_rate('light'):,.0f} /s",
            ratio_text("light"),
        )
    )
    # The ratio column of these rows: the step's time over the floor's signature, both
    # measured inside the same process.
    floor_signature = steps["floor pkcs7"]
    step_rows = (
        ("render", "rendering and checking the record"),
        ("bundle", "pass.json, manifest and zip members"),
        (
            "sign",
            f"signing (the RSA operation alone: {steps['rsa alone'] * 1e6:.0f} us; the floor's "
            f"PKCS#7 builder: {floor_signature * 1e6:.0f} us)",
        ),
        ("write", f"writing the {loyalty_size:.0f} KiB file on the {where}"),
    )
    for step, what in step_rows:
        rows.append(
            (
                f"c. inside a --jobs 1 batch, processor time per pass: {what}",
                f"{steps[step] * 1e6:.0f} us",
                f"{steps[step] / floor_signature:.2f} of a floor signature",
            )
        )
    all_steps = sum(steps[step] for step, _ in step_rows)
    rows.append(
        (
            "c. inside a --jobs 1 batch, processor time per pass: all steps (start-up aside)",
            f"{all_steps * 1e6:.0f} us",
            f"{all_steps / floor_signature:.2f} floor signatures: a rate of "
            f"{floor_signature / all_steps:.2f}",
        )
    )
    for name, size in sorted(layout_bytes.items(), key=lambda item: -item[1]):
        rows.append((f"c. bundle bytes, layout `{name}`", f"{size:,} ({size / 1024:.0f} KiB)", ""))
    for count, peak in memory.items():
        rows.append((f"d. peak memory, {count:,} records", f"{peak:.0f} MiB", ""))
    rows.append(
        (
            f"d. memory growth, {large:,} over {small:,} records",
            f"{memory[large] / memory[small]:.2f}x",
            "",
        )
    )
    rows.append(
        (
            "e. bare PyJWT RS256 loop",
            f"{google['bare_pyjwt_per_s']:,.0f} /s",
            f"{google['bare_pyjwt_per_s'] / floor_rate:.2f}",
        )
    )
    rows.append(
        (
            "e. passkit Google save links",
            f"{google['passkit_per_s']:,.0f} /s",
            f"{google['passkit_per_s'] / floor_rate:.2f} "
            f"({google['passkit_per_s'] / google['bare_pyjwt_per_s']:.2f} of PyJWT)",
        )
    )

    rows.append(
        (
            f"f. bare httpx HTTP/2 loop to the APNs stand-in, {pushes_count:,} tokens",
            f"{pushes['bare_h2_per_s']:,.0f} /s ({pushes['bare_h2_cpu_us']:.0f} us a push)",
            "",
        )
    )
    rows.append(
        (
            f"f. passkit APNs client to the stand-in, {pushes_count:,} tokens",
            f"{pushes['passkit_per_s']:,.0f} /s ({pushes['passkit_cpu_us']:.0f} us a push)",
            f"{pushes['ratio']:.2f} of the bare loop",
        )
    )
    rows.append(
        (
            f"g. sender draining the outbox, {registrations:,} registrations",
            f"{sender['sender_per_s']:,.0f} /s (bare loop {sender['bare_h2_per_s']:,.0f} /s)",
            f"{sender['sender_ratio']:.2f} of the bare loop",
        )
    )
    rows.append(
        (
            f"g. registry.update to the last push, a pass held by {holders:,} devices",
            f"{sender['update_to_last_push_s']:.2f} s "
            f"(bare loop {sender['bare_h2_holders_s']:.2f} s)",
            f"{sender['update_ratio']:.2f} of the bare loop's speed",
        )
    )

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {cores} cores, "
        f"Python {platform.python_version()}; layout `loyalty`, RSA-2048 development keys; "
        f"medians of {repeats} rounds, each of passkit's runs right after the floor's, "
        "with the lowest and highest of the rounds' ratios in brackets; "
        f"load average {load_before:.1f} before the run, {load_after:.1f} after.",
        "",
        "| measurement | result | ratio to the floor |",
        "|---|---|---|",
        *(f"| {name} | {value} | {ratio} |" for name, value, ratio in rows),
    ]
    table = "\n".join(lines)
    args.output.write_text(table + "\n")
    print()
    print(table)


if __name__ == "__main__":
    main()
