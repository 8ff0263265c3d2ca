"""Render a section's tokens to HTML: the rules every output kind shares.

The token stream is shared; each output kind (print, EPUB, the web page, mail) is a subclass
in ``rendering/markup/`` that overrides only the rules it renders otherwise, as markdown-it's
own renderers do. A citation's and a note's words come from ``rendering/markup/references.py``,
which the plain-text body uses too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from briefkit.errors import BriefkitError
from briefkit.model.brief import CheckedImage, SourceEntry
from briefkit.model.figure_width import FigureWidth
from briefkit.rendering.fetcher import Fetcher, FetchRefused
from briefkit.rendering.markup.references import CitationPlaces, NoteNumbers, citation_text
from briefkit.sources.images import image_path
from briefkit.sources.markup.markdown import parser, typographic
from briefkit.sources.validate import link_allowed
from briefkit.text.languages import Language


@dataclass
class Note:
    """A footnote as rendered for the web, EPUB and mail: its id in the brief, number, ids, body."""

    footnote: int
    number: int
    id: str
    ref_id: str
    html: Markup


@dataclass
class FragmentContext:
    """What a fragment needs from the rest of the brief to render references."""

    citation_numbers: dict[str, int]
    source_href: Callable[[str], str]
    source_names: dict[str, str]
    image_src: Callable[[Path], str]
    folder: Path
    images: Mapping[Path, CheckedImage]
    footnotes: dict[int, list[Token]]
    language: Language
    note_numbers: NoteNumbers = field(default_factory=NoteNumbers)
    citations: CitationPlaces = field(default_factory=CitationPlaces)
    notes: list[Note] = field(default_factory=list)
    figures: int = 0


class FragmentRenderer(RendererHTML):
    """The HTML every output kind shares; a subclass per kind overrides the rules that differ."""

    # The output kind, as the templates' class names and checks know it.
    name: ClassVar[str] = "html"
    # Whether the output is laid out in pages, with notes at the foot of the page that calls them.
    paged: ClassVar[bool] = False
    # What a soft line break between words becomes.
    line_break: ClassVar[str] = "\n"
    # Whether each citation gets an id that its sources' entries link back to.
    citation_ids: ClassVar[bool] = False

    def __init__(self, context: FragmentContext) -> None:
        super().__init__()
        self.context = context
        self._notes_open: set[int] = set()
        self._in_heading = False

    @classmethod
    def logo_src(cls, logo: Path, fetcher: Fetcher, image_src: Callable[[Path], str]) -> str | None:
        """Return how the output addresses the house's logo: inline, as it is outside the brief."""
        return fetcher.data_uri(logo)

    @classmethod
    def section_address(cls, anchor: str) -> str | None:
        """Return a section's address within the output, where it has one of its own."""
        return None

    def render_tokens(self, tokens: Sequence[Token]) -> Markup:
        """Render block tokens; the result is safe HTML built from escaped text."""
        return Markup(self.render(tokens, parser().options, {}))

    def render_heading(self, inline: Token) -> Markup:
        """Render one inline token (a heading's text) to safe HTML."""
        # A heading's citations get no id: the contents repeat its text, and an id with it.
        self._in_heading = True
        try:
            return Markup(self.renderInline(inline.children or [], parser().options, {}))
        finally:
            self._in_heading = False

    def citation(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render ``[see @b, p. 4; @a]`` as ``[1; see 2, p. 4]``, each number linked to its source.

        A narrative citation (``As @a notes``) names the source, then gives its number.
        """
        context = self.context
        cited = citation_text(
            tokens[idx].meta,
            context.citation_numbers,
            context.source_names,
            self._source_number,
            escapeHtml,
        )
        anchor = self._citation_id(tokens[idx].meta)
        numbers = f'<span class="citation"{anchor}>{cited.numbers}</span>'
        if cited.name is None:
            return numbers
        return f'<span class="narrative-citation">{self._prose(cited.name)} {numbers}</span>'

    def _citation_id(self, meta: dict[str, Any]) -> str:
        """Return a citation's id attribute, where the output links its sources back to it."""
        if not self.citation_ids or self._in_heading:
            return ""
        return f' id="{self.context.citations.cite(meta["keys"])}"'

    def _source_number(self, key: str, number: int) -> str:
        """Return a source's number, linked to its entry in Sources."""
        return f'<a href="{escapeHtml(self.context.source_href(key))}">{number}</a>'

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a note call as its number, linked to the note; the note is rendered once."""
        note_id = self._open_call(tokens[idx])
        number, first = self.context.note_numbers.call(note_id)
        sub = int(tokens[idx].meta.get("subId", 0))
        ref_id = f"_fnref{number}" + (f"-{sub + 1}" if sub else "")
        note_anchor = f"_fn{number}"
        if first:
            body = self._note_html(note_id, self.context.footnotes.get(note_id, []))
            self.context.notes.append(Note(note_id, number, note_anchor, ref_id, body))
        return self._note_call(number, ref_id, note_anchor)

    def _open_call(self, token: Token) -> int:
        """Return the note a call names, refusing one that is being rendered already."""
        note_id = int(token.meta["id"])
        if note_id in self._notes_open:
            # The checks refuse notes that call each other in a circle; never recurse on one.
            raise BriefkitError("a footnote calls itself through other notes")
        return note_id

    def _note_call(self, number: int, ref_id: str, note_anchor: str) -> str:
        """Return a note call's markup: a superscript number linked to the note."""
        return (
            f'<sup class="noteref"><a role="doc-noteref" id="{ref_id}" '
            f'href="#{note_anchor}">{number}</a></sup>'
        )

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a link the checks allowed; refuse any other, whatever a source says."""
        href = str(tokens[idx].attrs.get("href", ""))
        if not link_allowed(href):
            raise FetchRefused(f"refused to link to {href!r}")
        return self.renderToken(tokens, idx, options, env)

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """Render text, escaped."""
        return self._prose(escapeHtml(tokens[idx].content))

    def _prose(self, escaped: str) -> str:
        """Return escaped running text as the output sets it: as it is."""
        return escaped

    def span_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a span that marks a language."""
        language = escapeHtml(str(tokens[idx].attrs.get("lang", "")))
        return self._language_span(language) if language else "<span>"

    def _language_span(self, language: str) -> str:
        """Return the opening of a span in another language, its code escaped."""
        return f'<span lang="{language}">'

    def softbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a soft line break as the source has it.

        Between two Chinese or Japanese characters it is nothing: those scripts put no space
        between words, so a line break in the source must not become one.
        """
        before = tokens[idx - 1].content[-1:] if idx > 0 else ""
        after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
        if before and after and is_wide(before) and is_wide(after):
            return ""
        return self.line_break

    def figure(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """Render an image paragraph as a figure with caption and credit, as wide as asked."""
        image = (tokens[idx].children or [])[0]
        caption = escapeHtml(str(image.attrs.get("title", "") or ""))
        credit = escapeHtml(str(image.attrs.get("credit", "") or ""))
        parts = []
        # Figures are numbered in every format, so text can refer to "Figure 2" wherever it is read.
        self.context.figures += 1
        language = self.context.language
        label = language.gettext("Figure {number}").format(
            number=language.number(self.context.figures)
        )
        parts.append(f'<span class="figure-number">{escapeHtml(label)}</span>')
        if caption:
            parts.append(f'<span class="caption">{caption}</span>')
        if credit:
            credited = escapeHtml(self.context.language.gettext("Credit: {credit}"))
            parts.append(f'<span class="credit">{credited.format(credit=credit)}</span>')
        figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
        opening = self._figure_open(image)
        return f"{opening}{self._img(image, in_figure=True)}{figcaption}</figure>\n"

    def _figure_open(self, image: Token) -> str:
        """Open a figure, sized as the output's stylesheet and readers take a size."""
        width = _width(image)
        declarations = self._figure_style(width, self._checked(image).pixels)
        style = f' style="{"; ".join(declarations)}"' if declarations else ""
        sized = " figure--sized" if width else ""
        return f'<figure class="figure{sized}"{style}>'

    def _figure_style(self, width: FigureWidth | None, pixels: tuple[int, int]) -> list[str]:
        """Return a figure's style declarations, holding only numbers its image and the brief give.

        The stylesheet gets the image's proportions and pixel width, from which it caps its
        height and keeps a small image from being enlarged unasked, and the width asked for.
        """
        declarations = shape(pixels)
        if width is not None:
            declarations.append(f"width: {css_length(width)}")
        return declarations

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """Render an inline image with its source mapped for the output."""
        return self._img(tokens[idx])

    def _img(self, image: Token, in_figure: bool = False) -> str:
        """Return an ``img`` element for an image token; a figure's is sized by the figure."""
        alt = escapeHtml(self.renderInlineAsText(image.children or [], parser().options, {}))
        checked = self._checked(image)
        src = escapeHtml(self.context.image_src(checked.path))
        size = self._img_size(_width(image), checked.pixels, in_figure)
        return f'<img src="{src}"{size} alt="{alt}" />'

    def _img_size(self, width: FigureWidth | None, pixels: tuple[int, int], in_figure: bool) -> str:
        """Return an image's size attributes: a style with the width asked, outside a figure."""
        if width is None or in_figure:
            return ""
        return f' style="width: {css_length(width)}"'

    def _checked(self, image: Token) -> CheckedImage:
        """Return the checked image a token names, or refuse one the checks did not pass."""
        path = image_path(self.context.folder, unquote(str(image.attrs.get("src", ""))))
        checked = self.context.images.get(path)
        if checked is None:
            # Only the images the checks passed are ever addressed, whatever a source says.
            raise FetchRefused(f"refused to use image {str(image.attrs.get('src'))!r}: not checked")
        return checked

    def _inline_note(self, note_id: int, body: list[Token]) -> str:
        """Render a footnote body as inline HTML: paragraphs joined by spaces."""
        inline = [t for t in body if t.type not in ("paragraph_open", "paragraph_close")]
        return self._within_note(note_id, lambda: self.render(inline, parser().options, {}))

    def _note_html(self, note_id: int, body: list[Token]) -> Markup:
        """Render a footnote body as blocks, with the context's numbering continuing."""
        return Markup(self._within_note(note_id, lambda: self.render(body, parser().options, {})))

    def _within_note(self, note_id: int, render: Callable[[], str]) -> str:
        """Render a note's body, remembering that the note is open while its calls render."""
        self._notes_open.add(note_id)
        try:
            return render().strip()
        finally:
            self._notes_open.discard(note_id)


def is_wide(char: str) -> bool:
    """Tell whether a character is of a script written without spaces (Chinese, Japanese)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def join_lines(text: str) -> str:
    """Remove the spaces that line breaks left between Chinese or Japanese characters."""
    return re.sub(r"(?<=\S) (?=\S)", lambda m: "" if _both_wide(m) else " ", text)


def _both_wide(match: re.Match[str]) -> bool:
    """Tell whether the characters either side of a matched space are wide."""
    text, start = match.string, match.start()
    return is_wide(text[start - 1]) and is_wide(text[start + 1])


def source_names(sources: Mapping[str, SourceEntry], language: Language) -> dict[str, str]:
    """Return the name each source's narrative citations print, with the body's typography."""
    quotes, french = tuple(language.quotes), language.french_spacing
    return {key: typographic(entry.in_text, quotes, french) for key, entry in sources.items()}


def _width(image: Token) -> FigureWidth | None:
    """Return the width the parser read for an image, if it was given one."""
    width = image.meta.get("width")
    return width if isinstance(width, FigureWidth) else None


def css_length(width: FigureWidth) -> str:
    """Return a width as a CSS length, written from its number and unit: 60%, 12.5cm."""
    return f"{width.number}{width.unit.value}"


def shape(pixels: tuple[int, int]) -> list[str]:
    """Return an image's proportions (width over height) and width, as custom properties."""
    width, height = pixels
    return [f"--figure-ratio: {width / max(height, 1):.4f}", f"--figure-natural: {width}px"]
