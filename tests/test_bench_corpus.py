"""The benchmark's generated briefs are valid briefs, and the peers get the same text."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from conftest import ROOT, Run

sys.path.insert(0, str(ROOT / "bench"))
from corpus import make_corpus  # bench/ is scripts, not a package


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
