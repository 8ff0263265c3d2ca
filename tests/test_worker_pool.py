"""Worker pools started early: each worker prepares before its first job, in the order given."""

from __future__ import annotations

import os
from functools import partial

from briefkit.system.workers import WorkerPool

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
