"""The build cache, the output folder's lock and the one writer, given a hostile output folder.

The cache file, the lock and the folders under the output folder are data anyone could have
put there. A Python audit hook sees every file the code under test opens, so these tests check
what is opened, not only what comes out; it refuses the opens a test forbids, so code that
would follow a trap fails the test instead of hanging on a FIFO or reading /dev/zero forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefkit.building.cache import CACHE_NAME, LOCK_NAME, BuildCache, locked
from briefkit.errors import BriefkitError
from briefkit.system.output import write_atomic, write_if_changed
from conftest import MINIMAL, write

CONTEXT = "settings and theme"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
_SAFE = os.O_NOFOLLOW | os.O_NONBLOCK
Forbid = Callable[[str, int], bool]
_watch: list[tuple[Forbid, list[str]]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Refuse (and note) the opens the current test forbids."""
    if event != "open" or not _watch or not isinstance(args[0], str | bytes | os.PathLike):
        return
    name, flags = os.fsdecode(args[0]), args[2] or 0
    forbid, seen = _watch[-1]
    if forbid(name, flags):
        seen.append(name)
        raise PermissionError(f"the test forbids opening {name}")


sys.addaudithook(_audit)


@pytest.fixture
def forbidden() -> Iterator[Callable[[Forbid], list[str]]]:
    """Return what refuses, for the rest of the test, every open the rule given forbids."""

    def watch(rule: Forbid) -> list[str]:
        seen: list[str] = []
        _watch.append((rule, seen))
        return seen

    yield watch
    _watch.clear()


def _done_within(seconds: float, work: Callable[[], object], unblock: Callable[[], None]) -> Any:
    """Run work in a thread; fail if it has not ended in time, unblocking it first."""
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(_caught(work)), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        unblock()
        thread.join(10)
        pytest.fail(f"still waiting after {seconds} s (on a FIFO)")
    return outcome[0]


def _caught(work: Callable[[], object]) -> object:
    """Return what work returns, or the exception it raises."""
    try:
        return work()
    except Exception as exc:
        return exc


def _feed_fifo(path: Path) -> None:
    """Open the other end of a FIFO, so whoever waits on it goes on."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_RDWR | os.O_NONBLOCK))


@pytest.fixture
def built(tmp_path: Path) -> tuple[BuildCache, Path, Path, Path, Path]:
    """Return a cache recording one output made from a source, an image and a logo."""
    folder = tmp_path / "briefings"
    source = write(folder / "one.md", MINIMAL + "\n![A chart](chart.png)\n")
    image = folder / "chart.png"
    image.write_bytes(PNG)
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG + b"logo")
    output = tmp_path / "out" / "one.pdf"
    write_atomic(output, b"%PDF-1.7 the last build's output")
    cache = BuildCache(tmp_path / "out" / CACHE_NAME, {})
    inputs = [source, image, logo]
    digests = {path: hashlib.sha256(path.read_bytes()).digest() for path in inputs}
    cache.record(output, source, inputs, CONTEXT, [], [], digests)
    return cache, output, source, image, logo


def test_an_entry_of_the_source_its_images_and_the_logo_is_fresh(
    built: tuple[BuildCache, Path, Path, Path, Path],
) -> None:
    cache, output, source, image, logo = built
    assert cache.fresh(output, CONTEXT, source, logo) is not None
    image.write_bytes(PNG + b"changed")
    assert cache.fresh(output, CONTEXT, source, logo) is None


def test_a_changed_logo_or_another_source_makes_the_entry_stale(
    built: tuple[BuildCache, Path, Path, Path, Path], tmp_path: Path
) -> None:
    cache, output, source, _, logo = built
    assert cache.fresh(output, CONTEXT, source, None) is None  # the logo is no longer ours
    other = write(tmp_path / "briefings" / "other.md", MINIMAL)
    assert cache.fresh(output, CONTEXT, other, logo) is None
    logo.write_bytes(PNG + b"a new logo")
    assert cache.fresh(output, CONTEXT, source, logo) is None


def _traps(tmp_path: Path) -> dict[str, str]:
    """Make files a hostile cache could name; return each one's path by what it is."""
    folder = tmp_path / "briefings"
    outside = write(tmp_path / "outside" / "secret.png", "a secret beside the workspace")
    fifo = folder / "trap.png"
    os.mkfifo(fifo)
    (folder / "link.png").symlink_to(outside)
    write(folder / "notes.txt", "not an image")
    return {
        "a device": "/dev/zero",
        "a FIFO with an image's name": str(fifo),
        "an image outside the folder": str(outside),
        "a link to it inside the folder": str(folder / "link.png"),
        "a way out with ..": f"{folder}/../outside/secret.png",
        "a file that is not an image": str(folder / "notes.txt"),
        "a name holding a NUL": f"{folder}/x\0.png",
    }


TRAPS = [
    "a device",
    "a FIFO with an image's name",
    "an image outside the folder",
    "a link to it inside the folder",
    "a way out with ..",
    "a file that is not an image",
    "a name holding a NUL",
]


@pytest.mark.parametrize("trap", TRAPS)
def test_what_the_cache_names_is_read_only_if_the_build_reads_it_anyway(
    built: tuple[BuildCache, Path, Path, Path, Path],
    tmp_path: Path,
    forbidden: Callable[[Forbid], list[str]],
    trap: str,
) -> None:
    cache, output, source, _, logo = built
    named = _traps(tmp_path)[trap]
    entry = next(iter(cache.entries.values()))
    entry.inputs.insert(1, named)

    def unsafe(name: str, flags: int) -> bool:
        # Opening an image of the brief's folder is allowed as the build opens images: never
        # through a link, never waiting on a FIFO. Anything else the cache names, never.
        hostile = name.endswith(("secret.png", "notes.txt", "zero")) or "\0" in name
        trapped = name.endswith(("trap.png", "link.png")) and flags & _SAFE != _SAFE
        return hostile or trapped

    opened = forbidden(unsafe)
    assert cache.fresh(output, CONTEXT, source, logo) is None
    assert opened == []


def test_a_cache_file_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    entry = {"source": "/x.md", "key": "k", "inputs": ["/dev/zero"], "size": 1}
    document = {"schema": 2, "outputs": {str(out / "a.pdf"): entry}}
    elsewhere = write(tmp_path / "elsewhere.json", json.dumps(document))
    out.mkdir()
    (out / CACHE_NAME).symlink_to(elsewhere)
    cache = BuildCache.load(out)
    assert cache.entries == {} and cache.damaged
    cache.save()  # written afresh: the link itself is replaced, not what it leads to
    assert not (out / CACHE_NAME).is_symlink()
    assert json.loads(elsewhere.read_text())["outputs"]


def test_a_cache_file_that_is_a_fifo_is_damaged_not_waited_on(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / CACHE_NAME)
    cache = _done_within(10, lambda: BuildCache.load(out), lambda: _feed_fifo(out / CACHE_NAME))
    assert isinstance(cache, BuildCache) and cache.entries == {} and cache.damaged


@pytest.mark.parametrize(
    "wrong",
    [
        {"source": 5},
        {"source": None},
        {"key": ["k"]},
        {"size": "12"},
        {"size": True},
        {"inputs": "/dev/zero"},
        {"warnings": [5]},
        {"findings": "none"},
    ],
)
def test_an_entry_of_the_wrong_types_is_dropped_and_the_build_goes_on(
    tmp_path: Path, wrong: dict[str, object]
) -> None:
    out = tmp_path / "out"
    entry = {"source": str(tmp_path / "gone.md"), "key": "k", "inputs": [], "size": 1}
    document = {"schema": 2, "outputs": {str(out / "a.pdf"): {**entry, **wrong}}}
    write(out / CACHE_NAME, json.dumps(document))
    cache = BuildCache.load(out)
    assert cache.entries == {} and cache.damaged
    assert cache.prune() == []


def test_a_cache_naming_an_impossible_path_is_pruned_without_a_crash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    entry = {"source": str(tmp_path / "gone.md"), "key": "k", "inputs": [], "size": 1}
    write(out / CACHE_NAME, json.dumps({"schema": 2, "outputs": {f"{out}/a\0.pdf": entry}}))
    cache = BuildCache.load(out)
    assert cache.prune() == [] and cache.entries == {}


def test_a_lock_that_is_a_link_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere" / "made-by-the-lock"
    target.parent.mkdir()
    (out / LOCK_NAME).symlink_to(target)
    with pytest.raises(BriefkitError) as raised, locked(out):
        pass
    assert str(raised.value).startswith(f"{out / LOCK_NAME}: is a symbolic link")
    assert "cannot be locked: remove it" in str(raised.value)
    assert not target.exists()


def test_a_lock_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / LOCK_NAME)

    def lock() -> None:
        with locked(out):
            pass

    raised = _done_within(10, lock, lambda: _feed_fifo(out / LOCK_NAME))
    assert isinstance(raised, BriefkitError), raised
    assert "is not a regular file, so the output folder cannot be locked" in str(raised)


def test_a_lock_file_of_our_own_is_taken(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    with locked(out):
        assert (out / LOCK_NAME).is_file()
    with locked(out):
        pass


def test_a_write_through_a_link_leading_out_is_refused_naming_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "2024").symlink_to(outside)
    for target in (Path("out/2024/one.pdf"), Path("out/2024/deeper/one.pdf")):
        with pytest.raises(BriefkitError) as raised:
            write_atomic(target, b"data", root=Path("out"))
        message = str(raised.value)
        assert message.startswith("out/2024: a symbolic link leads out of out"), message
        assert "remove the link" in message
    assert list(outside.iterdir()) == []


def test_links_that_stay_inside_the_output_folder_are_written_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "archive" / "2024").mkdir(parents=True)
    (out / "2024").symlink_to(out / "archive" / "2024")
    write_atomic(out / "2024" / "one.pdf", b"data", root=out)
    assert (out / "archive" / "2024" / "one.pdf").read_bytes() == b"data"
    # The output folder itself may be a link: it is where the user chose to write.
    (tmp_path / "alias").symlink_to(out)
    write_atomic(tmp_path / "alias" / "two.pdf", b"two", root=tmp_path / "alias")
    assert (out / "two.pdf").read_bytes() == b"two"


def test_a_fifo_in_place_of_a_file_is_replaced_not_waited_on(tmp_path: Path) -> None:
    target = tmp_path / "site" / "catalog.xml"
    target.parent.mkdir()
    os.mkfifo(target)
    # An empty file is compared by its bytes (none): a FIFO there would be waited on.
    wrote = _done_within(
        10, lambda: write_if_changed(target, b"", root=target.parent), lambda: _feed_fifo(target)
    )
    assert wrote is True and target.is_file() and target.read_bytes() == b""
