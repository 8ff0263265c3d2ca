"""The PDF's markup: notes set at their call, to float to the foot of the page; names kept whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from briefkit.rendering.fragments import FragmentRenderer

SHORT_TABLE_ROWS = 6
# A word of seven letters or more (not an entity's name: the text is escaped already).
_LONG_WORD = re.compile(r"(?<![\w&#])[^\W\d_]\w{6,}")


class PrintRenderer(FragmentRenderer):
    """Markup for WeasyPrint's pages: the PDF."""

    name = "print"
    paged = True
    # WeasyPrint keeps a line break inside a note, which runs on in its paragraph.
    line_break: ClassVar[str] = " "

    def _prose(self, escaped: str) -> str:
        """Keep capitalised words (names, places) whole at line ends.

        Hyphenation dictionaries split names as they split words ("Takai-chi", "Johan-nesburg");
        a word shorter than seven letters is never hyphenated, so it needs no span.
        """
        return _LONG_WORD.sub(_keep_capitalised, escaped)

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Render a note call as the note itself, inline, at each call."""
        note_id = self._open_call(tokens[idx])
        body = self.context.footnotes.get(note_id, [])
        # WeasyPrint floats this span to the foot of the page (`float: footnote`).
        note = f"_fn{note_id + 1}"
        return f'<span class="footnote" id="{note}">{self._inline_note(note_id, body)}</span>'

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Open a table, marked to stay whole on one page when it has at most six rows."""
        rows = 0
        for token in tokens[idx:]:
            if token.type == "table_close":
                break
            rows += token.type == "tr_open"
        short = rows <= SHORT_TABLE_ROWS + 1
        return '<table class="table--short">\n' if short else "<table>\n"


def _keep_capitalised(match: re.Match[str]) -> str:
    """Wrap a word that starts with a capital letter, in any script that has them."""
    word = match.group(0)
    return f'<span class="capitalised">{word}</span>' if word[0].isupper() else word
