"""Time ``briefkit watch`` from a saved edit of a brief until its new PDF is in place."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from contenders import BRIEFKIT
from corpus import Corpus

POLL = 0.005  # seconds between looks at the PDF's modification time
PATIENCE = 120.0  # seconds to wait for any one build before giving up
PHRASE = "warm but unquantified"  # words of the generated brief that each edit changes


def _mtime(path: Path) -> int:
    """Return a file's modification time in nanoseconds, or 0 when it is not there."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _wait_for_change(path: Path, before: int) -> None:
    """Wait until a file's modification time differs from before."""
    deadline = time.monotonic() + PATIENCE
    while _mtime(path) == before:
        if time.monotonic() > deadline:
            raise RuntimeError(f"briefkit watch wrote no new {path.name}")
        time.sleep(POLL)


def watch_latencies(corpus: Corpus, edits: int) -> list[float]:
    """Start a watcher on a one-brief workspace, save edits, and return each edit's latency."""
    source = next((corpus.workspace / "briefings").glob("*.md"))
    pdf = corpus.workspace / "out" / f"{source.stem}.pdf"
    command = [BRIEFKIT, "watch", "-q", "-f", "pdf", "-f", "epub"]
    # Its warnings (the plain corpus cites no source) go to a file, read only on failure.
    log = corpus.workspace.parent / "watch.log"
    with log.open("wb") as errors:
        watcher = subprocess.Popen(
            command, cwd=corpus.workspace, stdout=subprocess.DEVNULL, stderr=errors
        )
    try:
        return _edit(source, pdf, edits)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')[-2000:]}") from None
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)


def _edit(source: Path, pdf: Path, edits: int) -> list[float]:
    """Save edits to a watched source, and return how long each took to give a new PDF."""
    epub = pdf.with_suffix(".epub")
    latencies = []
    _wait_for_change(pdf, 0)  # the first build of a fresh workspace
    _wait_for_change(epub, 0)
    time.sleep(1.0)  # let the first build settle before the first edit
    text = source.read_text(encoding="utf-8")
    for number in range(edits):
        pdf_before, epub_before = _mtime(pdf), _mtime(epub)
        # An editor's save: the same file, one paragraph's wording changed.
        edited = text.replace(PHRASE, f"{PHRASE} ({number})", 1)
        if edited == text:
            raise RuntimeError(f"{source} no longer says {PHRASE!r}")
        started = time.perf_counter()
        source.write_text(edited, encoding="utf-8")
        _wait_for_change(pdf, pdf_before)
        latencies.append(time.perf_counter() - started)
        _wait_for_change(epub, epub_before)
        time.sleep(0.5)  # a pause between saves, as a writer makes
    return latencies
