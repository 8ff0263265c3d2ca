"""The benchmark's generated briefs are valid briefs, and the peers get the same text."""

from __future__ import annotations

import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import yaml

from conftest import ROOT, Run

sys.path.insert(0, str(ROOT / "bench"))
from contenders import briefkit_email, citeproc  # bench/ is scripts, not a package
from corpus import make_corpus, without_sources
from report import Goal, Report


def test_benchmark_briefs_pass_check(tmp_path: Path, run_cli: Run) -> None:
    corpus = make_corpus(tmp_path, 4, 3)
    result = run_cli("check", cwd=corpus.workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 3 briefs: 0 errors, 0 warnings" in result.stdout


def test_peers_get_each_brief_with_its_own_title_and_references(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, 4, 2)
    metas = [
        yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        for path in corpus.peer_sources
    ]
    assert metas[0]["title"] != metas[1]["title"]
    assert {reference["id"] for reference in metas[0]["references"]} >= {"seed-2025-11"}
    body = corpus.peer_sources[0].read_text(encoding="utf-8")
    assert "{.commentary" in body
    assert "images/milestones.png" in body
    assert (corpus.peers / "images" / "milestones.png").exists()


def test_plain_corpus_writes_citations_out_and_has_no_sources(tmp_path: Path, run_cli: Run) -> None:
    corpus = make_corpus(tmp_path, 4, 2, plain=True)
    brief = (corpus.workspace / "briefings" / "brief-000.md").read_text(encoding="utf-8")
    peer = corpus.peer_sources[0].read_text(encoding="utf-8")
    for text in (brief, peer):
        assert "[@" not in text
        assert "(MGMM, 2025-11, summary)" in text
        assert "(Ministry of External Affairs, Government of India; Ministry of Foreign" in text
    assert "sources" not in yaml.safe_load(brief.split("---\n")[1])
    assert "references" not in yaml.safe_load(peer.split("---\n")[1])
    result = run_cli("check", cwd=corpus.workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 briefs: 0 errors" in result.stdout


def test_only_the_cited_corpus_gives_the_peers_citeproc(tmp_path: Path) -> None:
    cited = make_corpus(tmp_path / "cited", 4, 1)
    plain = make_corpus(tmp_path / "plain", 4, 1, plain=True)
    assert citeproc(cited) == ["--citeproc"]
    assert citeproc(plain) == []


def test_citation_words_name_each_source_and_keep_the_locator() -> None:
    brief = (
        "---\ntitle: x\nsources:\n  a:\n    publisher: P\n    date: 2025-11\n  b:\n"
        "    title: T\nlanguage: en\n---\nText [@a, p. 4] and [@a; @b].\n"
    )
    expected = "---\ntitle: x\nlanguage: en\n---\nText (P, 2025-11, p. 4) and (P, 2025-11; b).\n"
    assert without_sources(brief) == expected


def test_email_case_writes_one_eml_with_the_pdf_attached(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, 4, 1, plain=True)
    briefkit_email(corpus)
    message = BytesParser(policy=policy.default).parsebytes(
        (corpus.workspace / "out" / "brief.eml").read_bytes()
    )
    types = [part.get_content_type() for part in message.iter_attachments()]
    assert types == ["application/pdf"]


def test_report_prints_each_corpus_table_and_every_goal_judged() -> None:
    report = Report("heading", ["case", "briefkit", "peer"])
    report.table("Corpus with citations").add("one brief", "2.00 s", "1.50 s")
    report.table("Plain corpus").add("one brief", "1.80 s", "1.40 s")
    report.table("Empty")
    report.goals += [Goal("fast", 1.2, 1.3), Goal("busy", 1.5, 1.8, "", at_least=True)]
    text = report.markdown()
    assert "### Corpus with citations" in text
    assert "### Plain corpus" in text
    assert "Empty" not in text
    rows = {
        line.split("|")[1].strip(): line.split("|")[2:5]
        for line in text.splitlines()[1:]
        if line.startswith("| fast") or line.startswith("| busy")
    }
    assert [cell.strip() for cell in rows["fast"]] == ["1.20×", "≤ 1.3×", "PASS"]
    assert [cell.strip() for cell in rows["busy"]] == ["1.50", "≥ 1.8", "FAIL"]
