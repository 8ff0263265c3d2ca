"""Profile a cold one-brief build, a ten-brief build and warm PDF renders, as text.

The builds run with one worker (-j 1) and no time limit, so the work happens in the profiled
process: otherwise it happens in worker processes the profiler does not see. The cold case
is the one-brief build's work end to end, as one process would do it; a real build spreads
it over the build's process and two workers. The warm case renders one brief's PDF five
times in a process that has rendered it once. Profiles go to bench/profiles/.

    .venv/bin/python bench/profile.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import make_corpus
from inprocess import WARM_PROFILE

HERE = Path(__file__).resolve().parent
CASES = {"one-brief-cold": (1, ["-j", "1"]), "ten-briefs-one-worker": (10, ["-j", "1"])}
WARM_RENDERS = 5


def profile(name: str, count: int, options: list[str], base: Path, target: Path) -> Path:
    """Profile one forced build of count four-page briefs; return the text profile's path."""
    corpus = make_corpus(base / name, 4, count)
    # No time limit: with one worker the build then renders in its own process.
    (corpus.workspace / "briefkit.toml").write_text("[build]\ntime_limit = 0\n", encoding="utf-8")
    build = ["build", "-q", "--force", "-f", "pdf", "-f", "epub", *options]
    output = target / f"{name}.txt"
    command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(output)]
    subprocess.run([*command, "-m", "briefkit", *build], cwd=corpus.workspace, check=True)
    return output


def profile_warm(base: Path, target: Path) -> Path:
    """Profile warm PDF renders of one four-page brief; return the text profile's path."""
    corpus = make_corpus(base / "warm", 4, 1)
    command = [sys.executable, str(HERE / "inprocess.py"), "profile", str(corpus.workspace)]
    subprocess.run([*command, str(WARM_RENDERS)], check=True, stdout=subprocess.DEVNULL)
    return target / WARM_PROFILE


def main() -> None:
    """Write and print each case's profile."""
    target = HERE / "profiles"
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefkit-profile-") as temp:
        paths = [profile(name, *case, Path(temp), target) for name, case in CASES.items()]
        paths.append(profile_warm(Path(temp), target))
        for path in paths:
            print(f"== {path.stem} ({path})\n{path.read_text(encoding='utf-8')}")


if __name__ == "__main__":
    main()
