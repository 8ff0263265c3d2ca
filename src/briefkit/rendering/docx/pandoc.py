"""Run pandoc's DOCX writer on a document: sandboxed, bounded in time and memory.

pandoc is the binary inside the ``pypandoc-binary`` wheel. It reads pandoc's JSON AST on
standard input and writes the .docx to standard output; ``--sandbox`` lets it read no file but
the reference document named on its command line and reach no network, so an address a source
might smuggle into the document is never fetched. Its home is the folder the reference
document is staged in, so it looks for no user's files. Its heap is capped (``+RTS -M``), its CPU
time limited to the build's time limit, and it runs with no environment but the clock it is
told (SOURCE_DATE_EPOCH) and a UTF-8 locale.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import resource
import subprocess
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError
from briefkit.system.deadline import TimeLimitExceeded

# pandoc's heap: a brief's text is at most 1 MiB (with 1,000 notes pandoc peaks near 330 MB)
# and images reach it as small stand-ins; beyond this it stops with an error, not the machine.
HEAP = "1g"
# What pandoc says on failure is shown, up to this many characters.
MOST_SHOWN = 2000


def pandoc_binary() -> Path:
    """Return the pandoc that the pypandoc-binary wheel installed, or say how to get it."""
    spec = importlib.util.find_spec("pypandoc")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    binary = origin.parent / "files" / "pandoc" if origin is not None else None
    if binary is None or not binary.is_file():
        raise BriefkitError(
            "the Word edition needs pandoc from the pypandoc-binary package: "
            "pip install 'pypandoc-binary>=1.17'"
        )
    return binary


def write_docx(
    document: dict[str, Any], reference: Path, modified: dt.datetime, time_limit: float
) -> bytes:
    """Return the .docx pandoc writes for a document, in the reference document's styles."""
    command = [
        str(pandoc_binary()),
        "--from=json",
        "--to=docx",
        "--sandbox",
        f"--reference-doc={reference}",
        "--output=-",
        "+RTS",
        f"-M{HEAP}",
        "-RTS",
    ]
    environment = {
        "LANG": "C.UTF-8",
        "SOURCE_DATE_EPOCH": str(int(modified.timestamp())),
        # A home of its own: without one, pandoc reads /etc/passwd to find the user's, and it
        # would look for data files (templates, filters) there.
        "HOME": str(reference.parent),
    }
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    ) as process:
        _limit_cpu(process.pid, time_limit)
        try:
            output, errors = process.communicate(_encoded(document), time_limit or None)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise TimeLimitExceeded.after(time_limit) from None
    if process.returncode != 0:
        said = errors.decode("utf-8", "replace").strip()[:MOST_SHOWN]
        raise BriefkitError(f"pandoc could not write the Word edition: {said}")
    return output


def _encoded(document: dict[str, Any]) -> bytes:
    """Return the document as pandoc reads it: JSON in UTF-8."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _limit_cpu(pid: int, seconds: float) -> None:
    """Have the kernel stop pandoc after seconds of CPU time, even if its parent was killed.

    The worker that runs pandoc is killed at the build's time limit; pandoc, its child, would
    run on alone without a limit of its own.
    """
    set_limit = getattr(resource, "prlimit", None)  # Linux only
    if not seconds or set_limit is None:
        return
    limit = int(seconds) + 1
    try:
        set_limit(pid, resource.RLIMIT_CPU, (limit, limit))
    except (OSError, ValueError):
        return  # pandoc has ended already
