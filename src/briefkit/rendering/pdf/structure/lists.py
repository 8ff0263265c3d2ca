"""Mend the lists WeasyPrint tags, so each list holds items and each item a label and a body.

PDF/UA-1 lets an ``L`` hold only ``LI``, ``L`` and ``Caption``, and an ``LI`` only ``Lbl`` and
``LBody``. WeasyPrint tags a ``dl`` as an ``L`` whose every ``dt`` and ``dd`` is an item of
its own, keeps the ``div`` that groups a term with its description as a ``Div`` inside the
list, and puts a loose item's paragraphs straight into its ``LI``. Here a term and its
description become one item (the term its label, the description its body), a loose item's
paragraphs go into its body, and anything else a list holds gets an item of its own.
"""

from __future__ import annotations

from briefkit.rendering.pdf.structure.tree import Content, Node, Tree

_LIST_KIDS = frozenset({"LI", "L", "Caption"})
_ITEM_KIDS = frozenset({"Lbl", "LBody"})
_DEFINITION_PARTS = frozenset({"dt", "dd"})


def mend_lists(tree: Tree) -> None:
    """Give every list only items and lists, every item only a label and a body."""
    for node in list(tree.root.nodes()):
        if node.role == "L":
            _mend_list(tree, node)
    for node in list(tree.root.nodes()):
        if node.role == "LI":
            _mend_item(tree, node)


def _tag(node: Node | Content) -> str:
    """Return the HTML tag an element came from, or '' for content and unknown sources."""
    return node.source.tag if isinstance(node, Node) and node.source is not None else ""


def _mend_list(tree: Tree, lst: Node) -> None:
    """Make a term and its description one item; wrap anything else but items in one."""
    kids: list[Node | Content] = []
    for kid in lst.kids:
        if isinstance(kid, Node) and kid.role in _LIST_KIDS:
            kids.append(kid)
        elif isinstance(kid, Node) and any(_tag(k) in _DEFINITION_PARTS for k in kid.kids):
            # A dl's div: one term (or several) with its descriptions.
            kids.append(_definition(tree, kid, kid.elements()))
        else:
            kids.append(_item(tree, lst, [kid]))
    if _tag(lst) == "dl":
        kids = _pair_terms(tree, kids)
    lst.kids = kids


def _pair_terms(tree: Tree, kids: list[Node | Content]) -> list[Node | Content]:
    """Join the items a dl's terms and descriptions each made into one item per entry."""
    groups: list[list[Node]] = []
    kept: list[Node | Content] = []
    previous = ""
    for kid in kids:
        tag = _tag(kid)
        if not isinstance(kid, Node) or tag not in _DEFINITION_PARTS:
            kept.append(kid)
            previous = ""
            continue
        if not groups or previous == "" or (tag == "dt" and previous == "dd"):
            groups.append([])
            kept.append(kid)
        groups[-1].append(kid)
        previous = tag
    for group in groups:
        _definition(tree, group[0], group)
    return kept


def _definition(tree: Tree, item: Node, parts: list[Node]) -> Node:
    """Make item one LI of its parts: each term's body a label, each description's a body."""
    kids: list[Node | Content] = []
    for part in parts:
        if _tag(part) not in _DEFINITION_PARTS:
            kids.append(part)
            continue
        for kid in part.kids:
            if isinstance(kid, Node) and _tag(part) == "dt":
                kid.set_role("Lbl")
            kids.append(kid)
        tree.move_kids(part.kids, item)
    item.set_role("LI")
    item.kids = kids
    return item


def _mend_item(tree: Tree, item: Node) -> None:
    """Put what an item holds besides its label and body into its body."""
    kids: list[Node | Content] = []
    for kid in item.kids:
        if isinstance(kid, Node) and kid.role in _ITEM_KIDS:
            kids.append(kid)
            continue
        body = kids[-1] if kids else None
        if isinstance(body, Node) and body.role == "LBody":
            body.kids.append(kid)
            tree.move_kids([kid], body)
        else:
            kids.append(_body(tree, item, [kid]))
    item.kids = kids


def _body(tree: Tree, parent: Node, kids: list[Node | Content]) -> Node:
    """Return a new LBody, on the parent's page, that holds the kids."""
    body = tree.new_element("LBody", parent)
    body.kids = list(kids)
    tree.move_kids(kids, body)
    return body


def _item(tree: Tree, parent: Node, kids: list[Node | Content]) -> Node:
    """Return a new LI, on the parent's page, whose body holds the kids."""
    item = tree.new_element("LI", parent)
    item.kids = [_body(tree, parent, kids)]
    return item
