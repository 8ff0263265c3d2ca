"""Two checkers no one here wrote find nothing wrong with the PDFs briefkit declares conformant.

page-validation (Python bindings to the ``page`` checker) runs its PDF/UA-1 profile on every
PDF and its PDF/A-3b profile on every PDF/A-3b one; outloud runs its PDF/UA-1 and WCAG 2.2
rules on all. They read every sample, the languages' included, a thirty-page brief and a
brief at the limits of links, lists, notes, tables, figures and scripts (``limitsbrief``),
each built in every variant: PDF/UA-1, PDF/A-3b and the print-ready X-4, all of which
declare PDF/UA-1.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import page
import pikepdf
import pytest
from pikepdf import Dictionary, Name

from briefkit.rendering.pdf.objects import saved
from conftest import ROOT, SAMPLES, build_samples
from limitsbrief import write_limits_brief
from longbrief import write_long_brief
from pdftools import xmp

NAMES = [path.stem for path in SAMPLES] + ["long-talent-mobility", "limits"]
VARIANTS = ["ua-1", "a-3b", "x-4"]  # each declares PDF/UA-1; a-3b PDF/A-3b too
OUTLOUD = Path(sys.executable).with_name("outloud")

# outloud's warnings that no PDF can avoid for what these briefs hold. Each comes from a rule
# outloud calls "semantic, no validator tests this"; none is a PDF/UA-1 requirement.
KNOWN_WARNINGS = {
    # Arabic letters take up to six forms (initial, medial, final, isolated, and two more
    # that join an alef): each glyph rightly maps to its one letter, and TXT-004 takes five
    # glyphs of one character for a wrong map. Presentation forms would silence it and
    # give readers and searches compatibility characters instead of the text.
    "ar-india-japan-2025-11": {"TXT-004"},
    # ORD-001 compares the order content is drawn in with the tags' order. A footnote is
    # drawn at the foot of the page and read beside its call, and a list's numbers are drawn
    # after its items' text: pages thick with notes or list items fall under its 80 %.
    "limits": {"ORD-001"},
    # The same, and PAG-001 takes lines found on three or more pages for running heads:
    # the long brief repeats its sections, notes and sub-headings twelve times over.
    "long-talent-mobility": {"ORD-001", "PAG-001"},
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Build every sample, the long brief and the limits brief in both variants, once."""
    root = tmp_path_factory.mktemp("checkers")
    shutil.copytree(ROOT / "briefings", root / "briefings")
    write_long_brief(root / "briefings" / "long")
    write_limits_brief(root / "briefings" / "limits")
    outputs = {}
    for variant in VARIANTS:
        report = build_samples(root, pdf_variant=variant, out=root / variant)
        assert report.ok, [(r.source, r.error) for r in report.failed]
        outputs.update({(r.source.stem, variant): r.outputs[0] for r in report.results})
    assert sorted(outputs) == sorted((name, v) for name in NAMES for v in VARIANTS)
    return outputs


@pytest.fixture(scope="module")
def outloud(built: dict[tuple[str, str], Path]) -> dict[Path, list[tuple[str, str, str]]]:
    """Run outloud once over every PDF; return each one's findings: rule, severity, message."""
    paths = [str(path) for path in built.values()]
    run = subprocess.run(
        [str(OUTLOUD), "--json", "-", "--fail-on", "never", *paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    results = json.loads(run.stdout)["results"]
    return {
        Path(result["path"]): [(f["rule"], f["severity"], f["message"]) for f in result["findings"]]
        for result in results
    }


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", NAMES)
def test_page_validation_finds_the_pdf_ua_1_claim_true(
    built: dict[tuple[str, str], Path], name: str, variant: str
) -> None:
    path = built[name, variant]
    assert re.search(r'pdfuaid:part(="1"|>1<)', xmp(path))
    report = page.validate_pdf(path, profile="ua1")
    assert [(f.rule_id, f.message) for f in report.failures] == []
    assert report.is_compliant


@pytest.mark.parametrize("name", NAMES)
def test_page_validation_finds_the_pdf_a_3b_claim_true(
    built: dict[tuple[str, str], Path], name: str
) -> None:
    path = built[name, "a-3b"]
    assert re.search(r'pdfaid:part(="3"|>3<)', xmp(path))
    report = page.validate_pdf(path, profile="3b")
    assert [(f.rule_id, f.message) for f in report.failures] == []
    assert report.is_compliant


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", NAMES)
def test_outloud_finds_no_error_and_no_warning_but_the_known(
    built: dict[tuple[str, str], Path],
    outloud: dict[Path, list[tuple[str, str, str]]],
    name: str,
    variant: str,
) -> None:
    findings = outloud[built[name, variant]]
    assert [f for f in findings if f[1] == "error"] == []
    warnings = {rule for rule, severity, _ in findings if severity == "warning"}
    assert warnings <= KNOWN_WARNINGS.get(name, set()), findings


def _ending_in_cr(start: bytes) -> bytes:
    """Return start with its last byte changed so that its compressed form ends in CR."""
    for last in range(256):
        payload = start[:-1] + bytes([last])
        if zlib.adler32(payload) & 0xFF == 0x0D:
            return payload
    raise AssertionError("no such byte")


def _compressed(pdf: pikepdf.Pdf, payload: bytes, **parameters: int) -> pikepdf.Object:
    """Return a new stream of the payload compressed, with a predictor's parameters if any."""
    stream = pikepdf.Stream(pdf, zlib.compress(payload))
    stream.Filter = Name.FlateDecode
    if parameters:
        stream.DecodeParms = Dictionary({f"/{key}": value for key, value in parameters.items()})
    assert stream.read_raw_bytes().endswith(b"\r")
    return pdf.make_indirect(stream)


@pytest.mark.parametrize("tag", [0, 1, 2, 3, 4])
def test_no_stream_ends_in_a_carriage_return(tag: int) -> None:
    # A PDF/A checker reads "\r" + "\n" before endstream as one line end: one byte short.
    pdf = pikepdf.new()
    pdf.add_blank_page()
    plain = _compressed(pdf, _ending_in_cr(b"a font or a file"))
    row = bytes([tag]) + bytes(range(101, 113))  # a PNG-predicted row: 4 pixels of RGB
    rows = _ending_in_cr(row * 3)
    image = _compressed(pdf, rows, Predictor=15, Colors=3, Columns=4)
    # Not compressed: the writer compresses it.
    content = pdf.make_indirect(pikepdf.Stream(pdf, _ending_in_cr(b"q Q\n" * 7 + b"%")))
    pdf.pages[0].Contents = content
    pdf.Root.Kept = pikepdf.Array([plain, image])  # what nothing refers to is not written
    before = [plain.read_bytes(), image.read_bytes(), content.read_bytes()]
    data = saved(pdf)
    assert b"\r\nendstream" not in data
    with pikepdf.open(io.BytesIO(data)) as again:
        kept = [*again.Root.Kept, again.pages[0].Contents]
        after = [stream.read_bytes() for stream in kept]
    assert after == before
