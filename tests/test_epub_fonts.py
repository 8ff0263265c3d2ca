"""Fonts embedded in the EPUB and the HTML page: subsets that draw every character shown."""

from __future__ import annotations

import base64
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from briefkit.rendering.font_subset import SANS, SERIF, characters
from conftest import LANGUAGE_SAMPLES
from test_epub import MULTILINGUAL, SAMPLE, Epub, rendered, text
from test_web import page

pytestmark = pytest.mark.slow

KB = 1000


def shown_characters(epub: Epub) -> set[str]:
    """Return the characters the documents of an EPUB show, spaces and controls aside.

    A script element's text (the JSON-LD that describes the brief) is data, never shown.
    """
    documents = [epub.xhtml(href) for href in epub.spine]
    for document in documents:
        for script in document.iter("{http://www.w3.org/1999/xhtml}script"):
            script.text = ""
    shown = "".join(text(document) for document in documents)
    return {c for c in shown if not c.isspace() and unicodedata.category(c)[0] != "C"}


def embedded(epub: Epub) -> dict[str, TTFont]:
    """Return the package's fonts by file name, read by fontTools."""
    fonts = {}
    for item in epub.manifest.values():
        if item.get("media-type", "").startswith("font/"):
            href = item.get("href", "")
            fonts[href] = TTFont(io.BytesIO(epub.read(href)))
    return fonts


def font_bytes(data: bytes) -> int:
    """Return how many compressed bytes the fonts and their stylesheet add to an EPUB."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    return sum(
        info.compress_size
        for info in archive.infolist()
        if "/fonts/" in info.filename or info.filename.endswith("styles/fonts.css")
    )


def test_multilingual_epub_embeds_fonts_for_every_character_it_shows() -> None:
    data = rendered(MULTILINGUAL)
    epub = Epub(data)
    fonts = embedded(epub)
    families = {font["name"].getDebugName(1) for font in fonts.values()}
    assert families == {
        "Noto Serif",
        "Noto Sans",
        "Noto Serif Devanagari",
        "Noto Sans Devanagari",
        "Noto Serif CJK JP",
        "Noto Sans CJK JP",
    }
    drawn = set().union(*(font.getBestCmap() for font in fonts.values()))
    missing = {c for c in shown_characters(epub) if ord(c) not in drawn}
    assert missing == set()
    # The regular serif and sans faces each draw the whole text between their families.
    for chain in ("Noto Serif", "Noto Sans"):
        regular = [
            set(font.getBestCmap())
            for font in fonts.values()
            if (font["name"].getDebugName(1) or "").startswith(chain)
            and font["name"].getDebugName(2) == "Regular"
        ]
        assert {c for c in shown_characters(epub) if ord(c) not in set().union(*regular)} == set()
    assert len(data) < 1_500 * KB
    print(f"multilingual EPUB: {len(data) / KB:.1f} kB, fonts {font_bytes(data) / KB:.1f} kB")


def test_latin_only_epub_embeds_only_latin_fonts_and_stays_small() -> None:
    data = rendered(SAMPLE)
    epub = Epub(data)
    names = sorted(Path(href).name for href in embedded(epub))
    assert names == [
        "NotoSans-Bold.ttf",
        "NotoSans-BoldItalic.ttf",
        "NotoSans-Italic.ttf",
        "NotoSans-Regular.ttf",
        "NotoSerif-Bold.ttf",
        "NotoSerif-BoldItalic.ttf",
        "NotoSerif-Italic.ttf",
        "NotoSerif-Regular.ttf",
    ]
    assert font_bytes(data) < 150 * KB
    print(f"Latin-only EPUB: {len(data) / KB:.1f} kB, fonts {font_bytes(data) / KB:.1f} kB")


def test_fonts_are_declared_apart_from_the_reader_safe_stylesheet() -> None:
    epub = Epub(rendered(MULTILINGUAL))
    css = epub.read("styles/fonts.css").decode()
    rules = re.findall(r"@font-face\s*\{([^}]*)\}", css)
    fonts = embedded(epub)
    assert len(rules) == len(fonts)
    for rule in rules:
        url = re.search(r"src: url\(\.\./([^)]+)\) format\(\"(truetype|opentype)\"\)", rule)
        assert url is not None, rule
        assert url.group(1) in fonts
    # Nothing but @font-face: the families are named, and may be overridden, in epub.css.
    assert re.sub(r"/\*.*?\*/|@font-face\s*\{[^}]*\}", "", css, flags=re.S).strip() == ""
    media = {i.get("href"): i.get("media-type") for i in epub.manifest.values()}
    assert {media[href] for href in fonts} == {"font/ttf", "font/otf"}
    for href in epub.spine:
        links = [
            link.get("href") for link in epub.xhtml(href).iter("{http://www.w3.org/1999/xhtml}link")
        ]
        assert links == ["styles/fonts.css", "styles/epub.css"], href


def test_subsets_keep_the_fonts_licence_and_are_the_same_each_time() -> None:
    epub = Epub(rendered(MULTILINGUAL))
    for href, font in embedded(epub).items():
        assert "Open Font License" in (font["name"].getDebugName(13) or ""), href
        assert "hdmx" not in font and "fpgm" not in font, href  # hinting dropped
    again = Epub(rendered(MULTILINGUAL, facts_only=False))
    assert {h: epub.read(h) for h in embedded(epub)} == {h: again.read(h) for h in embedded(again)}


def test_a_family_of_another_script_is_embedded_only_when_the_text_uses_it() -> None:
    # The Arabic sample needs Naskh and Sans Arabic, and no Devanagari or Japanese.
    arabic = next(p for p in LANGUAGE_SAMPLES if p.name.startswith("ar-"))
    families = {font["name"].getDebugName(1) for font in embedded(Epub(rendered(arabic))).values()}
    assert families == {"Noto Serif", "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic"}
    assert {f.faces[0].family for f in SERIF[1:]} | {f.faces[0].family for f in SANS[1:]} >= {
        "Noto Naskh Arabic",
        "Noto Sans Arabic",
    }


def test_characters_keep_both_cases_and_ascii() -> None:
    points = characters("ß é\n")
    assert {ord("S"), ord("É"), ord("ß"), ord("~")} <= points
    assert ord("\n") not in points


def test_html_page_embeds_woff2_subsets_for_its_text() -> None:
    html = page(MULTILINGUAL).decode()
    uris = re.findall(r'url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\) format\("woff2"\)', html)
    assert len(uris) == 16
    cmaps: set[int] = set()
    for uri in uris:
        font = TTFont(io.BytesIO(base64.b64decode(uri)))
        assert font.flavor == "woff2"
        cmaps |= set(font.getBestCmap())
    for name in ("नरेन्द्र मोदी", "高市早苗"):
        assert {ord(c) for c in name if not c.isspace()} <= cmaps
    assert "url(http" not in html and "url(file" not in html  # one self-contained file
