"""Streaming records from JSON, JSON Lines and CSV files."""

from __future__ import annotations

import json
import pickle
import re
import tracemalloc
from pathlib import Path

import pytest

from passkit.batch.records import Record, RecordLine, read_records, read_records_lazily
from passkit.batch.result import BuildResult
from passkit.errors import DataError


def test_json_file_with_one_record(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"member": {"name": "Ada"}, "points": 12}))
    records = list(read_records(path))
    assert [r.data for r in records] == [{"member": {"name": "Ada"}, "points": 12}]
    assert records[0].name == str(path)


def test_json_list_names_each_record(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"a": 1}, {"a": 2}]))
    assert [r.name for r in read_records(path)] == [f"{path} record 1", f"{path} record 2"]


def test_json_lines_skip_blank_lines_and_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "members.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\nnot json\n[1, 2]\n')
    records = list(read_records(path))
    assert [(r.line, r.data, r.problem) for r in records[:2]] == [
        (1, {"a": 1}, None),
        (3, {"a": 2}, None),
    ]
    assert records[2].line == 4 and records[2].problem is not None
    assert "not valid JSON" in records[2].problem
    assert records[3].problem == "expected a JSON object on this line"


def test_lazily_read_json_lines_parse_where_they_are_built(tmp_path: Path) -> None:
    path = tmp_path / "members.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\nnot json\n[1, 2]\n')
    lines = [line for line in read_records_lazily(path) if isinstance(line, RecordLine)]
    assert len(lines) == 4
    assert [line.number for line in lines] == [1, 3, 4, 5]
    # Pickled to a worker and parsed there, a line gives the record read_records gives.
    parsed = [pickle.loads(pickle.dumps(line)).record() for line in lines]
    assert parsed == list(read_records(path))
    assert parsed[2].name == f"{path} line 4" and "not valid JSON" in (parsed[2].problem or "")


def test_lazily_read_csv_and_json_files_come_parsed(tmp_path: Path) -> None:
    rows = tmp_path / "members.csv"
    rows.write_text("a,b\n1,2\n")
    one = tmp_path / "one.json"
    one.write_text('{"a": 1}')
    assert list(read_records_lazily(rows)) == list(read_records(rows))
    assert all(isinstance(r, Record) for r in read_records_lazily(one))


def test_build_results_cross_processes_whole(tmp_path: Path) -> None:
    written = (str(tmp_path / "a.pkpass"), str(tmp_path / "a.google.txt"))
    result = BuildResult(
        record="members.jsonl line 3",
        line=3,
        serial="A",
        save_link="https://pay.google.com/gp/v/save/x",
        skinny_link=True,
        written=written,
    )
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert again.files == (tmp_path / "a.pkpass", tmp_path / "a.google.txt")
    failed = BuildResult(record="r", line=1, error="points: must be a number")
    assert pickle.loads(pickle.dumps(failed)) == failed and not failed.ok


def test_csv_nests_dotted_columns_and_drops_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        'member.name,member.id,points,note\n"Lovelace, Ada",42,120,\nBob,7,3,"two\nlines"\n'
    )
    records = list(read_records(path))
    assert records[0].data == {"member": {"name": "Lovelace, Ada", "id": "42"}, "points": "120"}
    assert records[0].line == 2
    assert records[1].data["note"] == "two\nlines"


def test_csv_row_with_too_many_cells_is_a_failed_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2,3\n4,5\n")
    records = list(read_records(path))
    assert records[0].problem == "this row has more cells than the header"
    assert records[1].data == {"a": "4", "b": "5"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("records.txt", "x", "unknown record file type .txt"),
        ("missing.json", None, "record file not found"),
        ("broken.json", "{", "line 1: not valid JSON"),
        ("scalar.json", "3", "expected a JSON object (one record) or a list of objects"),
        ("latin1.jsonl", b'{"name": "Jos\xe9"}\n', "not UTF-8"),
    ],
)
def test_bad_record_files_name_the_file(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(DataError, match=re.escape(message)) as info:
        list(read_records(path))
    assert str(path) in str(info.value)


def test_json_lines_are_streamed_not_loaded_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = json.dumps({"member": {"name": "x" * 200}, "points": 1}) + "\n"
    path.write_text(line * 20_000)  # about 4.5 MB
    tracemalloc.start()
    count = sum(1 for _ in read_records(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 20_000
    assert peak < 1_000_000, f"reading used {peak} bytes at peak: the file was not streamed"


def test_csv_rows_are_streamed_not_loaded_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    row = f"{'x' * 200},1,Gold\n"
    path.write_text("member.name,points,tier\n" + row * 20_000)  # about 4.2 MB
    for read in (read_records, read_records_lazily):
        tracemalloc.start()
        count = 0
        for record in read(path):
            count += 1
            assert isinstance(record, Record)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == 20_000
        assert peak < 1_000_000, f"{read.__name__} used {peak} bytes at peak: not streamed"
