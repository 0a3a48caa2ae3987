"""Instructions per render, this checkout against an earlier one: a count that load does not move.

    .venv/bin/python benchmarks/instructions.py OLD_CHECKOUT [--records N] [--layout NAME]

On a shared machine the processor time of one step wavers by a third from run to run; the
number of instructions the processor runs does not. Each checkout renders the same records of
a shipped layout (as `benchmarks/steps.py` makes them) under valgrind's callgrind, counting only
inside the loop of renders (`--toggle-collect` of the C function that drives it), after a few
renders that warm the caches. Prints the instructions per render of each and their ratio.
Needs valgrind (`apt-get install valgrind`); it runs about fifty times slower than Python alone.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
from pathlib import Path

from run import FIXTURE, LAYOUT, LIGHT_FIXTURE, LIGHT_LAYOUT, PYTHON, ROOT, write_records

WARM = 50
# The layouts whose records benchmarks/run.py knows how to vary.
LAYOUTS = {LAYOUT.stem: FIXTURE, LIGHT_LAYOUT.stem: LIGHT_FIXTURE}
# Run in each checkout: render the records, the measured ones through itertools.starmap, whose
# C function `starmap_next` callgrind counts inside.
CHILD = """
import collections, functools, itertools, json, sys
from datetime import UTC, datetime
from passkit.layout import load_layout
layout = load_layout(sys.argv[1])
records = [(json.loads(line),) for line in open(sys.argv[2])]
render = functools.partial(layout.render, now=datetime(2026, 3, 1, tzinfo=UTC))
warm = int(sys.argv[3])
for record in records[:warm]:
    render(*record)
collections.deque(itertools.starmap(render, records[warm:]), maxlen=0)
"""


def instructions(checkout: Path, layout: str, data: Path, work: Path) -> int:
    """The instructions callgrind counts while `checkout` renders the records after the first."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    command = ["valgrind", "--tool=callgrind", "--toggle-collect=starmap_next"]
    command += [f"--callgrind-out-file={work / 'callgrind.out'}", PYTHON, "-c", CHILD]
    command += [str(checkout / "layouts" / f"{layout}.yaml"), str(data), str(WARM)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the earlier checkout (a git worktree)")
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default=LAYOUT.stem)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passkit-instructions-") as name:
        work = Path(name)
        data = write_records(work / "records.jsonl", WARM + args.records, LAYOUTS[args.layout])
        counts = {
            label: instructions(checkout.resolve(), args.layout, data, work) / args.records
            for label, checkout in (("old", args.old), ("new", ROOT))
        }
    print(f"| instructions per render, layout `{args.layout}` | old: {args.old.name} | new |")
    print("|---|---|---|")
    print(f"| {args.records} records | {counts['old']:,.0f} | {counts['new']:,.0f} |")
    print(f"| new / old | | {counts['new'] / counts['old']:.3f} |")


if __name__ == "__main__":
    main()
