"""Generated sources, front matter, briefkit.toml and mail headers raise only briefkit's errors.

Hypothesis builds them from the pieces hostile and careless sources are made of, mixed with
arbitrary text. The loader must turn every one into findings; what loads without errors must
render (HTML for many, the mail bodies for fewer, PDF and EPUB for a handful, as they are
slow); a workspace's settings either load or raise BriefkitError; and no title, name or
address, whatever it holds, adds a header to a message. The counts come from the Hypothesis
profile conftest.py loads: several thousand examples in all on CI, a tenth of them elsewhere.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

import briefkit
from briefkit.config import load_config
from briefkit.errors import BriefkitError, Severity
from conftest import EPOCH, examples

HEAD = "---\ntitle: T\ndate: 2025-11-24\nsources:\n  s: {title: S}\n---\n"
BODY_PIECES = [
    *"#[]{}()!^@*_`|>-:.\\<&;= ab1é日ب",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "    ",
    "## A {.fact}\n\n",
    '## B {.commentary by="Desk"}\n\n',
    '## C {.commentary by="\n',
    "## D {.fact #x}\n\n",
    "{lang=ar}",
    "[@s]",
    "[@s; @t]",
    "[-@s]",
    "@s",
    "\\@",
    "[^n]",
    "[^n]: note\n",
    "[^m]: [^n]\n",
    "[x](http://example.org/a)",
    "[x](javascript:alert(1))",
    "[x](#a)",
    "[x](file:///etc/passwd)",
    "<https://example.org>",
    "![alt](missing.png)",
    "![alt](../../etc/hostname)",
    "![alt](http://127.0.0.1:9/x.png)",
    "<script>alert(1)</script>",
    "<iframe src=x>",
    "<style>@import url(x)</style>",
    '<b style="background:url(file:///etc/passwd)">',
    "{{ 7 * 7 }}",
    "{% raw %}",
    "&#x6a;avascript:",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "- item\n",
    "1. item\n",
    "> quote\n",
    "```\ncode\n```\n",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\x07",
    "\x00",
    "\x85",
    "\u2028",
    "\U0001f600",
    "e" + "\u0301" * 30,
    "\u0301",
    "*" * 40,
    "> " * 5,
    "    - ",
]
FRONT_KEYS = [
    "title",
    "date",
    "subtitle",
    "short_title",
    "authors",
    "organisation",
    "series",
    "number",
    "classification",
    "language",
    "summary",
    "key_points",
    "keywords",
    "sources",
    "cover",
    "unknown_key",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["2025-11-24", "2025-02-30", "2025", "en", "ar", "x-klingon", "{{ x }}"]),
    # What YAML escapes write from plain text: controls, reversers, runs of accents.
    st.sampled_from(["\x01", "\x85", "\x7f", "\u202e", "\u2066", "\u200b", "e" + "\u0301" * 31]),
    st.dates(min_value=dt.date(1, 1, 1)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(["title", "url", "name", "s"]), st.text(max_size=6)),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)
YAML_PIECES = [
    *": -[]{}&*!|>'\"#%@`,?\n\t ",
    "title: ",
    "date: ",
    "&a x",
    "*a",
    "!!python/name:os.system",
    "!!binary",
    "<<: ",
    "---",
    "...",
]
TOML_SECTIONS = {
    "organisation": ["name", "url", "logo", "language", "classification", "series", "authors"],
    "labels": ["fact", "commentary", "fact_legend", "commentary_legend"],
    "build": [
        "formats",
        "out",
        "paper",
        "pdf_variant",
        "theme",
        "jobs",
        "toc_min_sections",
        "time_limit",
    ],
    "epub": ["certified_by"],
    "email": ["from", "smtp_host", "smtp_port", "smtp_security", "max_attachments_mb"],
    "publish": ["title", "base_url", "out", "facts_only"],
    "unknown": ["x"],
}
TOML_PIECES = [
    *"[]=\"'{},.#\n ",
    "[build]\n",
    "jobs = ",
    "formats = [",
    '"pdf"',
    "1e9",
    "inf",
    "nan",
    '"\\u0000"',
]


def body_text() -> st.SearchStrategy[str]:
    """Return a strategy for source bodies: Markdown's pieces and arbitrary text, mixed."""
    piece = st.one_of(st.sampled_from(BODY_PIECES), st.text(max_size=8))
    return st.lists(piece, max_size=50).map("".join)


def _load(text: str, folder: Path) -> briefkit.LoadedBrief:
    """Load text as a source in folder; anything but findings fails the test."""
    loaded = briefkit.load_text(text, base_dir=folder / "briefings", workspace=folder)
    lines = text.count("\n") + text.count("\r") + 1
    for finding in loaded.findings:
        assert 0 <= finding.line <= lines, finding.format()
    return loaded


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a workspace with a sender, shared by every example of a test."""
    root = tmp_path_factory.mktemp("properties")
    (root / "briefings").mkdir()
    (root / "briefkit.toml").write_text(
        '[organisation]\nname = "Test Unit"\n\n[email]\nfrom = "Desk <desk@example.org>"\n'
    )
    return root


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render on the tests' clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _ok(loaded: briefkit.LoadedBrief) -> bool:
    """Tell whether a loaded source has no errors."""
    return not any(f.severity is Severity.ERROR for f in loaded.findings)


@settings(max_examples=examples(1500))
@given(body=body_text())
def test_any_body_loads_into_findings(folder: Path, body: str) -> None:
    loaded = _load(HEAD + body, folder)
    if _ok(loaded):
        assert not _refused_characters(body.replace("\r", "\n")), repr(body)


def _refused_characters(text: str) -> list[str]:
    """Return what no source may hold: controls, surrogates, reversers, 31 marks in a row.

    Worked out here from Unicode's own tables, not by briefkit's patterns.
    """
    found = [c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n"]
    found += [c for c in text if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    run = 0
    for c in text:
        run = run + 1 if unicodedata.combining(c) else 0
        if run == 31:
            found.append("a run of 31 marks")
    return found


def _strings(value: Any) -> Iterator[str]:
    """Yield every string in a value, however deep, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend([*item.keys(), *item.values()])
        elif isinstance(item, list | tuple):
            stack.extend(item)


def _front_matter(data: dict[str, Any]) -> str:
    """Write front matter as YAML, or as JSON (which is YAML too) where YAML cannot."""
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return json.dumps(data, default=str)


@settings(max_examples=examples(1000))
@given(data=st.dictionaries(st.sampled_from(FRONT_KEYS), VALUES, max_size=8))
def test_any_front_matter_data_loads_into_findings(folder: Path, data: dict[str, Any]) -> None:
    loaded = _load(f"---\n{_front_matter(data)}---\n\n## A {{.fact}}\n\nx [@s]\n", folder)
    if loaded.brief is not None:
        # YAML escapes make any character from plain text: none that is refused gets through.
        for text in _strings(loaded.brief.meta.model_dump()):
            assert not _refused_characters(text), repr(text)


# Where a front matter's text goes: every one reaches an output, a header or a file name.
PLACES = [
    "subtitle: {}",
    "series: {}",
    "number: {}",
    "summary: {}",
    "authors:\n  - name: {}\n    affiliation: {}",
    "key_points:\n  - {}",
    "keywords: [{}]",
    "sources:\n  s:\n    title: {}\n    publisher: {}",
    "sources:\n  {}: {{title: S}}",
]
ESCAPED = ["\x01", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\u0301" * 31]
ESCAPED_TEXT = st.lists(
    st.one_of(st.sampled_from(ESCAPED), st.text(max_size=6)), min_size=1, max_size=6
).map("".join)


@settings(max_examples=examples(500))
@given(place=st.sampled_from(PLACES), value=ESCAPED_TEXT)
def test_no_refused_character_reaches_front_matter_through_an_escape(
    folder: Path, place: str, value: str
) -> None:
    # JSON's escapes are YAML's too: "\u202e" in the file is U+202E in the value.
    written = place.replace("{}", json.dumps(value))
    loaded = _load(
        f"---\ntitle: T\ndate: 2025-11-24\n{written}\n---\n\n## A {{.fact}}\n\nx\n", folder
    )
    event("refused" if loaded.brief is None else "loaded")
    if loaded.brief is not None:
        for text in _strings(loaded.brief.meta.model_dump()):
            assert not _refused_characters(text), repr(text)


@settings(max_examples=examples(700))
@given(
    text=st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=6)), max_size=40).map(
        "".join
    )
)
def test_any_front_matter_text_loads_into_findings(folder: Path, text: str) -> None:
    _load(f"---\ntitle: T\n{text}\n---\n\n## A {{.fact}}\n\nx\n", folder)


def _toml_value(value: Any) -> str:
    """Write a value as TOML: JSON's strings, numbers and arrays are TOML's too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


TOML_VALUES = st.one_of(
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(["pdf", "epub", "html", "a4", "letter", "ua1", "none", "ssl", "../..", "/etc"]),
    st.lists(st.sampled_from(["pdf", "epub", "html", "docx", 1]), max_size=3),
)


@st.composite
def toml_text(draw: st.DrawFn) -> str:
    """Return a briefkit.toml: known tables and keys with values of any type, or raw pieces."""
    lines = []
    for table in draw(st.lists(st.sampled_from(sorted(TOML_SECTIONS)), max_size=4, unique=True)):
        lines.append(f"[{table}]")
        for key in draw(st.lists(st.sampled_from(TOML_SECTIONS[table]), max_size=4, unique=True)):
            lines.append(f"{json.dumps(key)} = {_toml_value(draw(TOML_VALUES))}")
    raw = draw(st.lists(st.one_of(st.sampled_from(TOML_PIECES), st.text(max_size=4)), max_size=6))
    return "\n".join(lines) + "\n" + "".join(raw)


@settings(max_examples=examples(1000))
@given(text=toml_text())
def test_any_briefkit_toml_loads_or_names_its_problem(folder: Path, text: str) -> None:
    # In a folder of its own: a briefkit.toml above other tests' folders would be theirs too.
    path = folder / "settings" / "briefkit.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except BriefkitError as exc:
        assert str(exc).startswith(f"{path}:"), str(exc)


@settings(max_examples=examples(500))
@given(body=body_text())
def test_what_loads_renders_as_html(folder: Path, body: str) -> None:
    loaded = _load(HEAD + "## A {.fact}\n\nx [@s]\n\n" + body, folder)
    event("rendered" if _ok(loaded) else "refused")
    if _ok(loaded):
        page = briefkit.render(loaded, "html", workspace=folder).decode("utf-8")
        assert "<script>alert" not in page and "<iframe" not in page


@pytest.mark.slow
@settings(max_examples=examples(15))
@given(body=body_text())
def test_what_loads_renders_as_pdf_and_epub(folder: Path, body: str) -> None:
    loaded = _load(HEAD + "## A {.fact}\n\nx [@s]\n\n" + body, folder)
    event("rendered" if _ok(loaded) else "refused")
    if _ok(loaded):
        assert briefkit.render(loaded, "pdf", workspace=folder).startswith(b"%PDF-")
        assert briefkit.render(loaded, "epub", workspace=folder).startswith(b"PK")


TRICKS = [
    "\r\n",
    "\n",
    "\r",
    "\r\nBcc: x@evil.example",
    "\nTo: x@evil.example",
    ":",
    ",",
    ";",
    "<",
    ">",
    '"',
    "\\",
    "=?utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "\u2028",
    "\x85",
    "\x00",
    "@",
]
PLAIN = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
HEADER_TEXT = st.lists(
    st.one_of(PLAIN, PLAIN, st.sampled_from(TRICKS)), min_size=1, max_size=5
).map("".join)
ADDRESSES = st.one_of(
    st.just("a@example.org"),
    HEADER_TEXT.map(lambda name: f"{name} <a@example.org>"),
    HEADER_TEXT.map(lambda name: f'"{name}" <a@example.org>'),
    HEADER_TEXT.map(lambda name: f'"{name}" <a@example.org>'),
    HEADER_TEXT,
)


@settings(max_examples=examples(200))
@given(title=HEADER_TEXT, sender=ADDRESSES, to=ADDRESSES)
def test_no_title_name_or_address_adds_a_header(
    folder: Path, title: str, sender: str, to: str
) -> None:
    source = (
        HEAD.replace("title: T", f"title: {json.dumps(title, ensure_ascii=False)}")
        + "## A {.fact}\n\nx [@s]\n"
    )
    loaded = _load(source, folder)
    if not _ok(loaded):
        event("the title is refused")
        return
    try:
        message = briefkit.compose_email(
            loaded,
            to=[to, "Reader <reader@example.org>"],
            sender=sender,
            workspace=folder,
        )
    except BriefkitError:
        event("an address is refused")
        return
    event("composed")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert set(parsed.keys()) <= set(message.keys())
    assert "Bcc" not in parsed and len(parsed.get_all("To", [])) == 1
    for key in ("To", "From", "Subject"):
        assert "\n" not in str(parsed[key]) and "\r" not in str(parsed[key])
