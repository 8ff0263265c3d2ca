"""Check that each correction a brief lists is dated between the brief and the build."""

from __future__ import annotations

import datetime as dt

from briefkit.building.clock import build_time
from briefkit.errors import Findings
from briefkit.model.brief import FrontMatter
from briefkit.sources.frontmatter import SplitSource

# A correction written in a time zone ahead of UTC (up to UTC+14) may be dated a day after
# the UTC date of the build; more than that is a mistyped date.
_AHEAD = dt.timedelta(days=1)


def check_corrections(meta: FrontMatter, split: SplitSource, findings: Findings) -> None:
    """Report each correction dated before the brief or after the build, at its date."""
    if not meta.corrections:
        return
    latest = build_time().date() + _AHEAD
    for index, correction in enumerate(meta.corrections):
        line, col = split.position_of(("corrections", index, "date"))
        day = correction.date.isoformat()
        if correction.date < meta.date:
            findings.error(
                line,
                f"correction {index + 1} is dated {day}, before the brief's date "
                f"{meta.date.isoformat()}: a brief is corrected after it goes out",
                col,
            )
        elif correction.date > latest:
            findings.error(
                line,
                f"correction {index + 1} is dated {day}, after the build's date "
                f"({latest - _AHEAD} UTC, SOURCE_DATE_EPOCH's when set): is it mistyped?",
                col,
            )
