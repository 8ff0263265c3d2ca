"""Themes: an ordered list of folders, the workspace's first, searched for templates and styles."""

from __future__ import annotations

import hashlib
import pickle
import re
import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from briefkit.config import Workspace
from briefkit.errors import BriefkitError
from briefkit.messages import did_you_mean
from briefkit.paths import shown
from briefkit.rendering.linked_data import linked_data
from briefkit.resources import builtin_root
from briefkit.system.store import keep, load
from briefkit.text.languages import Language, language_for

# `{% extends "!default/brief.html" %}` reaches the built-in template a user's one overrides.
BUILTIN_PREFIX = "!default"
# Where a long address may break, as style manuals ask: after a run of slashes or dots, or of
# the marks that start a query or a fragment, never inside a word. A single character class
# with one quantifier: the split is linear in the address's length.
_URL_BREAKS = re.compile(r"([/.?&=#_~]+)")


@dataclass(frozen=True)
class Theme:
    """The theme folders of a workspace, most specific first, the built-in theme last.

    The digest hashes every theme file, so a theme whose files changed is a different theme:
    a renderer kept for the old one is never reused for the new.
    """

    folders: tuple[Path, ...]
    digest: str

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> Theme:
        """Return the workspace's folder, its configured theme, then the built-in theme."""
        candidates = [workspace.root, workspace.theme_folder(), builtin_root()]
        folders: list[Path] = []
        for folder in candidates:
            if folder is not None and folder.resolve() not in folders:
                folders.append(folder.resolve())
        return cls.of(tuple(folders))

    @classmethod
    def of(cls, folders: tuple[Path, ...]) -> Theme:
        """Return the theme of these folders as their files are now."""
        return cls(folders, _digest(folders))

    @property
    def template_dirs(self) -> list[Path]:
        """Return the templates folders that exist, in search order."""
        return [f / "templates" for f in self.folders if (f / "templates").is_dir()]

    @property
    def style_roots(self) -> list[Path]:
        """Return every folder styles may come from, including ones not created yet."""
        return [f / "styles" for f in self.folders]

    @property
    def style_dirs(self) -> list[Path]:
        """Return the styles folders that exist, in search order."""
        return [f / "styles" for f in self.folders if (f / "styles").is_dir()]

    @cached_property
    def env(self) -> jinja2.Environment:
        """Return the one Jinja environment for this theme."""
        builtin = jinja2.FileSystemLoader(builtin_root() / "templates")
        # Every candidate folder, existing or not: one created later is still searched first.
        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([f / "templates" for f in self.folders]),
                jinja2.PrefixLoader({BUILTIN_PREFIX: builtin}),
            ]
        )
        env = jinja2.Environment(
            loader=loader,
            # Plain-text templates (a message's text body and subject) are not HTML: escaping
            # would turn "&" into "&amp;" there. Every other template is escaped.
            autoescape=jinja2.select_autoescape(
                disabled_extensions=("txt",), default_for_string=True, default=True
            ),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_StoredBytecode(),
        )
        # Every format describes the brief for machines with the one map this makes.
        env.globals["linked_data"] = linked_data
        env.filters["breakable_url"] = breakable_url
        return env

    def render(self, name: str, language: Language | None = None, **context: object) -> str:
        """Render a template, its words in a language; template errors name the template."""
        words = language or language_for("en")
        context = {
            "_": words.gettext,
            "ngettext": words.ngettext,
            "pgettext": words.pgettext,
            **context,
        }
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateNotFound as exc:
            raise BriefkitError(
                f"theme: template '{exc.name}' not found in {self._where()}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            where = shown(Path(exc.filename)) if exc.filename else name
            raise BriefkitError(f"{where}:{exc.lineno}: {exc.message}") from exc
        except (jinja2.TemplateError, TypeError, AttributeError, KeyError) as exc:
            where = _template_frame(exc) or f"template '{name}'"
            raise BriefkitError(f"{where}: {_readable(exc)}") from exc

    def style(self, name: str) -> Path:
        """Return the first stylesheet of that name in search order."""
        for folder in self.style_dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise BriefkitError(f"theme: stylesheet '{name}' not found in {self._where()}")

    def optional_style(self, name: str) -> Path | None:
        """Return a stylesheet if any theme folder has it."""
        try:
            return self.style(name)
        except BriefkitError:
            return None

    def _where(self) -> str:
        """Name the folders searched."""
        return ", ".join(str(f) for f in self.folders)


def breakable_url(address: str, xhtml: bool = False) -> Markup:
    """Return an address escaped, with a <wbr> break opportunity after its slashes and dots.

    xhtml closes each <wbr/>, as an XML parser (an EPUB reading system) needs it.
    """
    pieces = _URL_BREAKS.split(address)
    wbr = Markup("<wbr/>" if xhtml else "<wbr>")
    # split() with one group alternates text and separators: odd indexes are separators,
    # and a break after the last one, with nothing after it, would break nothing.
    marked = [
        escape(piece) + (wbr if index % 2 and pieces[index + 1] else "")
        for index, piece in enumerate(pieces)
    ]
    return Markup("").join(marked)


def _digest(folders: tuple[Path, ...]) -> str:
    """Hash every theme file's path and content."""
    hasher = hashlib.sha256()
    for root in folders:
        for folder in (root / "templates", root / "styles"):
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                hasher.update(str(path).encode() + b"\0")
                hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


class _StoredBytecode(jinja2.BytecodeCache):
    """Templates compiled to Python once, kept in the store (``building.store``).

    Compiling the templates a PDF and an EPUB use takes 0.2 s in every process; Jinja names
    each entry by the template's file and checks that the source it was compiled from is the
    same, so an edited template is compiled again.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from the store, if it has the template."""
        data = load("templates", [bucket.key])
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except (ValueError, EOFError, TypeError, pickle.UnpicklingError):  # not the store's own
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep the bucket's compiled template in the store."""
        keep("templates", [bucket.key], bucket.bytecode_to_string())


def _template_frame(exc: BaseException) -> str | None:
    """Return 'file:line' of the innermost template line that failed, from the traceback.

    Jinja rewrites tracebacks so that template code appears at its own file and line.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if frame.filename.endswith((".html", ".xhtml", ".xml", ".txt", ".md")):
            return f"{shown(Path(frame.filename))}:{frame.lineno}"
    return None


def _readable(exc: BaseException) -> str:
    """Return an error's message without Python's names for briefkit's own objects."""
    message = getattr(exc, "message", None) or str(exc)
    message = re.sub(r"'briefkit\.[\w.]+\.(\w+) object'", lambda m: f"'{m.group(1)}'", message)
    missing = re.search(r"'(\w+)' has no attribute '(\w+)'", message)
    if missing:
        message += _attribute_hint(missing.group(1), missing.group(2), exc)
    return message


def _attribute_hint(owner: str, name: str, exc: BaseException) -> str:
    """Suggest the attribute a template meant, from the view class it looked on."""
    from briefkit.rendering import view

    kind = getattr(view, owner, None)
    names = [n for n in dir(kind) if not n.startswith("_")] if isinstance(kind, type) else []
    names += list(getattr(kind, "__dataclass_fields__", {}))
    del exc
    return did_you_mean(name, names)
