"""The PDF a print shop gets: boxes, crop marks outside the bleed, and X-4's colour."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import page
import pikepdf
import pytest
from PIL import Image, ImageCms

import briefkit
from conftest import EPOCH, ROOT
from pdftools import poppler

pytestmark = pytest.mark.slow

POINTS_PER_MM = 72 / 25.4
BLEED = 3 * POINTS_PER_MM  # what the print shop cuts into
SHEET = 10 * POINTS_PER_MM  # bleed and the slug the crop marks stand in
PAPER = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
CMYK_PROFILE = ROOT / "styles" / "colour" / "print-cmyk.icc"  # the built-in theme's
SAMPLE = "india-japan-2025-11"  # a figure, a table, footnotes, a commentary's hatched tint


def _build(root: Path, *names: str, **options: Any) -> Path:
    """Build the named sample briefs to PDF in a fresh workspace; return its output folder."""
    (root / "briefings").mkdir(parents=True)
    for name in names or (SAMPLE,):
        found = next((ROOT / "briefings").rglob(f"{name}.md"))
        shutil.copy(found, root / "briefings")
    shutil.copytree(ROOT / "briefings" / "images", root / "briefings" / "images")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.chdir(root)
        report = briefkit.build(workspace=root, formats="pdf", jobs=1, force=True, **options)
    assert report.ok, [r.error for r in report.results]
    return root / "out"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the sample as the default, a print A4 PDF/UA and X-4 PDFs on A4 and Letter."""
    # Each variant's file has a name of its own: x.pdf, x-print.pdf, x-x4.pdf, x-letter-x4.pdf.
    variants: dict[str, tuple[str, dict[str, Any]]] = {
        "default": ("", {}),
        "print-a4": ("-print", {"print_marks": True}),
        "x4-a4": ("-x4", {"pdf_variant": "x-4"}),
        "x4-letter": ("-letter-x4", {"pdf_variant": "x-4", "paper": "letter"}),
    }
    return {
        key: _build(tmp_path_factory.mktemp(key), **options) / f"{SAMPLE}{tags}.pdf"
        for key, (tags, options) in variants.items()
    }


def _box(page_: pikepdf.Page, name: str) -> tuple[float, float, float, float]:
    """Return a page box as (left, bottom, right, top)."""
    x0, y0, x1, y1 = (float(v) for v in page_.obj[name])
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _around(box: tuple[float, ...], margin: float) -> tuple[float, ...]:
    """Return a box grown by margin on every side."""
    x0, y0, x1, y1 = box
    return x0 - margin, y0 - margin, x1 + margin, y1 + margin


@pytest.mark.parametrize(
    ("key", "paper"), [("print-a4", "a4"), ("x4-a4", "a4"), ("x4-letter", "letter")]
)
def test_boxes_nest_trim_in_bleed_in_sheet(built: dict[str, Path], key: str, paper: str) -> None:
    with pikepdf.open(built[key]) as pdf:
        for number, page_ in enumerate(pdf.pages, 1):
            trim = _box(page_, "/TrimBox")
            assert trim[2] - trim[0] == pytest.approx(PAPER[paper][0], abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(PAPER[paper][1], abs=0.01)
            bleed, media = _box(page_, "/BleedBox"), _box(page_, "/MediaBox")
            assert bleed == pytest.approx(_around(trim, BLEED), abs=0.01), number
            assert media == pytest.approx(_around(trim, SHEET), abs=0.01), number
            assert "/ArtBox" not in page_.obj  # PDF/X: a TrimBox or an ArtBox, never both


def _dark(path: Path) -> list[tuple[int, int]]:
    """Return the dark pixels of a rendered page, as (x, y) from its top-left corner."""
    with Image.open(path) as image:
        grey = image.convert("L")
        width, height = grey.size
        pixels = grey.load()
        assert pixels is not None
        return [(x, y) for y in range(height) for x in range(width) if pixels[x, y] < 128]


def _in_pixels(box: tuple[float, ...], sheet: tuple[float, ...], dpi: int) -> tuple[float, ...]:
    """Return a page box in the pixels of the rendered sheet, from its top-left corner."""
    scale = dpi / 72
    x0, y0, x1, y1 = box
    return ((x0 - sheet[0]) * scale, (sheet[3] - y1) * scale,
            (x1 - sheet[0]) * scale, (sheet[3] - y0) * scale)  # fmt: skip


def _inside(point: tuple[int, int], box: tuple[float, ...]) -> bool:
    """Tell whether a pixel lies inside a box."""
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_crop_marks_stand_in_the_slug_outside_the_bleed(
    built: dict[str, Path], tmp_path: Path
) -> None:
    dpi = 100
    # The whole sheet (the MediaBox), as a RIP would image it before cutting.
    poppler("pdftoppm", "-r", str(dpi), "-f", "2", "-l", "2", "-png", "-singlefile",
            str(built["print-a4"]), str(tmp_path / "sheet"))  # fmt: skip
    with pikepdf.open(built["print-a4"]) as pdf:
        sheet = _box(pdf.pages[1], "/MediaBox")
        trim = _in_pixels(_box(pdf.pages[1], "/TrimBox"), sheet, dpi)
        bleed = _in_pixels(_box(pdf.pages[1], "/BleedBox"), sheet, dpi)
    marks = [p for p in _dark(tmp_path / "sheet.png") if not _inside(p, trim)]
    assert marks, "no crop marks drawn"
    in_bleed = [point for point in marks if _inside(point, bleed)]
    assert not in_bleed, f"{len(in_bleed)} pixels of the marks inside the bleed: {in_bleed[:4]}"
    # Every mark is a line in line with an edge of the trim.
    for x, y in marks:
        assert min(abs(x - trim[0]), abs(x - trim[2]), abs(y - trim[1]), abs(y - trim[3])) <= 2


def test_x4_output_intent_carries_the_themes_cmyk_profile(built: dict[str, Path]) -> None:
    icc = CMYK_PROFILE.read_bytes()
    name = ImageCms.ImageCmsProfile(str(CMYK_PROFILE)).profile.profile_description.strip()
    with pikepdf.open(built["x4-a4"]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == name == "FOGRA39 coated (briefkit)"
        assert intent.DestOutputProfile.N == 4
        assert intent.DestOutputProfile.read_bytes() == icc
        assert pdf.pdf_version == "1.6"  # PDF/X-4 is PDF 1.6
        assert pdf.docinfo.Trapped == "/False"


_SETTERS = {"g": "/DeviceGray", "rg": "/DeviceRGB", "k": "/DeviceCMYK"}


def _paint(stream: Any, resources: Any, state: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield ("text" or "fill", fill colour) for what a content stream and its forms paint."""
    saved: list[dict[str, Any]] = []
    for operands, operator in pikepdf.parse_content_stream(stream):
        op = str(operator)
        if op == "q":
            saved.append(dict(state))
        elif op == "Q":
            state = saved.pop()
        elif op in _SETTERS:
            state["fill"] = (_SETTERS[op], [float(v) for v in operands])
        elif op == "cs":
            state["fill"] = (str(operands[0]), [])
        elif op in ("sc", "scn"):
            numbers = [float(v) for v in operands if not isinstance(v, pikepdf.Name)]
            state["fill"] = (state["fill"][0], numbers)
        elif op in ("Tj", "TJ", "'", '"'):
            yield "text", state.get("fill")
        elif op in ("f", "F", "f*"):  # rules and borders are filled shapes
            yield "fill", state.get("fill")
        elif op == "Do" and resources.XObject[operands[0]].Subtype == "/Form":
            form = resources.XObject[operands[0]]
            yield from _paint(form, form.get("/Resources", resources), dict(state))


def _painted(pdf_path: Path) -> list[tuple[str, Any]]:
    """Return what every page paints, with its fill colour."""
    with pikepdf.open(pdf_path) as pdf:
        black = {"fill": ("/DeviceGray", [0.0])}  # a page starts painting in black
        return [item for p in pdf.pages for item in _paint(p.obj, p.obj.Resources, dict(black))]


def _black_ink(colour: Any) -> bool:
    """Tell whether a fill colour is a tint of black ink alone (C, M and Y at nought)."""
    space, values = colour
    return space == "/DeviceCMYK" and len(values) == 4 and values[:3] == [0, 0, 0]


@pytest.mark.parametrize("key", ["x4-a4", "x4-letter"])
def test_x4_text_and_rules_are_in_black_ink_alone(built: dict[str, Path], key: str) -> None:
    painted = _painted(built[key])
    text = [colour for kind, colour in painted if kind == "text"]
    fills = [colour for kind, colour in painted if kind == "fill"]
    assert len(text) > 100
    assert [c for c in text if not _black_ink(c)] == []
    # Rules, borders and the commentary's tint; the tint's hatch is a pattern, named sRGB, as
    # are the crop marks WeasyPrint strokes in RGB black (stroked, so not counted here).
    assert [c for c in fills if not _black_ink(c) and c[0] != "/Pattern"] == []


def _components(space: Any) -> int:
    """Return how many values a colour space takes."""
    if isinstance(space, pikepdf.Array):
        return int(space[1].N)  # ICCBased
    return {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}[str(space)]


def _outputs(function: Any) -> int:
    """Return how many values a shading's function (type 2, or 3 of type 2s) returns."""
    if "/Functions" in function:
        return _outputs(function.Functions[0])
    return len(function.C0)


def test_x4_names_every_rgb_colour_left_as_srgb(built: dict[str, Path]) -> None:
    shadings = 0
    with pikepdf.open(built["x4-a4"]) as pdf:
        for object_ in pdf.objects:
            if not isinstance(object_, pikepdf.Dictionary | pikepdf.Stream):
                continue
            # Images and shadings: no device RGB.
            assert object_.get("/ColorSpace") != "/DeviceRGB"
            if "/ShadingType" in object_:  # the commentary's hatch, and its transparency
                shadings += 1
                # WeasyPrint labels the hatch's sRGB values DeviceCMYK beside a CMYK intent.
                assert _outputs(object_.Function) == _components(object_.ColorSpace)
        assert shadings
        for page_ in pdf.pages:
            default = page_.obj.Resources.ColorSpace.DefaultRGB
            assert default[0] == "/ICCBased" and default[1].N == 3


def test_default_build_is_not_print_production(built: dict[str, Path]) -> None:
    with pikepdf.open(built["default"]) as pdf:
        assert "/OutputIntents" not in pdf.Root
        for page_ in pdf.pages:
            sheet = _box(page_, "/MediaBox")
            assert sheet == pytest.approx((0, 0, *PAPER["a4"]), abs=0.01)
            assert _box(page_, "/TrimBox") == _box(page_, "/BleedBox") == sheet
    text = [colour for kind, colour in _painted(built["default"]) if kind == "text"]
    assert {space for space, _ in text} == {"/DeviceRGB"}


def test_x4_images_ask_for_no_smoothing(built: dict[str, Path]) -> None:
    # PDF/X, like PDF/A, forbids images that ask the output device to interpolate.
    with pikepdf.open(built["x4-a4"]) as pdf:
        images = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image
        ]
        assert images
        assert not [o for o in images if o.get("/Interpolate", False)]


def _pdfx_claims(pdf_path: Path) -> list[str]:
    """Return every PDF/X version or conformance key in the Info dictionary and the XMP."""
    with pikepdf.open(pdf_path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
        info = [str(key) for key in pdf.docinfo if "GTS_PDFX" in str(key)]
    return info + re.findall(r"\w+:GTS_PDFX\w*", xmp)


def test_x4_declares_no_pdfx_standard_no_checker_confirms(built: dict[str, Path]) -> None:
    # page-validation, outloud and pdfua check PDF/A and PDF/UA only; nothing here checks PDF/X.
    assert [name for name in page.ValidationProfile.__members__ if "_X" in name] == []
    assert _pdfx_claims(built["x4-a4"]) == []


def _page_validation(pdf_path: Path) -> set[str]:
    """Return the PDF/UA-1 rules page-validation finds broken."""
    return {failure.rule_id for failure in page.validate_pdf(str(pdf_path), profile="ua1").failures}


def _outloud(pdf_path: Path) -> set[str]:
    """Return the rules outloud reports as errors."""
    run = subprocess.run(
        [str(Path(sys.executable).with_name("outloud")), str(pdf_path), "--json", "-", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("severity") == "error" and "rule" in node:
                found.add(node["rule"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(run.stdout[run.stdout.index("{") :]))
    return found


def test_x4_and_print_tags_fare_as_the_default_under_both_checkers(
    built: dict[str, Path],
) -> None:
    # Print production changes boxes and colour, never the tags: whatever the default PDF
    # passes, these pass too, and PDF/UA-1 is declared on the same terms.
    for key in ("print-a4", "x4-a4"):
        assert _page_validation(built[key]) <= _page_validation(built["default"]), key
        assert _outloud(built[key]) <= _outloud(built["default"]), key
        with pikepdf.open(built[key]) as pdf, pikepdf.open(built["default"]) as default:
            claim = b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()
            assert claim == (b"pdfuaid:part" in default.Root.Metadata.read_bytes())


def test_x4_is_reproducible(built: dict[str, Path], tmp_path: Path) -> None:
    again = _build(tmp_path, pdf_variant="x-4") / f"{SAMPLE}-x4.pdf"
    assert again.read_bytes() == built["x4-a4"].read_bytes()


def test_x4_build_says_once_that_it_declares_no_pdfx(run_cli: Any, samples_workspace: Path) -> None:
    done = run_cli("build", "--format", "pdf", "--pdf-variant", "x-4", "-j", "1")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("do not declare PDF/X-4") == 1
    assert "preflight" in done.stderr
    pdfs = sorted((samples_workspace / "out").rglob("*.pdf"))
    assert len(pdfs) == 5
    for pdf in pdfs:  # the Arabic brief's running heads (mirrored) are black ink too
        text = [colour for kind, colour in _painted(pdf) if kind == "text"]
        assert [c for c in text if not _black_ink(c)] == [], pdf.name


def _x4_workspace(root: Path, profile: bytes) -> Path:
    """Write a workspace whose theme has its own CMYK profile; return it."""
    (root / "briefings").mkdir(parents=True)
    shutil.copy(ROOT / "briefings" / f"{SAMPLE}.md", root / "briefings")
    shutil.copytree(ROOT / "briefings" / "images", root / "briefings" / "images")
    (root / "styles" / "colour").mkdir(parents=True)
    (root / "styles" / "colour" / "print-cmyk.icc").write_bytes(profile)
    return root


def test_x4_takes_the_print_shops_profile_from_the_workspace_theme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same profile under another creator signature (header bytes 80-83): other bytes.
    icc = bytearray(CMYK_PROFILE.read_bytes())
    icc[80:84] = b"shop"
    root = _x4_workspace(tmp_path, bytes(icc))
    monkeypatch.chdir(root)
    report = briefkit.build(workspace=root, formats="pdf", jobs=1, pdf_variant="x-4")
    assert report.ok, [r.error for r in report.failed]
    with pikepdf.open(root / "out" / f"{SAMPLE}-x4.pdf") as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.DestOutputProfile.read_bytes() == bytes(icc)


@pytest.mark.parametrize(
    "profile", [b"not a profile", (ROOT / "styles" / "colour" / "srgb.icc").read_bytes()]
)
def test_x4_with_a_theme_profile_that_is_not_cmyk_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: bytes
) -> None:
    root = _x4_workspace(tmp_path, profile)
    monkeypatch.chdir(root)
    report = briefkit.build(workspace=root, formats="pdf", jobs=1, pdf_variant="x-4")
    (result,) = report.failed
    assert "print-cmyk.icc is not an ICC profile for CMYK colour" in str(result.error)
    assert not list((root / "out").glob("*.pdf"))
