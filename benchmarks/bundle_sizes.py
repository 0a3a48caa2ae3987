"""The bytes of a bundle of every shipped layout, built from its sample record.

python benchmarks/bundle_sizes.py CERTS_DIR   -> one JSON object: {layout: bytes}

Sizes hardly depend on the record (pass.json is 1-2 KiB of them); the images are the rest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from development_keys import apple_credentials

from passkit.batch import BuildPlan
from passkit.batch.builder import Builder
from passkit.batch.records import read_records
from passkit.layout import fixture_for, shipped_layouts


def main() -> None:
    apple = apple_credentials(Path(sys.argv[1]))
    sizes: dict[str, int] = {}
    for layout in shipped_layouts():
        builder = Builder(BuildPlan(layout=layout, apple=apple))
        for record in read_records(fixture_for(layout)):
            result = builder.build(record)
            assert result.ok and result.pkpass is not None, result.error
            sizes[layout.stem] = len(result.pkpass)
    print(json.dumps(sizes))


if __name__ == "__main__":
    main()
