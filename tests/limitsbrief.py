"""A brief at the limits of what the PDF's tags must carry, made at test time.

Thirty sources with long web addresses, links in running text, in notes, in a table and in
list items; lists three deep, ordered inside unordered, and a loose list; tables holding
Japanese and Arabic; two dozen footnotes on the first pages; figures with and without
captions; paragraphs in Japanese, Arabic and Hindi; no organisation, so the masthead holds
nothing; and a ten-word title with no short title, so the running heads make their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT

SOURCES = 30
NOTES = 24
_SITES = [
    "www.mea.gov.in/bilateral-documents.htm?dtl/39921/Joint_Statement_on_Japan_India_Vision_2035",
    "www.mofa.go.jp/region/asia-paci/india/page1e_001234.html#section-economic-security",
    "pib.gov.in/PressReleasePage.aspx?PRID=2160004&reg=3&lang=1",
    "www.jetro.go.jp/en/reports/survey/2025/india-business-conditions-fiscal-year",
    "carnegieendowment.org/research/2025/09/india-japan-semiconductor-supply-chains",
    "www.orfonline.org/expert-speak/the-quad-after-johannesburg-what-changes-for-maritime",
    "www.nippon.com/en/japan-topics/g02518/skilled-worker-visas-and-indian-engineers",
    "thediplomat.com/2025/11/what-modi-and-takaichi-agreed-on-the-sidelines-of-the-g20",
    "www.brookings.edu/articles/japan-india-ten-trillion-yen-investment-target-explained",
    "indianexpress.com/article/explained/explained-global/india-japan-defence-tech-cooperation",
]

JAPANESE = (
    "日本とインドは、防衛、人工知能、人材の移動、"
    "そして十兆円の投資計画について協力を深めることで合意した。"
)
ARABIC = (
    "اتفقت الهند واليابان على تعميق التعاون في الدفاع والذكاء الاصطناعي "
    "وتنقل الكفاءات وخطة استثمار بقيمة عشرة تريليونات ين."
)
HINDI = (
    "भारत और जापान ने रक्षा, कृत्रिम बुद्धिमत्ता, प्रतिभा की गतिशीलता और निवेश पर सहयोग बढ़ाने पर सहमति जताई।"
)
CREDIT = 'credit="The Desk"'


def write_limits_brief(folder: Path) -> Path:
    """Write the brief, and the images it uses, into folder; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "briefings" / "images", folder / "images", dirs_exist_ok=True)
    target = folder / "limits.md"
    target.write_text(_front() + _body(), encoding="utf-8")
    return target


def _url(number: int) -> str:
    """Return a long web address, a different one for each source."""
    site = _SITES[number % len(_SITES)]
    return f"https://{site}&part={'abcdefghijklmnopqrstuvwxyz'[number % 26]}-{number}"


def _front() -> str:
    """Return the front matter: thirty sources, each with its address."""
    sources = "".join(
        f"  s{n}:\n    title: Report {n} on the partnership\n    publisher: Publisher {n}\n"
        f"    url: {_url(n)}\n    accessed: 2025-11-20\n"
        for n in range(SOURCES)
    )
    return (
        "---\ntitle: A brief at the limits of links, lists, notes and scripts\n"
        "date: 2025-11-24\nlanguage: en\n"
        f"sources:\n{sources}---\n\n"
    )


def _body() -> str:
    """Return the sections: links, lists, tables, figures and scripts, then the notes."""
    cited = " ".join(
        f"See [report {n}]({_url(n)}) [@s{n}]{f'[^n{n}]' if n < NOTES else ''}."
        for n in range(SOURCES)
    )
    notes = "\n\n".join(
        f"[^n{n}]: Note {n} points at [its page]({_url(n + 1)}) as well." for n in range(NOTES)
    )
    return f"""## Links everywhere {{.fact}}

{cited}

An address as it is: <{_url(3)}>, and a mail address: <mailto:desk@example.org>.

## Lists in lists {{.fact}}

The items are the sources' [@s0]:

- A first item
  1. An ordered item with [a link]({_url(5)})
     - A third-level item
     - Another third-level item
  2. A second ordered item
- A second item

Then a loose list:

- An item of one paragraph.

- An item of two paragraphs.

  Its second paragraph.

  1. An ordered item inside it
  2. And another

- A last item.

## Tables {{.fact}}

The terms as each side writes them [@s1]:

| Term | 日本語 | العربية | Number |
|------|--------|---------|-------:|
| Defence | 防衛 | الدفاع | 1 |
| Investment[^t1] | 投資 | الاستثمار | 2 |
| Links | [東京]({_url(7)}) | [رابط]({_url(8)}) | 3 |

[^t1]: A note called from a table cell.

## Figures {{.fact}}

The timeline as published [@s2]:

![A timeline of the partnership's milestones](images/milestones.png "Milestones"){{{CREDIT}}}

![A second copy of the timeline, without a caption](images/milestones.png)

## Scripts {{.commentary by="The Desk"}}

In Japanese: [{JAPANESE}]{{lang=ja}}

In Arabic: [{ARABIC}]{{lang=ar}}

In Hindi: [{HINDI}]{{lang=hi}}

{notes}
"""
