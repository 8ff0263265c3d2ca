"""Check that each correction a brief lists is dated between the brief and today."""

from __future__ import annotations

import datetime as dt

from briefkit.errors import Findings
from briefkit.model.brief import FrontMatter
from briefkit.sources.frontmatter import SplitSource

# A correction written in a time zone ahead of UTC (up to UTC+14) may be dated a day after
# the UTC date; more than that is a mistyped date.
_AHEAD = dt.timedelta(days=1)


def check_corrections(meta: FrontMatter, split: SplitSource, findings: Findings) -> None:
    """Report each correction dated before the brief or after today, at its date.

    Today is the clock's, not SOURCE_DATE_EPOCH's: a build reproduced later runs later, so a
    correction that passed once always passes, while a pinned epoch older than a correction
    (a reproducible build of a brief corrected since) would refuse a good date.
    """
    if not meta.corrections:
        return
    today = dt.datetime.now(dt.UTC).date()
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
        elif correction.date > today + _AHEAD:
            findings.error(
                line,
                f"correction {index + 1} is dated {day}, after today ({today.isoformat()} "
                "UTC): is it mistyped?",
                col,
            )
