"""The brief: validated front matter and labelled sections, shared by every output format."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from markdown_it.token import Token
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints

SectionKind = Literal["fact", "commentary"]
SECTION_KINDS: tuple[SectionKind, ...] = ("fact", "commentary")

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# A brief dated, or a source visited, before 1900 is a typing mistake (0025 for 2025) that would
# reach the catalogues as a wrong date; a source's own date may be older (1648).
EARLIEST_YEAR = 1900


def _iso_date(value: Any) -> Any:
    """Accept only ISO 8601 calendar dates written as YYYY-MM-DD, from 1900 on."""
    day = value if isinstance(value, dt.date) else _calendar_date(value)
    if day.year < EARLIEST_YEAR:
        raise ValueError(
            f"must be a date from {EARLIEST_YEAR} on, not {day.isoformat()!r}: "
            "is the year mistyped?"
        )
    return day


def _calendar_date(value: Any) -> dt.date:
    """Return the calendar date that YYYY-MM-DD text names, or say what is wrong with it."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(f"must be an ISO date such as 2025-11-23, not {str(value).strip()!r}")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"must be a real calendar date, not {value.strip()!r}") from exc


def _partial_date(value: Any) -> Any:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD, as sources often give only a year or a month.

    Any year from 1 on is accepted: a source may be an old work (1648).
    """
    text = str(value).strip()
    if not _PARTIAL_DATE.match(text):
        raise ValueError(f"must be a date such as 2025, 2025-11 or 2025-11-23, not {text!r}")
    # Made a whole date, so that a month 13 or a year 0 is refused as a day 32 is.
    whole = text + {4: "-01-01", 7: "-01", 10: ""}[len(text)]
    try:
        _calendar_date(whole)
    except ValueError:
        raise ValueError(f"must be a real year, month or date, not {text!r}") from None
    return text


def _text(value: Any) -> Any:
    """Turn numbers into text, so that `number: 14` means "14"."""
    if isinstance(value, bool):
        return value
    return str(value) if isinstance(value, int | float) else value


def _author(value: Any) -> Any:
    """Let an author be given as a bare name."""
    return {"name": value} if isinstance(value, str) else value


def _word_list(value: Any) -> Any:
    """Let keywords be one comma-separated string as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _language(value: Any) -> Any:
    """Check that a language is a BCP 47 tag."""
    if not isinstance(value, str) or not LANGUAGE_TAG.match(value):
        raise ValueError(f"must be a BCP 47 language tag such as en, en-GB or hi, not {value!r}")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
PartialDate = Annotated[str, BeforeValidator(_partial_date)]
Text = Annotated[
    str, BeforeValidator(_text), StringConstraints(strip_whitespace=True, min_length=1)
]
LanguageTag = Annotated[str, BeforeValidator(_language)]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
# A source's name in running text is printed at each narrative citation: a name, not a passage.
SHORT_NAME_LENGTH = 100


def _short_name(value: Any) -> Any:
    """Keep a source's short form to the length of a name."""
    text = _text(value)
    if isinstance(text, str) and len(text.strip()) > SHORT_NAME_LENGTH:
        raise ValueError(
            f"must be at most {SHORT_NAME_LENGTH} characters, not {len(text.strip())}: a short "
            "form is the few words a sentence names the source by"
        )
    return text


ShortName = Annotated[
    str, BeforeValidator(_short_name), StringConstraints(strip_whitespace=True, min_length=1)
]

# A DOI is a registrant prefix (10. and four to nine digits), a slash and a suffix; it is
# printed, linked and put in HTML meta tags, so it holds no space and is of bounded length.
DOI_LENGTH = 200
_DOI = re.compile(r"10\.\d{4,9}/[!-~]+")
# A correction is a sentence or two saying what was wrong; a brief corrected more often
# than this wants a new edition, not a longer list.
CORRECTION_LENGTH = 1000
MOST_CORRECTIONS = 20


def _doi(value: Any) -> Any:
    """Accept a DOI written bare, as 10.5555/example, of bounded length."""
    text = str(value).strip()
    if text.lower().startswith(("doi:", "https://doi.org/", "http://doi.org/", "http://dx.")):
        raise ValueError(f"must be the DOI alone, such as 10.5555/example, not {text[:60]!r}")
    if len(text) > DOI_LENGTH:
        raise ValueError(f"must be at most {DOI_LENGTH} characters, not {len(text):,}")
    if not _DOI.fullmatch(text):
        raise ValueError(
            "must be a DOI such as 10.5555/example: '10.', four to nine digits, '/', and a "
            f"suffix of visible ASCII characters with no spaces, not {text[:60]!r}"
        )
    return text


def _one_paragraph(value: Any) -> Any:
    """Join the lines of a correction's text into one paragraph of bounded length."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    if not text:
        raise ValueError("must say what was corrected, not be empty")
    if len(text) > CORRECTION_LENGTH:
        raise ValueError(
            f"must be at most {CORRECTION_LENGTH:,} characters, not {len(text):,}: say what "
            "was wrong and what is right"
        )
    return text


Doi = Annotated[str, BeforeValidator(_doi)]
CorrectionText = Annotated[
    str, BeforeValidator(_one_paragraph), StringConstraints(strip_whitespace=True, min_length=1)
]


class _Strict(BaseModel):
    """A model that keeps unknown keys out; the loader reports them as warnings."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class Author(_Strict):
    """A person credited on the brief."""

    name: Text
    role: Text | None = None
    affiliation: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


class SourceEntry(_Strict):
    """A work that sections cite as ``[@key]``."""

    title: Text
    publisher: Text | None = None
    short: ShortName | None = Field(
        None,
        description="How running text names the source, with its article if it takes one "
        "(the foreign ministry): what a narrative citation, As @key notes, prints.",
    )
    url: HttpUrl | None = None
    date: PartialDate | None = None
    accessed: IsoDate | None = None

    @property
    def in_text(self) -> str:
        """Return the name a narrative citation prints: the short form, else publisher or title."""
        return self.short or self.publisher or self.title


class Correction(_Strict):
    """A dated correction to a brief that has gone out, printed as plain text."""

    date: IsoDate = Field(description="Date of the correction, YYYY-MM-DD.")
    text: CorrectionText = Field(
        description="What was wrong and what is right: plain text, one paragraph."
    )


class FrontMatter(_Strict):
    """The YAML front matter of a briefing source."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
        title="briefkit front matter",
        json_schema_extra={
            "description": "YAML front matter of a briefkit briefing source (briefings/*.md)."
        },
    )

    title: Text = Field(description="Title of the brief.")
    date: IsoDate = Field(description="Date of the brief, YYYY-MM-DD.")
    subtitle: Text | None = None
    short_title: Text | None = Field(None, description="Title for running headers.")
    authors: list[Annotated[Author, BeforeValidator(_author)]] = Field(default_factory=list)
    organisation: Text | None = Field(None, description="Publisher; default from briefkit.toml.")
    series: Text | None = None
    number: Text | None = None
    classification: Text | None = Field(
        None, description="Distribution marking, such as Public or Internal."
    )
    language: LanguageTag = Field("en", description="BCP 47 language tag.")
    summary: Text | None = None
    key_points: list[Text] = Field(default_factory=list)
    keywords: Annotated[list[Text], BeforeValidator(_word_list)] = Field(default_factory=list)
    sources: dict[str, SourceEntry] = Field(
        default_factory=dict, description="Citation key to source, cited as [@key]."
    )
    cover: Text | None = Field(None, description="Cover image, relative to the source file.")
    doi: Doi | None = Field(None, description="DOI of the brief, such as 10.5555/example.")
    corrections: Annotated[list[Correction], Field(max_length=MOST_CORRECTIONS)] = Field(
        default_factory=list,
        description="Dated corrections, each {date, text}; dates on or after the brief's.",
    )
    # Hugo's convention: YAML true or false only, so that draft: "no" is not taken for true.
    draft: StrictBool = Field(
        False,
        description="A draft: built and checked, but left out of publish and list sends.",
    )

    @property
    def corrected(self) -> dt.date | None:
        """Return the date of the latest correction, if the brief has any."""
        return max((c.date for c in self.corrections), default=None)

    @property
    def latest_correction(self) -> Correction | None:
        """Return the latest correction (the last listed of those on its date), if any."""
        newest = self.newest_corrections
        return newest[0] if newest else None

    @property
    def newest_corrections(self) -> list[Correction]:
        """Return the corrections newest first; of those on one date, the last listed first."""
        ordered = sorted(enumerate(self.corrections), key=lambda pair: (pair[1].date, pair[0]))
        return [correction for _, correction in reversed(ordered)]

    @classmethod
    def field_names(cls) -> set[str]:
        """Return the keys front matter may use."""
        return set(cls.model_fields)


@dataclass
class Section:
    """A ``##`` section of the body with its declared kind."""

    kind: SectionKind
    title: str
    anchor: str
    line: int
    heading: Token
    tokens: list[Token] = field(default_factory=list)
    by: str | None = None
    # Phrases or kinds of opinion a fact section uses on purpose, as written: allow="...".
    allow: str | None = None

    @property
    def is_empty(self) -> bool:
        """Tell whether the section has no content under its heading."""
        return not self.tokens


# Outputs draw a photograph upright as its EXIF orientation says; these turn it on its side.
_EXIF_ORIENTATION = 0x0112
_QUARTER_TURNS = (5, 6, 7, 8)


@dataclass(frozen=True)
class CheckedImage:
    """An image file as read once and checked: every output uses these bytes, never the path.

    path is where the file lies (inside the brief's folder, reached through no link); it names
    the image in outputs and in the build cache, and is never opened again.
    """

    path: Path
    data: bytes
    media_type: str = field(compare=False)

    @property
    def digest(self) -> bytes:
        """Return the SHA-256 of the bytes read."""
        return hashlib.sha256(self.data).digest()

    @cached_property
    def pixels(self) -> tuple[int, int]:
        """Return the width and height the image is drawn with, turned as its EXIF says."""
        from PIL import Image  # Pillow is only needed when a brief has images.

        with Image.open(io.BytesIO(self.data)) as image:
            width, height = image.size
            turned = image.getexif().get(_EXIF_ORIENTATION, 1) in _QUARTER_TURNS
        return (height, width) if turned else (width, height)


@dataclass
class Brief:
    """A loaded, validated briefing source."""

    path: Path
    meta: FrontMatter
    sections: list[Section]
    footnotes: dict[int, list[Token]]
    images: list[CheckedImage]
    raw: bytes
    digest: str

    @property
    def folder(self) -> Path:
        """Return the folder that relative paths in the source start from."""
        return self.path.parent.resolve()
