"""Run rendering in worker processes that are killed at their deadline.

Sources are untrusted, and a render can spend minutes in C (text shaping, image decoding)
where no signal handler of its own process ever runs. So the time limit is kept from outside:
each job runs in a worker process, the process that started it waits with the deadline in
hand, and kills the worker when it passes; a new worker takes the remaining jobs. The waiting
process is never busy, so Ctrl-C and SIGTERM stop it (and so its workers) at once.

Workers are forked, so they start with everything their parent has loaded; a pool of them
(:mod:`briefkit.system.pool`) may start them early, each running a preparation of its own
(importing an engine) while the caller goes on with its own work, such as loading the
sources. Each lives no longer than its parent (Linux kills it when the parent dies, however
that happens) and keeps its temporary files in a folder of its pool's own, removed with the
pool, or by the next build when this one was killed.

With one worker and no time limit, jobs run in the calling process instead, one call at a time
(WeasyPrint is not safe to use from two threads at once), with their temporary files in a
folder of the call's own; no worker is forked while they run, so none starts with a render's
half-held locks. Nothing here changes the calling process's signal handlers, environment or
``tempfile.tempdir``: only a worker sets its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from briefkit.errors import BriefkitError
from briefkit.system.deadline import TimeLimitExceeded
from briefkit.system.scratch import call_scratch, leave_call_scratch, new_scratch

Value = TypeVar("Value")
_PR_SET_PDEATHSIG = 1
_FORK = multiprocessing.get_context("fork")
# Held while jobs run in this process, and while a worker is forked: see the module's docstring.
_HERE = threading.RLock()


class WorkerStopped(BriefkitError):
    """A worker process ended without answering: killed by the system, or crashed."""


def worker_count(workers: int) -> int:
    """Return how many workers a build asks for: 0 means one per core."""
    return workers or os.cpu_count() or 1


@dataclass
class Worker:
    """A worker process, the parent's end of its pipe, and the job it is on, if any."""

    process: BaseProcess
    connection: Connection
    job: Any = None
    started: float = 0.0

    def stop(self) -> None:
        """Kill the process and wait for it, so it leaves no zombie behind."""
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def run_limited(compute: Callable[[], Value], limit: float) -> Value:
    """Return compute(), run in a worker process stopped after limit seconds (0: here, no limit).

    What compute raises is raised here; a worker killed at the limit raises TimeLimitExceeded.
    """
    with started_apart(compute, limit) as answer:
        return answer()


@contextlib.contextmanager
def started_apart(compute: Callable[[], Value], limit: float) -> Iterator[Callable[[], Value]]:
    """Start compute() in a worker now; the block gets what waits for its value.

    The caller goes on with its own work meanwhile. The worker is stopped limit seconds after it
    started (0: compute runs here, with no limit, when its value is asked for) or with the
    block; waiting raises what compute raised, or TimeLimitExceeded.
    """
    if not limit:
        yield partial(_here, compute)
        return
    deadline = time.monotonic() + limit
    with _pool_scratch() as scratch:
        worker = spawn(_answer_once(compute), scratch, None)
        try:
            yield partial(_answer_of, worker, deadline, limit)
        finally:
            worker.stop()


def _here(compute: Callable[[], Value]) -> Value:
    """Return compute(), run in this process."""
    with in_this_process():
        return compute()


def _answer_of(worker: Worker, deadline: float, limit: float) -> Any:
    """Wait for a worker's (ok, value) until the deadline; return the value or raise it."""
    ready = wait([worker.connection, worker.process.sentinel], max(deadline - time.monotonic(), 0))
    if not answered(worker.connection):
        if not ready:
            raise TimeLimitExceeded.after(limit)
        raise WorkerStopped(died(worker))
    ok, value = worker.connection.recv()
    if not ok:
        raise value
    return value


@contextlib.contextmanager
def in_this_process() -> Iterator[Path]:
    """Run the block's rendering in this process: one thread at a time, in a scratch of its own.

    Engines made in the block (WeasyPrint's, whose fonts are files in the scratch) are dropped
    as it ends; a caller that renders again and again may hold one block around its calls.
    """
    with _HERE, call_scratch() as folder:
        yield folder


@contextlib.contextmanager
def without_forks() -> Iterator[None]:
    """Fork no worker while the block runs, in any thread: see the module's docstring.

    For a block that holds locks a forked worker would inherit held and wait on forever: a
    module's import, a C library's own.
    """
    with _HERE:
        yield


def answered(connection: Connection) -> bool:
    """Tell whether a worker's answer is waiting to be read."""
    try:
        return connection.poll()
    except (EOFError, OSError):
        return False


def died(worker: Worker) -> str:
    """Say how a worker process that gave no answer ended."""
    worker.process.join(1)
    code = worker.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return (
        f"internal error: the rendering process stopped without an answer ({how}); "
        "the system may have run out of memory"
    )


def spawn(
    serve: Callable[[Connection], None], scratch: Path, on_exit: Callable[[], None] | None
) -> Worker:
    """Fork a worker process that runs serve on its end of a new pipe."""
    mine, theirs = _FORK.Pipe()
    process = _FORK.Process(
        target=_worker_main, args=(serve, theirs, mine, scratch, on_exit), daemon=True
    )
    with without_forks():
        process.start()
    theirs.close()
    return Worker(process, mine)


def _worker_main(
    serve: Callable[[Connection], None],
    connection: Connection,
    parents_end: Connection,
    scratch: Path,
    on_exit: Callable[[], None] | None,
) -> None:
    """Prepare a worker, then serve: die with the parent, leave Ctrl-C to it."""
    parents_end.close()
    _die_with_parent()
    # The terminal sends Ctrl-C to the whole group; the parent stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    leave_call_scratch()
    tempfile.tempdir = str(scratch)
    os.environ["TMPDIR"] = str(scratch)
    try:
        serve(connection)
    finally:
        if on_exit is not None:
            on_exit()


def _answer_once(compute: Callable[[], Any]) -> Callable[[Connection], None]:
    """Return what sends (True, compute()) over a pipe, or (False, what it raised)."""

    def answer(connection: Connection) -> None:
        try:
            outcome: tuple[bool, Any] = (True, compute())
        except Exception as exc:  # sent to the parent, which raises it
            outcome = (False, _portable(exc))
        connection.send(outcome)

    return answer


def _portable(exc: Exception) -> Exception:
    """Return an exception that survives the pipe: itself, or one of its kind and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        if isinstance(exc, BriefkitError):
            return BriefkitError(str(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


@contextlib.contextmanager
def _pool_scratch() -> Iterator[Path]:
    """Give workers a temporary folder of their own; remove those that killed builds left."""
    folder = new_scratch()
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
