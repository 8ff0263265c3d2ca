"""The build's notion of "now": SOURCE_DATE_EPOCH when set, so outputs can be reproduced."""

from __future__ import annotations

import datetime as dt
import os

from briefkit.errors import BriefkitError


def build_time() -> dt.datetime:
    """Return SOURCE_DATE_EPOCH as a UTC datetime, or the current UTC time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise BriefkitError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from exc


def w3c(moment: dt.datetime) -> str:
    """Format a UTC moment as 2025-11-24T10:00:00Z, the year always in four digits."""
    # Not strftime: its %Y writes the year 1 as "1", which no RFC 3339 reader takes.
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def utc(moment: dt.datetime) -> dt.datetime:
    """Return a moment in UTC; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
