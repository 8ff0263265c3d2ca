"""One renderer per output kind: each renders the same nested markup as it always has.

The fixture holds a figure with a width and a credit, a table with a span in another language,
citations (bracketed, with words, narrative), links, inline images, a quote, and a note whose
text calls another note (which the checks refuse in a source, so it is made here), called from
two sections. Each renderer's output is kept in ``tests/briefs/renderers/``, as the renderer
wrote it before the flavours became subclasses; the plain-text body's is kept beside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache

import pytest

from briefkit.config import Labels
from briefkit.delivery.mail.text import TextContext, section_text
from briefkit.model.brief import Brief
from briefkit.model.edition import FULL
from briefkit.rendering.fetcher import Fetcher
from briefkit.rendering.fragments import FragmentRenderer, source_names
from briefkit.rendering.markup.epub import EpubRenderer
from briefkit.rendering.markup.mail import MailRenderer
from briefkit.rendering.markup.pdf import PrintRenderer
from briefkit.rendering.markup.web import WebRenderer
from briefkit.rendering.view import BriefView, Imprint, build_view
from briefkit.sources.loader import load_brief
from conftest import BRIEFS
from notecalls import note_calling

FOLDER = BRIEFS / "renderers"
IMPRINT = Imprint(Labels(), dt.datetime(2025, 11, 24, tzinfo=dt.UTC))
RENDERERS: list[type[FragmentRenderer]] = [PrintRenderer, EpubRenderer, WebRenderer, MailRenderer]


@cache
def nested() -> Brief:
    """Return the fixture with note a's text calling note b, as no checked source may."""
    brief = load_brief(FOLDER / "nested.md").brief
    assert brief is not None
    return note_calling(brief, "a", "b")


def view_of(renderer: type[FragmentRenderer]) -> BriefView:
    brief = nested()
    fetcher = Fetcher([brief.folder])
    return build_view(
        brief, renderer, IMPRINT, FULL, fetcher, image_src=lambda path: f"img/{path.name}"
    )


def shown(view: BriefView) -> str:
    """Return every section's heading, body and notes, as the expected files hold them."""
    out: list[str] = []
    for section in view.sections:
        out += [f"<!-- section {section.anchor} -->", section.title_html, section.body_html]
        out += [f"<!-- note {n.number} {n.id} {n.ref_id} -->\n{n.html}" for n in section.notes]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("renderer", RENDERERS, ids=lambda r: r.name)
def test_each_renderer_writes_the_nested_markup_as_before(renderer: type[FragmentRenderer]) -> None:
    expected = (FOLDER / f"nested.{renderer.name}.html").read_text(encoding="utf-8")
    assert shown(view_of(renderer)) == expected


def test_the_plain_text_body_writes_the_nested_markup_as_before() -> None:
    brief = nested()
    view = view_of(MailRenderer)
    names = source_names(brief.meta.sources, view.language)
    context = TextContext({s.key: s.number for s in view.sources}, brief.footnotes, names)
    out: list[str] = []
    for section in view.sections:
        text, notes = section_text(section.section.tokens, context)
        out += [f"-- {section.anchor}", text, *(f"{n.number} {n.mark} {n.text}" for n in notes)]
    expected = (FOLDER / "nested.text.txt").read_text(encoding="utf-8")
    assert "\n".join(out) + "\n" == expected


def test_the_view_knows_each_section_s_model_section_and_every_note_it_calls() -> None:
    view = view_of(EpubRenderer)
    brief = nested()
    assert [shown.section for shown in view.sections] == brief.sections
    note_a, note_b = sorted(brief.footnotes)
    # The second section calls a and b; a's text calls b: the first section needs both too.
    assert [shown.calls for shown in view.sections] == [(note_a, note_b), (note_a, note_b)]
    assert {note.number: note.footnote for note in view.notes} == {1: note_a, 2: note_b}


@pytest.mark.parametrize(
    ("renderer", "paged", "logo"),
    [
        (PrintRenderer, True, "data"),
        (EpubRenderer, False, None),
        (WebRenderer, False, "data"),
        (MailRenderer, False, "src"),
    ],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_templates_ask_the_renderer_what_its_output_is(
    renderer: type[FragmentRenderer], paged: bool, logo: str | None
) -> None:
    brief = nested()
    image = brief.images[0]
    view = build_view(
        brief,
        renderer,
        replace(IMPRINT, logo=image),
        FULL,
        Fetcher([brief.folder], images=[image]),
        image_src=lambda path: "src",
    )
    assert (view.output, view.paged) == (renderer.name, paged)
    assert (view.logo or "")[:4] == (logo or "")[:4]
