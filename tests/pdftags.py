"""Walk a PDF's structure tree and its pages' marked content with pikepdf, as a checker does.

This reads the PDF independently of briefkit's own post-processing: what a page's content
stream marks, and what the tree reaches from ``StructTreeRoot``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

Where = tuple[int, int]  # page index (from 0) and MCID


@dataclass
class Element:
    """A structure element: its type, attributes and what it holds."""

    role: str
    obj: Dictionary
    content: list[Where] = field(default_factory=list)
    annotations: list[Dictionary] = field(default_factory=list)
    kids: list[Element] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        """Yield this element and every one beneath it, in reading order."""
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def reached(self) -> Iterator[Where]:
        """Yield every marked content this element and those beneath it hold."""
        for element in self.walk():
            yield from element.content

    @property
    def pages(self) -> set[int]:
        """Return the pages this element's content lies on."""
        return {page for page, _ in self.reached()}


@dataclass
class Marked:
    """A page's marked content: each MCID, and how many are inside an Artifact."""

    mcids: list[Where] = field(default_factory=list)
    artifacts: int = 0


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open a PDF for reading."""
    return pikepdf.open(path)


def tree(pdf: pikepdf.Pdf) -> Element:
    """Return the structure tree from StructTreeRoot."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot
    top = Element("StructTreeRoot", root)
    _add_kids(top, root, None, pages)
    return top


def _add_kids(element: Element, obj: Dictionary, page: int | None, pages: dict) -> None:
    """Read an element's /K: marked content, references, annotations and elements."""
    if "/Pg" in obj:
        page = pages[obj.Pg.objgen]
    kids = obj.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, int):
            assert page is not None, "an MCID with no page"
            element.content.append((page, int(kid)))
        elif kid.get("/Type") == Name.MCR:
            where = pages[kid.Pg.objgen] if "/Pg" in kid else page
            assert where is not None, "a marked-content reference with no page"
            element.content.append((where, int(kid.MCID)))
        elif kid.get("/Type") == Name.OBJR:
            element.annotations.append(kid.Obj)
        else:
            child = Element(str(kid.get("/S", "/?"))[1:], kid)
            element.kids.append(child)
            _add_kids(child, kid, page, pages)


def marked_content(pdf: pikepdf.Pdf) -> list[Marked]:
    """Return each page's marked content, read from its content stream."""
    found = []
    for index, page in enumerate(pdf.pages):
        marked = Marked()
        stack: list[bool] = []  # for each open sequence: inside an artifact?
        for operands, operator in pikepdf.parse_content_stream(page, "BDC BMC EMC"):
            name = str(operator)
            if name == "EMC":
                stack.pop()
                continue
            in_artifact = (bool(stack) and stack[-1]) or operands[0] == Name.Artifact
            stack.append(in_artifact)
            if in_artifact:
                marked.artifacts += 1
            elif name == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                marked.mcids.append((index, int(operands[1].MCID)))
        found.append(marked)
    return found


def orphans(pdf: pikepdf.Pdf) -> list[Where]:
    """Return marked content that is neither an artifact nor reached from StructTreeRoot."""
    reached = set(tree(pdf).reached())
    return [w for page in marked_content(pdf) for w in page.mcids if w not in reached]


def elements(pdf: pikepdf.Pdf, role: str) -> list[Element]:
    """Return the elements of one structure type, in reading order."""
    return [e for e in tree(pdf).walk() if e.role == role]


def attribute(element: Element, key: str) -> object:
    """Return an attribute of an element's /A dictionary (or dictionaries), if set."""
    value = element.obj.get("/A")
    for attributes in value if isinstance(value, Array) else [value]:
        if isinstance(attributes, Dictionary) and key in attributes:
            return attributes[key]
    return None


def parent_tree_mismatches(pdf: pikepdf.Pdf) -> list[str]:
    """Return where the parent tree does not name the element that holds a content or link."""
    flat = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    entries = {int(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}
    found = []
    structure = tree(pdf)
    for index, page in enumerate(pdf.pages):
        elements = entries.get(int(page.obj.StructParents))
        holders = {mcid: e for e in structure.walk() for p, mcid in e.content if p == index}
        for mcid, holder in holders.items():
            named = elements[mcid] if elements is not None and mcid < len(elements) else None
            if named is None or named.objgen != holder.obj.objgen:
                found.append(f"page {index + 1} MCID {mcid}")
    for element in structure.walk():
        kids = element.obj.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids]:
            if isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
                number = int(kid.Obj.StructParent)
                if entries.get(number) is None or entries[number].objgen != element.obj.objgen:
                    found.append(f"annotation {number}")
    return found


def empty_headings(pdf: pikepdf.Pdf) -> list[str]:
    """Return headings that hold no content (pdfua's UA-14-001, which pdfua 0.1.3 cannot run)."""
    headings = [e for e in tree(pdf).walk() if re.fullmatch(r"H[1-6]?", e.role)]
    return [e.role for e in headings if not list(e.reached())]


def list_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Return what breaks PDF/UA-1's list rules: L holds LI, L, Caption; LI holds Lbl, LBody."""
    found = []
    for element in tree(pdf).walk():
        for kid in element.kids:
            if element.role == "L" and kid.role not in ("LI", "L", "Caption"):
                found.append(f"L holds {kid.role}")
            if element.role == "LI" and kid.role not in ("Lbl", "LBody"):
                found.append(f"LI holds {kid.role}")
            if kid.role == "LI" and element.role != "L":
                found.append(f"LI in {element.role}")
    return found


def links_outside_link_elements(pdf: pikepdf.Pdf) -> list[str]:
    """Return the link annotations that no Link element refers to itself (PDF/UA-1 7.18.5)."""
    in_links = {
        annotation.objgen
        for element in tree(pdf).walk()
        if element.role == "Link"
        for annotation in element.annotations
    }
    return [
        f"page {number} {annotation.get('/Contents', '')}"
        for number, page in enumerate(pdf.pages, start=1)
        for annotation in page.obj.get("/Annots", [])
        if annotation.get("/Subtype") == Name.Link and annotation.objgen not in in_links
    ]


def unmapped_glyphs(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Return, by font, how many glyphs its ToUnicode map sends to no character at all."""
    found = {}
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            to_unicode = font.get("/ToUnicode")
            if to_unicode is not None:
                cmap = to_unicode.read_bytes().decode("latin-1")
                if empty := len(re.findall(r"<[0-9a-fA-F]+>\s*<>", cmap)):
                    found[str(font.BaseFont)] = empty
    return found
