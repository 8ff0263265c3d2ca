"""A brief's language: the words briefkit writes, and dates, numbers, quotes and direction.

Words come from the message catalogues in ``locales/`` (gettext ``.po`` files, read with
Babel); dates and numbers from Babel's CLDR data. A language with no catalogue still gets its
dates and direction from CLDR, and English words.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from briefkit.resources import builtin_locales

DOMAIN = "briefkit"
SOURCE_LANGUAGE = "en"
# CSS counter styles for the digits of CLDR's numbering systems.
_COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "beng": "bengali",
    "deva": "devanagari",
    "thai": "thai",
}


@dataclass(frozen=True)
class Language:
    """What a BCP 47 language tag decides in an output."""

    tag: str
    locale: Locale
    translations: gettext.NullTranslations
    has_words: bool
    known: bool

    def gettext(self, message: str) -> str:
        """Return a message in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Return the singular or plural of a message for a count, in this language."""
        return self.translations.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        """Return a message that has a context, in this language."""
        return self.translations.pgettext(context, message)

    def long_date(self, day: dt.date) -> str:
        """Write a date as people of this language do: 24 November 2025, 2025年11月24日."""
        return format_date(day, "long", locale=self.locale)

    def partial_date(self, text: str) -> str:
        """Write '2025', '2025-11' or '2025-11-23' as a year, a month and year, or a date."""
        parts = [int(part) for part in text.split("-")]
        if len(parts) == 3:
            return self.long_date(dt.date(parts[0], parts[1], parts[2]))
        if len(parts) == 2:
            return format_skeleton("yMMMM", dt.date(parts[0], parts[1], 1), locale=self.locale)
        return self.number(parts[0], grouping=False)

    def number(self, value: int, grouping: bool = True) -> str:
        """Write a whole number in this language's digits."""
        return format_decimal(
            value, locale=self.locale, numbering_system="default", group_separator=grouping
        )

    @property
    def direction(self) -> str:
        """Return the writing direction: 'ltr' or 'rtl'."""
        return "rtl" if self.locale.text_direction == "rtl" else "ltr"

    @property
    def counter_style(self) -> str:
        """Return the CSS counter style that writes numbers in this language's digits."""
        return _COUNTER_STYLES.get(self.locale.default_numbering_system, "decimal")

    @property
    def french_spacing(self) -> bool:
        """Return whether ; : ! ? and guillemets take a no-break space, as French sets them."""
        return self.locale.language == "fr"

    @property
    def quotes(self) -> list[str]:
        """Return the opening and closing double, then single, quotation marks."""
        # Translators give the four marks separated by spaces: open and close double, then single.
        marks = self.pgettext("quotation marks", "“ ” ‘ ’")
        found = marks.split(" ")
        return found if len(found) == 4 else ["“", "”", "‘", "’"]


@cache
def language_for(tag: str) -> Language:
    """Return the language a BCP 47 tag names; an unknown tag falls back to English."""
    try:
        locale = Locale.parse(tag, sep="-")
        known = True
    except (UnknownLocaleError, ValueError, TypeError):
        locale, known = Locale.parse(SOURCE_LANGUAGE), False
    translations = _catalogue(locale.language)
    has_words = locale.language == SOURCE_LANGUAGE or not isinstance(translations, _Untranslated)
    return Language(tag, locale, translations, has_words, known)


class _Untranslated(gettext.NullTranslations):
    """The words of a language briefkit has no catalogue for: English."""


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    """Read a language's message catalogue, compiled in memory from its .po file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = builtin_locales() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return _Untranslated()
    with path.open("rb") as stream:
        catalog = read_po(stream, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def shipped_languages() -> list[str]:
    """Return the languages briefkit has words for."""
    found = {p.parent.parent.name for p in builtin_locales().glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {SOURCE_LANGUAGE})
