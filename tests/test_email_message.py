"""The message a brief becomes: headers, both bodies labelled, HTML fit for mail clients."""

from __future__ import annotations

import re
from dataclasses import replace
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import briefkit
from briefkit.delivery.mail.message import plain_filename
from briefkit.errors import BriefkitError, UsageError
from briefkit.model.address import (
    PLAIN_ADDRESS,
    checked_address,
    parse_address,
    parsed_address,
)
from briefkit.text.languages import language_for
from chromium import CHROMIUM, Chromium
from conftest import CORRECTED, MINIMAL, ROOT, SAMPLES, examples, write
from mailserver import body

SAMPLE_NAMES = ("india-japan", "talent-mobility")
GMAIL_CLIPS_AT = 102 * 1000  # bytes of HTML; Gmail hides the rest behind "View entire message"
SENDER = "Policy Desk <desk@example.org>"


def compose(path: Path, **options: object) -> EmailMessage:
    brief = briefkit.load(path, raise_errors=True)
    return briefkit.compose_email(brief, to=["minister@example.org"], sender=SENDER, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.stem)
def sample(request: pytest.FixtureRequest) -> tuple[Path, EmailMessage]:
    return request.param, compose(request.param)


def test_headers(sample: tuple[Path, EmailMessage]) -> None:
    path, message = sample
    meta = briefkit.load(path).brief.meta  # type: ignore[union-attr]
    number = language_for(meta.language).gettext("No. {number}").format(number=meta.number)
    assert message["Subject"] == f"{meta.series} · {number}: {meta.title}"
    assert message["From"] == SENDER and message["To"] == "minister@example.org"
    assert message["Date"].datetime is not None
    assert re.fullmatch(r"<[^@<>]+@example\.org>", message["Message-ID"])
    assert message["Content-Language"] == meta.language


def test_both_bodies_carry_every_section_under_its_label(sample: tuple[Path, EmailMessage]) -> None:
    path, message = sample
    brief = briefkit.load(path).brief
    assert brief is not None
    text, html = body(message, "plain"), body(message, "html")
    _ = language_for(brief.meta.language).gettext
    for section in brief.sections:
        label = _("Fact").upper() if section.kind == "fact" else _("Commentary").upper()
        if section.kind == "commentary":
            label += f" · {section.by}"
        assert f"{label}\n{section.title}" in text
        assert section.title in html
    assert html.count('class="label label--fact"') == 1 + sum(
        s.kind == "fact" for s in brief.sections
    )  # the legend's, then each fact section's
    assert html.count('class="label label--commentary"') == 1 + sum(
        s.kind == "commentary" for s in brief.sections
    )
    # Both bodies speak the brief's language.
    for words in ("Summary", "Key points", "Sources", "How to read this brief"):
        assert _(words).upper() in text
        assert f">{_(words)}<" in html
    assert brief.meta.organisation and brief.meta.organisation in html.split('class="footer"')[1]


def test_html_is_made_for_mail_clients(sample: tuple[Path, EmailMessage]) -> None:
    _, message = sample
    html = body(message, "html")
    assert len(html.encode("utf-8")) < GMAIL_CLIPS_AT
    assert "<style" not in html and "<script" not in html and "<link" not in html
    assert "data:" not in html
    # Images, where a brief has any, are parts of the message; nothing is fetched.
    assert all(src.startswith("cid:") for src in re.findall(r'src="([^"]+)"', html))
    assert 'class="column"' in html and "max-width: 600px" in html
    assert re.search(r'<p [^>]*style="[^"]*margin', html)  # the CSS is inlined
    related = {
        part["Content-ID"].strip("<>"): part for part in message.walk() if part["Content-ID"]
    }
    for cid, width in re.findall(r'src="cid:([^"]+)" width="(\d+)"', html):
        assert related[cid].get_content_type() == "image/png"
        assert int(width) <= 516


def test_citations_and_notes_are_numbered_alike_in_both_bodies() -> None:
    message = compose(SAMPLES[0])
    text, html = body(message, "plain"), body(message, "html")
    assert "USD 68 billion¹ [1]" in text
    assert "\n¹ The dollar figure is the approximate conversion" in text
    assert '<sup class="noteref" style="font-size: 11px;line-height: 0;">1</sup>' in html
    assert "[2]" in text and ">[2]</span>" in html  # plain numbers: no links inside a message
    assert "[1] India–Japan strategic ties enter a new phase" in text


def test_citations_print_the_same_words_in_both_bodies() -> None:
    india, talent = (compose(ROOT / "briefings" / f"{n}-2025-11.md") for n in SAMPLE_NAMES)
    for message in (india, talent):
        text = " ".join(body(message, "plain").split())
        html = " ".join(re.sub(r"<[^>]+>", "", body(message, "html")).split())
        for shown in (text, html):
            assert "[2; 3]" not in shown
            if message is india:
                assert "framed by what India’s Ministry of External Affairs [2] calls" in shown
            else:
                assert "パートナーシップ [2, 3]" in shown


def test_facts_only_says_so_and_leaves_commentary_out() -> None:
    message = compose(SAMPLES[0], facts_only=True)
    text, html = body(message, "plain"), body(message, "html")
    assert message["Subject"].endswith("(facts only)")
    assert text.index("FACTS-ONLY EDITION. One section of commentary") < text.index("SUMMARY")
    assert "Facts-only edition." in html
    assert "COMMENTARY" not in text and "The MGMM Outlook" not in html


def test_summary_body_shows_each_section_by_its_first_paragraph() -> None:
    full, summary = compose(SAMPLES[0]), compose(SAMPLES[0], body="summary")
    later = "Japan said it strongly supports the AI Summit"
    assert later in body(full, "plain") and later in body(full, "html")
    assert later not in body(summary, "plain") and later not in body(summary, "html")
    assert "Defence cooperation was described as a cornerstone" in body(summary, "plain")
    assert "shown by its first paragraph" in body(summary, "plain")
    assert "COMMENTARY · MGMM Editorial Board" in body(summary, "plain")


@pytest.mark.parametrize(
    ("settings", "attach", "where"),
    [
        # Published: the PDF's address, as "Cite this brief" gives it.
        ('[publish]\nbase_url = "https://briefs.example.org/"\n', [],
         "The full brief is published at <https://briefs.example.org/b.pdf>."),
        ('[publish]\nbase_url = "https://briefs.example.org/"\n', ["pdf"],
         "The full brief is attached (b.pdf) and published at <https://briefs.example.org/b.pdf>."),
        ("", ["pdf"], "The full brief is attached (b.pdf)."),
        # Neither published nor attached: the reader asks the sender.
        ("", [], "The full brief is available from desk@example.org."),
    ],
)  # fmt: skip
def test_a_summary_says_where_the_full_brief_is(
    workspace: Path, settings: str, attach: list[str], where: str
) -> None:
    config = workspace / "briefkit.toml"
    config.write_text(config.read_text() + settings)
    message = compose(
        write(workspace / "briefings" / "b.md", MINIMAL), body="summary", attach=attach
    )
    text = " ".join(body(message, "plain").split())
    assert f"Each section below is shown by its first paragraph. {where}" in text
    html = " ".join(re.sub(r"<[^>]+>", "", body(message, "html")).split())
    assert where.replace("<", "").replace(">", "") in html
    if "https:" in where:
        assert 'href="https://briefs.example.org/b.pdf"' in body(message, "html")


def test_plain_text_renders_lists_tables_quotes_and_links(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "shapes.md",
        MINIMAL.replace(
            "Something happened [@src].",
            "Something happened [@src, p. 4].\n\n"
            "- first point\n- second point, long enough to be wrapped onto a second line "
            "by the plain text renderer of the message\n\n"
            "1. one\n2. two\n\n"
            "> a quoted line\n\n"
            "| Area | Topic |\n|---|---|\n| Defence | Radios |\n\n"
            "See [the ministry](https://example.org/m) or https://example.org/raw and "
            "<b>not markup</b> & {{ not a template }}.",
        ),
    )
    text = body(compose(source), "plain")
    assert "Something happened [1, p. 4]." in text
    assert (
        "- first point\n- second point, long enough to be wrapped onto a second line by "
        "the\n  plain" in text
    )
    assert "1. one\n2. two" in text
    assert "> a quoted line" in text
    assert "Area | Topic\nDefence | Radios" in text
    assert "the ministry <https://example.org/m>" in text
    assert "<b>not markup</b> & {{ not a template }}" in text  # text, never escaped or run


def test_a_line_break_in_a_header_is_refused(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "b.md",
        MINIMAL.replace("title: A minimal brief", 'title: "A brief\\r\\nBcc: all@example.org"'),
    )
    # The source's checks may refuse it first; either way no message is made.
    with pytest.raises(BriefkitError, match=r"the brief's title .* line break|\(U\+000D\)"):
        compose(source)
    good = write(workspace / "briefings" / "good.md", MINIMAL)
    with pytest.raises(BriefkitError, match="line break"):
        briefkit.compose_email(
            briefkit.load(good), to=["a@example.org\nBcc: b@example.org"], sender=SENDER
        )
    with pytest.raises(BriefkitError, match="line break"):
        briefkit.compose_email(
            briefkit.load(good), to=["a@example.org"], sender="Desk\r\n <d@example.org>"
        )


ENCODED_BREAK = "=?utf-8?q?=0D=0ABcc:_all@example.org?="  # decodes to CRLF and a Bcc header


@pytest.mark.parametrize("mark", ["\u2028", "\u2029"])
def test_a_unicode_line_separator_in_a_title_is_refused_not_an_internal_error(
    workspace: Path, mark: str
) -> None:
    source = write(
        workspace / "briefings" / "b.md",
        MINIMAL.replace("title: A minimal brief", f'title: "A brief{mark}Bcc: all@example.org"'),
    )
    with pytest.raises(BriefkitError, match=rf"contains a line break \(U\+{ord(mark):04X}\)"):
        compose(source)


def test_an_encoded_line_break_in_a_title_or_name_is_refused(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "b.md",
        MINIMAL.replace("title: A minimal brief", f'title: "{ENCODED_BREAK}"'),
    )
    with pytest.raises(BriefkitError, match=r"the brief's title .* contains '=\?'"):
        compose(source)
    good = briefkit.load(write(workspace / "briefings" / "good.md", MINIMAL))
    for to, sender in (
        (f"{ENCODED_BREAK} <a@example.org>", SENDER),
        (f'"{ENCODED_BREAK}" <a@example.org>', SENDER),
        ("a@example.org", f'"{ENCODED_BREAK}" <d@example.org>'),
    ):
        with pytest.raises(BriefkitError, match=r"contains '=\?', which mail programs decode"):
            briefkit.compose_email(good, to=[to], sender=sender)


@pytest.mark.parametrize(
    "text",
    ["plain", "a@b", "a@example.org, b@example.org", "a b@example.org", "a@-x.org", "@example.org"],
)
def test_bad_addresses_are_refused(text: str) -> None:
    with pytest.raises(BriefkitError, match=r"is (not a mail address|more than one address)"):
        parse_address(text)


def test_a_sender_is_needed(workspace: Path) -> None:
    source = write(workspace / "briefings" / "b.md", MINIMAL)
    with pytest.raises(UsageError, match="no sender"):
        briefkit.compose_email(briefkit.load(source), to=["a@example.org"])
    with pytest.raises(UsageError, match="attach= 'html': a message cannot carry this format"):
        briefkit.compose_email(
            briefkit.load(source), to=["a@example.org"], sender=SENDER, attach=["html"]
        )


def test_the_logo_travels_as_a_related_part(workspace: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 40), "navy").save(workspace / "logo.png")
    config = workspace / "briefkit.toml"
    config.write_text('[organisation]\nname = "Test Unit"\nlogo = "logo.png"\n')
    message = compose(write(workspace / "briefings" / "b.md", MINIMAL))
    html = body(message, "html")
    (cid,) = re.findall(r'<img [^>]*class="logo"[^>]*src="cid:([^"]+)"', html)
    (logo,) = [part for part in message.walk() if part["Content-ID"] == f"<{cid}>"]
    assert logo.get_content_type() == "image/png"
    assert "data:" not in html


def test_workspace_templates_override_the_message(workspace: Path) -> None:
    write(
        workspace / "templates" / "email" / "subject.txt", "Brief: {{ view.meta.title }} & more\n"
    )
    message = compose(write(workspace / "briefings" / "b.md", MINIMAL))
    assert message["Subject"] == "Brief: A minimal brief & more"  # plain text, not HTML-escaped


def test_an_eml_file_opens_as_the_same_message(tmp_path: Path) -> None:
    import email
    import email.policy

    message = compose(SAMPLES[0])
    path = briefkit.write_email(message, tmp_path / "out" / "brief.eml")
    data = path.read_bytes()
    assert b"\r\n" in data and b"\n\n" not in data.replace(b"\r\n", b"")
    again = email.message_from_bytes(data, policy=email.policy.default)
    assert again["Subject"] == message["Subject"]
    assert [p.get_content_type() for p in again.walk()] == [
        p.get_content_type() for p in message.walk()
    ]


def test_an_image_swapped_after_checking_travels_as_it_was_checked(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from PIL import Image

    image = workspace / "briefings" / "chart.png"
    Image.new("RGB", (40, 20), "white").save(image)
    checked = image.read_bytes()
    source = write(
        workspace / "briefings" / "b.md",
        MINIMAL.replace(
            "Something happened [@src].", "Something happened [@src].\n\n![A chart](chart.png)"
        ),
    )
    brief = briefkit.load(source, raise_errors=True)
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    Image.new("RGB", (40, 20), "red").save(outside)
    image.unlink()
    image.symlink_to(outside)  # the file now lies outside the brief's folder
    message = briefkit.compose_email(brief, to=["a@example.org"], sender=SENDER)
    parts = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert [part.get_content() for part in parts] == [checked]


def test_a_figure_travels_as_a_related_part() -> None:
    html = body(compose(ROOT / "briefings" / "india-japan-2025-11.md"), "html")
    assert re.search(r'<img src="cid:[^"]+" width="\d+"', html)


FIGURES = (
    '![A](chart.png "Default")\n\n![B](chart.png "Sixty"){width=60%}\n\n'
    '![C](chart.png "Twelve"){width=12cm}\n\n![D](chart.png "Three"){width=3in}\n\n'
    '![E](small.png "Small")\n\nInline ![F](small.png){width=1in} too'
)


def _figures_html(workspace: Path) -> str:
    """Return the HTML body of a brief showing FIGURES, its charts 1600 and 200 px wide."""
    from PIL import Image

    Image.new("RGB", (1600, 900), "white").save(workspace / "briefings" / "chart.png")
    Image.new("RGB", (200, 100), "white").save(workspace / "briefings" / "small.png")
    text = MINIMAL.replace("Something happened [@src].", f"{FIGURES} [@src].")
    return body(compose(write(workspace / "briefings" / "b.md", text)), "html")


def test_a_figure_is_as_wide_as_asked_in_pixels_every_client_honours(workspace: Path) -> None:
    html = _figures_html(workspace)
    figures = re.findall(
        r'<figure [^>]*style="([^"]*)">\s*<img src="cid:[^"]+" width="(\d+)"', html
    )
    sizes = [(re.sub(r"margin: [^;]*;?", "", style), int(width)) for style, width in figures]
    # A share of the column follows it as a phone narrows it; a length (12 cm is 454 CSS
    # pixels, 3 in 288) or the image's own pixels are a most, never more than the column's 516.
    assert sizes == [
        ("max-width: 516px", 516),
        ("width: 60%", 310),
        ("max-width: 454px", 454),
        ("max-width: 288px", 288),
        ("max-width: 200px", 200),
    ]
    assert re.search(r'<img src="cid:[^"]+" width="96"', html)  # the inline image's inch
    assert not re.search(r"\d(cm|in|mm)\b", html)  # lengths reach clients in pixels only


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("width", [390, 800])
def test_no_figure_is_wider_than_the_screen(workspace: Path, tmp_path: Path, width: int) -> None:
    page = tmp_path / "message.html"
    page.write_text(_figures_html(workspace), encoding="utf-8")
    with Chromium() as browser:
        browser.open(page, width, mobile=width < 600)
        rights = browser.evaluate(
            "[...document.querySelectorAll('figure, img')]"
            ".map(e => e.getBoundingClientRect().right)"
        )
        assert rights and max(rights) <= width
        assert browser.evaluate("document.documentElement.scrollWidth") <= width


HOSTILE_NAMES = [
    # (the file's name, how the source names it)
    ("=?utf-8?q?=0D=0ABcc=3A_evil=40x.org?=.png", "<=?utf-8?q?=0D=0ABcc=3A_evil=40x.org?=.png>"),
    ("x\r\nBcc: evil@x.org.png", "x%0D%0ABcc:%20evil@x.org.png"),
    ('a"; b=".png', '<a"; b=".png>'),
]


@pytest.mark.parametrize(("name", "reference"), HOSTILE_NAMES)
def test_an_image_file_name_never_reaches_a_header(
    workspace: Path, name: str, reference: str
) -> None:
    import email
    import email.policy

    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(workspace / "briefings" / name)
    Image.new("RGB", (40, 20), "white").save(workspace / "briefings" / "chart.gif")
    source = write(
        workspace / "briefings" / "b.md",
        MINIMAL.replace(
            "Something happened [@src].",
            f"Something happened [@src].\n\n![A chart]({reference})\n\n![Another](chart.gif)",
        ),
    )
    assert briefkit.load(source).findings == []
    path = briefkit.write_email(compose(source), workspace / "out" / "b.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert all(part["Bcc"] is None for part in parsed.walk())
    images = [part for part in parsed.walk() if part.get_content_maintype() == "image"]
    assert [part.get_filename() for part in images] == ["figure-1.png", "figure-2.gif"]
    assert b"evil" not in path.read_bytes() and b"\xe2\x80\xae" not in path.read_bytes()


@pytest.mark.parametrize(
    "stem",
    [
        "brief\n",
        "brief\r\nBcc: evil@x.org",
        "=?utf-8?q?=0D=0A?=",
        "gpj\u202e.exe",
        "a\u2066b",
        "\x1b",
    ],
)
def test_an_attachment_name_is_plain_whatever_the_source_is_called(stem: str) -> None:
    name = plain_filename(stem, "pdf")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.pdf", name), name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "A brief \u202eevil"),
        ("title", "A brief \u2067evil"),
        ("series", "Briefs\u202d"),
        ("number", "\u202e11"),
        ("title", "A brief\x1b[2J"),
        ("title", "A brief\r\nBcc: all@example.org"),
    ],
)
def test_a_control_character_in_the_subject_is_refused(
    workspace: Path, field: str, value: str
) -> None:
    # The source's own checks refuse these too; the message refuses them whatever made the brief.
    brief = briefkit.load(write(workspace / "briefings" / "b.md", MINIMAL)).brief
    assert brief is not None
    hostile = replace(brief, meta=brief.meta.model_copy(update={field: value}))
    with pytest.raises(
        BriefkitError, match=rf"the brief's {field} .* contains a (bidi|control|line)"
    ):
        briefkit.compose_email(hostile, to=["a@example.org"], sender=SENDER)


@settings(max_examples=examples(2000))
@given(st.from_regex(PLAIN_ADDRESS, fullmatch=True))
def test_a_plain_address_is_checked_as_the_parser_checks_it(text: str) -> None:
    quick, parsed = checked_address(text), parsed_address(text)
    assert isinstance(quick, Address) and isinstance(parsed, Address), (quick, parsed)
    assert (quick.username, quick.domain, str(quick)) == (
        parsed.username,
        parsed.domain,
        str(parsed),
    )


def test_every_message_of_a_corrected_brief_lists_its_corrections(workspace: Path) -> None:
    message = compose(write(workspace / "briefings" / "corrected.md", CORRECTED))
    text, html = body(message, "plain"), body(message, "html")
    assert message["Subject"] == "Indo-Pacific Briefs · No. 2025/11: A minimal brief"
    assert (
        "November 24, 2025 · Asha Rao · Kenji Sato\n\nCORRECTIONS\n\n"
        "- Corrected November 28, 2025: The meeting was the leaders’ first as\n"
        "  prime ministers, not their first ever.\n"
        "- Corrected November 26, 2025: An earlier version gave the investment as\n"
        "  10 billion yen; it is 10 trillion yen.\n"
    ) in text
    assert not text.startswith("THIS BRIEF HAS BEEN CORRECTED")
    words = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Corrections Corrected November 28, 2025: The meeting was the leaders’ first" in words
    assert "This brief has been corrected" not in words


def test_a_correction_leads_with_the_latest_in_the_brief_s_language(workspace: Path) -> None:
    source = write(
        workspace / "briefings" / "corrected.md",
        CORRECTED.replace("title:", "language: de\ntitle:", 1),
    )
    message = compose(source, correction=True)
    assert message["Subject"] == "Korrektur: Indo-Pacific Briefs · Nr. 2025/11: A minimal brief"
    text, html = body(message, "plain"), body(message, "html")
    assert text.startswith(
        "DIESES BRIEFING WURDE KORRIGIERT\n\nKorrigiert am 28. November 2025: The meeting"
    )
    assert "Es folgt das korrigierte Briefing" in text
    assert re.search(r'<div class="preheader"[^>]*>The meeting was the leaders', html)
    uncorrected = write(workspace / "briefings" / "plain.md", MINIMAL)
    with pytest.raises(BriefkitError, match="the brief has no corrections to send"):
        compose(uncorrected, correction=True)


# A 200-character address whose host name (31 characters) has hyphens a browser may break at.
LONG_HOST = "www.foreign-ministry-archive.jp"
LONG_URL = (
    f"https://{LONG_HOST}/documents/2025/11/india-japan-special-strategic-and-global-"
    "partnership/joint-statement-on-the-ten-year-investment-vision-and-defence"
    "?lang=en&section=defence&r=g"
)
# Japanese names of two to six characters; the first line of the byline ends inside the third
# where nothing keeps names whole.
JAPANESE_NAMES = ["長谷川健一郎", "佐々木美千代", "勅使河原宏", "井上ひさし", "清水あき子",
                  "小笠原剛", "山田太郎", "佐藤花子", "林蘭", "高橋美咲", "田中健太", "伊藤直子",
                  "渡辺大輔", "中村由美", "小林誠", "加藤陽子", "吉田茂樹", "山口恵美"]  # fmt: skip
# The number of lines each occurrence of a text in the page spans, where it stands whole.
LINES_OF = """(needle) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let at = node.data.indexOf(needle); at >= 0; at = node.data.indexOf(needle, at + 1)) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
      found.push(new Set(boxes.map((box) => Math.round(box.bottom))).size);
    }
  }
  return found;
}"""


def _wrapping_html(workspace: Path) -> str:
    """Return the HTML body of a brief by Japanese authors citing LONG_URL twice."""
    assert len(LONG_URL) == 200
    text = MINIMAL.replace(
        "date: 2025-11-24\n",
        "date: 2025-11-24\norganisation: 日本国際問題研究所\n"
        f"authors: [{', '.join(JAPANESE_NAMES)}]\n",
    ).replace("    title: A source\n", f"    title: A source\n    url: {LONG_URL}\n")
    text = text.replace("Something happened [@src].", f"Something happened <{LONG_URL}> [@src].")
    return body(compose(write(workspace / "briefings" / "b.md", text)), "html")


def test_an_address_shown_breaks_in_its_path_only_and_keeps_its_href(workspace: Path) -> None:
    html = _wrapping_html(workspace)
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html)
    shown = [inner for href, inner in links if href == LONG_URL.replace("&", "&amp;")]
    assert len(shown) == 2  # the body's link and the source's, href as written
    for inner in shown:
        words = re.sub(r"<[^>]+>", "", inner)
        assert words == LONG_URL.replace("&", "&amp;")  # the text is the address, unchanged
        assert re.search(f">{re.escape(LONG_HOST)}</span>/<wbr>documents/<wbr>2025/", inner)
        assert "&amp;<wbr>section=<wbr>defence" in inner


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_on_a_phone_names_stay_whole_and_a_host_on_one_line(
    workspace: Path, tmp_path: Path
) -> None:
    page = tmp_path / "message.html"
    page.write_text(_wrapping_html(workspace), encoding="utf-8")
    with Chromium() as browser:
        browser.open(page, 390)
        assert browser.evaluate("document.documentElement.scrollWidth") <= 390
        hosts = browser.evaluate(f"({LINES_OF})({LONG_HOST!r})")
        assert hosts == [1, 1], hosts  # the body's link and the source's
        for name in [*JAPANESE_NAMES, "日本国際問題研究所"]:
            lines = browser.evaluate(f"({LINES_OF})({name!r})")
            assert lines and set(lines) == {1}, (name, lines)


def test_address_text_is_escaped_again_and_other_links_are_left_alone() -> None:
    from briefkit.delivery.mail.wrapping import break_addresses, whole_name

    hostile = '<a href="https://a.example/x">https://a.example/&lt;script&gt;?q=&quot;1</a>'
    broken = break_addresses(hostile)
    assert "<script" not in broken and "/<wbr>&lt;script&gt;?<wbr>q=<wbr>&#34;1</span>" in broken
    assert broken.startswith('<a href="https://a.example/x">')  # the href as it was
    words = '<a href="https://a.example/">the ministry</a> <a href="#s">https:// no</a>'
    assert break_addresses(words) == words  # text that is not an address is not touched
    assert whole_name("<b>佐藤</b>") == '<span class="name">&lt;b&gt;佐藤&lt;/b&gt;</span>'
    assert whole_name("独" * 21).startswith('<span class="name-long">')
