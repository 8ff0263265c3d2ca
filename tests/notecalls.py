"""Make a note's text call another note, as the checks refuse in a source but renderers handle."""

from __future__ import annotations

import copy
from dataclasses import replace

from briefkit.model.brief import Brief
from briefkit.sources.markup.tokens import of_type


def note_calling(brief: Brief, caller: str, called: str) -> Brief:
    """Return the brief with note caller's first paragraph ending in a call of note called.

    Both notes must be called from the body, so that each has its id.
    """
    calls = {r.meta["label"]: r for s in brief.sections for r in of_type(s.tokens, "footnote_ref")}
    call = copy.copy(calls[called])
    call.meta = {**calls[called].meta, "subId": 2}
    note = calls[caller].meta["id"]
    body = [copy.copy(token) for token in brief.footnotes[note]]
    inline = next(token for token in body if token.type == "inline")
    inline.children = [*(inline.children or []), call]
    return replace(brief, footnotes={**brief.footnotes, note: body})
