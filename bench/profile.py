"""Profile a cold one-brief build and a ten-brief build with pyinstrument, as text.

The ten briefs build with one worker (-j 1), in the profiled process: with more, the work
happens in worker processes the profiler does not see. Profiles go to bench/profiles/.

    .venv/bin/python bench/profile.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import make_corpus

HERE = Path(__file__).resolve().parent
CASES = {"one-brief-cold": (1, []), "ten-briefs-one-worker": (10, ["-j", "1"])}


def profile(name: str, count: int, options: list[str], base: Path, target: Path) -> Path:
    """Profile one forced build of count four-page briefs; return the text profile's path."""
    corpus = make_corpus(base / name, 4, count)
    build = ["build", "-q", "--force", "-f", "pdf", "-f", "epub", *options]
    output = target / f"{name}.txt"
    command = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(output)]
    subprocess.run([*command, "-m", "briefkit", *build], cwd=corpus.workspace, check=True)
    return output


def main() -> None:
    """Write and print each case's profile."""
    target = HERE / "profiles"
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="briefkit-profile-") as temp:
        for name, (count, options) in CASES.items():
            path = profile(name, count, options, Path(temp), target)
            print(f"== {name} ({path})\n{path.read_text(encoding='utf-8')}")


if __name__ == "__main__":
    main()
