"""Search on the published page without a server: Chromium types into it, opened from a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import briefkit
from briefkit.config import Labels
from briefkit.delivery.catalogue.entries import Catalogue, FeedWords, Site
from briefkit.delivery.catalogue.page import render_page
from briefkit.delivery.catalogue.page_search import folded
from briefkit.rendering.theme import Theme
from briefkit.text.languages import language_for
from chromium import CHROMIUM, Chromium
from conftest import EPOCH, MINIMAL, ROOT, write

PHONE, DESKTOP = 390, 1280
HOSTILE = "</script><img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
# Each brief by its file name: what its front matter adds to the minimal brief's.
BRIEFS = {
    "economy": (
        "2025-11-20",
        'title: "Café Économie"\nsubtitle: Rupee and yen\nauthors: [Zoë Müller]\n'
        "keywords: [Monsoon, trade]",
    ),
    "lanes": (
        "2025-11-18",
        "title: Shipping lanes\nseries: Indo-Pacific Briefs\nsummary: The ﬁnance of ports.",
    ),
    "bloc": ("2024-05-02", "title: ＡＳＥＡＮ at fifty\nsubtitle: A bloc of ten"),
    "hostile": ("2025-11-10", f"title: {json.dumps('A brief ' + HOSTILE)}"),
}


def _source(date: str, front: str) -> str:
    """Return a brief with its own date and front matter."""
    return MINIMAL.replace("title: A minimal brief\ndate: 2025-11-24", f"{front}\ndate: {date}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Publish four generated briefs, one of them titled with markup and script."""
    root = tmp_path_factory.mktemp("static-search")
    for name, (date, front) in BRIEFS.items():
        write(root / "briefings" / f"{name}.md", _source(date, front))
    write(root / "briefkit.toml", '[organisation]\nname = "Test Unit"\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        report = briefkit.publish(base_url="https://example.org/briefs/", jobs=2)
    assert report.ok, [r.error for r in report.build.failed]
    yield root / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """Start one headless Chromium for the module."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    with Chromium() as chromium:
        yield chromium


def _search(browser: Chromium, query: str) -> tuple[list[str], str, list[str]]:
    """Type a query into the box; return the cards shown, what is announced, the years shown."""
    browser.evaluate("(() => { const box = document.getElementById('find-briefs');"
                     " box.focus(); box.select(); return true; })()")  # fmt: skip
    if query:
        browser.page("Input.insertText", text=query)
    else:
        browser.page("Input.dispatchKeyEvent", type="keyDown", key="Backspace", code="Backspace",
                     windowsVirtualKeyCode=8)  # fmt: skip
        browser.page("Input.dispatchKeyEvent", type="keyUp", key="Backspace", code="Backspace",
                     windowsVirtualKeyCode=8)  # fmt: skip
    found: tuple[list[str], str, list[str]] = browser.evaluate(
        "[[...document.querySelectorAll('li.brief')].filter(c => c.offsetParent !== null)"
        ".map(c => c.id), document.getElementById('find-status').textContent,"
        " [...document.querySelectorAll('section.year')].filter(s => s.offsetParent !== null)"
        ".map(s => s.querySelector('h2').textContent)]"
    )
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "cards"),
    [
        ("ECONOMIE", ["brief-economy"]),  # title, case and accents aside
        ("cafe économie", ["brief-economy"]),  # every word, accents on the query's side
        ("zoe muller", ["brief-economy"]),  # an author
        ("RUPEE", ["brief-economy"]),  # the subtitle
        ("monsoon", ["brief-economy"]),  # a keyword
        ("indo-pacific", ["brief-lanes"]),  # the series
        ("finance", ["brief-lanes"]),  # the summary, whose "ﬁ" is a ligature
        ("asean", ["brief-bloc"]),  # full-width letters
        ("onerror", ["brief-hostile"]),  # markup in a title is text to find, nothing else
        ("briefs", ["brief-lanes"]),
        ("a", ["brief-economy", "brief-lanes", "brief-hostile", "brief-bloc"]),
    ],
)
def test_typing_a_query_leaves_the_matching_cards_and_says_how_many(
    site: Path, browser: Chromium, query: str, cards: list[str]
) -> None:
    browser.open(site / "index.html", DESKTOP, mobile=False)
    shown, said, years = _search(browser, query)
    assert shown == cards
    assert said == f"Showing {len(cards)} of 4 briefs."
    assert years == sorted(
        {"2024" if card == "brief-bloc" else "2025" for card in cards}, reverse=True
    )
    status = "document.getElementById('find-status')"
    assert browser.evaluate(
        f"[{status}.getAttribute('role'), {status}.getAttribute('aria-live')]"
    ) == [
        "status",
        "polite",
    ]


@pytest.mark.slow
def test_a_query_without_a_match_says_so_and_clearing_it_shows_every_brief(
    site: Path, browser: Chromium
) -> None:
    browser.open(site / "index.html", PHONE)
    shown, said, years = _search(browser, "xylophone <b>")
    assert (shown, years) == ([], [])
    assert said == "No brief matches “xylophone <b>”."
    assert browser.evaluate("document.querySelectorAll('#find-status *').length") == 0
    shown, said, years = _search(browser, "")
    assert len(shown) == 4 and said == "" and years == ["2025", "2024"]
    # The box and what it says fit the phone's width.
    edges = browser.evaluate(
        "['form.find', '#find-briefs', '#find-status']"
        ".map(s => document.querySelector(s).getBoundingClientRect().right)"
    )
    assert max(edges) <= PHONE


@pytest.mark.slow
def test_a_title_of_markup_and_script_neither_breaks_the_page_nor_runs(
    site: Path, browser: Chromium
) -> None:
    browser.open(site / "index.html", DESKTOP, mobile=False)
    found = browser.evaluate(
        "[typeof window.pwned, document.querySelectorAll('img[src=x]').length,"
        " document.querySelectorAll('li.brief').length,"
        " [...document.scripts].some(s => s.textContent.includes('pwned')),"
        " document.getElementById('brief-hostile-title').textContent,"
        " document.querySelector('form.find').hidden]"
    )
    assert found == ["undefined", 0, 4, False, f"A brief {HOSTILE}", False]
    assert HOSTILE not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_javascript_there_is_no_search_box_and_every_brief_shows(
    site: Path, browser: Chromium
) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    assert '<form class="find" role="search" hidden>' in page
    browser.page("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(site / "index.html", PHONE)
        found = browser.evaluate(
            "[document.querySelector('form.find').offsetParent === null,"
            " [...document.querySelectorAll('li.brief')].filter(c => c.offsetParent).length]"
        )
    finally:
        browser.page("Emulation.setScriptExecutionDisabled", value=False)
    assert found == [True, 4]


def test_each_card_carries_its_text_folded_as_the_page_s_script_folds_a_query() -> None:
    assert folded("Café  ÉCONOMIE\n Zoë") == "cafe economie zoe"
    assert folded("ﬁnance ＡＳＥＡＮ") == "finance asean"
    # A spacing vowel sign is part of its letter; only nonspacing marks go, as in the script.
    assert folded("भारत") == "भारत"


def test_the_search_box_speaks_the_catalogue_s_language_and_cards_carry_folded_text(
    tmp_path: Path,
) -> None:
    from test_publish import _publication

    briefs = [
        _publication(tmp_path / "a.md", title="Ça <b>va</b>", keywords=("Énergie",)),
        _publication(tmp_path / "b.md", anchor="brief-b", series="Reihe"),
    ]
    words = FeedWords(language_for("de"))
    site = Site(base_url="https://x.example/", title="T", author="Desk", words=words)
    html = render_page(Catalogue.of(site, briefs), Theme.of((ROOT,)), Labels()).decode()
    assert '<label for="find-briefs">Diese Briefings durchsuchen</label>' in html
    assert 'data-shown="{shown} von 2 Briefings angezeigt."' in html
    assert 'data-none="Kein Briefing passt zu „{query}“."' in html
    assert 'data-search="ca &lt;b&gt;va&lt;/b&gt; a. writer energie"' in html
    assert 'data-search="a brief a. writer reihe"' in html
