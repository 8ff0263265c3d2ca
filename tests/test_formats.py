"""The formats registry: briefkit's own formats, and those installed packages add by entry point."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from briefkit.errors import BriefkitError, UsageError
from briefkit.rendering import formats
from briefkit.rendering.formats import (
    ENTRY_POINTS,
    OutputFormat,
    Rendered,
    RenderRequest,
    get_format,
    registry,
)


class ToyFormat(OutputFormat):
    """A format of a package other than briefkit: plain text of the title."""

    name = "toy"
    suffix = ".toy"
    media_type = "text/plain"

    def render(self, request: RenderRequest) -> Rendered:
        return Rendered(request.brief.meta.title.encode("utf-8"))


@dataclass
class FakeEntryPoint:
    """What importlib.metadata lists for an entry point: its name, target, and what it loads."""

    name: str
    value: str
    loaded: object

    def load(self) -> object:
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FakeEntryPoint]]:
    """Return the list of entry points the registry finds installed, empty until a test adds."""
    points: list[FakeEntryPoint] = []

    def entry_points(group: str) -> list[FakeEntryPoint]:
        assert group == ENTRY_POINTS
        return points

    monkeypatch.setattr(formats, "entry_points", entry_points)
    registry.cache_clear()
    yield points
    registry.cache_clear()


def test_briefkit_s_own_formats_are_listed_with_their_suffixes_and_media_types(
    installed: list[FakeEntryPoint],
) -> None:
    listed = {name: (f.suffix, f.media_type, f.attachable) for name, f in registry().items()}
    assert listed == {
        "pdf": (".pdf", "application/pdf", True),
        "epub": (".epub", "application/epub+zip", True),
        "html": (".html", "text/html", False),
        "docx": (
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            True,
        ),
    }
    assert get_format("epub") is registry()["epub"]


def test_an_unknown_format_is_refused_naming_the_ones_there_are(
    installed: list[FakeEntryPoint],
) -> None:
    with pytest.raises(
        UsageError, match="unknown format 'odt': choose one of pdf, epub, html, docx"
    ):
        get_format("odt")


@pytest.mark.parametrize("loaded", [ToyFormat, ToyFormat()], ids=["class", "instance"])
def test_an_installed_package_adds_a_format(
    installed: list[FakeEntryPoint], loaded: object
) -> None:
    installed.append(FakeEntryPoint("toy", "toyformat:ToyFormat", loaded))
    assert list(registry()) == ["pdf", "epub", "html", "docx", "toy"]
    assert isinstance(get_format("toy"), ToyFormat)


@pytest.mark.parametrize(
    ("point", "message"),
    [
        (
            FakeEntryPoint("toy", "toyformat:render", print),
            "the briefkit.formats entry point 'toy' (toyformat:render) is a "
            "builtin_function_or_method, not an OutputFormat: point it at a subclass of "
            "briefkit.rendering.formats.OutputFormat or an instance of one",
        ),
        (
            FakeEntryPoint("plaything", "toyformat:ToyFormat", ToyFormat),
            "the briefkit.formats entry point 'plaything' (toyformat:ToyFormat) is the format "
            "'toy': an entry point bears its format's name",
        ),
    ],
    ids=["not-a-format", "another-name"],
)
def test_an_entry_point_that_is_not_a_format_of_its_name_is_refused_saying_what_it_is(
    installed: list[FakeEntryPoint], point: FakeEntryPoint, message: str
) -> None:
    installed.append(point)
    with pytest.raises(BriefkitError) as refused:
        registry()
    assert str(refused.value) == message


def test_an_entry_point_that_cannot_be_loaded_is_refused_with_why(
    installed: list[FakeEntryPoint],
) -> None:
    installed.append(FakeEntryPoint("toy", "toyformat:ToyFormat", ImportError("no toyformat")))
    with pytest.raises(BriefkitError, match=r"'toy' \(toyformat:ToyFormat\) could not be loaded"):
        registry()


def test_a_built_in_format_cannot_be_replaced_by_an_entry_point(
    installed: list[FakeEntryPoint],
) -> None:
    class Impostor(ToyFormat):
        name = "pdf"

    installed.append(FakeEntryPoint("pdf", "impostor:Impostor", Impostor))
    builtin = get_format("pdf")
    assert not isinstance(builtin, Impostor)
    assert (builtin.suffix, builtin.media_type) == (".pdf", "application/pdf")
