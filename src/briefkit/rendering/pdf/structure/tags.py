"""Complete the structure tree WeasyPrint writes, so the PDF's tags say what PDF/UA-1 asks.

WeasyPrint builds the tree page by page and leaves page furniture out of it. Knowing where
each element came from (``weasyprint_layout.recording_tag_sources``), this joins what a page
break split (one ``Part``, one paragraph across pages), turns running heads, footers, the
contents' leader dots and repeated table headers into artifacts, moves each footnote beside
its call as a ``Note`` (the call a ``Reference``), gives header cells a ``Scope`` and words in
another language their ``Lang``, rebuilds the parent tree, and reports what still falls short.
"""

from __future__ import annotations

from typing import Any

from pikepdf import Array, Dictionary, Name, Pdf, String

from briefkit.rendering.pdf.content import marked_content, page_key, write_artifacts
from briefkit.rendering.pdf.structure.links import (
    nest_links,
    print_annotations,
    span_link_text,
    unnested_links,
)
from briefkit.rendering.pdf.structure.lists import mend_lists
from briefkit.rendering.pdf.structure.tree import Content, Node, Tree, parents, read, write
from briefkit.rendering.pdf.weasyprint.layout import SOURCE_KEY, TagSource


def complete_tags(pdf: Pdf, sources: list[TagSource]) -> list[str]:
    """Complete the tree of a PDF WeasyPrint wrote; return what still keeps it from PDF/UA-1."""
    struct_root = pdf.Root.get("/StructTreeRoot")
    if struct_root is None:
        return ["the PDF has no structure tree"]
    root = read(struct_root.K[0], sources, None, None)
    tree = Tree(pdf, sources, root, marked_content(pdf))
    _mark_page_furniture(tree, struct_root)
    _place_notes(tree)
    _join_fragments(tree, tree.root)
    _unwrap(tree, tree.root)
    mend_lists(tree)
    nest_links(tree)
    span_link_text(tree)
    _drop_empty_spans(tree.root)
    _describe(tree)
    write(tree.root)
    _update_parent_tree(tree, struct_root)
    write_artifacts(pdf, tree.artifacts)
    print_annotations(pdf)
    return _shortcomings(tree)


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


def _mark_page_furniture(tree: Tree, struct_root: Any) -> None:
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


def _place_notes(tree: Tree) -> None:
    """Move each footnote from the page's note area to follow its call, as a Note."""
    calls = {
        node.source.element: node
        for node in tree.root.nodes()
        if node.source is not None and node.source.pseudo == "footnote-call"
    }
    holders = parents(tree.root)
    number = 0
    for area in [n for n in tree.root.nodes() if n.source and n.source.place == "footnote-area"]:
        for note in [kid for kid in area.kids if isinstance(kid, Node)]:
            number += 1
            _make_note(note, number)
            call = calls.get(note.source.element) if note.source else None
            if call is None:
                continue
            call.set_role("Reference")
            area.kids.remove(note)
            holder = holders[call]
            holder.kids.insert(holder.kids.index(call) + 1, note)
        if not area.kids:
            holders[area].kids.remove(area)


def _make_note(note: Node, number: int) -> None:
    """Make a footnote body a Note with an ID (PDF/UA-1 asks for one), its number a label."""
    note.set_role("Note")
    note.obj.ID = String(f"note-{number}")
    for node in note.nodes():
        if node.source is not None and node.source.pseudo == "footnote-marker":
            node.set_role("Lbl")


def _join_fragments(tree: Tree, node: Node) -> None:
    """Join the fragments of one box that a page or line break split; drop repeated headers."""
    kept: list[Node | Content] = []
    firsts: dict[int, Node] = {}
    for kid in node.kids:
        source = kid.source if isinstance(kid, Node) else None
        before = kept[-1] if kept else None
        if source is None or not isinstance(kid, Node):
            kept.append(kid)
        elif isinstance(before, Node) and before.source and before.source.key == source.key:
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
        if isinstance(kid, Node):
            _join_fragments(tree, kid)


def _rename_cells(tree: Tree, repeated: Node, first: Node) -> None:
    """Point data cells that named a repeated header's cells at the first header's cells."""
    old = [n for n in repeated.nodes() if n.role == "TH" and "/ID" in n.obj]
    new = [n for n in first.nodes() if n.role == "TH" and "/ID" in n.obj]
    for dropped, kept in zip(old, new, strict=False):
        tree.renamed_ids[str(dropped.obj.ID)] = kept.obj.ID


def _unwrap(tree: Tree, node: Node) -> None:
    """Fold pseudo-element links and word-keeping spans into their parents; drop leader dots.

    The contents' leader dots become artifacts; their link annotations stay with the link.
    """
    kids: list[Node | Content] = []
    for kid in node.kids:
        if isinstance(kid, Node):
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


def _drop_empty_spans(node: Node) -> None:
    """Drop spans that hold nothing (an empty inline box, a masthead with no organisation)."""
    kept: list[Node | Content] = []
    for kid in node.kids:
        if isinstance(kid, Node):
            _drop_empty_spans(kid)
            if kid.role == "Span" and not kid.kids and "/Alt" not in kid.obj:
                continue
        kept.append(kid)
    node.kids = kept


def _same_link(node: Node, kid: Node) -> bool:
    """Tell whether kid is a link drawn for the same HTML link as node (its ::after)."""
    return (
        node.role == kid.role == "Link"
        and node.source is not None
        and kid.source is not None
        and node.source.element == kid.source.element
    )


def _describe(tree: Tree) -> None:
    """Give elements what the HTML says: Lang, a header cell's Scope, renamed header ids."""
    inside_head: set[Node] = set()
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


def _rename_headers(cell: Node, renamed: dict[str, Any]) -> None:
    """Replace the ids of dropped header cells in a data cell's Headers."""
    attributes: Any = cell.obj.get("/A")
    headers = attributes.get("/Headers") if isinstance(attributes, Dictionary) else None
    if isinstance(headers, Array):
        attributes.Headers = Array([renamed.get(str(h), h) for h in headers])


def _update_parent_tree(tree: Tree, struct_root: Any) -> None:
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


def _shortcomings(tree: Tree) -> list[str]:
    """Return what keeps the PDF from PDF/UA-1: untagged content, bare images, loose links."""
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
    if unnested := unnested_links(tree):
        problems.append(f"{unnested} links are not in a Link element")
    return problems
