"""The garbage collector's setting for a batch, and giving it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from passkit.batch.collector import YOUNG_GENERATION_OBJECTS, BatchCollector


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
