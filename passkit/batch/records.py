"""Records streamed from JSON, JSON Lines or CSV files, one at a time, each named for errors.

A campaign file can hold millions of records, so JSON Lines and CSV are read line by line and
never loaded whole. Every record carries a name such as ``members.csv line 12`` that error
messages and the failures file use.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from passkit.errors import DataError
from passkit.files import (
    RECORD_LINE_LIMIT,
    RECORDS_LIMIT,
    STREAMED_RECORDS_LIMIT,
    open_limited,
    read_limited,
)
from passkit.jsonparse import parse_json

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Record:
    """One record of per-pass data and where it came from."""

    data: dict[str, Any]
    name: str
    line: int
    # Set when the line could not be read as a record; building it reports this as its failure.
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RecordLine:
    """One line of a JSON Lines file, read but not parsed yet: `record()` parses it.

    Parsing is most of what reading a record costs (docs/performance.md); a parallel
    build hands lines to its workers as they are, so that the process feeding them stays
    free for the work only it can do.
    """

    source: str
    number: int
    text: str

    def record(self) -> Record:
        name = f"{self.source} line {self.number}"
        try:
            value = parse_json(self.text)
        except json.JSONDecodeError as exc:
            return _unreadable(name, self.number, f"not valid JSON ({exc.msg})")
        if not isinstance(value, dict):
            return _unreadable(name, self.number, "expected a JSON object on this line")
        return Record(data=value, name=name, line=self.number)

    def __reduce__(self) -> tuple[type[RecordLine], tuple[str, int, str]]:
        return RecordLine, (self.source, self.number, self.text)


def read_records(path: str | Path) -> Iterator[Record]:
    """Yield the records of a .json, .jsonl/.ndjson or .csv file in order."""
    for item in read_records_lazily(path):
        yield item.record() if isinstance(item, RecordLine) else item


def read_records_lazily(path: str | Path) -> Iterator[Record | RecordLine]:
    """`read_records`, but each JSON Lines record comes as its unparsed `RecordLine`."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader: Callable[[Path], Iterator[Record | RecordLine]]
    if suffix in JSON_LINES_SUFFIXES:
        reader = _read_json_lines
    elif suffix == ".csv":
        reader = _read_csv
    elif suffix == ".json":
        reader = _read_json
    else:
        raise DataError(
            f"{path}: unknown record file type {suffix or '(no suffix)'}; "
            "use .json (one record or a list), .jsonl (one record per line) or .csv"
        )
    try:
        yield from reader(path)
    except FileNotFoundError:
        raise DataError(f"{path}: record file not found; check the path") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory; give a .json, .jsonl or .csv file") from None
    except PermissionError:
        raise DataError(f"{path}: cannot read the record file (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: the file is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8"
        ) from None


def _read_json(path: Path) -> Iterator[Record]:
    text = read_limited(path, RECORDS_LIMIT, "record file", DataError).decode("utf-8-sig")
    try:
        value = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(value, dict):
        yield Record(data=value, name=str(path), line=1)
        return
    if not isinstance(value, list):
        raise DataError(f"{path}: expected a JSON object (one record) or a list of objects")
    for index, item in enumerate(value):
        name = f"{path} record {index + 1}"
        if not isinstance(item, dict):
            raise DataError(f"{name}: expected a JSON object, got {type(item).__name__}")
        yield Record(data=item, name=name, line=index + 1)


def _open_text(path: Path) -> io.TextIOWrapper:
    handle = open_limited(path, STREAMED_RECORDS_LIMIT, "record file", DataError)
    return io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")


def _lines(handle: io.TextIOWrapper, path: Path) -> Iterator[str]:
    """The lines of a streamed record file, each refused past RECORD_LINE_LIMIT characters (a
    file of one endless line would otherwise be read whole into memory)."""
    number = 0
    while line := handle.readline(RECORD_LINE_LIMIT + 1):
        number += 1
        if len(line) > RECORD_LINE_LIMIT:
            raise DataError(
                f"{path} line {number}: longer than {RECORD_LINE_LIMIT} characters;"
                " a record file holds one record per line"
            )
        yield line


def _read_json_lines(path: Path) -> Iterator[RecordLine]:
    source = str(path)
    with _open_text(path) as handle:
        for number, line in enumerate(_lines(handle, path), start=1):
            if line.strip():
                yield RecordLine(source, number, line)


def _read_csv(path: Path) -> Iterator[Record]:
    with _open_text(path) as handle:
        reader = csv.DictReader(_lines(handle, path))
        try:
            if not reader.fieldnames:
                return
            for row in reader:
                number = reader.line_num
                name = f"{path} line {number}"
                if None in row:
                    yield _unreadable(name, number, "this row has more cells than the header")
                    continue
                yield Record(data=_nest(row), name=name, line=number)
        except csv.Error as exc:  # a cell over csv's field size limit, a NUL byte, ...
            raise DataError(f"{path} line {reader.line_num}: not readable as CSV ({exc})") from None


def _nest(row: dict[str, str]) -> dict[str, Any]:
    """Turn columns like ``member.name`` into nested records; empty cells count as absent."""
    nested: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or cell == "":
            continue
        target = nested
        *parents, leaf = column.strip().split(".")
        for parent in parents:
            child = target.setdefault(parent, {})
            if not isinstance(child, dict):
                child = target[parent] = {}
            target = child
        target[leaf] = cell
    return nested


def _unreadable(name: str, line: int, reason: str) -> Record:
    return Record(data={}, name=name, line=line, problem=reason)
