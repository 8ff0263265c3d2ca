"""Run one function over many jobs: here when there is one, else in worker processes.

Each worker process lives only as long as the build that started it: Linux kills it when the
process that started it dies, however that process ends, so no worker writes outputs after
its build was stopped.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")
_PR_SET_PDEATHSIG = 1


def run_parallel(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int,
    on_done: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Return work(job) for every job, calling on_done with each result as it comes."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    results: list[Result] = []
    if count <= 1:
        for job in jobs:
            results.append(work(job))
            if on_done is not None:
                on_done(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=count, initializer=_die_with_parent) as pool:
        futures = [pool.submit(work, job) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            if on_done is not None:
                on_done(results[-1])
    return results


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
