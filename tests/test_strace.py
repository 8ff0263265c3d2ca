"""Every command reads only the places it should and reaches only the SMTP server it is given.

Each command runs under Debian's strace (`-f -y -e trace=openat,open,creat,connect`). What the
test holds against the allow-list:

- every open that succeeded: one for reading must lie in a place a build needs (below); one
  for writing, only in the output folder, the scratch folder or /dev/null. Opens that failed
  read nothing and are ignored: Python and fontconfig probe for many files that do not exist.
- every connect() that was tried, whether it succeeded or not: only AF_INET to the configured
  SMTP server, during `email --send`. No AF_UNIX at all (the C library would ask nscd or
  systemd's resolver over one if a name were looked up), and nothing during build or publish.

A listener on 127.0.0.1, named by the brief as a link, as an @import in raw HTML and as an
image, proves on its own that no request is made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from conftest import EPOCH, ROOT, write
from mailserver import Inbox, MailServer, configure

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("strace") is None, reason="needs Debian's strace"),
]

SAMPLE = "india-japan-2025-11"
OTHER = "talent-mobility-2025-11"
# What any Python program on Debian reads (paths as the kernel resolved them: /lib is
# /usr/lib, /etc/localtime is in zoneinfo): its shared libraries, locale and time-zone data,
# and what the kernel tells of CPUs. gcc, which ctypes.util.find_library runs to find
# WeasyPrint's libraries, reads only under /usr/lib/gcc and writes only in the scratch folder.
SYSTEM_ROOTS = (
    "/usr/lib/",
    "/usr/share/zoneinfo/",
    "/sys/devices/system/cpu/",
    "/sys/fs/cgroup/",  # Rust's standard library reads the CPU quota (pydantic, css-inline)
)
SYSTEM_FILES = (
    "/etc/ld.so.cache",
    "/etc/mime.types",  # Python's mimetypes module
    "/etc/locale.alias",  # where /usr/share/locale/locale.alias leads
    "/etc/ssl/openssl.cnf",  # OpenSSL's settings, read as hashlib loads
    "/proc/filesystems",  # libselinux, as gcc starts
    "/proc/sys/vm/overcommit_memory",  # glibc's malloc, shrinking a thread's heap
    "/dev/null",
)
FONTCONFIG = "/etc/fonts/"
# A <dir> or <cachedir> of fontconfig's configuration: the folders it reads fonts and caches from.
_FONT_FOLDER = re.compile(r'<(dir|cachedir)\b(?:[^>]*\bprefix="(\w+)")?[^>]*>([^<]+)</\1>')
_CALL = re.compile(
    r"^(?P<pid>\d+) +(?P<call>openat|open|creat|connect)\((?P<args>.*)\) += (?P<result>.*)$"
)
_OPENED = re.compile(r"^\d+<(?P<path>.*)>$")


@dataclass(frozen=True)
class Places:
    """Where a traced command may read and write."""

    read: tuple[str, ...]
    write: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """One traced system call that succeeded (an open) or was tried (a connect)."""

    pid: str
    call: str
    args: str
    path: str
    writes: bool


def _workspace(root: Path, port: int) -> Path:
    """Make a workspace with one sample brief that names the listener in every way it can."""
    folder = root / "work"
    shutil.copytree(ROOT / "briefings" / "images", folder / "briefings" / "images")
    text = (ROOT / "briefings" / f"{SAMPLE}.md").read_text(encoding="utf-8")
    lure = (
        f"\n\nSee [the listener](http://127.0.0.1:{port}/page) and "
        f"<style>\\@import url(http://127.0.0.1:{port}/x.css);</style>"
        f'<img src="http://127.0.0.1:{port}/x.png"> '
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/y.css">\n'
    )
    marker = "\n## "
    first, rest = text.split(marker, 1)
    heading, body = rest.split("\n", 1)
    write(folder / "briefings" / f"{SAMPLE}.md", f"{first}{marker}{heading}\n{body}{lure}")
    # A second brief, so that two workers build (and are traced) alongside the first.
    shutil.copy(ROOT / "briefings" / f"{OTHER}.md", folder / "briefings")
    write(folder / "briefkit.toml", '[organisation]\nname = "Test Unit"\n')
    return folder


def _python_roots() -> tuple[str, ...]:
    """Return the folders of this Python installation and its virtual environment."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    found |= {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib")}
    found |= {str(Path(p).resolve()) for p in list(found)}
    return tuple(f"{p.rstrip('/')}/" for p in sorted(found))


@cache
def _font_places() -> tuple[str, ...]:
    """Return where fontconfig reads, as this machine's fontconfig is configured.

    The folders of its configuration files, the font and cache folders they name, and whatever
    the links in those folders lead to: packages put links there (poppler-data links its CMaps into
    /usr/share/fonts), and fontconfig follows them as it scans.
    """
    listed = subprocess.run(["fc-conflist"], capture_output=True, text=True, check=False).stdout
    configs = [f"{FONTCONFIG}fonts.conf", *re.findall(r"^[+-] (/.+?): ", listed, re.M)]
    # The folders of its configuration files: it lists them as it reads them.
    places = {FONTCONFIG, *(f"{Path(config).resolve().parent}/" for config in configs)}
    for config in configs:
        try:
            text = Path(config).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for kind, prefix, folder in _FONT_FOLDER.findall(text):
            places |= _with_links(_font_folder(folder.strip(), prefix, kind))
    return tuple(sorted(places))


def _font_folder(folder: str, prefix: str, kind: str) -> Path:
    """Return the folder a <dir> or <cachedir> names, its prefix applied."""
    if prefix == "xdg":
        home = Path.home()
        if kind == "cachedir":
            return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / folder
        return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / folder
    return Path(folder).expanduser()


def _with_links(folder: Path) -> set[str]:
    """Return a folder and the real places of the links found inside it, followed in turn."""
    places: set[str] = set()
    pending = [folder]
    while pending:
        real = pending.pop().resolve()
        if f"{real}/" in places or not real.is_dir():
            places.add(str(real))
            continue
        places.add(f"{real}/")
        for parent, folders, files in os.walk(real):
            links = [Path(parent, name) for name in folders + files]
            pending += [link for link in links if link.is_symlink()]
    return places


def _package_roots() -> tuple[str, ...]:
    """Return briefkit's code, theme and data: its src, templates, styles, locales, wordlists."""
    folders = ("src", "templates", "styles", "locales", "wordlists")
    return tuple(f"{ROOT / name}/" for name in folders)


def _places(workspace: Path, out: Path, scratch: Path, *extra: str) -> Places:
    """Return the allow-list for a command run in workspace, writing into out."""
    workspace, out, scratch = workspace.resolve(), out.resolve(), scratch.resolve()
    # /dev/shm holds the POSIX semaphores of the worker pool's queues (sem.*).
    written = (f"{out}/", f"{scratch}/", "/dev/null", "/dev/shm/")
    readable = (
        str(workspace),  # listed to find briefkit.toml and briefings/; no other file of it is read
        f"{workspace}/briefings/",
        f"{workspace}/briefkit.toml",
        *written,
        *_python_roots(),
        *_package_roots(),
        *SYSTEM_ROOTS,
        *SYSTEM_FILES,
        *_font_places(),
        *extra,
    )
    return Places(read=readable, write=written)


def _traced(
    args: list[str], workspace: Path, scratch: Path, trace: Path, program: str = "briefkit"
) -> subprocess.CompletedProcess[str]:
    """Run briefkit (or Python code) under strace, following every process it starts."""
    command = [
        "strace",
        "-f",
        "-qq",
        "-y",
        "-s",
        "4096",
        "-e",
        "trace=openat,open,creat,connect",
        "-o",
        str(trace),
        sys.executable,
        *(["-m", "briefkit"] if program == "briefkit" else ["-c", program]),
        *args,
    ]
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "TMPDIR": str(scratch),
        "HOME": str(scratch / "home"),
        "XDG_CACHE_HOME": str(scratch / "home" / ".cache"),
        "BRIEFKIT_SMTP_USER": "",
        "BRIEFKIT_SMTP_PASSWORD": "",
    }
    return subprocess.run(
        command, cwd=workspace, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _lines(trace: Path) -> Iterator[str]:
    """Return the log's calls whole, joining those that another process's call cut in two."""
    pending: dict[str, str] = {}
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        pid, _, rest = line.partition(" ")
        if line.endswith(" <unfinished ...>"):
            pending[pid] = line.removesuffix(" <unfinished ...>")
        elif rest.lstrip().startswith("<... "):
            yield pending.pop(pid, "") + rest.lstrip().split(" resumed>", 1)[-1]
        else:
            yield line


def _calls(trace: Path) -> list[Call]:
    """Return the opens that succeeded, with the real path opened, and every connect tried."""
    calls = []
    for line in _lines(trace):
        match = _CALL.match(line)
        if match is None:
            continue
        call, args = match["call"], match["args"]
        if call == "connect":
            calls.append(Call(match["pid"], call, args, "", False))
            continue
        # -y prints the file a new descriptor stands for, symlinks resolved; failures read nothing.
        opened = _OPENED.match(match["result"])
        if opened is None:
            continue
        writes = call == "creat" or bool(re.search(r"O_WRONLY|O_RDWR|O_CREAT", args))
        calls.append(Call(match["pid"], call, args, _unescape(opened["path"]), writes))
    return calls


def _unescape(text: str) -> str:
    """Decode strace's escapes of a path (\\xNN, \\" and \\\\) into the path."""
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), text.encode())
    return raw.replace(b'\\"', b'"').replace(b"\\\\", b"\\").decode("utf-8", "replace")


def _allowed(path: str, places: tuple[str, ...]) -> bool:
    """Tell whether path is one of places, or a folder among them (ending in /) or inside one."""
    return any(path == p.rstrip("/") or (p.endswith("/") and path.startswith(p)) for p in places)


def _violations(calls: list[Call], places: Places, smtp_port: int | None) -> list[str]:
    """Return every open outside the allow-list and every connect but the one to SMTP."""
    found = []
    smtp = f'sin_port=htons({smtp_port}), sin_addr=inet_addr("127.0.0.1")'
    for call in calls:
        if call.call == "connect":
            if smtp_port is None or "AF_INET" not in call.args or smtp not in call.args:
                found.append(f"connect({call.args})")
        elif call.path.startswith((f"/proc/{call.pid}/", "/proc/self/")) and not call.writes:
            continue  # a process reading about itself
        elif not _allowed(call.path, places.write if call.writes else places.read):
            found.append(f"{'write' if call.writes else 'read'} {call.path}")
    return sorted(set(found))


@pytest.fixture
def traced(tmp_path: Path, listener: tuple[int, list[bytes]]) -> tuple[Path, Path]:
    """Return a workspace that lures requests to the listener, and a scratch folder."""
    scratch = tmp_path / "scratch"
    (scratch / "home").mkdir(parents=True)
    return _workspace(tmp_path, listener[0]), scratch


def test_build_reads_only_the_brief_theme_fonts_and_system_and_connects_nowhere(
    traced: tuple[Path, Path], listener: tuple[int, list[bytes]], tmp_path: Path
) -> None:
    workspace, scratch = traced
    trace = tmp_path / "build.trace"
    formats = ["--format", "pdf", "--format", "epub", "--format", "html"]
    result = _traced(["build", *formats, "-j", "2"], workspace, scratch, trace)
    assert result.returncode == 0, result.stderr
    assert (workspace / "out" / f"{SAMPLE}.pdf").is_file()
    assert (workspace / "out" / f"{OTHER}.epub").is_file()
    places = _places(workspace, workspace / "out", scratch)
    calls = _calls(trace)
    assert any(c.path.endswith(f"{SAMPLE}.md") for c in calls)  # the trace saw the reads
    assert _violations(calls, places, None) == []
    assert listener[1] == []


def test_an_image_on_the_listener_is_refused_without_a_request(
    traced: tuple[Path, Path], listener: tuple[int, list[bytes]], tmp_path: Path
) -> None:
    workspace, scratch = traced
    source = workspace / "briefings" / f"{SAMPLE}.md"
    source.write_text(
        source.read_text() + f"\n![A remote image](http://127.0.0.1:{listener[0]}/x.png)\n"
    )
    trace = tmp_path / "image.trace"
    result = _traced(["build", "--format", "pdf", "--format", "html"], workspace, scratch, trace)
    assert result.returncode == 1
    assert "is a URL or an absolute path" in result.stderr
    assert _violations(_calls(trace), _places(workspace, workspace / "out", scratch), None) == []
    assert listener[1] == []


def test_email_connects_only_to_its_smtp_server(
    traced: tuple[Path, Path], listener: tuple[int, list[bytes]], tmp_path: Path
) -> None:
    workspace, scratch = traced
    inbox = Inbox()
    with MailServer(inbox) as server:
        configure(workspace, server)
        trace = tmp_path / "email.trace"
        args = ["email", f"briefings/{SAMPLE}.md", "--to", "a@example.org", "--send"]
        result = _traced([*args, "--attach", "pdf"], workspace, scratch, trace)
        assert result.returncode == 0, result.stderr
        assert len(inbox.received) == 1
        calls = _calls(trace)
        places = _places(workspace, workspace / "out", scratch)
        assert [c for c in calls if c.call == "connect"], "the trace saw no connect()"
        assert _violations(calls, places, server.port) == []
    assert listener[1] == []


def test_publish_reads_and_writes_only_its_places_and_connects_nowhere(
    traced: tuple[Path, Path], listener: tuple[int, list[bytes]], tmp_path: Path
) -> None:
    workspace, scratch = traced
    trace = tmp_path / "publish.trace"
    args = ["publish", "--out", "site", "--base-url", "https://briefs.example.org/"]
    result = _traced(args, workspace, scratch, trace)
    assert result.returncode == 0, result.stderr
    assert (workspace / "site" / "catalog.xml").is_file()
    places = _places(workspace, workspace / "site", scratch)
    assert _violations(_calls(trace), places, None) == []
    assert listener[1] == []


def test_the_trace_catches_a_read_outside_and_any_connect(
    traced: tuple[Path, Path], listener: tuple[int, list[bytes]], tmp_path: Path
) -> None:
    workspace, scratch = traced
    secret = write(workspace / "secret.txt", "not for the build")
    trace = tmp_path / "self.trace"
    program = (
        "import pathlib, socket, sys; pathlib.Path(sys.argv[1]).read_text(); "
        "socket.create_connection(('127.0.0.1', int(sys.argv[2]))).close()"
    )
    result = _traced([str(secret), str(listener[0])], workspace, scratch, trace, program)
    assert result.returncode == 0, result.stderr
    found = _violations(_calls(trace), _places(workspace, workspace / "out", scratch), None)
    assert f"read {secret}" in found
    assert any(f"htons({listener[0]})" in v for v in found)
