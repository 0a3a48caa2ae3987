"""Every file passkit reads is a regular file under a size limit, checked before reading: a
path to /dev/zero, a FIFO or a huge (sparse) file fails at once with a message naming the file
and the limit, instead of hanging or filling the memory.

Each read runs in a child process with a time limit and a memory cap, so that a regression
fails the test instead of taking the machine down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from passkit.devcerts import DevCertificates
from passkit.layout import LAYOUTS_DIR
from tests.hostile.support import run_capped
from tests.support.batch import signing_args

READERS = {
    "layout": "from passkit.layout import load_layout; load_layout(path)",
    "records (.json)": "from passkit.batch import read_records; list(read_records(path))",
    "records (.jsonl)": "from passkit.batch import read_records; list(read_records(path))",
    "records (.csv)": "from passkit.batch import read_records; list(read_records(path))",
    "image": "from passkit.images import ImageSource; ImageSource.from_path(path)",
    "key": "from passkit.apple.signing import AppleSigner; AppleSigner.from_pem(cert, path)",
    "certificate": "from passkit.apple.signing import AppleSigner; AppleSigner.from_pem(path, key)",
    "WWDR": "from passkit.apple.signing import AppleSigner;"
    " AppleSigner.from_pem(cert, key, wwdr=path)",
    "service account": "from passkit.google import ServiceAccount; ServiceAccount.from_file(path)",
    "preview record": "from passkit.preview.sample import read_record; read_record(path)",
    "pass bundle": "from passkit.testing import open_pkpass; open_pkpass(path)",
    "save link file": "from passkit.testing import open_save_link; open_save_link(path)",
    "CA certificate": "from passkit.testing.pkpass import load_certificates;"
    " load_certificates(path, '--ca')",
}
SUFFIXES = {"layout": ".yaml", "records (.jsonl)": ".jsonl", "records (.csv)": ".csv"}

CHILD = """
import json, sys
from pathlib import Path
from typing import Any
path, cert, key = (Path(arg) for arg in sys.argv[1:4])
try:
    exec(sys.argv[4])
except Exception as exc:
    print(json.dumps({"type": type(exc).__name__, "message": str(exc)}))
else:
    print(json.dumps({"type": None, "message": ""}))
"""


def read_in_child(path: Path, reader: str, certs: DevCertificates) -> dict[str, Any]:
    arguments = [str(path), str(certs.pass_certificate), str(certs.pass_key), READERS[reader]]
    return run_capped(CHILD, *arguments, what=f"reading a {reader} from {path}")


def named(tmp_path: Path, reader: str, kind: str) -> Path:
    suffix = SUFFIXES.get(reader, ".json" if "json" in reader or "account" in reader else ".pem")
    if reader == "image":
        suffix = ".png"
    if reader == "pass bundle":
        suffix = ".pkpass"
    if reader == "save link file":
        suffix = ".google.txt"
    return tmp_path / f"{kind}{suffix}"


@pytest.mark.parametrize("reader", list(READERS))
def test_fifo_is_refused_without_waiting(
    tmp_path: Path, dev_certs: DevCertificates, reader: str
) -> None:
    fifo = named(tmp_path, reader, "fifo")
    os.mkfifo(fifo)
    answer = read_in_child(fifo, reader, dev_certs)
    assert answer["type"] is not None and answer["type"].endswith("Error")
    assert str(fifo) in str(answer["message"])
    assert "not a regular file" in str(answer["message"])


@pytest.mark.parametrize("reader", list(READERS))
def test_dev_zero_is_refused(tmp_path: Path, dev_certs: DevCertificates, reader: str) -> None:
    link = named(tmp_path, reader, "zero")
    link.symlink_to("/dev/zero")
    answer = read_in_child(link, reader, dev_certs)
    assert "not a regular file" in str(answer["message"]), answer
    assert str(link) in str(answer["message"])


@pytest.mark.parametrize("reader", list(READERS))
def test_huge_sparse_file_is_refused_by_its_size(
    tmp_path: Path, dev_certs: DevCertificates, reader: str
) -> None:
    huge = named(tmp_path, reader, "huge")
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # sparse: no disk used
    answer = read_in_child(huge, reader, dev_certs)
    message = str(answer["message"])
    assert str(huge) in message, answer
    if reader in ("records (.jsonl)", "records (.csv)"):
        # Streamed, a line at a time: the first (endless) line is refused by its length.
        assert "longer than" in message or "field larger" in message, message
    else:
        assert "3221225472 bytes, over the limit of" in message, message
        assert "MiB" in message


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_build_refuses_a_record_file_that_never_ends(
    tmp_path: Path, dev_certs: DevCertificates, kind: str
) -> None:
    data = tmp_path / f"{kind}.jsonl"
    if kind == "fifo":
        os.mkfifo(data)
    else:
        data.symlink_to("/dev/zero")
    signing = signing_args(dev_certs)
    layout = str(LAYOUTS_DIR / "loyalty.yaml")
    command = ["build", layout, "--data", str(data), "--out", str(tmp_path / "out"), *signing]
    code = (
        "import json, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'passkit', *sys.argv[1:]],"
        " capture_output=True, text=True)\n"
        "print(json.dumps({'status': done.returncode, 'err': done.stderr}))"
    )
    answer = run_capped(code, *command, what=f"passkit build on a {kind}")
    assert answer["status"] == 2, answer
    assert f"{data}: the record file is not a regular file" in answer["err"]
