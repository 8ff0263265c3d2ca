"""Worker processes that run one function over many jobs, each killed at its job's deadline.

A pool may run several batches (``watch`` keeps one for its whole session, so WeasyPrint stays
loaded in its workers), and may start its workers early, each running a preparation of its own
(importing an engine) while the caller goes on with its own work. How a worker is forked,
limited and stopped is :mod:`briefkit.system.workers`'s.
"""

from __future__ import annotations

import contextlib
import pickle
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from briefkit.system.deadline import TimeLimitExceeded
from briefkit.system.scratch import new_scratch
from briefkit.system.workers import (
    Worker,
    answered,
    died,
    in_this_process,
    spawn,
    worker_count,
)

Job = TypeVar("Job")
Result = TypeVar("Result")


class WorkerPool(Generic[Job, Result]):
    """Worker processes that run one function over jobs, one job each at a time.

    A pool may run several batches (``watch`` keeps one for its whole session, so WeasyPrint
    stays loaded in its workers); its workers are started on the first batch that needs them.
    """

    def __init__(
        self,
        size: int,
        on_exit: Callable[[], None] | None = None,
        prepare: Callable[[], None] | None = None,
    ) -> None:
        self.size = max(size, 1)
        self.on_exit = on_exit
        # What each worker started later runs before its first job.
        self.prepare = prepare
        self._workers: list[Worker] = []
        self._scratch: Path | None = None

    def __enter__(self) -> WorkerPool[Job, Result]:
        """Return the pool; its workers are stopped with the block."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop every worker and remove their temporary folder."""
        self.close()

    def close(self) -> None:
        """Stop every worker and remove their temporary folder."""
        for worker in self._workers:
            worker.stop()
        self._workers.clear()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def start(self, preparations: Sequence[Callable[[], None] | None]) -> None:
        """Start a worker for each preparation now; each runs its own before its first job.

        Jobs go to workers in the order they started, so the first job a run hands out reaches
        the worker started with the first preparation, and so on.
        """
        for prepare in preparations[: self.size - len(self._workers)]:
            self._workers.append(self._start(prepare))

    def run(
        self,
        work: Callable[[Job], Result],
        jobs: Sequence[Job],
        *,
        limit: float,
        stopped: Callable[[Job, str], Result],
        on_done: Callable[[Result], None] | None = None,
    ) -> list[Result]:
        """Return work(job) for every job, in the order they finish.

        A job still running limit seconds after it started (0: no limit) has its worker
        killed; stopped(job, why) stands for its result, as for a worker that died.
        """
        pending = deque(jobs)
        results: list[Result] = []

        def finish(result: Result) -> None:
            results.append(result)
            if on_done is not None:
                on_done(result)

        while len(self._workers) < min(self.size, len(pending)):
            self._workers.append(self._start())
        for worker in self._workers:
            self._give(worker, work, pending)
        while any(worker.job is not None for worker in self._workers):
            self._wait(limit)
            for worker in list(self._workers):
                outcome = self._outcome(worker, limit) if worker.job is not None else None
                if outcome is None:
                    continue
                job, answer, why = outcome
                finish(answer if why is None else stopped(job, why))
                idle = self._replace(worker, bool(pending)) if why is not None else worker
                if idle is not None:
                    self._give(idle, work, pending)
        return results

    def _start(self, prepare: Callable[[], None] | None = None) -> Worker:
        """Start a worker process that prepares, then answers jobs until its pipe closes."""
        if self._scratch is None:
            self._scratch = new_scratch()
        return spawn(_serving(prepare or self.prepare), self._scratch, self.on_exit)

    def _replace(self, worker: Worker, needed: bool) -> Worker | None:
        """Stop a worker that was killed or died; return a new one in its place if needed."""
        worker.stop()
        index = self._workers.index(worker)
        if not needed:
            del self._workers[index]
            return None
        self._workers[index] = self._start()
        return self._workers[index]

    def _give(self, worker: Worker, work: Callable[[Job], Result], pending: deque[Job]) -> None:
        """Send the next job to an idle worker, if any job is left."""
        worker.job = None
        if not pending:
            return
        job = pending.popleft()
        worker.job, worker.started = job, time.monotonic()
        # Should the worker have died, waiting finds its process gone and stands in for it.
        with contextlib.suppress(OSError):
            worker.connection.send((work, job))

    def _wait(self, limit: float) -> None:
        """Wait until a busy worker answers or ends, or the first deadline passes."""
        busy = [worker for worker in self._workers if worker.job is not None]
        handles: list[Any] = [w.connection for w in busy] + [w.process.sentinel for w in busy]
        timeout = None
        if limit:
            first = min(worker.started for worker in busy) + limit
            timeout = max(first - time.monotonic(), 0.0)
        wait(handles, timeout)

    def _outcome(self, worker: Worker, limit: float) -> tuple[Any, Any, str | None] | None:
        """Return a busy worker's (job, answer, why it was stopped), or None while it works."""
        job = worker.job
        if answered(worker.connection):
            try:
                return job, worker.connection.recv(), None
            except (EOFError, OSError, pickle.UnpicklingError):
                return job, None, died(worker)
        if not worker.process.is_alive():
            return job, None, died(worker)
        if limit and time.monotonic() >= worker.started + limit:
            return job, None, str(TimeLimitExceeded.after(limit))
        return None


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    *,
    limit: float,
    stopped: Callable[[Job, str], Result],
    on_done: Callable[[Result], None] | None = None,
    pool: WorkerPool[Job, Result] | None,
) -> list[Result]:
    """Return work(job) for every job: in the pool's workers, or here when there is none.

    :func:`pool_for` decides which, once, for the caller.
    """
    if pool is not None:
        return pool.run(work, jobs, limit=limit, stopped=stopped, on_done=on_done)
    results = []
    with in_this_process():
        for job in jobs:
            results.append(work(job))
            if on_done is not None:
                on_done(results[-1])
    return results


@contextlib.contextmanager
def pool_for(
    jobs: int,
    *,
    workers: int,
    limit: float,
    on_exit: Callable[[], None] | None = None,
    prepare: Callable[[], None] | None = None,
) -> Iterator[WorkerPool[Any, Any] | None]:
    """Give the pool that would run jobs, stopped with the block; None if they run here."""
    count = min(worker_count(workers), jobs)
    if not count or (count == 1 and not limit):
        yield None
        return
    with WorkerPool[Any, Any](count, on_exit, prepare) as pool:
        yield pool


def _serving(prepare: Callable[[], None] | None) -> Callable[[Connection], None]:
    """Return what runs prepare, if any, then answers jobs until the pipe closes."""

    def serve(connection: Connection) -> None:
        if prepare is not None:
            # Should the preparation fail, the first job meets the same failure and reports it.
            with contextlib.suppress(Exception):
                prepare()
        _serve_jobs(connection)

    return serve


def _serve_jobs(connection: Connection) -> None:
    """Answer (work, job) messages with work(job) until the pipe closes."""
    while True:
        try:
            work, job = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(work(job))
