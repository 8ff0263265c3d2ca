"""Render a section's tokens to HTML for one output flavour: print (PDF), web (HTML), EPUB, email.

The token stream is shared; only how citations, footnotes and images come out differs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from briefkit.errors import BriefkitError
from briefkit.model.brief import CheckedImage, SourceEntry
from briefkit.model.figure_width import FigureWidth
from briefkit.rendering.fetcher import FetchRefused
from briefkit.sources.images import image_path
from briefkit.sources.markup.markdown import parser, typographic
from briefkit.sources.references.citations import arrange, bracketed, narrative_name
from briefkit.sources.validate import link_allowed
from briefkit.text.languages import Language


class Flavour(StrEnum):
    """The output a fragment is rendered for."""

    PRINT = "print"
    WEB = "web"
    EPUB = "epub"
    EMAIL = "email"


@dataclass
class Note:
    """A footnote as rendered for the web and EPUB: number, ids and body."""

    number: int
    id: str
    ref_id: str
    html: Markup


@dataclass
class FragmentContext:
    """What a fragment needs from the rest of the brief to render references."""

    flavour: Flavour
    citation_numbers: dict[str, int]
    source_href: Callable[[str], str]
    source_names: dict[str, str]
    image_src: Callable[[Path], str]
    folder: Path
    images: Mapping[Path, CheckedImage]
    footnotes: dict[int, list[Token]]
    language: Language
    note_numbers: dict[int, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    figures: int = 0


class FragmentRenderer(RendererHTML):
    """An HTML renderer whose references follow the flavour in its context."""

    def __init__(self, context: FragmentContext) -> None:
        super().__init__()
        self.context = context
        self._notes_open: set[int] = set()

    def render_tokens(self, tokens: Sequence[Token]) -> Markup:
        """Render block tokens; the result is safe HTML built from escaped text."""
        return Markup(self.render(tokens, parser().options, {}))

    def citation(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render ``[see @b, p. 4; @a]`` as ``[1; see 2, p. 4]``, each number linked to its source.

        A narrative citation (``As @a notes``) names the source, then gives its number. In mail
        the numbers are plain: clients treat links within a message unreliably.
        """
        meta = tokens[idx].meta
        parts, separator = arrange(meta["items"], self.context.citation_numbers)
        cited = bracketed(parts, separator, self._source_number, escapeHtml)
        cited = f'<span class="citation">{cited}</span>'
        if not meta["narrative"]:
            return cited
        name = escapeHtml(narrative_name(meta, self.context.source_names))
        if self.context.flavour is Flavour.PRINT:
            name = _LONG_WORD.sub(_keep_capitalised, name)
        return f'<span class="narrative-citation">{name} {cited}</span>'

    def _source_number(self, key: str, number: int) -> str:
        """Return a source's number, linked to its entry in Sources except in mail."""
        if self.context.flavour is Flavour.EMAIL:
            return str(number)
        return f'<a href="{escapeHtml(self.context.source_href(key))}">{number}</a>'

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a note call: inline note content for print, a linked number elsewhere."""
        note_id = int(tokens[idx].meta["id"])
        body = self.context.footnotes.get(note_id, [])
        if note_id in self._notes_open:
            # The checks refuse notes that call each other in a circle; never recurse on one.
            raise BriefkitError("a footnote calls itself through other notes")
        if self.context.flavour is Flavour.PRINT:
            # WeasyPrint floats this span to the foot of the page (`float: footnote`).
            note = f"_fn{note_id + 1}"
            return f'<span class="footnote" id="{note}">{self._inline_note(note_id, body)}</span>'
        number = self.context.note_numbers.setdefault(note_id, len(self.context.note_numbers) + 1)
        sub = int(tokens[idx].meta.get("subId", 0))
        ref_id = f"_fnref{number}" + (f"-{sub + 1}" if sub else "")
        note_anchor = f"_fn{number}"
        if not any(n.number == number for n in self.context.notes):
            self.context.notes.append(
                Note(number, note_anchor, ref_id, self._note_html(note_id, body))
            )
        if self.context.flavour is Flavour.EMAIL:
            # The notes follow their section in the message; a plain number finds them.
            return f'<sup class="noteref">{number}</sup>'
        if self.context.flavour is Flavour.EPUB:
            return (
                f'<a epub:type="noteref" role="doc-noteref" class="noteref" '
                f'id="{ref_id}" href="#{note_anchor}">{number}</a>'
            )
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
        """Render text; in print, keep capitalised words (names, places) whole at line ends.

        Hyphenation dictionaries split names as they split words ("Takai-chi", "Johan-nesburg");
        a word shorter than seven letters is never hyphenated, so it needs no span.
        """
        escaped = escapeHtml(tokens[idx].content)
        if self.context.flavour is not Flavour.PRINT:
            return escaped
        return _LONG_WORD.sub(_keep_capitalised, escaped)

    def span_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a span that marks a language, with xml:lang too in the EPUB's XHTML."""
        language = escapeHtml(str(tokens[idx].attrs.get("lang", "")))
        if not language:
            return "<span>"
        if self.context.flavour is Flavour.EPUB:
            return f'<span lang="{language}" xml:lang="{language}">'
        return f'<span lang="{language}">'

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Open a table, marked to stay whole in print when short, scrolling on the web page.

        In print a table of at most six rows is never split; on the web page a table scrolls
        sideways in a box of its own, so the page never does.
        """
        if self.context.flavour is Flavour.PRINT:
            rows = 0
            for token in tokens[idx:]:
                if token.type == "table_close":
                    break
                rows += token.type == "tr_open"
            short = rows <= SHORT_TABLE_ROWS + 1
            return '<table class="table--short">\n' if short else "<table>\n"
        table = self.renderToken(tokens, idx, options, env)
        if self.context.flavour is not Flavour.WEB:
            return table
        # Focusable and named, so that the box can be scrolled from the keyboard.
        name = escapeHtml(self.context.language.gettext("Table"))
        return f'<div class="table-scroll" role="region" tabindex="0" aria-label="{name}">{table}'

    def table_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Close a table, and on the web page the box it scrolls in."""
        table = self.renderToken(tokens, idx, options, env)
        return table + "</div>\n" if self.context.flavour is Flavour.WEB else table

    def softbreak(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a soft line break as a space (in print, where WeasyPrint keeps it in notes).

        Between two Chinese or Japanese characters it is nothing: those scripts put no space
        between words, so a line break in the source must not become one.
        """
        before = tokens[idx - 1].content[-1:] if idx > 0 else ""
        after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
        if before and after and is_wide(before) and is_wide(after):
            return ""
        return " " if self.context.flavour is Flavour.PRINT else "\n"

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
        """Open a figure, sized as its flavour's stylesheet and readers take a size."""
        width = _width(image)
        style = figure_style(self.context.flavour, width, self._checked(image).pixels)
        sized = " figure--sized" if width else ""
        return f'<figure class="figure{sized}"{style}>'

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        """Render an inline image with its source mapped for the flavour."""
        return self._img(tokens[idx])

    def _img(self, image: Token, in_figure: bool = False) -> str:
        """Return an ``img`` element for an image token; a figure's is sized by the figure."""
        alt = escapeHtml(self.renderInlineAsText(image.children or [], parser().options, {}))
        checked = self._checked(image)
        src = escapeHtml(self.context.image_src(checked.path))
        width, size = _width(image), ""
        if self.context.flavour is Flavour.EMAIL:
            # Outlook for Windows ignores CSS sizes on images and goes by this attribute alone.
            size = f' width="{mail_width(width, checked.pixels)}"'
        if width and not in_figure:
            size += image_style(self.context.flavour, width)
        return f'<img src="{src}"{size} alt="{alt}" />'

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


SHORT_TABLE_ROWS = 6
# A word of seven letters or more (not an entity's name: the text is escaped already).
_LONG_WORD = re.compile(r"(?<![\w&#])[^\W\d_]\w{6,}")


def _keep_capitalised(match: re.Match[str]) -> str:
    """Wrap a word that starts with a capital letter, in any script that has them."""
    word = match.group(0)
    return f'<span class="capitalised">{word}</span>' if word[0].isupper() else word


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


def render_inline(inline: Token, context: FragmentContext) -> Markup:
    """Render one inline token (a heading's text) to safe HTML."""
    renderer = FragmentRenderer(context)
    return Markup(renderer.renderInline(inline.children or [], parser().options, {}))


def source_names(sources: Mapping[str, SourceEntry], language: Language) -> dict[str, str]:
    """Return the name each source's narrative citations print, with the body's typography."""
    quotes, french = tuple(language.quotes), language.french_spacing
    return {key: typographic(entry.in_text, quotes, french) for key, entry in sources.items()}


# The widest a mail client draws an image: the 600 px column less its padding and a
# commentary's rule.
MAIL_IMAGE_WIDTH = 516


def _width(image: Token) -> FigureWidth | None:
    """Return the width the parser read for an image, if it was given one."""
    width = image.meta.get("width")
    return width if isinstance(width, FigureWidth) else None


def css_length(width: FigureWidth) -> str:
    """Return a width as a CSS length, written from its number and unit: 60%, 12.5cm."""
    return f"{width.number}{width.unit.value}"


def mail_width(width: FigureWidth | None, pixels: tuple[int, int]) -> int:
    """Return the pixels an image spans in the mail's column: as asked, else its own width."""
    wanted = pixels[0] if width is None else width.pixels_in(MAIL_IMAGE_WIDTH)
    return max(1, min(MAIL_IMAGE_WIDTH, round(wanted)))


def figure_style(flavour: Flavour, width: FigureWidth | None, pixels: tuple[int, int]) -> str:
    """Return a figure's style attribute, holding only numbers its image and the brief give.

    Print and the web page get the image's proportions and pixel width, from which their
    stylesheets cap its height and keep a small image from being enlarged unasked; the EPUB
    gets the width alone, as e-readers take it; mail a width in pixels its clients honour.
    """
    if flavour is Flavour.EMAIL:
        declarations = _mail_figure(width, pixels)
    else:
        declarations = [] if flavour is Flavour.EPUB else _shape(pixels)
        if width is not None:
            declarations.append(f"width: {css_length(width)}")
    return f' style="{"; ".join(declarations)}"' if declarations else ""


def _mail_figure(width: FigureWidth | None, pixels: tuple[int, int]) -> list[str]:
    """Return a mail figure's width: a share follows the column, anything else is a most."""
    if width is not None and width.share is not None:
        return [f"width: {css_length(width)}"]
    return [f"max-width: {mail_width(width, pixels)}px"]


def _shape(pixels: tuple[int, int]) -> list[str]:
    """Return an image's proportions (width over height) and width, as custom properties."""
    width, height = pixels
    return [f"--figure-ratio: {width / max(height, 1):.4f}", f"--figure-natural: {width}px"]


def image_style(flavour: Flavour, width: FigureWidth) -> str:
    """Return the style of a sized image outside a figure; in mail, only a share needs one."""
    if flavour is Flavour.EMAIL and width.share is None:
        return ""
    return f' style="width: {css_length(width)}"'
