"""The workspace and its ``briefkit.toml``: organisation, defaults, labels and build options."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefkit.errors import BriefkitError
from briefkit.messages import did_you_mean, plain_error
from briefkit.model.address import address_problem
from briefkit.model.brief import Author, CheckedImage
from briefkit.model.choices import Format, Paper, PdfVariant, SmtpSecurity

CONFIG_NAME = "briefkit.toml"
# Publications per page of a catalogue's acquisition feeds: an e-ink reader fetches one page
# at a time; a page of more than a thousand defeats the purpose.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# What no web address a setting gives may hold: spaces, and control characters of any kind.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


class _Section(BaseModel):
    """A table of briefkit.toml; unknown keys are typos and are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Section):
    """The publisher named on every brief."""

    name: str | None = None
    url: str | None = None
    logo: str | None = Field(None, description="Logo image, relative to the workspace.")
    corrections_policy: str | None = Field(
        None, description="Web page of the organisation's corrections policy, for metadata."
    )

    @field_validator("corrections_policy")
    @classmethod
    def _web_page(cls, value: str | None) -> str | None:
        """Accept only an absolute http(s) address: machines follow it from every brief."""
        if value is None:
            return None
        address = value.strip()
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc or _UNSAFE.search(address):
            raise ValueError(
                "must be an absolute http:// or https:// address, such as "
                "https://example.org/corrections, with no spaces or control characters"
            )
        return address


class BriefDefaults(_Section):
    """Front-matter values used when a source leaves them out."""

    authors: list[Author] = Field(default_factory=list)
    language: str | None = None
    classification: str | None = None
    series: str | None = None


class Labels(_Section):
    """The words that mark each kind of section, and the legend that explains them.

    Those left out are in each brief's own language.
    """

    fact: str | None = None
    commentary: str | None = None
    fact_legend: str | None = None
    commentary_legend: str | None = None


class Build(_Section):
    """How ``briefkit build`` runs when options do not say otherwise."""

    # Names in the format registry, briefkit's own or a plugin's: the plan checks them.
    formats: tuple[str, ...] = (Format.PDF.value, Format.EPUB.value)
    out: str = "out"
    paper: Paper = Paper.A4
    pdf_variant: PdfVariant = PdfVariant.UA1
    theme: str | None = Field(None, description="A theme folder with templates/ and styles/.")
    jobs: int = Field(0, ge=0, description="Parallel workers; 0 means one per core.")
    toc_min_sections: int = Field(5, ge=1)
    time_limit: float = Field(
        120, ge=0, description="Seconds one brief may take to render; 0 means no limit."
    )


class EpubSettings(_Section):
    """What the EPUB says about itself that only the workspace can vouch for."""

    certified_by: str | None = Field(
        None,
        min_length=1,
        description="Who certifies that the EPUBs conform to EPUB Accessibility 1.1; "
        "left out, no conformance is claimed.",
    )


class Email(_Section):
    """Defaults for sending briefs by email; credentials never live here."""

    sender: str | None = Field(None, alias="from")
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    max_attachments_mb: float = Field(
        25, gt=0, description="Largest total of attachments a message may carry, in MB."
    )
    # Sending to a list (email --list): what mail providers ask of list mail.
    list_id: str | None = Field(
        None,
        description="The List-Id of list messages, e.g. weekly.example.org; default: made "
        "from the series or organisation and the sender's domain.",
    )
    unsubscribe_url: str | None = Field(
        None,
        description="An https:// one-click unsubscribe endpoint; each reader's token is added.",
    )
    reply_to: str | None = Field(None, description="Where readers' replies go.")
    bounce_address: str | None = Field(
        None, description="The SMTP envelope sender, where delivery failures are returned."
    )
    dkim_selector: str | None = Field(
        None,
        description="Sign list messages with DKIM under this selector (key: BRIEFKIT_DKIM_KEY).",
    )
    dkim_domain: str | None = Field(
        None, description="The DKIM signing domain; default: the sender's."
    )
    suppression: str = Field(
        "suppressed.txt",
        description="Addresses never sent to: unsubscribed or bounced, relative to the workspace.",
    )
    rate: float = Field(
        30, gt=0, description="Messages a minute when sending to a list (--rate overrides)."
    )

    @field_validator("sender", "reply_to", "bounce_address")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        """Accept only one well-formed mail address."""
        problem = address_problem(value) if value else None
        if problem:
            raise ValueError(f"{value!r} {problem}")
        return value

    @field_validator("unsubscribe_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        """Accept only an https:// address: RFC 8058 one-click unsubscribe requires it."""
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.netloc or parts.fragment:
            raise ValueError("must be an https:// address, such as https://example.org/unsubscribe")
        return value.strip()


class Publish(_Section):
    """How ``briefkit publish`` writes a catalogue when options do not say otherwise."""

    title: str | None = Field(None, description="The catalogue's title; default: organisation.")
    base_url: str | None = Field(None, description="Where the folder is served from.")
    out: str = "site"
    facts_only: bool = Field(False, description="Also publish each brief's facts-only edition.")
    word: bool = Field(False, description="Also publish each brief's Word edition (.docx).")
    # Strict: a page size of "50" or 2.5 or true is a typo, not a number to guess at.
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        strict=True,
        description="Publications per page of each acquisition feed, newest first.",
    )

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        """Accept only an absolute web address, ending it with a slash."""
        return None if value is None else site_address(value)


def site_address(value: str) -> str:
    """Return an absolute http(s) address ending in "/", or raise ValueError saying why not."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            "must be an absolute http:// or https:// address without ?query or #fragment, "
            "such as https://example.org/briefs/"
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))


class Config(_Section):
    """The whole of briefkit.toml."""

    organisation: Organisation = Organisation()
    defaults: BriefDefaults = BriefDefaults()
    labels: Labels = Labels()
    build: Build = Build()
    epub: EpubSettings = EpubSettings()
    email: Email = Email()
    publish: Publish = Publish()

    def brief_defaults(self) -> dict[str, Any]:
        """Return the front-matter values a source inherits."""
        values: dict[str, Any] = {}
        if self.organisation.name:
            values["organisation"] = self.organisation.name
        if self.defaults.authors:
            values["authors"] = [a.model_dump(exclude_none=True) for a in self.defaults.authors]
        for key in ("language", "classification", "series"):
            if getattr(self.defaults, key):
                values[key] = getattr(self.defaults, key)
        return values


@dataclass(frozen=True)
class Workspace:
    """A folder of briefs, found by its briefkit.toml or taken as the current folder."""

    root: Path
    config: Config
    config_path: Path | None

    @property
    def briefings(self) -> Path:
        """Return the folder of sources."""
        return self.root / "briefings"

    @property
    def templates(self) -> Path:
        """Return the workspace's own templates folder."""
        return self.root / "templates"

    @property
    def styles(self) -> Path:
        """Return the workspace's own styles folder."""
        return self.root / "styles"

    def logo(self) -> CheckedImage | None:
        """Return the organisation's logo file, checked like a brief's images."""
        if not self.config.organisation.logo:
            return None
        from briefkit.errors import Findings
        from briefkit.sources.images import check_image

        where = self.config_path or self.root / CONFIG_NAME
        findings = Findings(where)
        line = _line_of(where.read_text(encoding="utf-8"), ["organisation", "logo"])
        found = check_image(where, self.config.organisation.logo, line, findings)
        if found is None:
            raise BriefkitError("\n".join(f.format() for f in findings.items))
        return found

    def setting_error(self, loc: list[str], message: str) -> BriefkitError:
        """Return an error about one setting, at the line of briefkit.toml that gives it."""
        if self.config_path is None:
            return BriefkitError(f"{'.'.join(loc)}: {message}")
        text = self.config_path.read_text(encoding="utf-8")
        where = f"{self.config_path}:{_line_of(text, loc)}"
        return BriefkitError(f"{where}: error: '{'.'.join(loc)}': {message}")

    def theme_folder(self) -> Path | None:
        """Return the configured theme folder, if any."""
        theme = self.config.build.theme
        return (self.root / theme).resolve() if theme else None


def find_workspace(start: Path | None = None) -> Workspace:
    """Walk up from start to the folder holding briefkit.toml; default to start itself."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return Workspace(folder, load_config(candidate), candidate)
    return Workspace(here, Config(), None)


def load_config(path: Path) -> Config:
    """Read and validate briefkit.toml, naming the line of any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefkitError(f"{path}:1: error: cannot read the file ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else "1"
        raise BriefkitError(f"{path}:{line}: error: {exc}") from exc
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        messages = [_config_problem(path, text, error) for error in exc.errors()]
        raise BriefkitError("\n".join(messages)) from exc
    _check_theme(path, text, config.build.theme)
    return config


def _check_theme(path: Path, text: str, theme: str | None) -> None:
    """Refuse a theme setting that names no folder, or a folder that is not a theme."""
    if not theme:
        return
    folder = path.parent / theme
    where = f"{path}:{_line_of(text, ['build', 'theme'])}: error: 'build.theme' names {theme!r}"
    if not folder.is_dir():
        raise BriefkitError(
            f"{where}, which is not a folder in {path.parent}: check its spelling, or create "
            "it with templates/ and styles/"
        )
    if not (folder / "templates").is_dir() and not (folder / "styles").is_dir():
        raise BriefkitError(
            f"{where}, which is not a theme: a theme folder holds templates/ or styles/"
        )


def _config_problem(path: Path, text: str, error: Any) -> str:
    """Describe one validation error of briefkit.toml with the line of its key."""
    loc = [str(part) for part in error["loc"]]
    name = ".".join(loc)
    if error["type"] == "extra_forbidden":
        message = f"unknown setting '{name}'{_near_miss(loc)}"
    else:
        message = plain_error(error["loc"], error)
    return f"{path}:{_line_of(text, loc)}: error: {message}"


def _near_miss(loc: list[str]) -> str:
    """Suggest the setting a mistyped one was meant to be."""
    model: Any = Config
    for part in loc[:-1]:
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        model = field.annotation if field is not None else None
    if model is None or not hasattr(model, "model_fields"):
        return ""
    names = [f.alias or name for name, f in model.model_fields.items()]
    return did_you_mean(loc[-1], names)


def _line_of(text: str, loc: list[str]) -> int:
    """Find the line of a key inside its [table] (tomllib keeps no positions).

    The key may be written in its table, as a dotted key (``labels.fact = ...``), or in an
    inline table (``labels = { fact = ... }``); failing those, the table's own line is given.
    """
    table, key = (loc[0], loc[1]) if len(loc) > 1 else ("", loc[0] if loc else "")
    lines = text.splitlines()
    in_table = table == ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.strip("[] ") == table
            continue
        if in_table and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    written = rf"(^\s*{re.escape(table)}\s*\.\s*{re.escape(key)}\s*=|[{{,]\s*{re.escape(key)}\s*=)"
    for number, line in enumerate(lines, start=1):
        if table and re.search(written, line):
            return number
    for number, line in enumerate(lines, start=1):
        if line.strip().strip("[] ") == table or re.match(rf"\s*{re.escape(table)}\s*=", line):
            return number
    return 1
