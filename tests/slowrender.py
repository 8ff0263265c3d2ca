"""Run a briefkit operation whose renders of "slow" briefs spin in C, where no signal lands.

``python tests/slowrender.py WORKSPACE OPERATION [ARGS...]`` patches the renderer so that any
brief whose file name starts with "slow" spends minutes in a C function that never returns
to Python (PBKDF2 with a billion rounds), then runs OPERATION in WORKSPACE and prints what it
returned as one JSON line. It runs in a process of its own, so a test can bound its time from
outside: a time limit kept by a signal in the rendering process would never fire.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import briefkit
from briefkit.rendering import render

_render = render.Renderer.render


def _spinning(self: render.Renderer, brief: Any, *args: Any, **kwargs: Any) -> Any:
    """Spin in C for a slow brief; render any other as usual."""
    if brief.path.name.startswith("slow"):
        hashlib.pbkdf2_hmac("sha256", b"briefkit", b"salt", 1_000_000_000)
    return _render(self, brief, *args, **kwargs)


def _run(operation: str, folder: Path, args: list[str]) -> dict[str, Any]:
    """Run one operation and describe its outcome."""
    if operation == "cli":
        from briefkit.cli import main

        sys.argv = ["briefkit", *args]
        main()
        return {}
    try:
        if operation == "build":
            report = briefkit.build(jobs=int(args[0]), formats=args[1:] or None)
            return {"errors": {r.source.name: r.error for r in report.results}}
        if operation == "publish":
            published = briefkit.publish(jobs=1)
            return {"errors": {r.source.name: r.error for r in published.build.results}}
        brief = briefkit.load(folder / "briefings" / args[0])
        if operation == "render":
            briefkit.render(brief, args[1])
        elif operation == "email":
            briefkit.compose_email(brief, to=["a@example.org"], attach=[args[1]])
        return {"error": None}
    except briefkit.BriefkitError as exc:
        return {"error": str(exc)}


def main() -> None:
    """Patch the renderer, run the operation asked for, print its outcome."""
    folder, operation, *args = sys.argv[1:]
    render.Renderer.render = _spinning  # type: ignore[method-assign]
    os.chdir(folder)
    print(json.dumps(_run(operation, Path(folder), args)), flush=True)


if __name__ == "__main__":
    main()
