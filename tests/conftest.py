"""Shared fixtures: sample briefs, temporary workspaces and the real command line."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["mailserver"]  # a real SMTP server for the email tests

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "briefings").rglob("*.md"))
LANGUAGE_SAMPLES = sorted((ROOT / "briefings" / "languages").glob("*.md"))
BRIEFS = Path(__file__).resolve().parent / "briefs"
EPOCH = "1764000000"  # 2025-11-24T16:00:00Z

# Property tests run their full counts on CI and a tenth of them elsewhere; HYPOTHESIS_PROFILE
# chooses either. Rendering makes examples slow, so no example has a deadline.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=1000, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def examples(on_ci: int) -> int:
    """Return how many examples a property test runs: on_ci under the ci profile, fewer else."""
    return max(5, on_ci * settings().max_examples // 1000)


@pytest.fixture(scope="session", autouse=True)
def private_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep briefkit's store of covers and font coverage in a folder of the test run's own."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def engines_released() -> Iterator[None]:
    """Collect the WeasyPrint engines tests made, while the interpreter can still run them.

    A library call registers nothing with atexit, so engines a test kept (or left in a cycle)
    would otherwise be collected during teardown, where WeasyPrint's clean-up finds its
    modules gone and prints an ignored exception.
    """
    yield
    import gc

    from briefkit.rendering.render import release_engines

    release_engines()
    gc.collect()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return an empty workspace (briefkit.toml and briefings/) as the current folder."""
    (tmp_path / "briefings").mkdir()
    (tmp_path / "briefkit.toml").write_text('[organisation]\nname = "Test Unit"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return tmp_path


@pytest.fixture
def samples_workspace(workspace: Path) -> Path:
    """Return a workspace holding copies of the repository's sample briefs."""
    shutil.copytree(ROOT / "briefings", workspace / "briefings", dirs_exist_ok=True)
    return workspace


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """Listen on 127.0.0.1 and record every connection attempt's first bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    seen.append(connection.recv(1024) or b"<connected>")
                except OSError:
                    seen.append(b"<connected>")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli() -> Run:
    """Run the real `briefkit` command in a subprocess and return what it printed."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "briefkit", *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


def build_samples(root: Path, **options: Any) -> Any:
    """Build copies of the sample briefs in root to PDF, on the tests' clock; return the report."""
    import briefkit

    if not (root / "briefings").exists():
        shutil.copytree(ROOT / "briefings", root / "briefings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.chdir(root)
        return briefkit.build(workspace=root, formats="pdf", jobs=1, **options)


_EXPECT = re.compile(r"^(\d+):(\d+): (error|warning): (.+)$")


def expected_findings(source: Path) -> list[tuple[int, int, str, str]]:
    """Read the findings a source must produce from its .expect file: LINE:COL: severity: text."""
    rows = []
    for line in source.with_suffix(".expect").read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        assert match, f"bad .expect line: {line!r}"
        rows.append((int(match[1]), int(match[2]), match[3], match[4]))
    return rows


def write(path: Path, text: str) -> Path:
    """Write a text file, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """---
title: A minimal brief
date: 2025-11-24
sources:
  src:
    title: A source
---

## What happened {.fact}

Something happened [@src].

## What we think {.commentary by="The Desk"}

We think it matters.
"""

# A corrected brief with a DOI, two authors, a series and a number (issue 26's example).
CORRECTED = MINIMAL.replace(
    "date: 2025-11-24\n",
    """date: 2025-11-24
organisation: MGMM
series: Indo-Pacific Briefs
number: 2025/11
authors: [Asha Rao, Kenji Sato]
doi: 10.5555/example.2025.11
corrections:
  - date: 2025-11-26
    text: "An earlier version gave the investment as 10 billion yen; it is 10 trillion yen."
  - date: 2025-11-28
    text: The meeting was the leaders' first as prime ministers, not their first ever.
""",
    1,
)
