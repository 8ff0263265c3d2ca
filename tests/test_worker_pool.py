"""Workers started early: each prepares before its first job; work started apart runs at once."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from briefkit.system.deadline import TimeLimitExceeded
from briefkit.system.pool import WorkerPool
from briefkit.system.workers import started_apart

MARK = "BRIEFKIT_TEST_PREPARED"


def _mark(value: str) -> None:
    """Leave a mark in this worker that its jobs can read."""
    os.environ[MARK] = value


def _fail() -> None:
    """Fail to prepare, as an engine that cannot be imported would."""
    raise RuntimeError("no engine here")


def _answer(job: str) -> tuple[str, str]:
    """Return the job with the mark its worker's preparation left, or end the worker."""
    if job == "die":
        os._exit(3)
    return job, os.environ.get(MARK, "unprepared")


def _stopped(job: str, why: str) -> tuple[str, str]:
    """Stand for a job whose worker ended."""
    return job, "stopped"


def test_each_early_worker_prepares_before_the_job_it_gets_first() -> None:
    with WorkerPool[str, tuple[str, str]](2) as pool:
        pool.start([partial(_mark, "pdf"), partial(_mark, "epub")])
        answers = pool.run(_answer, ["a", "b"], limit=60, stopped=_stopped)
    assert sorted(answers) == [("a", "pdf"), ("b", "epub")]


def test_a_worker_started_later_prepares_the_pools_own_way() -> None:
    with WorkerPool[str, tuple[str, str]](1, prepare=partial(_mark, "later")) as pool:
        pool.start([partial(_mark, "first")])
        answers = pool.run(_answer, ["a", "die", "b"], limit=60, stopped=_stopped)
    # The worker that died is replaced by one prepared as the pool prepares any new worker.
    assert answers == [("a", "first"), ("die", "stopped"), ("b", "later")]


def test_a_failed_preparation_leaves_the_worker_serving() -> None:
    with WorkerPool[str, tuple[str, str]](1) as pool:
        pool.start([_fail])
        assert pool.run(_answer, ["a"], limit=60, stopped=_stopped) == [("a", "unprepared")]


def _leave_mark(path: Path) -> str:
    """Write a file at once, then answer."""
    path.write_text("started", encoding="utf-8")
    return "done"


def test_work_started_apart_runs_while_the_caller_goes_on(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    with started_apart(partial(_leave_mark, mark), 60) as answer:
        # The worker runs before its value is asked for: the caller sees its mark meanwhile.
        waited = 0.0
        while not mark.exists() and waited < 30:
            time.sleep(0.05)
            waited += 0.05
        assert mark.exists()
        assert answer() == "done"


def test_the_time_limit_of_work_started_apart_counts_from_its_start() -> None:
    with started_apart(partial(time.sleep, 30), 1) as answer:
        time.sleep(1.5)  # the caller's own work outlasts the limit
        started = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            answer()
    assert time.monotonic() - started < 1
