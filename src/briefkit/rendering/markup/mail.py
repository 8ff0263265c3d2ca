"""The message's markup: plain numbers, and images sized in pixels that mail clients honour."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefkit.model.figure_width import FigureWidth
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import FragmentRenderer, css_length

# The widest a mail client draws an image: the 600 px column less its padding and a
# commentary's rule.
MAIL_IMAGE_WIDTH = 516


class MailRenderer(FragmentRenderer):
    """Markup for the HTML body of a message."""

    name = "email"

    @classmethod
    def logo_src(cls, logo: Path, fetcher: Fetcher, image_src: Callable[[Path], str]) -> str | None:
        """Return the logo addressed as the message's images are: mail clients block data: URIs."""
        return image_src(logo)

    def _source_number(self, key: str, number: int) -> str:
        """Return a source's number, plain: clients treat links within a message unreliably."""
        return str(number)

    def _note_call(self, number: int, ref_id: str, note_anchor: str) -> str:
        """Return a plain number: the notes follow their section in the message."""
        return f'<sup class="noteref">{number}</sup>'

    def _figure_style(self, width: FigureWidth | None, pixels: tuple[int, int]) -> list[str]:
        """Return a figure's width: a share follows the column, anything else is a most."""
        if width is not None and width.share is not None:
            return [f"width: {css_length(width)}"]
        return [f"max-width: {mail_width(width, pixels)}px"]

    def _img_size(self, width: FigureWidth | None, pixels: tuple[int, int], in_figure: bool) -> str:
        """Return an image's width in pixels, and a style where a share of the column is asked.

        Outlook for Windows ignores CSS sizes on images and goes by this attribute alone.
        """
        size = f' width="{mail_width(width, pixels)}"'
        if width is not None and width.share is not None and not in_figure:
            size += f' style="width: {css_length(width)}"'
        return size


def mail_width(width: FigureWidth | None, pixels: tuple[int, int]) -> int:
    """Return the pixels an image spans in the mail's column: as asked, else its own width."""
    wanted = pixels[0] if width is None else width.pixels_in(MAIL_IMAGE_WIDTH)
    return max(1, min(MAIL_IMAGE_WIDTH, round(wanted)))
