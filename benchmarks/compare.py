"""Two checkouts of passkit side by side: the same records built by each, in the same run.

    .venv/bin/python benchmarks/compare.py OLD_CHECKOUT [--records N] [--repeats R]

For a change that must not cost speed (the layout engine, the batch), this measures the
checkout in OLD_CHECKOUT (a `git worktree add` of an earlier commit) and this one in
alternation, each round: the floor, then `passkit build --jobs 1` of each checkout onto the
RAM disk, so each ratio to the floor is taken between runs made moments apart. Then each
checkout's own `benchmarks/steps.py` gives the processor time per pass of each step. Both run
on this virtual environment, the old checkout first on `PYTHONPATH`; each has a picture store
of its own, prepared before the rounds. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from run import (
    FIXTURE,
    LAYOUT,
    PYTHON,
    RAM_DISK,
    ROOT,
    compile_passkit,
    ratio_range,
    timed,
    write_records,
)


def checkout_env(checkout: Path, work: Path, certs: Path) -> dict[str, str]:
    """The environment a run of `checkout` gets: its code first, its own picture store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    env["PYTHONPATH"] = str(checkout)
    env["PASSKIT_CACHE_DIR"] = str(work / f"cache-{checkout.name}")
    env["PASSKIT_APPLE_CERT"] = str(certs / "pass-cert.pem")
    env["PASSKIT_APPLE_KEY"] = str(certs / "pass-key.pem")
    env["PASSKIT_WWDR"] = str(certs / "wwdr.pem")
    return env


def build_rate(checkout: Path, env: dict[str, str], data: Path, records: int, out: Path) -> float:
    command = [PYTHON, "-m", "passkit", "build", str(checkout / "layouts" / LAYOUT.name)]
    command += ["--data", str(data), "--out", str(out), "--jobs", "1"]
    seconds, _ = timed(command, env=env)
    shutil.rmtree(out)
    return records / seconds


def step_times(
    checkout: Path, env: dict[str, str], data: Path, certs: Path, out: Path
) -> dict[str, float]:
    script = checkout / "benchmarks" / "steps.py"
    layout = checkout / "layouts" / LAYOUT.name
    _, printed = timed([PYTHON, str(script), str(layout), str(data), str(certs), str(out)], env=env)
    shutil.rmtree(out, ignore_errors=True)
    steps: dict[str, float] = json.loads(printed)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the earlier checkout (a git worktree)")
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    old, new = args.old.resolve(), ROOT
    compile_passkit()
    work = Path(tempfile.mkdtemp(prefix="passkit-compare-"))
    target = Path(tempfile.mkdtemp(dir=RAM_DISK)) if RAM_DISK.is_dir() else work
    try:
        certs = work / "certs"
        timed([PYTHON, "-m", "passkit", "certs", "dev", str(certs)])
        data = write_records(work / "records.jsonl", args.records)
        envs = {
            name: checkout_env(path, work, certs) for name, path in (("old", old), ("new", new))
        }
        checkouts = {"old": old, "new": new}
        one = write_records(work / "one.jsonl", 1, FIXTURE)
        for name in checkouts:  # prepare each checkout's pictures into its store
            build_rate(checkouts[name], envs[name], one, 1, target / "first")
        floor = [PYTHON, str(ROOT / "benchmarks" / "floor.py")]
        floor += [str(certs / n) for n in ("pass-cert.pem", "pass-key.pem", "wwdr.pem")]
        rounds: list[dict[str, float]] = []
        for index in range(args.repeats):
            print(f"round {index + 1} of {args.repeats}", file=sys.stderr, flush=True)
            rates = {"floor": args.records / timed([*floor, str(args.records)])[0]}
            for name in checkouts:
                rates[name] = build_rate(
                    checkouts[name], envs[name], data, args.records, target / "out"
                )
            rounds.append(rates)
        steps = {
            name: step_times(checkouts[name], envs[name], data, certs, target / "steps")
            for name in checkouts
        }
        print_table(rounds, steps, args.records, old)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if target != work:
            shutil.rmtree(target, ignore_errors=True)


def print_table(
    rounds: list[dict[str, float]], steps: dict[str, dict[str, float]], records: int, old: Path
) -> None:
    print(f"| measurement ({records:,} records, layout `{LAYOUT.stem}`) | old: {old.name} | new |")
    print("|---|---|---|")
    row = [f"{statistics.median(r[n] for r in rounds):,.0f} /s" for n in ("old", "new")]
    print(f"| passkit build --jobs 1, RAM disk | {row[0]} | {row[1]} |")
    ratios = [ratio_range(rounds, n, "floor") for n in ("old", "new")]
    label = f"ratio to the floor (median, lowest-highest of {len(rounds)} rounds)"
    print(f"| {label} | {ratios[0]} | {ratios[1]} |")
    for step in steps["new"]:
        cells = [f"{steps[n].get(step, float('nan')) * 1e6:.0f} us" for n in ("old", "new")]
        print(f"| processor time per pass: {step} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
