"""Put each link annotation in its Link element, and let every annotation print.

PDF/UA-1 (7.18.5) wants each link annotation referred to (an ``OBJR``) from the ``Link``
element of its text. WeasyPrint refers to it from every box inside the link that draws it:
an entry of the contents, a title and its page number each in a ``Span``, has its
annotations on the spans. They move up to the link. An annotation that prints on screen but
not on paper tells readers two different things (7.18.1), so every annotation prints.
"""

from __future__ import annotations

from typing import Any

from pikepdf import Name, Pdf

from briefkit.rendering.pdf.structure.tree import Content, Node, Tree, parents

_PRINT, _HIDDEN, _NO_VIEW = 4, 2, 32


def nest_links(tree: Tree) -> None:
    """Move link annotations referred to from inside a Link element up to that element."""
    holders = parents(tree.root)
    for node in list(tree.root.nodes()):
        link = _enclosing_link(node, holders)
        if link is None or link is node:
            continue
        moving = [kid for kid in node.kids if _is_link_annotation(kid)]
        if moving:
            node.kids = [kid for kid in node.kids if kid not in moving]
            link.kids.extend(moving)
            tree.move_kids(list(moving), link)


def span_link_text(tree: Tree) -> None:
    """Put the text a Link holds beside elements (a contents entry's spans) in spans too.

    Then the link's words are its elements' in the order they are drawn, not its own text
    first and its elements' after, as a reader that takes an element's text before its
    kids' would have them.
    """
    for link in [node for node in tree.root.nodes() if node.role == "Link"]:
        if not link.elements():
            continue
        for index, kid in enumerate(link.kids):
            if isinstance(kid, Content) and kid.mcid is not None:
                span = tree.new_element("Span", link)
                span.kids = [kid]
                tree.move_kids([kid], span)
                link.kids[index] = span


def _enclosing_link(node: Node, holders: dict[Node, Node]) -> Node | None:
    """Return the Link element that is node or holds it, if any."""
    current: Node | None = node
    while current is not None and current.role != "Link":
        current = holders.get(current)
    return current


def _is_link_annotation(kid: Node | Content) -> bool:
    """Tell whether a kid refers to a link annotation."""
    return isinstance(kid, Content) and kid.objr is not None and _is_link(kid.objr.Obj)


def _is_link(annotation: Any) -> bool:
    """Tell whether an annotation is a link."""
    return bool(annotation.get("/Subtype") == Name.Link)


def unnested_links(tree: Tree) -> int:
    """Count the link annotations that no Link element refers to directly."""
    referred = {
        kid.objr.Obj.objgen
        for node in tree.root.nodes()
        if node.role == "Link"
        for kid in node.kids
        if isinstance(kid, Content) and _is_link_annotation(kid)
    }
    return sum(
        1
        for page in tree.pdf.pages
        for annotation in page.obj.get("/Annots", [])
        if _is_link(annotation) and annotation.objgen not in referred
    )


def print_annotations(pdf: Pdf) -> None:
    """Let every annotation print, and show it on screen: paper and screen say the same."""
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            flags = int(annotation.get("/F", 0))
            annotation.F = (flags | _PRINT) & ~(_HIDDEN | _NO_VIEW)
