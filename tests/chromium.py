"""Headless Chromium driven over the DevTools protocol on a pipe: no extra packages needed.

Chromium reads protocol commands on file descriptor 3 and writes replies and events on 4,
each message JSON ended by a NUL byte (``--remote-debugging-pipe``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--remote-debugging-pipe",
]


def _pipe() -> tuple[int, int]:
    """Return a pipe whose ends are above 9, clear of the 3 and 4 Chromium is given."""
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD, 10))
        os.close(end)
    return ends[0], ends[1]


class ChromiumError(RuntimeError):
    """Chromium answered a command with an error, or did not answer in time."""


class Chromium:
    """One headless Chromium with one page, as a context manager."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="briefkit-chromium-")
        commands_read, self._commands = _pipe()
        self._replies, replies_write = _pipe()
        # bash (dash takes one-digit descriptors only) gives Chromium the pipes as 3 and 4.
        script = f'exec "$0" "$@" 3<&{commands_read} 4>&{replies_write}'
        self.process = subprocess.Popen(
            ["bash", "-c", script, CHROMIUM or "chromium", *FLAGS,
             f"--user-data-dir={self.profile.name}", "about:blank"],
            pass_fds=(commands_read, replies_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        attached = self.send("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        self.page("Page.enable")

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop Chromium and remove its profile."""
        with contextlib.suppress(ChromiumError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
        self.profile.cleanup()

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command to the page."""
        return self.send(method, self.session, **params)

    def wait_for(self, event: str) -> dict[str, Any]:
        """Wait for an event of the page, returning it."""
        while True:
            for index, seen in enumerate(self.events):
                if seen.get("method") == event:
                    return self.events.pop(index)
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        """Read one message from Chromium."""
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(left, 0))
            if not ready:
                raise ChromiumError(f"Chromium did not answer within {self.timeout} s")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise ChromiumError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return dict(json.loads(message))

    # What the tests ask of a page ----------------------------------------------------------

    def open(
        self, path: Path, width: int, height: int = 844, dark: bool = False, mobile: bool = True
    ) -> None:
        """Load a file in a window of that size, as a phone when mobile, and wait for its fonts."""
        self.page(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )
        scheme = [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]
        self.page("Emulation.setEmulatedMedia", media="screen", features=scheme)
        self.events.clear()
        self.page("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str) -> Any:
        """Return the value of a JavaScript expression in the page, awaiting a promise."""
        result = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def fonts_of(self, selector: str) -> list[dict[str, Any]]:
        """Return the fonts Chromium drew an element's text with (family, web font or not)."""
        self.page("DOM.enable")
        self.page("CSS.enable")
        root = self.page("DOM.getDocument", depth=-1)["root"]["nodeId"]
        node = self.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise ChromiumError(f"no element matches {selector!r}")
        return list(self.page("CSS.getPlatformFontsForNode", nodeId=node)["fonts"])

    def screenshot(self, target: Path) -> Path:
        """Save the whole page as a PNG."""
        shot = self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        target.write_bytes(base64.b64decode(shot["data"]))
        return target
