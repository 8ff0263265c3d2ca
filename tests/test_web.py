"""The HTML page as a phone and a desktop browser show it: headless Chromium over DevTools."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefkit.config import find_workspace
from briefkit.model.choices import Format
from briefkit.rendering.render import Renderer
from briefkit.rendering.theme import Theme
from briefkit.rendering.view import Imprint
from briefkit.sources.loader import load_brief
from chromium import CHROMIUM, Chromium
from conftest import BRIEFS, CORRECTED, EPOCH, MINIMAL, ROOT, SAMPLES, Run, write

pytestmark = pytest.mark.slow

MODIFIED = dt.datetime(2025, 11, 24, 16, 0, tzinfo=dt.UTC)
WIDE_TABLE = BRIEFS / "web" / "wide-table.md"
MULTILINGUAL = BRIEFS / "epub" / "multilingual.md"
PHONE = 390
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


@cache
def page(path: Path) -> bytes:
    """Return the HTML page of a brief, rendered with its workspace's theme."""
    loaded = load_brief(path, find_workspace(path.parent).config.brief_defaults())
    assert loaded.brief is not None, loaded.findings
    workspace = find_workspace(path.parent)
    renderer = Renderer(Theme.for_workspace(workspace))
    edition = Imprint(workspace.config.labels, MODIFIED)
    return renderer.render(loaded.brief, Format.HTML, edition).data


def saved(path: Path, folder: Path) -> Path:
    target = folder / f"{path.stem}.html"
    target.write_bytes(page(path))
    return target


@pytest.fixture(scope="module")
def browser() -> object:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    with Chromium() as chromium:
        yield chromium


def test_same_input_gives_identical_bytes_from_one_process_to_the_next(
    tmp_path: Path, run_cli: Run
) -> None:
    # Each process cuts its own font subsets: they, and so the files, must come out the same.
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        result = run_cli(
            "build", str(MULTILINGUAL), "--format", "html", "--format", "epub", "--out", str(out),
            env={"SOURCE_DATE_EPOCH": EPOCH},
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append({p.name: p.read_bytes() for p in out.glob("multilingual.*")})
    assert set(outputs[0]) == {"multilingual.html", "multilingual.epub"}
    assert outputs[0] == outputs[1]


@needs_chromium
@pytest.mark.parametrize("path", [WIDE_TABLE, *SAMPLES], ids=lambda p: p.stem)
def test_a_phone_never_scrolls_the_page_sideways(
    path: Path, browser: Chromium, tmp_path: Path
) -> None:
    browser.open(saved(path, tmp_path), PHONE)
    assert browser.evaluate("document.documentElement.scrollWidth") <= PHONE


@needs_chromium
def test_a_wide_table_scrolls_in_its_own_box(browser: Chromium, tmp_path: Path) -> None:
    browser.open(saved(WIDE_TABLE, tmp_path), PHONE)
    box = browser.evaluate(
        "(() => { const b = document.querySelector('.table-scroll');"
        " return [b.clientWidth, b.scrollWidth, getComputedStyle(b).overflowX, b.tabIndex,"
        " b.getAttribute('role'), b.getAttribute('aria-label'), b.firstElementChild.tagName]; })()"
    )
    client, scroll, overflow, tab_index, role, name, child = box
    assert scroll > client  # the table is wider than the phone, and scrolls within its box
    assert client <= PHONE
    assert (overflow, tab_index, role, name, child) == ("auto", 0, "region", "Table", "TABLE")


@needs_chromium
def test_devanagari_and_latin_are_drawn_with_embedded_fonts(
    browser: Chromium, tmp_path: Path
) -> None:
    browser.open(saved(MULTILINGUAL, tmp_path), PHONE)
    for selector, family in [
        ("span[lang=hi]", "Noto Serif Devanagari"),
        ("span[lang=ja]", "Noto Serif CJK JP"),
        ("h1.title", "Noto Sans"),
        (".label--fact", "Noto Sans"),
        (".section-body p", "Noto Serif"),
    ]:
        fonts = browser.fonts_of(selector)
        assert family in [f["familyName"] for f in fonts], (selector, fonts)
        assert all(f["isCustomFont"] for f in fonts), (selector, fonts)


@needs_chromium
@pytest.mark.parametrize("width", [PHONE, 1280])
def test_contents_links_start_with_the_label_and_keep_titles_beside_it(
    width: int, browser: Chromium, tmp_path: Path
) -> None:
    sample = next(p for p in SAMPLES if p.stem.startswith("india-japan"))
    browser.open(saved(sample, tmp_path), width, mobile=width == PHONE)
    rows = browser.evaluate(
        "[...document.querySelectorAll('.toc-entry a')].filter(a => a.querySelector('.toc-kind'))"
        ".map(a => { const k = a.querySelector('.toc-kind').getBoundingClientRect();"
        " const t = a.querySelector('.toc-title'); const r = t.getBoundingClientRect();"
        " return [getComputedStyle(a).textDecorationLine, getComputedStyle(t).textDecorationLine,"
        " r.left - k.right, r.right <= document.documentElement.clientWidth]; })"
    )
    assert rows
    for link, title, gap, fits in rows:
        # Only the title is underlined; every line of it starts right of the label column.
        assert (link, title, fits) == ("none", "underline", True)
        assert gap > 0


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        values = [int(v) / 255 for v in re.findall(r"\d+", colour)[:3]]
        linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@needs_chromium
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_labels_and_the_commentary_tint_stay_distinct(
    dark: bool, browser: Chromium, tmp_path: Path
) -> None:
    browser.open(saved(MULTILINGUAL, tmp_path), 1280, dark=dark, mobile=False)
    styles = browser.evaluate(
        "Object.fromEntries(['.label--fact', '.label--commentary', '.section--commentary', 'body']"
        ".map(s => { const c = getComputedStyle(document.querySelector(s));"
        " return [s, [c.color, c.backgroundColor, c.borderTopColor]]; }))"
    )
    paper = styles["body"][1]
    assert (contrast(paper, "rgb(0, 0, 0)") < 2) == dark  # the scheme asked for is used
    for label in (".label--fact", ".label--commentary"):
        colour, background, border = styles[label]
        assert contrast(colour, background) >= 7, (label, styles[label])
        assert contrast(border, paper) >= 4.5, (label, styles[label])
    # Fact is outlined on the paper, commentary reversed out: one reads light-on-dark, the
    # other dark-on-light, in either scheme.
    fact, commentary = styles[".label--fact"], styles[".label--commentary"]
    assert contrast(fact[1], paper) < 1.2
    assert contrast(commentary[1], paper) >= 7
    tint = styles[".section--commentary"][1]
    assert 1.05 < contrast(tint, paper) < 2, (tint, paper)


def test_citations_link_each_number_in_order_and_name_sources_as_sentences_do() -> None:
    india = page(ROOT / "briefings" / "india-japan-2025-11.md").decode()
    assert (
        'framed by what <span class="narrative-citation">India’s Ministry of External Affairs '
        '<span class="citation" id="_cite2">[<a href="#_src2">2</a>]</span></span>'
    ) in india
    talent = page(ROOT / "briefings" / "talent-mobility-2025-11.md").decode()
    linked = '[<a href="#_src2">2</a>, <a href="#_src3">3</a>]</span>'
    assert re.search(f'<span class="citation" id="_cite\\d+">{re.escape(linked)}', talent)


@needs_chromium
@pytest.mark.parametrize("width", [PHONE, 1280])
def test_a_figure_is_as_wide_as_asked_with_its_caption_under_it(
    width: int, browser: Chromium, tmp_path: Path
) -> None:
    from PIL import Image

    Image.new("RGB", (1600, 900), "white").save(tmp_path / "chart.png")
    Image.new("RGB", (600, 1200), "white").save(tmp_path / "tall.png")
    shown = (
        '![A](chart.png "Sixty"){width=60%}\n\n![B](chart.png "Full"){width=100%}\n\n'
        '![C](chart.png "Twelve"){width=12cm}\n\n![D](tall.png "Tall")'
    )
    source = tmp_path / "figures.md"
    front = "---\ntitle: Figures\ndate: 2025-11-24\nsources:\n  s: {title: S}\n---\n\n"
    source.write_text(f"{front}## Charts {{.fact}}\n\n{shown}\n\nAs drawn [@s].\n")
    browser.open(saved(source, tmp_path), width, mobile=width == PHONE)
    figures = browser.evaluate(
        "[...document.querySelectorAll('figure')].map(f => { const i = f.querySelector('img')"
        ".getBoundingClientRect(); const c = f.querySelector('figcaption').getBoundingClientRect();"
        " return [i.left, i.width, i.height, c.left, c.width, f.parentElement.clientWidth]; })"
    )
    sixty, full, twelve, tall = figures
    for left, across, _, caption_left, caption_width, _ in figures:
        assert abs(caption_left - left) < 1 and abs(caption_width - across) < 1
    column = full[5]
    assert abs(full[1] - column) < 1 and abs(sixty[1] - 0.6 * column) < 1
    assert abs(twelve[1] - min(column, 120 / 25.4 * 96)) < 1  # 12 cm, or the phone's column
    assert tall[2] <= 0.8 * 844 + 1  # a tall chart fits on the screen, whole
    assert browser.evaluate("document.documentElement.scrollWidth") <= width


# Corrections and citing ---------------------------------------------------------------------


def corrected_page(folder: Path, published: str | None = None) -> Path:
    """Write and render the corrected brief; return its saved page."""
    source = folder / "briefings" / "corrected.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(CORRECTED, encoding="utf-8")
    loaded = load_brief(source)
    assert loaded.brief is not None, loaded.findings
    renderer = Renderer(Theme.for_workspace(find_workspace(folder)))
    edition = Imprint(find_workspace(folder).config.labels, MODIFIED, published=published)
    target = folder / "corrected.html"
    target.write_bytes(renderer.render(loaded.brief, Format.HTML, edition).data)
    return target


class _Metas(HTMLParser):
    """Collect a page's <meta name content> pairs in order (Open Graph's property as a name)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name") or named.get("property")
        if tag == "meta" and name:
            self.found.append((name, str(named.get("content"))))


def test_reference_managers_find_citation_tags_in_the_head(tmp_path: Path) -> None:
    html = corrected_page(tmp_path, "https://example.org/b/corrected.pdf").read_text()
    metas = _Metas()
    metas.feed(html[: html.index("</head>")])
    assert [(n, c) for n, c in metas.found if n.startswith("citation_")] == [
        ("citation_title", "A minimal brief"),
        ("citation_author", "Asha Rao"),
        ("citation_author", "Kenji Sato"),
        ("citation_publication_date", "2025/11/24"),
        ("citation_language", "en"),
        ("citation_publisher", "MGMM"),
        ("citation_technical_report_institution", "MGMM"),
        ("citation_technical_report_number", "2025/11"),
        ("citation_doi", "10.5555/example.2025.11"),
        ("citation_pdf_url", "https://example.org/b/corrected.pdf"),
    ]
    # The page says it was modified on its latest correction.
    assert ("dcterms.modified", "2025-11-28T00:00:00Z") in metas.found
    body = " ".join(re.sub(r"<[^>]+>", "", html[html.index("<body") :]).split())
    assert "Corrections Corrected November 28, 2025: The meeting was the leaders’ first" in body
    assert (
        "Cite this brief Asha Rao and Kenji Sato (2025). A minimal brief. Indo-Pacific Briefs "
        "· No. 2025/11. MGMM. https://doi.org/10.5555/example.2025.11"
    ) in body
    assert '<a class="url" href="https://doi.org/10.5555/example.2025.11">' in html


@needs_chromium
def test_a_phone_shows_the_corrections_and_the_reference_without_scrolling_sideways(
    browser: Chromium, tmp_path: Path
) -> None:
    browser.open(corrected_page(tmp_path), PHONE, mobile=True)
    assert browser.evaluate("document.documentElement.scrollWidth") <= PHONE
    boxes = browser.evaluate(
        "['.corrections', '.cite-this'].map(s => { const r = document.querySelector(s)"
        ".getBoundingClientRect(); return [r.left >= 0, r.right <= 390, r.height > 0]; })"
    )
    assert boxes == [[True, True, True], [True, True, True]]


# Every brief fits a phone ----------------------------------------------------------------------

LONG_URL = ("https://example.org/" + "/".join(["averyveryverylongpathsegment"] * 7))[:200]
IDENTIFIER = "ISBN-978-" + "0123456789" * 6
DOI = "10.5555/" + "abcdefghij" * 8
CJK_RUN = "日本とインドは首脳会談で経済安全保障と半導体供給網の強靭化について合意した" * 4
EIGHT_COLUMNS = (
    "| " + " | ".join(f"Column heading {n}" for n in range(8)) + " |\n"
    + "|" + "---|" * 8 + "\n"
    + ("| " + " | ".join("1,234,567" for _ in range(8)) + " |\n") * 2
)  # fmt: skip
# What each generated brief holds that is wider than a phone: its front matter, its body.
HAZARDS = {
    "url-in-text": ("", f"See {LONG_URL} for the details [@s]."),
    "url-as-link-text": ("", f"See [{LONG_URL}]({LONG_URL}) [@s]."),
    "url-in-heading": ("", f"### {LONG_URL}\n\nUnder it [@s]."),
    "url-in-sources": (f'sources:\n  s: {{title: A source, url: "{LONG_URL}"}}', "Cited [@s]."),
    "url-in-caption": ("", f'![A chart](chart.png "Chart from {LONG_URL}"){{credit="{LONG_URL}"}}'),
    "url-in-note": ("", "Noted[^n] [@s].\n\n[^n]: Read at " + LONG_URL),
    "url-in-summary": (f'summary: "See {LONG_URL}"', "Cited [@s]."),
    "eight-columns": ("", f"{EIGHT_COLUMNS}\nAfter the table [@s]."),
    "cjk-run": ("", f"{CJK_RUN}[@s]。"),
    "cjk-name": ("", f"Named [{CJK_RUN}]{{lang=ja}} [@s]."),
    "long-locator": ("", "Cited [see @s, " + ", ".join(f"table {n}" for n in range(30)) + "]."),
    "identifiers": (
        f"title: A brief{IDENTIFIER}\norganisation: MGMM{IDENTIFIER}\n"
        f"classification: Public{IDENTIFIER}\nseries: Briefs{IDENTIFIER}\n"
        f"number: {IDENTIFIER}\ndoi: {DOI}\nsubtitle: {IDENTIFIER}\n"
        f"authors: [{{name: Asha{IDENTIFIER}, role: Desk{IDENTIFIER}}}]\n"
        f"key_points: ['{IDENTIFIER}']",
        f"Identifier {IDENTIFIER}, DOI doi:{DOI}, code `{IDENTIFIER}` [@s].",
    ),
}


def generated_brief(folder: Path, front: str, body: str, language: str = "en-GB") -> Path:
    """Write a brief of five sections, the first holding body, with a chart it may show.

    front holds lines of front matter; title, date, language and sources have defaults.
    """
    from PIL import Image

    Image.new("RGB", (1600, 900), "white").save(folder / "chart.png")
    given = set(re.findall(r"^(\w+):", front, re.MULTILINE))
    defaults = {
        "title": "A generated brief",
        "date": "2025-11-24",
        "language": language,
        "sources": "\n  s: {title: A source}",
    }
    lines = [f"{key}: {value}" for key, value in defaults.items() if key not in given]
    sections = [f"## What happened {{.fact}}\n\n{body}\n"]
    sections += [f"## Section {n} {{.fact}}\n\nText [@s].\n" for n in range(3)]
    sections.append('## Our view {.commentary by="MGMM"}\n\nWe think so.\n')
    source = folder / "generated.md"
    matter = "\n".join(["---", *lines, front, "---", "", *sections])
    source.write_text(matter, encoding="utf-8")
    return source


# Every element and every run of text outside the table's scroll box, if it reaches past the
# viewport's edges.
OUTSIDE_THE_PHONE = """(() => {
  const width = document.documentElement.clientWidth, found = [];
  const past = (r) => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
  const shown = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
  const walker = document.createTreeWalker(document.body, shown);
  for (let node = walker.currentNode; node; node = walker.nextNode()) {
    const element = node.nodeType === 1 ? node : node.parentElement;
    if (element.closest('.table-scroll > *')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = node.nodeType === 1 ? node.getBoundingClientRect() : range.getBoundingClientRect();
    if (past(rect)) found.push([element.tagName + '.' + element.className, rect.left, rect.right]);
  }
  return found;
})()"""


@needs_chromium
@pytest.mark.parametrize("hazard", list(HAZARDS))
@pytest.mark.parametrize("language", ["en-GB", "ar"])
def test_nothing_wider_than_a_phone_makes_the_page_scroll_sideways(
    hazard: str, language: str, browser: Chromium, tmp_path: Path
) -> None:
    front, body = HAZARDS[hazard]
    browser.open(saved(generated_brief(tmp_path, front, body, language), tmp_path), PHONE)
    assert browser.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert browser.evaluate("window.innerWidth") == PHONE  # the phone did not zoom out
    assert browser.evaluate(OUTSIDE_THE_PHONE) == []


# Type sized for screens --------------------------------------------------------------------

# A brief with every kind of small text the page has: masthead, series, byline, corrections,
# summary, key points, legend, contents, labels, captions, a table, a note, quotes, sources.
EVERYTHING = (
    "organisation: MGMM\nclassification: Public\nseries: Briefs\nnumber: 2025/11\n"
    "authors: [{name: Asha Rao, role: Desk}]\ndoi: 10.5555/example\n"
    "summary: The leaders met and agreed to work together.\nkey_points: [They met.]\n"
    "corrections: [{date: 2025-11-26, text: The date was wrong.}]\n"
    "sources:\n  s: {title: A source, publisher: MGMM, date: 2025-11, url: 'https://example.org/',"
    " accessed: 2025-11-24}",
    '![A chart](chart.png "A chart"){credit="MGMM"}\n\n| Year | Figure |\n|---|---|\n'
    "| 2025 | 12 [@s] |\n\nNoted[^n] [see @s, p. 4].\n\n> Quoted.\n\n- Listed.\n\n"
    "[^n]: A note [@s].",
)
# Each run of text on the page, as the element that holds it, and its size in pixels.
TEXT_SIZES = """[...document.querySelectorAll('body *')].filter(e => e.getClientRects().length
  && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => [e.tagName + '.' + e.className, parseFloat(getComputedStyle(e).fontSize)])"""


@needs_chromium
@pytest.mark.parametrize("width", [PHONE, 1280])
def test_nothing_a_reader_reads_is_smaller_than_14_px_and_the_summary_leads(
    width: int, browser: Chromium, tmp_path: Path
) -> None:
    brief = generated_brief(tmp_path, *EVERYTHING)
    browser.open(saved(brief, tmp_path), width, mobile=width == PHONE)
    sizes = browser.evaluate(TEXT_SIZES)
    held = {element for element, _ in sizes}
    assert {"SPAN.caption", "SPAN.credit", "TD.", "SPAN.toc-kind", "TIME.", "DD."} <= held
    assert [(element, size) for element, size in sizes if size < 14] == []
    body, summary = browser.evaluate(
        "['.section-body p', '.summary p'].map(s =>"
        " parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
    )
    assert summary >= body >= 16


@needs_chromium
@pytest.mark.parametrize("width", [PHONE, 1280])
def test_the_contents_keep_clear_of_the_legend_rule(
    width: int, browser: Chromium, tmp_path: Path
) -> None:
    browser.open(saved(generated_brief(tmp_path, *EVERYTHING), tmp_path), width)
    gap = browser.evaluate(
        "document.querySelector('.toc h2').getBoundingClientRect().top"
        " - document.querySelector('.legend').getBoundingClientRect().bottom"
    )
    assert gap >= 16


# The characters on each full line of a paragraph: a line ends where the next character starts
# left of it (every paragraph measured is left to right).
LINE_LENGTHS = """[...document.querySelectorAll('.section-body > p')].flatMap(p => {
  const lines = [0], range = document.createRange();
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let left = -Infinity;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (rect.left < left - 50) lines.push(0);
      left = rect.left;
      lines[lines.length - 1] += 1;
    }
  }
  return lines.slice(0, -1);
})"""


@needs_chromium
def test_a_desktop_line_of_body_text_holds_60_to_75_characters(
    browser: Chromium, tmp_path: Path
) -> None:
    sample = next(p for p in SAMPLES if p.stem.startswith("india-japan"))
    browser.open(saved(sample, tmp_path), 1280, mobile=False)
    lines = browser.evaluate(LINE_LENGTHS)
    assert len(lines) > 20
    assert 60 <= sum(lines) / len(lines) <= 75, lines
    assert all(50 <= line <= 85 for line in lines), lines


# Link previews ---------------------------------------------------------------------------------

BASE_URL = "https://example.org/briefs/"
PREVIEWED = MINIMAL.replace(
    "date: 2025-11-24\n",
    "date: 2025-11-24\nlanguage: en-GB\nsubtitle: And why it matters\n"
    "summary: The leaders met & agreed.\n",
)


def social_tags(html: str) -> dict[str, str]:
    """Return a page's Open Graph and Twitter card tags by property or name; each once."""
    metas = _Metas()
    metas.feed(html[: html.index("</head>")])
    tags = [
        (name, content) for name, content in metas.found if name.startswith(("og:", "twitter:"))
    ]
    assert len(dict(tags)) == len(tags), tags
    return dict(tags)


def test_a_published_link_previews_the_brief_with_its_page_and_cover(tmp_path: Path) -> None:
    import briefkit

    write(tmp_path / "briefings" / "talks" / "met.md", PREVIEWED)
    write(
        tmp_path / "briefkit.toml",
        f'[organisation]\nname = "MGMM"\n\n[publish]\nbase_url = "{BASE_URL}"\n',
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert briefkit.publish(workspace=tmp_path, facts_only=True, jobs=1).ok
        for facts_only in (False, True):
            built = briefkit.build(
                workspace=tmp_path, out=tmp_path / "out", formats=["html"], facts_only=facts_only
            )
            assert built.ok
    for stem, title in [
        ("met", "A minimal brief"),
        ("met-facts-only", "A minimal brief (facts only)"),
    ]:
        tags = social_tags((tmp_path / "out" / "talks" / f"{stem}.html").read_text())
        assert tags == {
            "og:type": "article",
            "og:title": title,
            "og:description": "The leaders met & agreed.",
            "og:url": f"{BASE_URL}talks/{stem}.html",
            "og:site_name": "MGMM",
            "og:locale": "en_GB",
            "og:image": f"{BASE_URL}talks/{stem}.thumbnail.jpg",
            "og:image:alt": f"Cover of {title}",
            "twitter:card": "summary",
            "twitter:title": title,
            "twitter:description": "The leaders met & agreed.",
            "twitter:image": f"{BASE_URL}talks/{stem}.thumbnail.jpg",
            "twitter:image:alt": f"Cover of {title}",
        }
        # The preview's image is the thumbnail publish wrote, where the address says.
        assert (tmp_path / "site" / "talks" / f"{stem}.thumbnail.jpg").is_file()


def test_an_unpublished_page_previews_without_an_address_or_a_cover(tmp_path: Path) -> None:
    source = write(
        tmp_path / "met.md", PREVIEWED.replace("summary: The leaders met & agreed.\n", "")
    )
    tags = social_tags(page(source).decode())
    # Without [publish] base_url nothing says where the page or its cover will be.
    assert tags == {
        "og:type": "article",
        "og:title": "A minimal brief",
        "og:description": "And why it matters",
        "og:locale": "en_GB",
        "twitter:card": "summary",
        "twitter:title": "A minimal brief",
        "twitter:description": "And why it matters",
    }
