"""Read and rewrite the marked content of a PDF's pages, as WeasyPrint (pydyf) writes it.

A byte scan of each content stream: parsing the streams into operators costs ten times more
than the rest of the post-processing together, and WeasyPrint writes text as hexadecimal
strings, so a marked-content operator is the only place ``<</MCID n>> BDC`` can occur.
"""

from __future__ import annotations

import re
from typing import Any

Page = tuple[int, int]  # a page object's number and generation

_MARKED = re.compile(rb"/(\w+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = {"Pagination": b"/Artifact <</Type /Pagination>> BDC", "Layout": b"/Artifact BMC"}


def page_key(page: Any) -> Page | None:
    """Return a page object's number and generation, which identify it across handles."""
    return None if page is None else (int(page.objgen[0]), int(page.objgen[1]))


def _streams(page: Any) -> list[Any]:
    """Return a page's content streams."""
    from pikepdf import Array

    contents = page.obj.Contents
    return list(contents) if isinstance(contents, Array) else [contents]


def marked_content(pdf: Any) -> dict[Page, set[int]]:
    """Return the MCIDs each page's content marks."""
    found: dict[Page, set[int]] = {}
    for page in pdf.pages:
        key = page_key(page.obj)
        assert key is not None
        streams = [stream.read_bytes() for stream in _streams(page)]
        found[key] = {int(mcid) for data in streams for _, mcid in _MARKED.findall(data)}
    return found


def write_artifacts(pdf: Any, artifacts: dict[Page, dict[int, str]]) -> None:
    """Rewrite marked content as artifacts of a kind ("Pagination", "Layout"), page by page."""
    for page in pdf.pages:
        wanted = artifacts.get(page_key(page.obj) or (0, 0))
        if not wanted:
            continue
        for stream in _streams(page):
            data = stream.read_bytes()

            def artifact(match: re.Match[bytes], wanted: dict[int, str] = wanted) -> bytes:
                kind = wanted.get(int(match.group(2)))
                return _ARTIFACT[kind] if kind else match.group(0)

            stream.write(_MARKED.sub(artifact, data))
