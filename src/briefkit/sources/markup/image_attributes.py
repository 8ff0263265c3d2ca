"""Attributes after an image, as pandoc writes them: ``![alt](a.png){width=60% credit="x"}``.

Two are used: ``credit``, the figure's credit line, and ``width``, read here into a typed
:class:`FigureWidth` so that no output ever sees the text a source wrote. ``height`` and any
other name are reported and ignored; ``#id`` and ``.class`` are ignored, as before.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from briefkit.errors import Severity
from briefkit.model.figure_width import WidthError, parse_width
from briefkit.sources.limits import Reporter

USED = ("credit", "width")
# A block is read only this far: an image followed by "{" and a megabyte of text costs a
# kilobyte, so a paragraph of thousands of such images is still read in linear time.
MOST_BLOCK_CHARACTERS = 1000
# A value in quotes may hold anything but an unescaped quote; a bare one runs to a space.
_BLOCK = re.compile(r'\{(?:[^"{}\\]|"(?:[^"\\\n]|\\.)*")*\}')
_ITEM = re.compile(
    r'\s*(?:[#.][^\s"{}=]+|(?P<key>[A-Za-z][\w:.-]*)=(?:"(?P<quoted>(?:[^"\\\n]|\\.)*)"'
    r'|(?P<bare>[^\s"{}]+)))'
)
_ESCAPE = re.compile(r"\\(.)")
# How much of a value a message quotes: enough to recognise, never a flood.
_SHOWN = 40


@dataclass(frozen=True)
class Problem:
    """Something wrong in an image's attributes, and the text it is found at in the source."""

    kind: str
    severity: Severity
    near: str
    message: str


def image_attributes_rule(state: StateInline, silent: bool) -> bool:
    """Read a ``{...}`` block that follows an image straight after its closing parenthesis."""
    if state.pending or not state.tokens or state.tokens[-1].type != "image":
        return False
    if state.src[state.pos] != "{":
        return False
    end = min(state.posMax, state.pos + MOST_BLOCK_CHARACTERS)
    block = _BLOCK.match(state.src, state.pos, end)
    if block is None:
        if not silent:
            _unreadable(state.tokens[-1], state.src[state.pos : end])
        return False
    if not silent:
        _apply(state.tokens[-1], block.group(0))
    state.pos = block.end()
    return True


def problems(image: Token) -> list[Problem]:
    """Return what is wrong with an image's attributes, as the parser found it."""
    found = image.meta.get("attribute_problems", [])
    return list(found) if isinstance(found, list) else []


def report(
    image: Token, locate: Callable[[Token, str], tuple[int, int]], reporter: Reporter
) -> None:
    """Record an image's attribute problems at the line and column where each stands.

    A kind shown often enough is not located again: a source of thousands of bad widths is
    reported ten times, at the cost of ten.
    """
    for problem in problems(image):
        if problem.kind not in reporter.done:
            line, col = locate(image, problem.near)
            reporter.add(problem, line, col)


def _apply(image: Token, block: str) -> None:
    """Set an image's credit and width from its attribute block, noting what is wrong."""
    position, last = 1, len(block) - 1
    while block[position:last].strip():
        item = _ITEM.match(block, position, last)
        if item is None:
            break
        position = item.end()
        if item["key"] is not None:
            value = item["quoted"] if item["quoted"] is not None else item["bare"]
            _set(image, item["key"], _ESCAPE.sub(r"\1", value), item.group(0).strip())
    if block[position:last].strip():
        _unreadable(image, block)


def _set(image: Token, key: str, value: str, written: str) -> None:
    """Set one attribute of an image, or note why it is not used."""
    near = written.split("\n", 1)[0]
    if key == "credit":
        image.attrs["credit"] = value
    elif key == "width":
        try:
            image.meta["width"] = parse_width(value)
        except WidthError as exc:
            image.meta.pop("width", None)
            _note(image, "width", Severity.ERROR, near, f"image width '{_shown(value)}' {exc}")
    elif key == "height":
        message = (
            "height is not used: a figure keeps its proportions, so give its width instead "
            "(width=60% of the text's width, or width=12cm)"
        )
        _note(image, "height", Severity.WARNING, near, message)
    else:
        _note(image, "unused", Severity.WARNING, near, _unused(key))


def _unused(key: str) -> str:
    """Say that an attribute is ignored, naming the one it was likely meant to be."""
    near_miss = difflib.get_close_matches(key.lower(), USED, n=1)
    guess = f": did you mean '{near_miss[0]}'? It" if near_miss else ": it"
    used = " and ".join(USED)
    return f"image attribute '{_shown(key)}' is not one briefkit uses ({used}){guess} is ignored"


def _unreadable(image: Token, block: str) -> None:
    """Note that the attributes after an image cannot be read."""
    near = block.split("\n", 1)[0]
    message = (
        f"the attributes '{_shown(near)}' after this image cannot be read: write them as "
        '{width=60% credit="..."}, each name=value with no space around the =, and close '
        "the block with }"
    )
    _note(image, "unreadable", Severity.ERROR, near, message)


def _note(image: Token, kind: str, severity: Severity, near: str, message: str) -> None:
    """Keep a problem on the image token, for the checks to report where it stands."""
    problem = Problem(f"image {kind}", severity, near, message)
    image.meta.setdefault("attribute_problems", []).append(problem)


def _shown(text: str) -> str:
    """Return a value as a message quotes it: cut short when long."""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
