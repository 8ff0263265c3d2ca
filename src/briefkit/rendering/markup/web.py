"""The HTML page's markup: wide tables scroll in a box of their own, so the page never does."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from briefkit.rendering.fragments import FragmentRenderer


class WebRenderer(FragmentRenderer):
    """Markup for the single-file HTML page."""

    name = "web"
    citation_ids = True

    @classmethod
    def section_address(cls, anchor: str) -> str | None:
        """Return a section's address on the page: its anchor."""
        return f"#{anchor}"

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Open a table inside a box that scrolls sideways."""
        table = self.renderToken(tokens, idx, options, env)
        # Focusable and named, so that the box can be scrolled from the keyboard.
        name = escapeHtml(self.context.language.gettext("Table"))
        return f'<div class="table-scroll" role="region" tabindex="0" aria-label="{name}">{table}'

    def table_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        """Close a table and the box it scrolls in."""
        return self.renderToken(tokens, idx, options, env) + "</div>\n"
