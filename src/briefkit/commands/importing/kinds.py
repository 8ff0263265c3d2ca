"""Suggest each imported section's kind: commentary by its heading or its words, else fact.

A publisher's own view often stands under a heading that says so ("Outlook", "Our view",
"Analysis", "Opinion", "Comment", "Assessment"), in each language briefkit has words for, or
under none at all; then the opinion check that reads fact sections (first person, evaluative
adverbs, puffery, loaded labels, prescriptions) finds it. A suggestion is never a
confirmation: the writer marks each kind ``.unconfirmed`` until a person has read the section.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from briefkit.errors import Findings, Severity
from briefkit.model.brief import SectionKind
from briefkit.sources.markup.markdown import parse
from briefkit.sources.opinion.check import check_opinion
from briefkit.sources.sections import split_sections
from briefkit.text.languages import language_for

# Words of a heading over the publisher's own view, by language (the languages of locales/).
COMMENTARY_HEADINGS: dict[str, tuple[str, ...]] = {
    "en": (
        "outlook",
        "our view",
        "our take",
        "analysis",
        "opinion",
        "comment",
        "commentary",
        "assessment",
        "editorial",
        "viewpoint",
    ),
    "de": (
        "ausblick",
        "unsere sicht",
        "unsere einschätzung",
        "analyse",
        "meinung",
        "kommentar",
        "einschätzung",
        "bewertung",
        "leitartikel",
    ),
    "fr": (
        "perspectives",
        "notre point de vue",
        "notre analyse",
        "analyse",
        "opinion",
        "commentaire",
        "évaluation",
        "éditorial",
        "point de vue",
    ),
    "es": (
        "perspectivas",
        "nuestra opinión",
        "nuestra visión",
        "análisis",
        "opinión",
        "comentario",
        "evaluación",
        "valoración",
        "editorial",
    ),
    "it": (
        "prospettive",
        "il nostro punto di vista",
        "la nostra opinione",
        "analisi",
        "opinione",
        "commento",
        "valutazione",
        "editoriale",
    ),
    "pt": (
        "perspetivas",
        "perspectivas",
        "a nossa opinião",
        "nossa opinião",
        "análise",
        "opinião",
        "comentário",
        "avaliação",
        "editorial",
    ),
    "ja": (
        "展望",
        "見通し",
        "私たちの見解",
        "見解",
        "分析",
        "論評",
        "意見",
        "解説",
        "評価",
        "社説",
    ),
    "zh": ("展望", "我们的观点", "观点", "分析", "评论", "意见", "评估", "社论"),
    "hi": ("दृष्टिकोण", "हमारा मत", "हमारी राय", "विश्लेषण", "राय", "टिप्पणी", "आकलन", "संपादकीय"),
    "ar": ("آفاق", "توقعات", "رأينا", "تحليل", "رأي", "تعليق", "تقييم", "افتتاحية"),
}
# Phrases of the writer's own view the opinion check reports, at which a section reads as
# commentary: one may be a slip in a report, two are a stance.
OPINION_PHRASES = 2
_TITLE = "## Section {.fact}\n\n"


def suggest_kind(title: str, markdown: str, language: str | None) -> SectionKind:
    """Return the kind a section's heading or its words suggest."""
    if _commentary_heading(title, language):
        return "commentary"
    return "commentary" if opinion_count(markdown, language or "en") >= OPINION_PHRASES else "fact"


def opinion_count(markdown: str, language: str) -> int:
    """Return how many phrases of the writer's own view the opinion check finds in markdown."""
    body = _TITLE + markdown
    findings = Findings(Path("import.md"))
    quotes = language_for(language)
    tokens, _ = parse(body, tuple(quotes.quotes), quotes.french_spacing)
    sections, footnotes = split_sections(tokens, 1, findings)
    check_opinion(language, sections, footnotes, body.split("\n"), 1, findings)
    return sum(1 for finding in findings.items if finding.severity is Severity.WARNING)


def _commentary_heading(title: str, language: str | None) -> bool:
    """Tell whether a heading holds a word of commentary in the brief's language.

    With no language known, every language's words count.
    """
    code = (language or "").split("-")[0].lower()
    words = COMMENTARY_HEADINGS.get(code) or tuple(
        word for words in COMMENTARY_HEADINGS.values() for word in words
    )
    return _pattern(words).search(title.casefold()) is not None


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Return a pattern finding any of words whole; in Chinese and Japanese, anywhere."""
    spaced = [re.escape(word) for word in words if not _unspaced(word)]
    unspaced = [re.escape(word) for word in words if _unspaced(word)]
    alternatives = [rf"(?<!\w)(?:{'|'.join(spaced)})(?!\w)"] if spaced else []
    alternatives += [f"(?:{'|'.join(unspaced)})"] if unspaced else []
    return re.compile("|".join(alternatives))


def _unspaced(word: str) -> bool:
    """Tell whether a word is written in a script without spaces between words (CJK)."""
    return "\u3000" <= word[0] <= "\u9fff"
