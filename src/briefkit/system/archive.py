"""Zip packages (EPUB, Word) that are the same bytes whenever their entries are."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from briefkit.system.clock import utc

# DOS dates in zip headers cannot go before 1980.
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def stamped_zip(
    entries: Iterable[tuple[str, bytes]], moment: dt.datetime, stored: frozenset[str] = frozenset()
) -> bytes:
    """Return a zip of entries in order, each with one time and one set of attributes.

    The entries named in ``stored`` are stored uncompressed (an EPUB's mimetype must be).
    """
    stamp = max(utc(moment), _ZIP_EPOCH).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, body, compresslevel=9)
    return buffer.getvalue()
