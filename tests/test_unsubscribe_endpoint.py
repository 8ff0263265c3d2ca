"""The one-click unsubscribe endpoint, served by a real WSGI server (waitress), called over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlencode

import pytest
import waitress

import briefkit
from briefkit.delivery.mail.lists.suppression import read_suppressed
from briefkit.delivery.mail.lists.tokens import reader_token
from briefkit.errors import BriefkitError
from conftest import Run, write
from mailserver import Inbox, MailServer
from test_bounces import bounce, make_mbox, reply
from test_suppression import READERS, SECRET, received_by, send

LIST_ID = "weekly.example.org"
ONE_CLICK = b"List-Unsubscribe=One-Click"


def link(base: str, address: str, token: str | None = None) -> str:
    token = token or reader_token(SECRET.encode(), LIST_ID, address)
    return f"{base}/unsubscribe?{urlencode({'list': LIST_ID, 'address': address, 'token': token})}"


def call(
    url: str, method: str = "GET", body: bytes | None = None, kind: str | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method)
    if kind:
        request.add_header("Content-Type", kind)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode()


def post(url: str, body: bytes = ONE_CLICK) -> tuple[int, str]:
    return call(url, "POST", body, "application/x-www-form-urlencoded")


@pytest.fixture
def served(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Serve the workspace's endpoint with waitress on 127.0.0.1, in a thread; yield its URL."""
    monkeypatch.setenv("BRIEFKIT_UNSUBSCRIBE_SECRET", SECRET)
    app = briefkit.unsubscribe_app(workspace)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.trigger.pull_trigger(server.close)  # closed in the server's own thread, so it ends
    thread.join(timeout=5)
    assert not thread.is_alive()


def suppressed(workspace: Path) -> list[str]:
    return sorted(read_suppressed(workspace / "suppressed.txt"))


def test_one_click_post_records_the_address_at_once(served: str, workspace: Path) -> None:
    status, page = post(link(served, "asha@example.org"))
    assert status == 200
    assert "You are unsubscribed" in page
    assert suppressed(workspace) == ["asha@example.org"]
    entry = read_suppressed(workspace / "suppressed.txt")["asha@example.org"]
    assert entry.reason == "unsubscribed (one-click, weekly.example.org)"
    assert post(link(served, "asha@example.org"))[0] == 200  # twice is still once
    assert (workspace / "suppressed.txt").read_text().count("asha@example.org") == 1


def test_a_multipart_one_click_post_is_honoured_too(served: str, workspace: Path) -> None:
    body = (
        b'--X\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n'
        b"--X--\r\n"
    )
    status, _ = call(link(served, "b@example.org"), "POST", body, "multipart/form-data; boundary=X")
    assert status == 200
    assert suppressed(workspace) == ["b@example.org"]


def test_get_shows_a_button_and_changes_nothing(served: str, workspace: Path) -> None:
    status, page = call(link(served, "asha@example.org"))
    assert status == 200
    assert '<form method="post" action="/unsubscribe?list=weekly.example.org&amp;' in page
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click" />' in page
    assert "<button" in page and "asha@example.org" in page
    assert not (workspace / "suppressed.txt").exists()


def test_a_bad_or_missing_token_is_refused_and_records_nothing(
    served: str, workspace: Path
) -> None:
    other = reader_token(SECRET.encode(), LIST_ID, "someone@example.org")
    for url in [
        link(served, "asha@example.org", other),
        link(served, "asha@example.org", "A" * 22),
        link(served, "asha@example.org").replace(LIST_ID, "other.example.org"),
        f"{served}/unsubscribe?list={LIST_ID}&address=asha@example.org",
        f"{served}/unsubscribe",
    ]:
        for method in ("GET", "POST"):
            status, page = post(url) if method == "POST" else call(url)
            assert status == 403, (url, method)
            assert "This link does not work" in page
    assert not (workspace / "suppressed.txt").exists()


def test_a_post_that_is_not_one_click_records_nothing(served: str, workspace: Path) -> None:
    assert post(link(served, "asha@example.org"), b"List-Unsubscribe=Maybe")[0] == 400
    assert post(link(served, "asha@example.org"), b"")[0] == 400
    assert post(link(served, "asha@example.org"), ONE_CLICK + b"&" + b"x" * 5000)[0] == 413
    assert not (workspace / "suppressed.txt").exists()


def test_other_methods_get_405(served: str, workspace: Path) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        status, _ = call(link(served, "asha@example.org"), method, ONE_CLICK)
        assert status == 405
    assert not (workspace / "suppressed.txt").exists()


def test_without_the_secret_the_app_refuses_to_start(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFKIT_UNSUBSCRIBE_SECRET", raising=False)
    with pytest.raises(BriefkitError, match="BRIEFKIT_UNSUBSCRIBE_SECRET is not set"):
        briefkit.unsubscribe_app(workspace)


def test_waitress_serve_call_starts_it(workspace: Path) -> None:
    """The documented command line: waitress-serve --call briefkit:unsubscribe_app."""
    from mailserver import free_port

    port = free_port()
    command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--call"]
    env = {"BRIEFKIT_UNSUBSCRIBE_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    with subprocess.Popen(
        [*command, "briefkit:unsubscribe_app"], cwd=workspace, env=env, stderr=subprocess.PIPE
    ) as process:
        try:
            base = f"http://127.0.0.1:{port}"
            status = _first_answer(link(base, "c@example.org"))
            assert status == 200
            assert post(link(base, "c@example.org"))[0] == 200
        finally:
            process.terminate()
    assert suppressed(workspace) == ["c@example.org"]


def _first_answer(url: str) -> int:
    """Return the status of the first request the server answers, waiting for it to start."""
    import time

    deadline = time.monotonic() + 20
    while True:
        try:
            return call(url)[0]
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_links_a_list_message_carries_unsubscribe_through_the_endpoint_and_by_mail(
    run_cli: Run,
    served: str,
    plain_server: MailServer,
    inbox: Inbox,
    samples_workspace: Path,
) -> None:
    """What the sent headers hold is what the endpoint and `bounces` accept, end to end."""
    config = samples_workspace / "briefkit.toml"
    config.write_text(config.read_text() + 'unsubscribe_url = "https://lists.example.org/u"\n')
    listed = write(samples_workspace / "readers.txt", "\n".join(READERS) + "\n")
    assert send(run_cli, listed).returncode == 0
    header = {m.recipients[0]: str(m.message["List-Unsubscribe"]) for m in inbox.received}
    https = re.search(r"<(https://[^>]+)>", header["reader2@example.org"])
    mailto = re.search(r"<mailto:[^>]+\?subject=([^>]+)>", header["reader5@example.org"])
    assert https is not None and mailto is not None
    assert post(https[1].replace("https://lists.example.org", served))[0] == 200
    box = make_mbox(
        samples_workspace / "in.mbox", [reply("reader5@example.org", unquote(mailto[1]))]
    )
    assert bounce(run_cli, box).returncode == 0
    assert suppressed(samples_workspace) == ["reader2@example.org", "reader5@example.org"]
    listed.with_name("readers.txt.sent.log").unlink()
    inbox.received.clear()
    again = send(run_cli, listed)
    assert (
        "skipped 2 readers on the suppression list suppressed.txt: 2 unsubscribed" in again.stdout
    )
    assert received_by(inbox) == [
        r for r in READERS if r not in ("reader2@example.org", "reader5@example.org")
    ]
