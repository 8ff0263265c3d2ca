"""The structure tree of a PDF WeasyPrint wrote, read into nodes that know their HTML source.

``pdf_tags`` completes the tree, ``pdf_lists`` and ``pdf_links`` mend its lists and links;
each works on these nodes, and ``write`` puts them back into the PDF's objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pikepdf import Array, Dictionary, Name, Pdf

from briefkit.rendering.pdf.content import Page, page_key
from briefkit.rendering.pdf.weasyprint.layout import SOURCE_KEY, TagSource


@dataclass
class Content:
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
class Node:
    """A structure element, with its source in the HTML and its kids."""

    obj: Any
    source: TagSource | None
    page: Any
    key: Page | None
    role: str
    kids: list[Node | Content] = field(default_factory=list)

    def set_role(self, role: str) -> None:
        """Change the element's structure type."""
        self.role = role
        self.obj.S = Name("/" + role)

    def nodes(self) -> Iterator[Node]:
        """Yield this element and every element under it, in reading order."""
        # A stack, not recursion: a tree thousands of elements deep costs no nested generators.
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(kid for kid in reversed(node.kids) if isinstance(kid, Node))

    def contents(self) -> Iterator[Content]:
        """Yield every marked content and annotation under this element."""
        for node in self.nodes():
            yield from (kid for kid in node.kids if isinstance(kid, Content))

    def elements(self) -> list[Node]:
        """Return the element's own kids that are elements."""
        return [kid for kid in self.kids if isinstance(kid, Node)]


@dataclass
class Tree:
    """The document's tree being completed, and the marked content it turns into artifacts."""

    pdf: Pdf
    sources: list[TagSource]
    root: Node
    marked: dict[Page, set[int]]
    artifacts: dict[Page, dict[int, str]] = field(default_factory=dict)
    renamed_ids: dict[str, Any] = field(default_factory=dict)
    # The parent tree's entries that change: marked content, and annotations by StructParent.
    moved: dict[tuple[Page | None, int | None], Dictionary] = field(default_factory=dict)
    moved_annotations: dict[int, Dictionary] = field(default_factory=dict)

    def move_kids(self, kids: list[Node | Content], to: Node) -> None:
        """Note that an element's own kids now belong to another element."""
        for kid in kids:
            if isinstance(kid, Content) and kid.objr is not None:
                self.moved_annotations[int(kid.objr.Obj.StructParent)] = to.obj
            elif isinstance(kid, Content):
                self.moved[kid.where] = to.obj

    def make_artifact(self, node: Node, kind: str) -> None:
        """Turn an element's marked content into artifacts of a kind; its annotations stay."""
        for content in node.contents():
            page, mcid = content.where
            if mcid is not None and page is not None:
                self.artifacts.setdefault(page, {})[mcid] = kind

    def new_element(self, role: str, like: Node) -> Node:
        """Return a new element of a role, on the page of another, from no HTML of its own."""
        obj = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + role)))
        if like.page is not None:
            obj.Pg = like.page
        return Node(obj, None, like.page, like.key, role)


def parents(root: Node) -> dict[Node, Node]:
    """Return each element's parent."""
    return {kid: node for node in root.nodes() for kid in node.elements()}


def read(obj: Any, sources: list[TagSource], page: Any, key: Page | None) -> Node:
    """Read an element and its kids, taking the source WeasyPrint's writing noted."""
    index = obj.get("/" + SOURCE_KEY)
    source = sources[int(index)] if index is not None else None
    if index is not None:
        del obj["/" + SOURCE_KEY]
    if "/Pg" in obj:
        page = obj.Pg
        key = page_key(page)
    node = Node(obj, source, page, key, str(obj.get("/S", "/NonStruct"))[1:])
    kids = obj.get("/K", Array())
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, int):
            node.kids.append(Content(page=page, key=key, mcid=int(kid)))
        elif kid.get("/Type") == Name.MCR:
            where = kid.get("/Pg", page)
            node.kids.append(Content(page=where, key=page_key(where), mcid=int(kid.MCID)))
        elif kid.get("/Type") == Name.OBJR:
            node.kids.append(Content(objr=kid))
        else:
            node.kids.append(read(kid, sources, page, key))
    return node


def write(node: Node) -> None:
    """Write the kids of an element and all under it back into the PDF objects."""
    own = node.key if "/Pg" in node.obj else None
    kids = Array()
    for kid in node.kids:
        if isinstance(kid, Node):
            kid.obj.P = node.obj
            write(kid)
            kids.append(kid.obj)
        elif kid.objr is not None:
            kids.append(kid.objr)
        elif own is not None and kid.where[0] == own:
            kids.append(kid.mcid)
        else:
            # Joined from another page than the element's own: name the page.
            kids.append(Dictionary(Type=Name.MCR, Pg=kid.page, MCID=kid.mcid))
    node.obj.K = kids
