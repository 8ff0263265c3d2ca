"""A time limit on rendering one brief, so no source can keep a build busy for minutes."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from briefkit.errors import BriefkitError


class TooSlow(BaseException):
    """The time limit passed; a BaseException, so that no library's handler swallows it."""


class TimeLimitExceeded(BriefkitError):
    """A brief took longer to render than the build allows."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded if the block runs longer than seconds (in the main thread).

    The limit uses the process's interval timer, so it applies in worker processes and in
    the command's own process; a call from another thread runs without one.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TooSlow:
        raise TimeLimitExceeded(
            f"not built: rendering took longer than {seconds:g} s, the limit set by "
            "[build] time_limit in briefkit.toml; the brief may be too long"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
