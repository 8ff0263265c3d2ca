"""Run one function over many jobs: here when there is one, else in worker processes.

Each worker process lives only as long as the build that started it: Linux kills it when the
process that started it dies, however that process ends, so no worker writes outputs after
its build was stopped. Workers keep their temporary files in a folder of the build's own,
removed when the build ends, or by the next build when this one was killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TypeVar

from briefkit.building.scratch import new_scratch

Job = TypeVar("Job")
Result = TypeVar("Result")
_PR_SET_PDEATHSIG = 1


def worker_count(workers: int) -> int:
    """Return how many workers a build asks for: 0 means one per core."""
    return workers or os.cpu_count() or 1


def run_parallel(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    on_done: Callable[[Result], None] | None = None,
    on_exit: Callable[[], None] | None = None,
) -> list[Result]:
    """Return work(job) for every job, calling on_done with each result as it comes.

    on_exit runs in each worker process as it ends, to release what the work kept warm.
    """
    count = min(worker_count(workers), len(jobs))
    results: list[Result] = []
    if count <= 1:
        for job in jobs:
            results.append(work(job))
            if on_done is not None:
                on_done(results[-1])
        return results
    with (
        _scratch() as scratch,
        ProcessPoolExecutor(
            max_workers=count, initializer=_start_worker, initargs=(str(scratch), on_exit)
        ) as pool,
    ):
        futures = [pool.submit(work, job) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            if on_done is not None:
                on_done(results[-1])
    return results


def _start_worker(scratch: str, on_exit: Callable[[], None] | None) -> None:
    """Prepare a worker: die with the parent, keep temporary files in the build's folder."""
    _die_with_parent()
    tempfile.tempdir = scratch
    os.environ["TMPDIR"] = scratch
    if on_exit is not None:
        # multiprocessing runs its finalizers as a worker ends; atexit would not run there.
        multiprocessing.util.Finalize(None, on_exit, exitpriority=10)


@contextlib.contextmanager
def _scratch() -> Iterator[Path]:
    """Give a build its own temporary folder; remove those that killed builds left."""
    folder = new_scratch(Path(tempfile.gettempdir()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _die_with_parent() -> None:
    """Ask the kernel to kill this worker when its parent process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    # The parent may have died before the request was made.
    if os.getppid() == 1:
        os._exit(1)
