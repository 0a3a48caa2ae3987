"""passkit.gc_tuning: the garbage collector's setting for a batch, and giving it back."""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from passkit import gc_tuning
from passkit.gc_tuning import YOUNG_GENERATION_OBJECTS, BatchCollector


@pytest.fixture
def collector_as_found() -> Iterator[tuple[int, int, int]]:
    threshold = gc.get_threshold()
    yield threshold
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_what_is_alive_and_restore_gives_everything_back(
    collector_as_found: tuple[int, int, int],
) -> None:
    collector = BatchCollector()
    collector.settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_GENERATION_OBJECTS, *collector_as_found[1:])
    collector.settle()  # a second call changes nothing
    assert gc.get_threshold()[0] == YOUNG_GENERATION_OBJECTS
    collector.restore()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == collector_as_found
    collector.restore()  # nothing to give back twice
    assert gc.get_threshold() == collector_as_found


def test_another_programs_freeze_is_left_alone(
    collector_as_found: tuple[int, int, int],
) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    collector = BatchCollector()
    collector.settle()
    collector.restore()
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == collector_as_found


def test_over_the_passkit_programs_own_freeze_a_batch_still_settles(
    collector_as_found: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc_tuning, "_frozen_by_passkit", 0)
    gc_tuning.freeze_for_good()
    own = gc.get_freeze_count()
    assert own > 0
    kept = [[] for _ in range(10)]  # made after the program's freeze (lists are tracked)
    collector = BatchCollector()
    collector.settle()
    assert gc.get_threshold()[0] == YOUNG_GENERATION_OBJECTS
    assert gc.get_freeze_count() >= own + len(kept)
    collector.restore()
    # The process is passkit's own: what is frozen stays so, the threshold comes back.
    assert gc.get_freeze_count() >= own + len(kept)
    assert gc.get_threshold() == collector_as_found


def test_a_freeze_beyond_the_passkit_programs_own_is_another_programs(
    collector_as_found: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc_tuning, "_frozen_by_passkit", 0)
    gc_tuning.freeze_for_good()
    kept = [[] for _ in range(10)]
    gc.freeze()  # by a program that imported passkit, say
    frozen = gc.get_freeze_count()
    collector = BatchCollector()
    collector.settle()
    assert gc.get_threshold() == collector_as_found
    collector.restore()
    assert gc.get_freeze_count() == frozen
    assert kept


def test_made_for_good_pauses_the_collector_then_freezes(
    collector_as_found: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc_tuning, "_frozen_by_passkit", 0)
    with gc_tuning.made_for_good():
        assert not gc.isenabled()
        made = [object() for _ in range(10)]
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    del made


def test_no_other_module_of_passkit_uses_the_collector() -> None:
    root = Path(gc_tuning.__file__).parent
    users = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if "gc" in names or (isinstance(node, ast.ImportFrom) and node.module == "gc"):
                users.append(path.relative_to(root).as_posix())
    assert users == ["gc_tuning.py"]
