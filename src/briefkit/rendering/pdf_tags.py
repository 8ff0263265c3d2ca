"""Complete the structure tree WeasyPrint writes, so the PDF's tags say what PDF/UA-1 asks.

WeasyPrint builds the tree page by page and leaves page furniture out of it. Knowing where
each element came from (``weasyprint_layout.recording_tag_sources``), this joins what a page
break split (one ``Part``, one paragraph across pages), turns running heads, footers, the
contents' leader dots and repeated table headers into artifacts, moves each footnote beside
its call as a ``Note`` (the call a ``Reference``), gives header cells a ``Scope`` and words in
another language their ``Lang``, rebuilds the parent tree, and reports what still falls short.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Array, Dictionary, Name, Pdf, String

from briefkit.rendering.pdf_content import Page, marked_content, page_key, write_artifacts
from briefkit.rendering.weasyprint_layout import SOURCE_KEY, TagSource


@dataclass
class _Content:
    """A kid that is not an element: marked content on a page, or an annotation."""

    page: Any = None
    key: Page | None = None
    mcid: int | None = None
    objr: Any = None

    @property
    def where(self) -> tuple[Page | None, int | None]:
        """Return the page and MCID of marked content, comparable across PDF objects."""
        return self.key, self.mcid


@dataclass(eq=False)
class _Node:
    """A structure element, with its source in the HTML and its kids."""

    obj: Any
    source: TagSource | None
    page: Any
    key: Page | None
    role: str
    kids: list[_Node | _Content] = field(default_factory=list)

    def set_role(self, role: str) -> None:
        """Change the element's structure type."""
        self.role = role
        self.obj.S = Name("/" + role)

    def nodes(self) -> Iterator[_Node]:
        """Yield this element and every element under it, in reading order."""
        # A stack, not recursion: a tree thousands of elements deep costs no nested generators.
        stack: list[_Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(kid for kid in reversed(node.kids) if isinstance(kid, _Node))

    def contents(self) -> Iterator[_Content]:
        """Yield every marked content and annotation under this element."""
        for node in self.nodes():
            yield from (kid for kid in node.kids if isinstance(kid, _Content))


@dataclass
class _Tree:
    """The document's tree being completed, and the marked content it turns into artifacts."""

    pdf: Pdf
    sources: list[TagSource]
    root: _Node
    marked: dict[Page, set[int]]
    artifacts: dict[Page, dict[int, str]] = field(default_factory=dict)
    renamed_ids: dict[str, Any] = field(default_factory=dict)
    # The parent tree's entries that change: marked content, and annotations by StructParent.
    moved: dict[tuple[Page | None, int | None], Dictionary] = field(default_factory=dict)
    moved_annotations: dict[int, Dictionary] = field(default_factory=dict)

    def move_kids(self, kids: list[_Node | _Content], to: _Node) -> None:
        """Note that an element's own kids now belong to another element."""
        for kid in kids:
            if isinstance(kid, _Content) and kid.objr is not None:
                self.moved_annotations[int(kid.objr.Obj.StructParent)] = to.obj
            elif isinstance(kid, _Content):
                self.moved[kid.where] = to.obj

    def make_artifact(self, node: _Node, kind: str) -> None:
        """Turn an element's marked content into artifacts of a kind; its annotations stay."""
        for content in node.contents():
            page, mcid = content.where
            if mcid is not None and page is not None:
                self.artifacts.setdefault(page, {})[mcid] = kind


def complete_tags(pdf: Pdf, sources: list[TagSource]) -> list[str]:
    """Complete the tree of a PDF WeasyPrint wrote; return what still keeps it from PDF/UA-1."""
    struct_root = pdf.Root.get("/StructTreeRoot")
    if struct_root is None:
        return ["the PDF has no structure tree"]
    root = _read(struct_root.K[0], sources, None, None)
    tree = _Tree(pdf, sources, root, marked_content(pdf))
    _mark_page_furniture(tree, struct_root)
    _place_notes(tree)
    _join_fragments(tree, tree.root)
    _unwrap(tree, tree.root)
    _describe(tree)
    _write(tree.root)
    _update_parent_tree(tree, struct_root)
    write_artifacts(pdf, tree.artifacts)
    return _shortcomings(tree)


def _read(obj: Any, sources: list[TagSource], page: Any, key: Page | None) -> _Node:
    """Read an element and its kids, taking the source WeasyPrint's writing noted."""
    index = obj.get("/" + SOURCE_KEY)
    source = sources[int(index)] if index is not None else None
    if index is not None:
        del obj["/" + SOURCE_KEY]
    if "/Pg" in obj:
        page = obj.Pg
        key = page_key(page)
    node = _Node(obj, source, page, key, str(obj.get("/S", "/NonStruct"))[1:])
    kids = obj.get("/K", Array())
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, int):
            node.kids.append(_Content(page=page, key=key, mcid=int(kid)))
        elif kid.get("/Type") == Name.MCR:
            where = kid.get("/Pg", page)
            node.kids.append(_Content(page=where, key=page_key(where), mcid=int(kid.MCID)))
        elif kid.get("/Type") == Name.OBJR:
            node.kids.append(_Content(objr=kid))
        else:
            node.kids.append(_read(kid, sources, page, key))
    return node


def _source_of(obj: Any, sources: list[TagSource]) -> TagSource | None:
    """Return the source of an element outside the tree, or of its nearest noted parent."""
    for _ in range(4):
        if not isinstance(obj, Dictionary):
            return None
        index = obj.get("/" + SOURCE_KEY)
        if index is not None:
            return sources[int(index)]
        obj = obj.get("/P")
    return None


def _mark_page_furniture(tree: _Tree, struct_root: Any) -> None:
    """Turn the marked content of the page margins (running heads, footers) into artifacts.

    WeasyPrint marks it but leaves it out of the tree: its elements hang in the parent tree
    only, where each one's source says it came from a margin box.
    """
    reached = {c.where for c in tree.root.contents()}
    flat = list(struct_root.ParentTree.get("/Nums", Array()))
    entries = {int(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}
    for page in tree.pdf.pages:
        key = page_key(page.obj)
        assert key is not None
        unreached = sorted(m for m in tree.marked[key] if (key, m) not in reached)
        index = page.obj.get("/StructParents")
        elements = entries.get(int(index)) if index is not None and unreached else None
        if not isinstance(elements, Array):
            continue
        for mcid in unreached:
            source = _source_of(elements[mcid], tree.sources) if mcid < len(elements) else None
            if source is not None and source.place == "margin":
                tree.artifacts.setdefault(key, {})[mcid] = "Pagination"


def _place_notes(tree: _Tree) -> None:
    """Move each footnote from the page's note area to follow its call, as a Note."""
    calls = {
        node.source.element: node
        for node in tree.root.nodes()
        if node.source is not None and node.source.pseudo == "footnote-call"
    }
    parents = _parents(tree.root)
    number = 0
    for area in [n for n in tree.root.nodes() if n.source and n.source.place == "footnote-area"]:
        for note in [kid for kid in area.kids if isinstance(kid, _Node)]:
            number += 1
            _make_note(note, number)
            call = calls.get(note.source.element) if note.source else None
            if call is None:
                continue
            call.set_role("Reference")
            area.kids.remove(note)
            holder = parents[call]
            holder.kids.insert(holder.kids.index(call) + 1, note)
        if not area.kids:
            parents[area].kids.remove(area)


def _make_note(note: _Node, number: int) -> None:
    """Make a footnote body a Note with an ID (PDF/UA-1 asks for one), its number a label."""
    note.set_role("Note")
    note.obj.ID = String(f"note-{number}")
    for node in note.nodes():
        if node.source is not None and node.source.pseudo == "footnote-marker":
            node.set_role("Lbl")


def _parents(root: _Node) -> dict[_Node, _Node]:
    """Return each element's parent."""
    return {kid: node for node in root.nodes() for kid in node.kids if isinstance(kid, _Node)}


def _join_fragments(tree: _Tree, node: _Node) -> None:
    """Join the fragments of one box that a page or line break split; drop repeated headers."""
    kept: list[_Node | _Content] = []
    firsts: dict[int, _Node] = {}
    for kid in node.kids:
        source = kid.source if isinstance(kid, _Node) else None
        before = kept[-1] if kept else None
        if source is None or not isinstance(kid, _Node):
            kept.append(kid)
        elif isinstance(before, _Node) and before.source and before.source.key == source.key:
            before.kids.extend(kid.kids)
            tree.move_kids(kid.kids, before)
        elif source.tag in ("thead", "tfoot") and source.key in firsts:
            # A header row the table repeats on a new page: furniture, read once.
            tree.make_artifact(kid, "Pagination")
            _rename_cells(tree, kid, firsts[source.key])
        else:
            firsts.setdefault(source.key, kid)
            kept.append(kid)
    node.kids = kept
    for kid in kept:
        if isinstance(kid, _Node):
            _join_fragments(tree, kid)


def _rename_cells(tree: _Tree, repeated: _Node, first: _Node) -> None:
    """Point data cells that named a repeated header's cells at the first header's cells."""
    old = [n for n in repeated.nodes() if n.role == "TH" and "/ID" in n.obj]
    new = [n for n in first.nodes() if n.role == "TH" and "/ID" in n.obj]
    for dropped, kept in zip(old, new, strict=False):
        tree.renamed_ids[str(dropped.obj.ID)] = kept.obj.ID


def _unwrap(tree: _Tree, node: _Node) -> None:
    """Fold pseudo-element links and word-keeping spans into their parents; drop leader dots.

    The contents' leader dots become artifacts; their link annotations stay with the link.
    """
    kids: list[_Node | _Content] = []
    for kid in node.kids:
        if isinstance(kid, _Node):
            _unwrap(tree, kid)
            if kid.source is not None and kid.source.place == "leader":
                tree.make_artifact(kid, "Layout")
                links = [c for c in kid.contents() if c.objr is not None]
                kids.extend(links)
                tree.move_kids(list(links), node)
                continue
            if _same_link(node, kid) or (kid.source and "capitalised" in kid.source.classes):
                kids.extend(kid.kids)
                tree.move_kids(kid.kids, node)
                continue
        kids.append(kid)
    node.kids = kids


def _same_link(node: _Node, kid: _Node) -> bool:
    """Tell whether kid is a link drawn for the same HTML link as node (its ::after)."""
    return (
        node.role == kid.role == "Link"
        and node.source is not None
        and kid.source is not None
        and node.source.element == kid.source.element
    )


def _describe(tree: _Tree) -> None:
    """Give elements what the HTML says: Lang, a header cell's Scope, renamed header ids."""
    inside_head: set[_Node] = set()
    for node in tree.root.nodes():
        source = node.source
        if source is not None and source.lang:
            node.obj.Lang = String(source.lang)
        if node.role == "THead":
            inside_head.update(node.nodes())
        if node.role == "TH":
            scope = source.scope if source is not None else None
            row = scope == "row" or (scope is None and node not in inside_head)
            attributes = node.obj.get("/A")
            if not isinstance(attributes, Dictionary):
                attributes = node.obj.A = Dictionary(O=Name.Table)
            attributes.Scope = Name.Row if row else Name.Column
        if node.role == "TD" and tree.renamed_ids:
            _rename_headers(node, tree.renamed_ids)


def _rename_headers(cell: _Node, renamed: dict[str, Any]) -> None:
    """Replace the ids of dropped header cells in a data cell's Headers."""
    attributes: Any = cell.obj.get("/A")
    headers = attributes.get("/Headers") if isinstance(attributes, Dictionary) else None
    if isinstance(headers, Array):
        attributes.Headers = Array([renamed.get(str(h), h) for h in headers])


def _write(node: _Node) -> None:
    """Write the kids of an element and all under it back into the PDF objects."""
    own = node.key if "/Pg" in node.obj else None
    kids = Array()
    for kid in node.kids:
        if isinstance(kid, _Node):
            kid.obj.P = node.obj
            _write(kid)
            kids.append(kid.obj)
        elif kid.objr is not None:
            kids.append(kid.objr)
        elif own is not None and kid.where[0] == own:
            kids.append(kid.mcid)
        else:
            # Joined from another page than the element's own: name the page.
            kids.append(Dictionary(Type=Name.MCR, Pg=kid.page, MCID=kid.mcid))
    node.obj.K = kids


def _update_parent_tree(tree: _Tree, struct_root: Any) -> None:
    """Point the parent tree's entries at the elements that now hold them; drop artifacts'.

    Only what changed is written: rebuilding the whole tree costs more than the rest together.
    """
    tree_nums = struct_root.ParentTree.Nums
    flat = list(tree_nums)
    position = {int(flat[i]): i + 1 for i in range(0, len(flat) - 1, 2)}
    for page in tree.pdf.pages:
        key = page_key(page.obj)
        index = page.obj.get("/StructParents")
        if key is None or index is None or int(index) not in position:
            continue
        elements: Any = flat[position[int(index)]]
        for artifact in tree.artifacts.get(key, {}):
            if artifact < len(elements):
                elements[artifact] = None
        for (where, mcid), element in tree.moved.items():
            if where == key and mcid is not None and mcid < len(elements):
                elements[mcid] = element
    for number, element in tree.moved_annotations.items():
        if number in position:
            tree_nums[position[number]] = element


def _shortcomings(tree: _Tree) -> list[str]:
    """Return what keeps the PDF from PDF/UA-1: content neither tagged nor artifact, bare images."""
    problems = []
    reached = {c.where for c in tree.root.contents() if c.mcid is not None}
    for number, page in enumerate(tree.pdf.pages, start=1):
        key = page_key(page.obj)
        assert key is not None
        artifacts = tree.artifacts.get(key, {})
        orphans = [m for m in tree.marked[key] if (key, m) not in reached and m not in artifacts]
        if orphans:
            problems.append(f"page {number}: {len(orphans)} marked contents outside the tags")
    for node in tree.root.nodes():
        if node.role == "Figure" and not str(node.obj.get("/Alt", "")).strip():
            problems.append("an image has no alternative text")
    return problems
