"""`check` reads fact sections for opinion: fixtures in tests/briefs/opinion/ and their .expect,
each language's lists, the rules that tell a report from a view, columns, and hostile shapes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefkit.errors import Finding
from briefkit.resources import builtin_root
from briefkit.sources import limits
from briefkit.sources.loader import load_brief, load_text
from briefkit.sources.opinion import check as opinion
from briefkit.sources.opinion import wordlists
from conftest import BRIEFS, ROOT, expected_findings, write

OPINION = sorted((BRIEFS / "opinion").glob("*.md"))
WORDLISTS = sorted((builtin_root() / "wordlists").glob("*.toml"))
HEAD = "---\ntitle: T\ndate: 2025-11-24\nlanguage: {language}\nsources:\n  s: {{title: S}}\n---\n\n"


@pytest.mark.parametrize("source", OPINION, ids=[p.stem for p in OPINION])
def test_opinion_fixture_gives_exact_findings(source: Path) -> None:
    found = [(f.line, f.col, str(f.severity), f.message) for f in load_brief(source).findings]
    expected = expected_findings(source)
    assert [row[:3] for row in found] == [row[:3] for row in expected], found
    assert all(row[3] in message for (*_, message), row in zip(found, expected, strict=True))


def _warnings(body: str, language: str = "en") -> list[Finding]:
    """Return the findings of a brief whose one fact section holds a cited line, then body."""
    text = HEAD.format(language=language) + f"## A {{.fact}}\n\nText [@s].\n\n{body}\n"
    return load_text(text, Path("brief.md")).findings


# The writer's own view, and the same words reported: the first gets one warning, the second
# none. Each pair is a rule: attribution, quotation, rules, conditions and questions.
PAIRS = [
    (
        "en",
        "India should respond by opening visa offices.",
        "Officials said India should respond by opening visa offices.",
    ),
    ("en", "The agreement is historic.", "The ministry called the agreement historic."),
    ("en", "The agreement is historic.", "Both governments call the agreement historic."),
    (
        "en",
        'The summit was a "triumph of friendship".',
        'Modi described the summit as a "triumph of friendship".',
    ),
    (
        "en",
        "The treaty is a masterstroke.",
        'The treaty is a "masterstroke", according to the ministry.',
    ),
    ("en", "Obviously, the plan will work.", '"Obviously, the plan will work," the minister said.'),
    ("en", "In our view the plan works.", '"In our view the plan works," the minister said.'),
    ("en", "Modiji noted the links.", '"Modiji noted the links," a supporter said.'),
    ("en", "India must reply within 30 days.", "Under the pact, India must reply within 30 days."),
    ("en", "India should respond.", "Should India respond?"),
    ("en", "The talks should fail.", "Should the talks fail, the programme ends."),
    ("en", "The ministry should object.", "If the ministry should object, the plan changes."),
    ("en", "Both sides should meet.", "The agreement says both sides should meet."),
    ("en", "The partnership is visionary.", "> The partnership is visionary."),
    ("en", "We believe in the partnership.", "> We believe in the partnership."),
    (
        "en",
        "Sadly, talks were short.",
        "The ministry's text reads, as quoted: 'sadly, talks were short'.",
    ),
    (
        "de",
        "Indien sollte schneller handeln.",
        "Sollte Indien schneller handeln, endet der Streit.",
    ),
    ("de", "Leider kam die Einigung spät.", "Laut dem Ministerium kam die Einigung leider spät."),
    (
        "fr",
        "Nous pensons que l'accord est utile.",
        '"Nous pensons que l\'accord est utile", a déclaré le ministre.',
    ),
    ("fr", "L'Inde devrait réagir.", "Selon le ministère, l'Inde devrait réagir."),
    (
        "es",
        "Creemos que el acuerdo es útil.",
        'El ministro dijo: "Creemos que el acuerdo es útil".',
    ),
    ("es", "La India debería responder.", "Según el ministerio, la India debería responder."),
    (
        "it",
        "Riteniamo che l'accordo sia utile.",
        '"Riteniamo che l\'accordo sia utile", ha detto il ministro.',
    ),
    (
        "it",
        "Purtroppo i colloqui sono stati brevi.",
        "Secondo il ministero, purtroppo i colloqui sono stati brevi.",
    ),
    (
        "pt",
        "Acreditamos que o acordo é útil.",
        '"Acreditamos que o acordo é útil", disse o ministro.',
    ),
    (
        "pt",
        "Infelizmente as conversas foram curtas.",
        "Segundo o ministério, infelizmente as conversas foram curtas.",
    ),
    ("ja", "残念ながら、交渉は短かった。", "外務省によると、残念ながら交渉は短かった。"),
    ("ja", "我々は合意を歓迎する。", "首相は「我々は合意を歓迎する」と述べた。"),
    ("zh", "我们认为这项协议有益。", "外交部表示，“我们认为这项协议有益”。"),
    ("zh", "显然，双方走得更近了。", "外交部称，显然双方走得更近了。"),
    ("hi", "हमारा मानना है कि समझौता उपयोगी है।", "मंत्री ने कहा, “हमारा मानना है कि समझौता उपयोगी है।”"),
    ("hi", "भारत को जल्दी कदम उठाना चाहिए।", "मंत्रालय के अनुसार भारत को जल्दी कदम उठाना चाहिए।"),
    ("ar", "للأسف كانت المحادثات قصيرة.", "وقال الوزير إن المحادثات كانت للأسف قصيرة."),
    ("ar", "نعتقد أن الاتفاق مفيد.", 'وقال الوزير: "نعتقد أن الاتفاق مفيد".'),
]


@pytest.mark.parametrize(("language", "own", "reported"), PAIRS)
def test_a_view_is_reported_and_the_same_words_as_a_report_are_not(
    language: str, own: str, reported: str
) -> None:
    found = _warnings(own, language)
    assert len(found) == 1, [f.format() for f in found]
    assert found[0].message.startswith("'") and "{.allow}" in found[0].message
    assert _warnings(reported, language) == []


# Words of the lists in their neutral senses, as reports use them: none is a view.
NEUTRAL = [
    "Parliament met in an extraordinary session.",
    "Modi laid the cornerstone of the rail project.",
    "The firm's filings include forward-looking statements.",
    "The loans remain outstanding.",
    "Modi personally attended the ceremony.",
    "The army built an all-weather road to the border.",
    "A change of course followed the election.",
    "Applicants must hold a degree to qualify.",
    "The line is expected to open in 2027 and should carry 20,000 passengers a day.",
    "The yen fell to a historic low, and the United States should-be list grew.",
    "The rules are clearly set out in the annex.",
]


@pytest.mark.parametrize("sentence", NEUTRAL)
def test_a_listed_word_in_a_neutral_sense_is_not_reported(sentence: str) -> None:
    assert _warnings(sentence) == []


@pytest.mark.parametrize(
    ("language", "advice"),
    [
        ("en", "If the talks stall, India should move first."),
        ("ar", "إذا تأخرت المحادثات، ينبغي للهند أن تتحرك أولا."),
    ],
)
def test_a_condition_covers_its_own_clause_only(language: str, advice: str) -> None:
    assert len(_warnings(advice, language)) == 1


def test_a_slip_for_allow_is_an_error_and_another_class_is_not() -> None:
    assert [opinion.misspelt_allowance(c) for c in ("alow", "allw", "allow", "low", "bold")] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_a_quotation_names_its_speaker_in_its_paragraph_or_is_reported() -> None:
    [found] = _warnings('The plan is a "crucial pillar" of the partnership.')
    assert (found.line, found.col) == (13, 16)
    assert "'crucial' is quoted, but nothing in this paragraph says who said it" in found.message
    assert _warnings('The plan is a "crucial pillar".\nThe ministry said so.') == []


def test_a_lead_in_that_attributes_carries_over_its_list() -> None:
    listed = "- a historic expansion of trade;\n- visas that should be simpler."
    assert _warnings(f"The ministry set out three aims:\n\n{listed}") == []
    assert len(_warnings(f"There are three aims:\n\n{listed}")) == 2


def test_commentary_is_not_read_and_a_footnote_is_read_with_its_section() -> None:
    text = HEAD.format(language="en") + (
        "## A {.fact}\n\nTalks ended [@s][^n].\n\n## B {.commentary}\n\nIn our view, sadly, "
        "India should act.\n\n[^n]: Obviously it took a week.\n"
    )
    [found] = load_text(text, Path("b.md")).findings
    assert (found.line, found.col) == (17, 7) and found.message.startswith("'Obviously'")


def test_a_heading_allowance_allows_a_phrase_or_a_kind_for_its_section_only() -> None:
    text = HEAD.format(language="en") + (
        '## A {.fact allow="historic, Prescription"}\n\nIt is historic; India must act [@s].\n\n'
        "## B {.fact}\n\nIt is historic [@s].\n"
    )
    [found] = load_text(text, Path("b.md")).findings
    assert (found.line, found.col) == (15, 7) and found.message.startswith("'historic'")


@pytest.mark.parametrize("path", WORDLISTS, ids=[p.stem for p in WORDLISTS])
def test_a_word_list_is_well_formed_and_each_phrase_is_found(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(data) <= {*wordlists.KINDS, "options"}
    assert data["first_person"] and data["evaluative"] and data["attribution"]
    seen: dict[str, str] = {}
    for kind in wordlists.KINDS:
        for phrase in data.get(kind, []):
            assert phrase == wordlists.normalise(phrase), phrase
            assert seen.setdefault(phrase, kind) == kind, f"{phrase!r} is in {seen[phrase]} too"
    lexicon = wordlists.lexicon_for(path.stem)
    assert lexicon is not None
    for phrase, kind in seen.items():
        cased = phrase.upper() if len(phrase.upper()) == len(phrase) else phrase.capitalize()
        found = [(m.phrase, m.kind) for m in lexicon.find(f"( {cased} )")]
        assert (phrase, kind) in found, phrase


def test_every_language_briefkit_has_words_for_has_a_word_list() -> None:
    catalogued = {p.name for p in (ROOT / "locales").iterdir() if p.is_dir()} | {"en"}
    assert catalogued <= {p.stem for p in WORDLISTS}
    assert wordlists.lexicon_for("en-GB") is wordlists.lexicon_for("en")
    assert wordlists.lexicon_for("nl") is None  # no lists: nothing is checked


def test_a_phrase_is_found_as_whole_words_only() -> None:
    lexicon = wordlists.lexicon_for("en")
    assert lexicon is not None
    text = "prehistoric shoulder mustard must-have otherwise clearly-marked Boldface historic"
    assert [m.phrase for m in lexicon.find(text)] == ["historic"]
    assert [m.kind for m in lexicon.find("the historic lows and historic lowlands")] == [
        "ignore",
        "puffery",
    ]


# Pieces a paragraph is made of: markup of every kind before, around and after the word.
PIECES = [
    "plain words",
    "*emphasis*",
    "**strong** text",
    "`clearly in code`",
    "[a link](https://example.org/clearly 'clearly')",
    "<https://example.org/clearly>",
    "an &amp; entity &eacute;t&eacute;",
    r"escaped \* \[ \" marks",
    '"other words"',
    "a dash -- and --- dots...",
    "(c) and +- signs",
    "[@s]",
    "[^n]",
    "[a span]{lang=hi}",
    "![an image](images/none.png)",
]
WORD = "clearly"


@given(
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.just(WORD), st.just(f"*{WORD}*")),
        min_size=1,
        max_size=14,
    ),
    st.sampled_from(["{}", "- {}", "> > {}", "| a | {} |", "[^n]: {}", "## {} {{.fact}}"]),
    st.booleans(),
)
def test_each_phrase_is_reported_at_its_exact_line_and_column(
    pieces: list[str], container: str, broken: bool
) -> None:
    words = " ".join(pieces)
    if broken and not container.startswith(("|", "#")):
        words = words.replace(" ", "\n    ", 2)  # a block over several lines, indented
    block = container.format(words)
    if container.startswith("| "):
        block = "| x | y |\n|---|---|\n" + block
    text = HEAD.format(language="en") + f"## A {{.fact}}\n\nText [@s][^n].\n\n{block}\n\n"
    text += "" if container.startswith("[^n]") else "[^n]: A note.\n"
    source = text.split("\n")
    found = [f for f in load_text(text, Path("b.md")).findings if f.message.startswith(f"'{WORD}'")]
    expected = 0 if container.startswith(">") else pieces.count(WORD) + pieces.count(f"*{WORD}*")
    assert len(found) == expected, [f.format() for f in found]
    for finding in found:
        assert source[finding.line - 1][finding.col - 1 :].startswith(WORD), finding.format()


# Shapes that cost the opinion check the most, each near the size limit of a source: a flood
# of one phrase, phrases in thousands of blocks, quotation marks nested or never closed, runs
# of stops, spaces, entities and escapes between phrases, thousands of allowances. Shapes
# that the parser itself takes seconds over (a block or a span each few bytes) are smaller.
def _filled(piece: str, size: int = 1_000_000, width: int = 19_000) -> str:
    """Return lines of piece, none longer than width characters, about size bytes in all."""
    count = max(1, width // len(piece))
    line = piece * count
    return "\n".join([line] * max(1, size // len(line.encode()))) + "\n"


def _fact(language: str = "en") -> str:
    """Return the start of a brief in language with one fact section, cited."""
    return HEAD.format(language=language) + "## A {.fact}\n\nText [@s].\n\n"


HOSTILE = {
    "one-phrase": lambda: _fact() + _filled("clearly "),
    "phrases-in-paragraphs": lambda: _fact() + "\n\n".join(["historic"] * 40_000),
    "list-items": lambda: _fact() + "- we believe it should\n" * 20_000,
    "table-cells": lambda: (
        _fact() + "| a | b |\n|---|---|\n" + "| clearly \\| x | historic |\n" * 20_000
    ),
    "quotes-nested": lambda: _fact() + _filled("“‘«„「"),
    "quotes-never-closed": lambda: _fact() + _filled("“historic "),
    "quotes-only-closed": lambda: _fact() + _filled("” historic "),
    "stops-and-spaces": lambda: _fact() + _filled("in" + " " * 3000 + "our ... . "),
    "entities-and-escapes": lambda: _fact() + _filled('&amp;\\"clearly&eacute; '),
    "allowance-spans": lambda: _fact() + _filled("[historic]{.allow} ", 400_000),
    "allowance-spans-unused": lambda: _fact() + _filled("[plain]{.allow} ", 400_000),
    "allowances-in-heading": lambda: (
        HEAD.format(language="en")
        + '## A {.fact allow="'
        + ", ".join(["histroic"] * 1_800)
        + '"}\n\nx [@s]\n'
    ),
    # Each "should" in a clause of its own condition, or all allowed in one long sentence:
    # reading the conditions, or the clause, again for each once took 50 s and 4 s.
    "conditions-in-clauses": lambda: _fact() + _filled("if India should, "),
    "allowed-prescriptions": lambda: (
        _fact().replace("{.fact}", '{.fact allow="prescription"}') + _filled("India should ")
    ),
    "japanese": lambda: _fact("ja") + _filled("明らかに我々は「"),
    "arabic": lambda: _fact("ar") + _filled("وبوضوح نعتقد «"),
}
BUDGET = 10.0  # seconds of `briefkit check` for one source; each takes under 3 s here


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_shapes_are_read_in_bounded_time(name: str, tmp_path: Path) -> None:
    text = HOSTILE[name]()
    assert len(text.encode()) <= 1024 * 1024
    source = write(tmp_path / f"{name}.md", text)
    start = time.perf_counter()
    # A process of its own, so a pattern that runs away is stopped at the budget.
    result = subprocess.run(
        [sys.executable, "-m", "briefkit", "check", "--format", "json", str(source)],
        capture_output=True,
        text=True,
        timeout=BUDGET,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert time.perf_counter() - start < BUDGET
    # A flood is shown a hundred times, then one line says more follow.
    findings = json.loads(result.stdout)["findings"]
    assert len(findings) <= opinion.MOST_SHOWN + 1 + 2 * (limits.MOST_SHOWN + 1)
