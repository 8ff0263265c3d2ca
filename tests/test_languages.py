"""Every brief speaks its own language: words, dates, quotation marks and direction.

The German, Japanese and Arabic samples are built to PDF, EPUB and HTML; no fixed English
word briefkit writes may remain in them.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from babel.messages.pofile import read_po

import briefkit
from briefkit.text.languages import language_for, shipped_languages
from conftest import EPOCH, MINIMAL, ROOT, write
from pdftools import poppler

pytestmark = pytest.mark.slow

DATES = {"de": "24. November 2025", "ja": "2025年11月24日", "ar": "24 نوفمبر 2025"}
CATALOGUES = ROOT / "locales"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Build each language sample, full and facts-only, in every format, once."""
    root = tmp_path_factory.mktemp("languages")
    shutil.copytree(ROOT / "briefings" / "languages", root / "briefings")
    outputs: dict[str, dict[str, Path]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.chdir(root)
        for facts_only in (False, True):
            report = briefkit.build(
                workspace=root, formats=["pdf", "epub", "html"], facts_only=facts_only, jobs=1
            )
            assert report.ok, [r.error for r in report.results]
            for result in report.results:
                language = result.source.name[:2] + ("-facts" if facts_only else "")
                outputs[language] = {path.suffix[1:]: path for path in result.outputs}
    return outputs


def _english_words(language: str) -> list[str]:
    """Return the fixed English phrases that a brief in language must not show."""
    with (CATALOGUES / language / "LC_MESSAGES" / "briefkit.po").open("rb") as stream:
        catalog = read_po(stream)
    phrases: list[str] = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or message.context or set(ids) & set(strings):
            continue  # a word the language writes the same way (German "Organisation")
        for msgid in ids:
            phrases += [p.strip(" .,:;()") for p in re.split(r"\{\w+\}", msgid)]
    return sorted({p for p in phrases if len(p) >= 4})


def _plain(content: str) -> str:
    """Return text with bidi controls removed and white space collapsed, as a reader sees it."""
    content = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", content)
    return " ".join(content.split())


def _pdf_text(path: Path) -> str:
    """Return a PDF's text in reading order (not laid out), normalised."""
    return _plain(poppler("pdftotext", str(path), "-"))


def _epub_text(path: Path) -> str:
    """Return every text and attribute a reader or screen reader meets in an EPUB."""
    parts: list[str] = []
    with zipfile.ZipFile(path) as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                root = ET.fromstring(epub.read(name))
                # JSON-LD is data for machines, in English terms: no reader meets it.
                for script in root.iter("{http://www.w3.org/1999/xhtml}script"):
                    script.text = ""
                parts += ["".join(root.itertext())]
                parts += [
                    value
                    for element in root.iter()
                    for key, value in element.attrib.items()
                    if key in ("alt", "aria-label", "title", "content")
                ]
    return _plain("\n".join(parts))


def _html_text(path: Path) -> str:
    """Return the text and the labelling attributes of an HTML page, styles and data left out."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b[^>]*>.*?</\1>", "", page, flags=re.S)
    attributes = re.findall(r'(?:alt|aria-label|title|content)="([^"]*)"', page)
    return _plain(re.sub(r"<[^>]+>", " ", page) + "\n".join(attributes))


@pytest.mark.parametrize("language", ["de", "ja", "ar"])
def test_no_fixed_english_word_remains(language: str, built: dict[str, dict[str, Path]]) -> None:
    for edition in (language, f"{language}-facts"):
        files = built[edition]
        shown = {
            "pdf": _pdf_text(files["pdf"]),
            "epub": _epub_text(files["epub"]),
            "html": _html_text(files["html"]),
        }
        for fmt, content in shown.items():
            left = [
                w for w in _english_words(language) if re.search(rf"\b{re.escape(w)}\b", content)
            ]
            assert left == [], (edition, fmt, left)


@pytest.mark.parametrize("language", ["de", "ja", "ar"])
def test_dates_read_as_natives_write_them(language: str, built: dict[str, dict[str, Path]]) -> None:
    files = built[language]
    # pdftotext reorders right-to-left lines by its own rules; the date's parts share a line.
    lines = [_plain(line) for line in poppler("pdftotext", str(files["pdf"]), "-").splitlines()]
    assert any(all(part in line for part in DATES[language].split()) for line in lines)
    assert DATES[language] in _epub_text(files["epub"])
    assert DATES[language] in _html_text(files["html"])


def test_quotation_marks_follow_the_language(built: dict[str, dict[str, Path]]) -> None:
    assert "„besonderen strategischen und globalen Partnerschaft“" in _html_text(
        built["de"]["html"]
    )
    assert "「特別戦略的グローバル・パートナーシップ」" in _html_text(built["ja"]["html"])
    assert "«شراكة استراتيجية وعالمية خاصة»" in _html_text(built["ar"]["html"])


def test_arabic_reads_right_to_left_in_every_format(built: dict[str, dict[str, Path]]) -> None:
    files = built["ar"]
    assert '<html lang="ar" dir="rtl">' in files["html"].read_text(encoding="utf-8")
    with zipfile.ZipFile(files["epub"]) as epub:
        opf = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
        section = epub.read(next(n for n in epub.namelist() if "text-01" in n)).decode()
    assert 'page-progression-direction="rtl"' in opf
    assert 'dir="rtl"' in section
    # In the PDF the heading "اللقاء في جوهانسبرغ" starts at the right margin and runs left.
    bbox = poppler("pdftotext", "-bbox", "-f", "1", "-l", "2", str(files["pdf"]), "-")
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    first, last = _word_box(bbox, "اللقاء"), _word_box(bbox, "جوهانسبرغ")
    assert first[1] > width - 118  # against the right margin (38 mm)
    assert last[1] < first[0]  # the heading's last word stands left of its first


def _word_box(bbox: str, word: str) -> tuple[float, float]:
    """Return the left and right edges of a word set as a heading (large), in either order."""
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    for left, top, right, bottom, found in re.findall(pattern, bbox):
        if found in (word, word[::-1]) and float(bottom) - float(top) > 26:
            return float(left), float(right)
    raise AssertionError(f"heading word {word} not found in the PDF's text")


def test_every_catalogue_translates_every_word() -> None:
    pot = read_po((CATALOGUES / "briefkit.pot").open("rb"))
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in pot if m.id}
    assert len(shipped_languages()) >= 10
    for language in shipped_languages():
        if language == "en":
            continue
        catalog = read_po((CATALOGUES / language / "LC_MESSAGES" / "briefkit.po").open("rb"))
        have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
        assert set(have) >= wanted, (language, wanted - set(have))
        for key in wanted:
            message = have[key]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings) and not message.fuzzy, (language, key)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            # A translation keeps the placeholders it fills in: {title}, {date}, {number}.
            needed = set(re.findall(r"\{\w+\}", ids[-1])) - {"{count}"}
            allowed = needed | {"{count}"}
            for string in strings:
                found = set(re.findall(r"\{\w+\}", string))
                # Every placeholder kept, and no other: an unknown one would fail to fill in.
                assert needed <= found <= allowed, (language, key, string)


def test_labels_in_briefkit_toml_override_the_language(workspace: Path) -> None:
    write(workspace / "briefkit.toml", '[labels]\nfact = "Gemeldet"\n')
    source = write(
        workspace / "briefings" / "de.md",
        MINIMAL.replace("date: 2025-11-24", "date: 2025-11-24\nlanguage: de"),
    )
    page = briefkit.render(briefkit.load(source), "html").decode()
    assert '<span class="label label--fact">Gemeldet</span>' in page
    assert '<span class="label label--commentary">Kommentar</span>' in page


def test_a_language_without_words_is_said_and_keeps_its_dates(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "nl.md",
        MINIMAL.replace("date: 2025-11-24", "date: 2025-11-24\nlanguage: nl"),
    )
    loaded = briefkit.load(source)
    assert any("no words for 'nl'" in w.message for w in loaded.warnings)
    assert "24 november 2025" in briefkit.render(loaded, "html").decode()
    assert language_for("nl").has_words is False and language_for("de").has_words


def test_french_punctuation_stays_with_its_word(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "fr.md",
        MINIMAL.replace("title: A minimal brief", "title: Un accord ? Oui !")
        .replace("date: 2025-11-24", "date: 2025-11-24\nlanguage: fr")
        .replace(
            "We think it matters.",
            'Deux mots : "défense" et « IA » ; vote à 10:30 sur https://example.org.',
        ),
    )
    loaded = briefkit.load(source)
    page = briefkit.render(loaded, "html").decode()
    # A narrow no-break space before ; ! ?, a no-break space before : and inside guillemets.
    assert "Un accord\u202f? Oui\u202f!" in page
    assert "Deux mots\u00a0: «\u00a0défense\u00a0» et «\u00a0IA\u00a0»\u202f; vote à 10:30" in page
    assert "https://example.org" in page
    english = briefkit.load(
        write(
            workspace / "briefings" / "en.md",
            MINIMAL.replace("We think it matters.", "Really ? Yes : no."),
        )
    )
    assert "Really ? Yes : no." in briefkit.render(english, "html").decode()
