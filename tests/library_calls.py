"""Library calls made in a fresh process for test_library.py, which reads the JSON each prints.

python library_calls.py traces WORKSPACE         each call and what it changed in this process
python library_calls.py threads OUT WORKSPACE... one build per workspace, each in a thread of
                                                 its own, all at once (OUT "-": their own)

A fresh process, so that nothing the test process did before (an import, a warm engine)
hides what a call does. The temporary folder (TMPDIR) is the test's, and empty.
"""

from __future__ import annotations

import atexit
import ctypes.util
import importlib
import json
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import briefkit

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE)
# What these register with atexit as they are imported is theirs, once in any program that
# imports them: imported before the first look, so that what is seen is what briefkit did.
for module in ("logging", "multiprocessing.connection", "PIL.Image", "pikepdf"):
    importlib.import_module(module)


def state() -> dict[str, Any]:
    """Return what a library call must leave as it found it."""
    tempdir = tempfile.tempdir
    # gettempdir() remembers what it found in tempfile.tempdir: looking must not change it.
    chosen = tempfile.gettempdir()
    tempfile.tempdir = tempdir
    return {
        "tempfile.tempdir": tempdir,
        "tempfile.gettempdir()": chosen,
        "os.environ": dict(os.environ),
        "working folder": str(Path.cwd()),
        "signal handlers": [repr(signal.getsignal(number)) for number in SIGNALS],
        "atexit callbacks": atexit._ncallbacks(),
        "temporary folder": sorted(path.name for path in Path(os.environ["TMPDIR"]).iterdir()),
        "threads": threading.active_count(),
        # Swapped while WeasyPrint is imported: two threads importing at once left them so.
        "sys.stdout": repr(sys.stdout),
        "ctypes.util.find_library": ctypes.util.find_library.__name__,
    }


def calls(space: Path) -> list[tuple[str, Callable[[], object]]]:
    """Return the calls to make, each with its name; later calls use the loaded brief."""
    loaded: list[Any] = []
    to = ["reader@example.org"]
    return [
        ("load", lambda: loaded.append(briefkit.load(next(space.glob("briefings/*.md"))))),
        ("build", lambda: _ok(briefkit.build(workspace=space, formats=["html", "pdf"]))),
        ("render", lambda: briefkit.render(loaded[0], "pdf", workspace=space)),
        ("compose_email", lambda: briefkit.compose_email(loaded[0], to=to, attach=["pdf"])),
        ("publish", lambda: _ok(briefkit.publish(workspace=space, base_url="https://x.org/"))),
    ]


def _ok(report: Any) -> None:
    """Fail unless every brief of a build or publish was made."""
    if not report.ok:
        raise AssertionError(f"not built: {[result.error for result in report.failed]}")


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return [before, after] of each thing that changed."""
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def traces(space: Path) -> dict[str, dict[str, Any]]:
    """Return, by call, what differs in this process after the call from before it."""
    changed: dict[str, dict[str, Any]] = {}
    for name, call in calls(space):
        before = state()
        call()
        after = state()
        changed[name] = differences(before, after)
    return {name: differences for name, differences in changed.items() if differences}


def threads(out: str, spaces: list[Path]) -> dict[str, Any]:
    """Build each workspace in a thread of its own, all at once; return what each made.

    Under "changed", what differs in this process after the builds from before them.
    """
    made: dict[str, Any] = {}
    before = state()

    def build(space: Path) -> None:
        try:
            report = briefkit.build(workspace=space, out=None if out == "-" else Path(out))
            errors = [result.error for result in report.failed]
            made[space.name] = {"built": len(report.built), "errors": errors}
        except BaseException:
            made[space.name] = {"raised": traceback.format_exc()}

    started = [threading.Thread(target=build, args=(space,)) for space in spaces]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    after = state()
    made["changed"] = differences(before, after)
    return made


def main() -> None:
    """Run what the command line names and print its JSON."""
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "traces":
        found = traces(Path(rest[0]))
    else:
        found = threads(rest[0], [Path(folder) for folder in rest[1:]])
    # Printed where it is seen even if a call left sys.stdout swapped for something else.
    print(json.dumps(found), file=sys.__stdout__)


if __name__ == "__main__":
    main()
