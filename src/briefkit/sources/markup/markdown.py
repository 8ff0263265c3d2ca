"""The one Markdown parser: CommonMark plus footnotes, tables, citations and section attributes.

Every output format renders the tokens this module produces; nothing parses a source twice.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.footnote import footnote_plugin

from briefkit.sources.markup.image_attributes import image_attributes_rule
from briefkit.sources.markup.tokens import inline_children
from briefkit.sources.references import citations

ENGLISH_QUOTES = ("“", "”", "‘", "’")
# French sets a narrow no-break space before ; ! ? and a no-break space before : and inside
# guillemets, so the mark never starts a line. Only a space the writer typed is replaced:
# "10:30" and "https:" stay as written.
# Each space pattern starts only at a run's first space, so a long run is read once.
_FRENCH_SPACES = (
    (re.compile(r"(?<! ) +([;!?])"), "\u202f\\1"),
    (re.compile(r"(?<! ) +:"), "\u00a0:"),
    (re.compile(r"« +"), "«\u00a0"),
    (re.compile(r"(?<! ) +»"), "\u00a0»"),
)


@cache
def parser(quotes: tuple[str, ...] = ENGLISH_QUOTES, french: bool = False) -> MarkdownIt:
    """Return the parser for a language's quotation marks; raw HTML is off, so markup is text."""
    options = {"html": False, "xhtmlOut": True, "typographer": True, "quotes": list(quotes)}
    md = MarkdownIt("commonmark", options)
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    # markdown-it drops links it distrusts (file:, javascript:) and leaves their text as it was
    # written; keeping every link lets the checks report each one at its line instead.
    md.validateLink = _keep_link  # type: ignore[method-assign]
    md.use(footnote_plugin)
    # Only `lang` (on a bracketed span, `[नरेंद्र मोदी]{lang=hi}`) and an image's `credit` and
    # `width` may be set: arbitrary attributes would let a source add event handlers or styles.
    md.use(attrs_plugin, after=("span_close",), spans=True, allowed=("lang",))
    # An image's block is pandoc's (`{width=60%}`), which the plugin's djot grammar cannot read.
    md.inline.ruler.push("image_attributes", image_attributes_rule)
    md.inline.ruler.before("link", "citation", citations.bracketed_rule)
    md.inline.ruler.before("link", "narrative_citation", citations.narrative_rule)
    md.core.ruler.after("block", "heading_attrs", _heading_attrs_rule)
    md.core.ruler.after("inline", "inline_lines", _inline_lines_rule)
    md.core.ruler.after("inline_lines", "figures", _figure_rule)
    if french:
        md.core.ruler.after("smartquotes", "french_spacing", _french_spacing_rule)
    return md


def parse(
    body: str, quotes: tuple[str, ...] = ENGLISH_QUOTES, french: bool = False
) -> tuple[list[Token], dict[str, object]]:
    """Parse a body into block tokens and the environment (footnote definitions)."""
    env: dict[str, object] = {}
    tokens = parser(quotes, french).parse(body, env)
    return tokens, env


def typographic(text: str, quotes: tuple[str, ...] = ENGLISH_QUOTES, french: bool = False) -> str:
    """Return plain text (a title, a summary) with the typography the body gets.

    The parser's own rules run on it: the language's quotation marks and apostrophes, dashes
    and ellipses. Nothing else is parsed: an asterisk stays an asterisk.
    """
    from markdown_it.rules_core.replacements import replace
    from markdown_it.rules_core.smartquotes import smartquotes

    md = parser(quotes, french)
    state = StateCore(text, md, {})
    child = Token("text", "", 0, content=text)
    state.tokens = [Token("inline", "", 0, content=text, children=[child])]
    replace(state)
    smartquotes(state)
    if french:
        _french_spacing_rule(state)
    return child.content


def _french_spacing_rule(state: StateCore) -> None:
    """Keep French punctuation and guillemets on the line of the word they belong to."""
    for block in state.tokens:
        for child in block.children or []:
            if child.type == "text":
                for pattern, space in _FRENCH_SPACES:
                    child.content = pattern.sub(space, child.content)


def _keep_link(url: str) -> bool:
    """Keep every link and image for the checks to judge."""
    del url
    return True


def _heading_attrs_rule(state: StateCore) -> None:
    """Move a trailing ``{.kind by="..."}`` from a heading's text into the token's meta."""
    tokens = state.tokens
    lines = state.src.split("\n")  # once: a brief may have hundreds of headings
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        found = _trailing_attributes(inline.content)
        if found is None:
            continue
        start, written = found
        inline.content = inline.content[:start].rstrip()
        if token.map is not None:
            token.meta["attr_col"] = lines[token.map[0]].rfind("{") + 1
        try:
            _, attrs = parse_attrs(written)
        except ParseError:
            token.meta["attr_error"] = attribute_hint(written)
            continue
        token.meta["attrs"] = attrs
        # `classes` keeps every class in order, so "{.fact .commentary}" can be refused.
        token.meta["classes"] = _classes(written)


def _trailing_attributes(content: str) -> tuple[int, str] | None:
    """Return where a heading's closing ``{...}`` starts, and the block, if it ends with one.

    Found from the end, not by a pattern searched from every position: a heading of
    thousands of spaces is read once.
    """
    text = content.rstrip()
    start = text.rfind("{")
    if not text.endswith("}") or start < 0 or "}" in text[start + 1 : -1]:
        return None
    return start, text[start:]


def attribute_hint(written: str) -> str:
    """Say what to write instead of a heading's malformed attribute block."""
    bare = re.fullmatch(r"\{\s*([A-Za-z]+)\s*\}", written)
    if bare:
        return f"write {{.{bare.group(1)}}}: a section's kind starts with a dot"
    unquoted = _unquoted_value(written)
    if unquoted:
        name, value = unquoted
        return f'put the value in quotes: {name}="{value}"'
    return 'write them as {.fact}, {.commentary} or {.commentary by="Name"}'


# A name starts only where a word does, so a word of thousands of letters is read once.
_ATTRIBUTE_NAME = re.compile(r"(?<!\w)(\w+)=")


def _unquoted_value(written: str) -> tuple[str, str] | None:
    """Return the first attribute whose value holds spaces but no quotes: ``by=Jane Doe``."""
    names = list(_ATTRIBUTE_NAME.finditer(written))
    for index, name in enumerate(names):
        # A value runs to the next name, or to the closing brace.
        end = names[index + 1].start() if index + 1 < len(names) else len(written) - 1
        raw = written[name.end() : end]
        value = raw.strip()
        if not raw[:1] or raw[:1].isspace() or any(c in "\"'{}=" for c in value):
            continue
        if any(c.isspace() for c in value):
            return name.group(1), value
    return None


def _classes(text: str) -> list[str]:
    """Return every ``.class`` in an attribute block, in order."""
    return re.findall(r"(?:^|[\s{])\.([^\s}.#=]+)", text)


def _inline_lines_rule(state: StateCore) -> None:
    """Give every inline child the body line (0-based) it sits on."""
    for block in state.tokens:
        if block.type != "inline" or block.map is None or not block.children:
            continue
        offset = 0
        for child in block.children:
            child.meta["line"] = block.map[0] + offset
            # An image's alt text is inline content too, and may hold another image.
            for nested in inline_children([child]):
                nested.meta["line"] = block.map[0] + offset
            if child.type in ("softbreak", "hardbreak"):
                offset += 1


def _figure_rule(state: StateCore) -> None:
    """Turn a paragraph that holds only an image into a figure token."""
    tokens = state.tokens
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        image = _lone_image(tokens, index)
        if image is None:
            out.append(tokens[index])
            index += 1
            continue
        figure = Token("figure", "figure", 0)
        figure.map = tokens[index].map
        figure.level = tokens[index].level
        figure.block = True
        figure.children = [image]
        out.append(figure)
        index += 3
    state.tokens = out


def _lone_image(tokens: list[Token], index: int) -> Token | None:
    """Return the image if tokens[index:index+3] is a paragraph with one image and nothing else."""
    if index + 2 >= len(tokens) or tokens[index].type != "paragraph_open":
        return None
    inline, close = tokens[index + 1], tokens[index + 2]
    if close.type != "paragraph_close" or not inline.children:
        return None
    content = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
    if len(content) == 1 and content[0].type == "image":
        return content[0]
    return None


def plain_text(inline: Token) -> str:
    """Return the text of an inline token without markup, an image's alt text included.

    A loop with a stack, not recursion: images may stand in one another's alt text.
    """
    parts: list[str] = []
    # A number on the stack marks the end of an image's alt text: the parts since that
    # index are its text, trimmed as a whole.
    stack: list[Token | int] = list(reversed(inline.children or []))
    while stack:
        item = stack.pop()
        if isinstance(item, int):
            parts[item:] = ["".join(parts[item:]).strip()]
        elif item.type in ("text", "code_inline"):
            parts.append(item.content)
        elif item.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif item.type == "image":
            stack.append(len(parts))
            stack.extend(reversed(item.children or []))
    return "".join(parts).strip()
