"""The Word edition: read back with python-docx and its XML, and opened by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from docx.document import Document
from PIL import Image

import briefkit
from briefkit.commands.scaffold import init_workspace
from briefkit.config import find_workspace
from briefkit.errors import BriefkitError
from briefkit.model.brief import CheckedImage
from briefkit.rendering.docx import nodes, pandoc
from briefkit.rendering.docx.package import Properties, finish
from briefkit.rendering.docx.pandoc import write_docx
from briefkit.rendering.docx.stand_ins import StandIns
from briefkit.rendering.fetcher import Fetcher, FetchRefused, media_type
from briefkit.rendering.render import Renderer
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Imprint
from briefkit.sources.loader import load_brief
from briefkit.sources.markup.tokens import of_type
from briefkit.system.deadline import TimeLimitExceeded
from conftest import BRIEFS, EPOCH, ROOT, Run, write

pytestmark = pytest.mark.slow

CHART = BRIEFS / "renderers" / "chart.png"
REFERENCE = ROOT / "templates" / "docx" / "reference.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RICH = """---
title: Ports and power in the Indian Ocean
subtitle: What the new terminals change
date: 2025-11-24
organisation: MGMM
classification: Public
series: Indo-Pacific Briefs
number: 2025/12
language: en-GB
authors:
  - name: Asha Rao
    role: Analyst
keywords: [ports, shipping, India]
summary: Three terminals opened this year.
key_points:
  - Terminal capacity rose by a fifth.
sources:
  port:
    title: Annual port statistics
    publisher: Ministry of Ports
    url: https://example.org/ports
---

## Terminals opened {.fact}

The ministry counted three new terminals[^cap] [@port], among them one named
[विझिंजम]{lang=hi} in its own script; see the [ministry](https://example.org/ministry).

### Capacity by port

| Port | Share |
|:-----|------:|
| Mumbai | 41% |
| Chennai | 23% |

![Bar chart of capacity, Mumbai largest](chart.png "Capacity by port"){width=60% credit="MoP"}

## What it means {.commentary by="The Board"}

We think capacity is no longer the bottleneck.

[^cap]: Capacity is counted in twenty-foot equivalent units.
"""
MOMENT = dt.datetime(2025, 11, 24, 16, 0, tzinfo=dt.UTC)
PROPERTIES = Properties("Title", "Author", "", "", "en", MOMENT, MOMENT)
# Text that another parser would take for markup: raw HTML, LaTeX, pandoc's raw attributes.
HOSTILE_TEXT = (
    '<img src="file:///etc/passwd"> \\input{/etc/passwd} `<w:p/>`{=openxml} '
    "$\\include{/etc/hostname}$ @{file:///etc/passwd}"
)


@pytest.fixture
def rich(workspace: Path) -> Path:
    """Return the source of a brief with every part the Word edition sets."""
    shutil.copy(CHART, workspace / "briefings" / "chart.png")
    return write(workspace / "briefings" / "rich.md", RICH)


def built(run_cli: Run, workspace: Path) -> tuple[Path, str]:
    """Build the Word edition; return its path and its body's XML."""
    build(run_cli)
    out = workspace / "out" / "rich.docx"
    return out, part(out, "word/document.xml")


def build(run_cli: Run, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `briefkit build --format docx` with the arguments, and require it to succeed."""
    result = run_cli("build", "--format", "docx", *args)
    assert result.returncode == 0, result.stderr
    return result


@cache
def _read(data: bytes, name: str) -> str:
    """Return one part of a .docx as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(name).decode("utf-8")


def part(path: Path, name: str) -> str:
    """Return one part of the .docx at path as text."""
    return _read(path.read_bytes(), name)


def opened(path: Path) -> Document:
    """Return the .docx at path opened by python-docx."""
    return docx.Document(str(path))


def styled(document: Document, style: str) -> list[str]:
    """Return the text of every paragraph in a style."""
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def test_sections_are_labelled_in_words_under_real_headings(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    build(run_cli)
    document = opened(workspace / "out" / "rich.docx")
    assert styled(document, "Heading 2")[-3:] == ["Terminals opened", "What it means", "Sources"]
    assert styled(document, "Heading 3") == ["Capacity by port"]
    assert styled(document, "Fact label") == ["Fact"]
    assert styled(document, "Commentary label") == ["Commentary · The Board"]
    assert styled(document, "Commentary") == ["We think capacity is no longer the bottleneck."]
    assert styled(document, "Title") == ["Ports and power in the Indian Ocean"]
    assert styled(document, "Masthead") == ["MGMM · Public"]
    assert styled(document, "Author") == ["Asha Rao, Analyst"]
    # The house's styles are those of the theme's reference document, as it made them.
    assert document.styles["Commentary"].base_style.name == "Body Text"


def test_tables_have_a_header_row_that_repeats_on_every_page(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    build(run_cli)
    table = opened(workspace / "out" / "rich.docx").tables[0]
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Port", "Share"],
        ["Mumbai", "41%"],
        ["Chennai", "23%"],
    ]
    header = table.rows[0]._tr
    assert header.find(f"{W}trPr/{W}tblHeader") is not None


def test_core_properties_name_the_brief(rich: Path, workspace: Path, run_cli: Run) -> None:
    build(run_cli)
    properties = opened(workspace / "out" / "rich.docx").core_properties
    assert properties.title == "Ports and power in the Indian Ocean"
    assert properties.author == "Asha Rao"
    assert properties.subject == "What the new terminals change"
    assert properties.keywords == "ports, shipping, India"
    assert properties.language == "en-GB"
    assert properties.modified.isoformat() == "2025-11-24T16:00:00+00:00"


def test_notes_are_word_footnotes_and_citations_link_to_sources(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    out, body = built(run_cli, workspace)
    notes = part(out, "word/footnotes.xml")
    assert "Capacity is counted in twenty-foot equivalent units." in notes
    assert body.count("<w:footnoteReference") == 1
    # The citation's number is a link to a bookmark on its entry in Sources.
    anchor = re.search(r'<w:hyperlink w:anchor="([^"]+)"', body)
    assert anchor is not None
    assert f'w:name="{anchor.group(1)}"' in body
    assert 'r:id="' in body.split("ministry</w:t>")[0].rsplit("<w:hyperlink", 1)[1]
    sources = styled(opened(out), "Compact")
    assert any(s.startswith("Annual port statistics. Ministry of Ports.") for s in sources)


def test_figures_carry_alt_text_caption_and_credit_and_spans_their_language(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    out, body = built(run_cli, workspace)
    assert 'descr="Bar chart of capacity, Mumbai largest"' in body
    # The image is inside the file once: its address names no file and is not repeated.
    assert "data:" not in body
    captions = styled(opened(out), "Image Caption")
    assert captions == ["Figure 1 Capacity by port Credit: MoP"]
    assert '<w:lang w:val="hi" />' in body
    assert 'w:val="en-GB"' in part(out, "word/styles.xml")


def test_an_arabic_brief_reads_right_to_left(workspace: Path, run_cli: Run) -> None:
    source = ROOT / "briefings" / "languages" / "ar-india-japan-2025-11.md"
    shutil.copy(source, workspace / "briefings" / "ar.md")
    build(run_cli)
    body = part(workspace / "out" / "ar.docx", "word/document.xml")
    paragraphs = body.count("<w:p>") + body.count("<w:p ")
    assert body.count("<w:bidi />") == paragraphs
    # Word keeps the language of right-to-left text in w:bidi, as Word's own Arabic files do.
    assert 'w:bidi="ar"' in part(workspace / "out" / "ar.docx", "word/styles.xml")


def test_the_facts_only_edition_leaves_commentary_out_and_says_so(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    build(run_cli, "--facts-only")
    out = workspace / "out" / "rich-facts-only.docx"
    document = opened(out)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "bottleneck" not in text and "The Board" not in text
    assert styled(document, "Commentary label") == [] and styled(document, "Commentary") == []
    assert document.core_properties.title == "Ports and power in the Indian Ocean (facts only)"
    assert styled(document, "Title") == ["Ports and power in the Indian Ocean (facts only)"]
    assert "Facts-only edition." in styled(document, "Edition note")[0]


def test_the_same_source_gives_the_same_bytes(rich: Path, workspace: Path, run_cli: Run) -> None:
    build(run_cli)
    first = (workspace / "out" / "rich.docx").read_bytes()
    build(run_cli, "--force")
    assert (workspace / "out" / "rich.docx").read_bytes() == first
    later = str(int(EPOCH) + 86400)
    result = run_cli("build", "--format", "docx", "--force", env={"SOURCE_DATE_EPOCH": later})
    assert result.returncode == 0, result.stderr
    again = (workspace / "out" / "rich.docx").read_bytes()
    assert again != first
    assert "2025-11-25T16:00:00Z" in _read(again, "docProps/core.xml")


def test_text_that_looks_like_markup_stays_text(workspace: Path, run_cli: Run) -> None:
    write(
        workspace / "briefings" / "hostile.md",
        f"---\ntitle: Hostile\ndate: 2025-11-24\n---\n\n## Text {{.fact}}\n\n{HOSTILE_TEXT}\n",
    )
    build(run_cli)
    document = opened(workspace / "out" / "hostile.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    # Only the typography of running text changes: the quotation marks are curly.
    assert "<img src=“file:///etc/passwd”>" in text
    assert "\\input{/etc/passwd}" in text and "<w:p/>" in text
    with zipfile.ZipFile(workspace / "out" / "hostile.docx") as package:
        assert not any(name.startswith("word/media/") for name in package.namelist())
        everything = b"".join(package.read(name) for name in package.namelist())
    assert b"root:" not in everything


def test_pandoc_reads_no_file_the_document_names(tmp_path: Path) -> None:
    # An image outside anything briefkit hands pandoc: pandoc's sandbox must not read it.
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(secret)
    document = nodes.document(
        {},
        [
            nodes.para([nodes.image("outside", str(secret))]),
            nodes.para([nodes.image("as a URL", secret.as_uri())]),
        ],
    )
    data = write_docx(document, REFERENCE, dt.datetime(2025, 11, 24, tzinfo=dt.UTC), 60)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert not any(name.startswith("word/media/") for name in package.namelist())


def test_an_image_or_link_the_checks_did_not_pass_is_refused(rich: Path) -> None:
    workspace = find_workspace(rich.parent)
    renderer = Renderer(Theme.for_workspace(workspace))
    imprint = Imprint(workspace.config.labels, dt.datetime(2025, 11, 24, tzinfo=dt.UTC))
    for kind, attribute in (("image", "src"), ("link_open", "href")):
        brief = load_brief(rich).brief
        assert brief is not None
        token = next(of_type(brief.sections[0].tokens, kind))
        token.attrs[attribute] = "file:///etc/passwd"
        with pytest.raises(FetchRefused, match="/etc/passwd"):
            renderer.render(brief, "docx", imprint)


def test_pandoc_is_stopped_at_the_time_limit_and_held_to_its_heap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = nodes.text("word " * 200_000)
    document = nodes.document({}, [nodes.para(words)])
    moment = dt.datetime(2025, 11, 24, tzinfo=dt.UTC)
    with pytest.raises(TimeLimitExceeded, match=r"longer than 0\.01 s"):
        write_docx(document, REFERENCE, moment, 0.01)
    monkeypatch.setattr(pandoc, "HEAP", "4m")
    with pytest.raises(BriefkitError, match=r"pandoc could not write the Word edition: .*[Hh]eap"):
        write_docx(document, REFERENCE, moment, 120)


def test_a_workspace_restyles_the_word_edition_with_its_own_reference(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    own = workspace / "templates" / "docx" / "reference.docx"
    own.parent.mkdir(parents=True)
    with zipfile.ZipFile(REFERENCE) as source, zipfile.ZipFile(own, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/styles.xml":
                data = data.replace(b'w:val="1F3A5F"', b'w:val="C00000"')
            target.writestr(info, data)
    build(run_cli)
    assert 'w:val="C00000"' in part(workspace / "out" / "rich.docx", "word/styles.xml")


def test_a_reference_document_that_is_a_link_is_refused(
    rich: Path, workspace: Path, run_cli: Run
) -> None:
    own = workspace / "templates" / "docx" / "reference.docx"
    own.parent.mkdir(parents=True)
    own.symlink_to(REFERENCE)
    result = run_cli("build", "--format", "docx")
    assert result.returncode == 1
    assert "reference.docx: cannot use it as the Word style" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "out" / "rich.docx").exists()


def test_init_with_theme_copies_the_reference_document(tmp_path: Path) -> None:
    init_workspace(tmp_path, with_theme=True)
    copied = tmp_path / "templates" / "docx" / "reference.docx"
    assert copied.read_bytes() == REFERENCE.read_bytes()


def test_the_reference_document_is_what_its_script_makes(tmp_path: Path) -> None:
    kept = REFERENCE.read_bytes()
    script = ROOT / "scripts" / "make-reference-docx.py"
    try:
        subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
        assert REFERENCE.read_bytes() == kept, "run scripts/make-reference-docx.py and commit"
    finally:
        REFERENCE.write_bytes(kept)


def test_libreoffice_opens_it_with_labels_notes_and_tables(
    rich: Path, workspace: Path, run_cli: Run, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed: run scripts/setup-system.sh --test"
    build(run_cli)
    profile = (tmp_path / "lo-profile").as_uri()
    converted = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(workspace / "out" / "rich.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "pdf" / "rich.pdf"
    assert pdf.is_file(), converted.stderr
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ports and power in the Indian Ocean" in text
    assert "FACT" in text and "COMMENTARY · THE BOARD" in text
    assert "Capacity is counted in twenty-foot equivalent units." in text
    assert "Chennai" in text and "23%" in text
    assert "Figure 1 Capacity by port" in text


def test_the_api_renders_it_and_a_message_attaches_it(rich: Path) -> None:
    loaded = briefkit.load(rich)
    data = briefkit.render(loaded, briefkit.Format.DOCX)
    assert zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml")
    message = briefkit.compose_email(
        loaded, attach=["docx"], sender="desk@example.org", to=["reader@example.org"]
    )
    attached = [(p.get_content_type(), p.get_filename()) for p in message.iter_attachments()]
    assert attached == [
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "rich.docx")
    ]


def _extents(data: bytes) -> list[str]:
    """Return the size of every picture in a .docx, as Word places it."""
    return re.findall(r'<wp:extent cx="\d+" cy="\d+"', _read(data, "word/document.xml"))


@pytest.mark.parametrize(("suffix", "dpi"), [(".png", None), (".jpg", (300, 300)), (".gif", None)])
def test_pictures_are_the_checked_images_placed_as_pandoc_places_them(
    tmp_path: Path, suffix: str, dpi: tuple[int, int] | None
) -> None:
    # pandoc is handed a one-colour stand-in; the file holds the image's own bytes, at the
    # size pandoc gives the image itself.
    path = tmp_path / f"photo{suffix}"
    noise = Image.effect_noise((640, 360), 80).convert("RGB" if suffix != ".gif" else "P")
    noise.save(path, **({"dpi": dpi} if dpi else {}))
    data = path.read_bytes()
    fetcher = Fetcher([tmp_path], images=[CheckedImage(path, data, media_type(path))])
    made = {}
    for name, uri in (("real", fetcher.data_uri), ("stand-in", StandIns(fetcher).uri)):
        document = nodes.document({}, [nodes.para([nodes.image("noise", uri(path))])])
        made[name] = write_docx(document, REFERENCE, MOMENT, 60)
    assert _extents(made["stand-in"]) == _extents(made["real"])
    stand_ins = StandIns(fetcher)
    stand_ins.uri(path)
    finished = finish(made["stand-in"], PROPERTIES, stand_ins.real)
    with zipfile.ZipFile(io.BytesIO(finished)) as package:
        media = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    assert media == [data]


def test_pandoc_opens_only_its_staged_reference_and_reaches_nothing(
    workspace: Path, tmp_path: Path
) -> None:
    assert shutil.which("strace"), "strace is not installed: run scripts/setup-system.sh --test"
    write(
        workspace / "briefings" / "hostile.md",
        f"---\ntitle: Hostile\ndate: 2025-11-24\n---\n\n## Text {{.fact}}\n\n{HOSTILE_TEXT}\n",
    )
    log = tmp_path / "strace.log"
    command = [sys.executable, "-m", "briefkit", "build", "--format", "docx"]
    traced = ["strace", "-f", "-qq", "-e", "trace=open,openat,connect,execve", "-o", str(log)]
    result = subprocess.run([*traced, *command], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = log.read_text().splitlines()
    started = [line.split()[0] for line in lines if "files/pandoc" in line and "execve(" in line]
    assert len(started) == 1
    pandoc_calls = [line for line in lines if line.split()[0] == started[0]]
    opened = [
        re.search(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]+)"', line)
        for line in pandoc_calls
        if "= -1 " not in line
    ]
    paths = {match.group(1) for match in opened if match}
    staged = {path for path in paths if "/briefkit-docx-" in path}
    assert staged and all(path.endswith("/reference.docx") for path in staged)
    assert paths == staged
    assert not any("connect(" in line for line in pandoc_calls)


def test_pandoc_s_cpu_time_is_limited_so_it_stops_without_its_parent() -> None:
    # A worker killed at the time limit cannot stop the pandoc it started: the kernel does.
    document = nodes.document({}, [nodes.para(nodes.text("word " * 150_000))])
    writer = threading.Thread(target=write_docx, args=(document, REFERENCE, MOMENT, 60))
    writer.start()
    limits = ""
    deadline = time.monotonic() + 20
    while writer.is_alive() and time.monotonic() < deadline and "61 " not in limits:
        limits = next((_cpu_limit(child) for child in _pandoc_children()), "")
    writer.join()
    assert re.fullmatch(r"61 +61 +seconds", limits), limits


def _pandoc_children() -> list[Path]:
    """Return the /proc folders of the pandoc processes this process started."""
    found = []
    for folder in Path("/proc").iterdir():
        try:
            stat = (folder / "stat").read_text()
            command = (folder / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"files/pandoc" in command:
            found.append(folder)
    return found


def _cpu_limit(folder: Path) -> str:
    """Return a process's CPU-time limit as /proc shows it: soft, hard, unit."""
    try:
        lines = (folder / "limits").read_text().splitlines()
    except OSError:
        return ""
    return next((line[len("Max cpu time") :].strip() for line in lines if "cpu time" in line), "")
