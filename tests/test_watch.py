"""`briefkit watch`: a real watcher process, real file changes, PDFs read back with poppler."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from watchfiles import Change

from briefkit.building.plan import Request
from briefkit.commands.watch import BriefDone, RoundDone, Session, WatchEvent, Watching, watch
from briefkit.config import find_workspace
from briefkit.resources import builtin_templates
from conftest import MINIMAL, write
from longbrief import write_long_brief
from pdftools import poppler, text

TIMEOUT = 60.0
Stamp = tuple[int, int] | None


def _ignore_ctrl_c() -> None:
    """Start the child as a shell starts a background job, SIGINT ignored: Ctrl-C must work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def wait_until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Poll until condition holds, or fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def stamp(path: Path) -> Stamp:
    """Return what changes when a file is replaced; None if it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


class Watcher:
    """A `briefkit watch` process in a workspace, with its output in log files."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        logs = folder / "logs"
        logs.mkdir(exist_ok=True)
        self.out_log, self.err_log = logs / "stdout", logs / "stderr"
        with self.out_log.open("w") as out, self.err_log.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "briefkit", *args],
                cwd=folder,
                stdout=out,
                stderr=err,
                preexec_fn=_ignore_ctrl_c,
            )

    @property
    def stdout(self) -> str:
        """Return what the watcher printed so far."""
        return self.out_log.read_text(encoding="utf-8")

    @property
    def stderr(self) -> str:
        """Return the problems the watcher reported so far."""
        return self.err_log.read_text(encoding="utf-8")

    def built(self, source: str) -> int:
        """Count the times a brief was reported built."""
        return len(
            re.findall(rf"built briefings/{re.escape(source)} → .* in \d+\.\d\d s", self.stdout)
        )

    def wait_ready(self) -> None:
        """Wait for the first build to end and watching to start."""
        wait_until(
            lambda: "for changes; press Ctrl-C to stop" in self.stdout or self.exited, "start"
        )
        assert not self.exited, self.stderr

    def wait_rebuilt(self, pdf: Path, before: Stamp) -> None:
        """Wait until a PDF has been replaced since before."""
        wait_until(lambda: stamp(pdf) not in (None, before), f"{pdf.name} rebuilt")

    @property
    def exited(self) -> bool:
        """Tell whether the process has ended."""
        return self.process.poll() is not None

    def interrupt(self) -> int:
        """Press Ctrl-C and return the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def start(workspace: Path) -> Iterator[Callable[..., Watcher]]:
    """Start watchers in the workspace; stop any still running at the end."""
    started: list[Watcher] = []

    def run(*args: str) -> Watcher:
        watcher = Watcher(workspace, *(args or ("watch", "--format", "pdf")))
        started.append(watcher)
        return watcher

    yield run
    for watcher in started:
        if not watcher.exited:
            watcher.process.kill()
            watcher.process.wait()


def showing(pdf: Path, words: str) -> Callable[[], bool]:
    """Return a check that the PDF's text, upper-cased as labels are shown, has the words."""
    return lambda: words.upper() in text(pdf).upper()


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file, as an editor saving it would."""
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new), encoding="utf-8")


def png(path: Path, size: tuple[int, int], colour: str) -> Path:
    """Write a PNG of one colour."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


@pytest.mark.slow
def test_watch_rebuilds_an_edited_brief(workspace: Path, start: Callable[..., Watcher]) -> None:
    source = write(workspace / "briefings/one.md", MINIMAL)
    pdf = workspace / "out/one.pdf"
    watcher = start()
    watcher.wait_ready()
    assert "Something happened" in text(pdf)
    before = stamp(pdf)
    edit(source, "Something happened", "Something else happened")
    watcher.wait_rebuilt(pdf, before)
    wait_until(showing(pdf, "Something else happened"), "the new text in the PDF")
    wait_until(lambda: watcher.built("one.md") == 2, "the rebuild line")
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_renders_a_briefs_pdf_and_epub_side_by_side_in_two_warm_workers(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    watcher = start("watch", "--format", "pdf", "--format", "epub")
    watcher.wait_ready()
    # The PDF renders in one worker while the EPUB renders in the other, and both stay warm.
    pid = watcher.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8").split()
    assert len(children) == 2
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_an_edit_saved_during_the_first_build_is_built(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    # A brief of about twenty pages, so the first build takes several seconds.
    source = write_long_brief(workspace / "briefings", rounds=8)
    pdf = workspace / "out" / source.with_suffix(".pdf").name
    watcher = start()
    wait_until((workspace / "out" / ".briefkit.lock").exists, "the first build to start")
    # The worker has started and read the source; the PDF is being laid out.
    time.sleep(1.5)
    assert watcher.built(source.name) == 0, "the first build ended before the edit"
    edit(source, "warm but unquantified", "warm but vague")
    wait_until(lambda: watcher.built(source.name) == 2, "a build of the edit")
    assert "warm but vague" in " ".join(text(pdf).split())
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_reports_a_broken_brief_and_keeps_going(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    watcher = start()
    watcher.wait_ready()
    broken = write(workspace / "briefings/two.md", MINIMAL.replace("{.fact}", "{.factz}"))
    problem = re.compile(r"briefings/two\.md:\d+:\d+: error: section 'What happened': unknown kind")
    wait_until(lambda: problem.search(watcher.stderr), "the problem to be reported")
    assert "briefings/two.md: error: not built" in watcher.stderr
    assert not watcher.exited
    assert not (workspace / "out/two.pdf").exists()
    edit(broken, "{.factz}", "{.fact}")
    wait_until(lambda: (workspace / "out/two.pdf").exists(), "the fixed brief to build")
    assert "Traceback" not in watcher.stderr
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_survives_deleted_renamed_and_unreadable_briefs(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    one = write(workspace / "briefings/one.md", MINIMAL)
    two = write(workspace / "briefings/two.md", MINIMAL)
    out = workspace / "out"
    watcher = start()
    watcher.wait_ready()
    two.unlink()
    wait_until(lambda: not (out / "two.pdf").exists(), "the deleted brief's PDF to go")
    one.rename(workspace / "briefings/renamed.md")
    wait_until(lambda: (out / "renamed.pdf").exists(), "the renamed brief to build")
    wait_until(lambda: not (out / "one.pdf").exists(), "the old name's PDF to go")
    write(workspace / "briefings/binary.md", "").write_bytes(b"\xff\xfe\x00garbage\x00")
    wait_until(lambda: "briefings/binary.md" in watcher.stderr, "the unreadable brief")
    # The folder itself goes and comes back.
    shutil.rmtree(workspace / "briefings")
    write(workspace / "briefings/back.md", MINIMAL)
    wait_until(lambda: (out / "back.pdf").exists(), "a brief in the new folder to build")
    assert not watcher.exited
    assert "Traceback" not in watcher.stderr and "internal error" not in watcher.stderr
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_rebuilds_every_brief_when_a_style_changes(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    write(workspace / "briefings/two.md", MINIMAL)
    pdfs = [workspace / "out/one.pdf", workspace / "out/two.pdf"]
    watcher = start()
    watcher.wait_ready()
    for mark in ("FIRSTMARK", "SECONDMARK"):
        # The first write creates styles/ after the start; the second changes a watched file.
        before = [stamp(pdf) for pdf in pdfs]
        write(workspace / "styles/extra.css", f'.legend-title::after {{ content: " {mark}"; }}\n')
        for pdf, old in zip(pdfs, before, strict=True):
            watcher.wait_rebuilt(pdf, old)
            wait_until(showing(pdf, mark), f"{mark} in {pdf.name}")
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_rebuilds_when_a_template_changes(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    pdf = workspace / "out/one.pdf"
    watcher = start()
    watcher.wait_ready()
    legend = (builtin_templates() / "partials/legend.html").read_text(encoding="utf-8")
    assert "How to read this brief" in legend
    before = stamp(pdf)
    write(
        workspace / "templates/partials/legend.html",
        legend.replace("How to read this brief", "Read me first"),
    )
    watcher.wait_rebuilt(pdf, before)
    wait_until(showing(pdf, "Read me first"), "the new template in the PDF")
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_rebuilds_only_the_brief_whose_image_changed(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    png(workspace / "briefings/images/map.png", (40, 20), "red")
    write(
        workspace / "briefings/pictured.md",
        MINIMAL.replace("We think it matters.", "![A map](images/map.png)"),
    )
    write(workspace / "briefings/plain.md", MINIMAL)
    pdf = workspace / "out/pictured.pdf"
    watcher = start()
    watcher.wait_ready()
    assert re.search(r"\b40\s+20\b", poppler("pdfimages", "-list", str(pdf)))
    before = stamp(pdf)
    png(workspace / "briefings/images/map.png", (80, 60), "blue")
    watcher.wait_rebuilt(pdf, before)
    wait_until(lambda: watcher.built("pictured.md") == 2, "the rebuild line")
    assert re.search(r"\b80\s+60\b", poppler("pdfimages", "-list", str(pdf)))
    assert watcher.built("plain.md") == 1
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_reloads_briefkit_toml_and_survives_a_broken_one(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    pdf = workspace / "out/one.pdf"
    config = workspace / "briefkit.toml"
    watcher = start()
    watcher.wait_ready()
    before = stamp(pdf)
    write(config, '[organisation]\nname = "Test Unit"\n\n[labels]\nfact = "Verified"\n')
    watcher.wait_rebuilt(pdf, before)
    wait_until(showing(pdf, "VERIFIED"), "the new label in the PDF")
    write(config, "[labels\nfact = 1\n")
    wait_until(lambda: re.search(r"briefkit\.toml:1: error: ", watcher.stderr), "the bad setting")
    assert "the previous settings stay in use" in watcher.stderr
    assert not watcher.exited
    before = stamp(pdf)
    write(config, '[labels]\nfact = "Checked"\n')
    watcher.wait_rebuilt(pdf, before)
    wait_until(showing(pdf, "CHECKED"), "the fixed settings in the PDF")
    # Each round is planned afresh: a new paper size is a new file, beside the A4 one.
    write(config, '[labels]\nfact = "Checked"\n\n[build]\npaper = "letter"\n')
    wait_until(lambda: (workspace / "out/one-letter.pdf").is_file(), "the letter PDF")
    assert "Traceback" not in watcher.stderr
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_watch_ignores_its_output_and_temporary_files(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    source = write(workspace / "briefings/one.md", MINIMAL)
    watcher = start("--verbose", "watch", "--format", "pdf")
    watcher.wait_ready()
    for name in (
        "briefings/.one.md.swp",
        "briefings/one.md~",
        "briefings/.one.md.3f9a.tmp",
        "briefings/#one.md#",
        "briefings/.#one.md",
        "briefings/4913",
        "briefings/notes.txt",
        "briefings/.hidden/other.md",
        "out/stray.pdf",
        "out/.one.pdf.x1y2.tmp",
    ):
        write(workspace / name, "noise\n")
    # Whatever passed the filter would be listed in this change's round or an earlier one.
    edit(source, "Something happened", "Something else happened")
    wait_until(lambda: watcher.built("one.md") == 2, "the rebuild")
    # The round's summary follows the brief's line.
    wait_until(lambda: "changed: " in watcher.stdout, "the round's summary")
    assert re.findall(r"^changed: .*$", watcher.stdout, re.MULTILINE) == [
        "changed: briefings/one.md"
    ]
    assert watcher.interrupt() == 0


@pytest.mark.slow
def test_ctrl_c_stops_watching_with_status_0(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    write(workspace / "briefings/one.md", MINIMAL)
    watcher = start()
    watcher.wait_ready()
    assert watcher.interrupt() == 0
    assert "stopped" in watcher.stdout
    assert "Traceback" not in watcher.stderr
    assert watcher.stderr == ""


@pytest.mark.slow
def test_ctrl_c_during_a_rebuild_leaves_no_partial_files(
    workspace: Path, start: Callable[..., Watcher]
) -> None:
    source = write(workspace / "briefings/one.md", MINIMAL)
    watcher = start()
    watcher.wait_ready()
    edit(source, "Something happened", "Something else happened")
    time.sleep(0.1)  # the rebuild starts about 50 ms after the save
    assert watcher.interrupt() == 0
    assert "Traceback" not in watcher.stderr
    assert sorted(p.name for p in (workspace / "out").iterdir()) == [
        ".briefkit-cache.json",
        ".briefkit.lock",
        "one.pdf",
    ]


def test_session_filter_takes_sources_images_and_theme_files_only(workspace: Path) -> None:
    (workspace / "styles").mkdir()
    ws = find_workspace()
    session = Session(ws, Request())
    wanted = {
        "briefings/a.md": True,
        "briefings/sub/b.md": True,
        "briefings/images/map.PNG": True,
        "briefings/photo.jpeg": True,
        "styles/extra.css": True,
        "styles/fonts/Extra.ttf": True,
        "briefings/notes.txt": False,
        "briefings/.a.md.swp": False,
        "briefings/a.md~": False,
        "briefings/.a.md.1234.tmp": False,
        "briefings/#a.md#": False,
        "briefings/.git/a.md": False,
        "styles/.extra.css.swp": False,
        "out/a.pdf": False,
        "out/.briefkit-cache.json": False,
        "elsewhere/a.md": False,
    }
    seen = {name: session.wanted(Change.modified, str(workspace / name)) for name in wanted}
    assert seen == wanted


@pytest.mark.slow
def test_watch_function_reports_events_until_stopped(workspace: Path) -> None:
    source = write(workspace / "briefings/one.md", MINIMAL)
    ws = find_workspace()
    events: list[WatchEvent] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=([], ws, events.append),
        kwargs={"stop_event": stop, "request": Request(formats=("pdf",), jobs=1)},
    )
    thread.start()
    try:
        wait_until(lambda: any(isinstance(e, Watching) for e in events), "watching")
        edit(source, "Something happened", "Something else happened")
        wait_until(
            lambda: sum(isinstance(e, BriefDone) and not e.result.skipped for e in events) == 2,
            "the rebuild",
        )
    finally:
        stop.set()
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    rounds = [e for e in events if isinstance(e, RoundDone)]
    assert rounds[0].changed == () and rounds[-1].changed == (source.resolve(),)
    assert all(r.report is not None and not r.report.failed for r in rounds)
    watching = next(e for e in events if isinstance(e, Watching))
    assert (workspace / "briefings").resolve() in watching.paths
    assert "Something else happened" in text(workspace / "out/one.pdf")
