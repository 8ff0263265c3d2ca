"""Split a source into YAML front matter and body, keeping file line numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from briefkit.errors import Findings
from briefkit.sources.limits import Reporter
from briefkit.sources.markup import characters

_OPEN = "---"
_CLOSE = ("---", "...")
Path_ = tuple[str | int, ...]


class _SafeLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so the model validates them itself."""


# PyYAML turns 2025-13-45 into a ValueError with no line; the model gives a clear message.
_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
# Front matter is small and shallow; PyYAML's scanner slows down with the square of the
# nesting, and its composer recurses, so deeper or larger front matter is refused first.
MAX_DEPTH = 20
MAX_INDENT = 4 * MAX_DEPTH
MAX_FRONT_MATTER = 256 * 1024
_LONGEST_NUMBER = 18


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    """Read a plain number as an int, or as text when it is too long to be a count."""
    digits = node.value.replace("_", "").lstrip("+-")
    if len(digits) > _LONGEST_NUMBER:
        return node.value
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


@dataclass
class SplitSource:
    """Front matter and body of a source, with where each starts in the file."""

    front: dict[str, Any]
    body: str
    body_line: int
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position_of(self, path: Path_) -> tuple[int, int]:
        """Return the file line and column of a front-matter key, or of its nearest parent."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return 1, 1

    def line_of(self, path: Path_) -> int:
        """Return the file line of a front-matter key, or of its nearest parent."""
        return self.position_of(path)[0]


def split_source(text: str, findings: Findings) -> SplitSource | None:
    """Split text into front matter and body; record problems and return None on failure."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _OPEN:
        findings.error(
            1,
            "missing front matter: a brief starts with a '---' line, YAML with at least "
            "'title' and 'date', and a closing '---' line",
        )
        return None
    close = _closing_line(lines)
    if close is None:
        findings.error(1, "front matter is not closed: add a '---' line after the YAML")
        return None
    yaml_text = "\n".join(lines[1:close])
    problem = _shape_problem(yaml_text)
    if problem is not None:
        line, col, message = problem
        findings.error(line, message, col)
        return None
    if _has_controls(yaml_text, findings):
        return None
    parsed = _parse_yaml(yaml_text, findings)
    if parsed is None:
        return None
    data, line_map = parsed
    if not isinstance(data, dict):
        findings.error(2, "front matter must be a YAML mapping of keys such as 'title: ...'")
        return None
    body = "\n".join(lines[close + 1 :])
    return SplitSource(data, body, close + 2, line_map)


def front_matter_lines(lines: list[str]) -> range:
    """Return the file lines (1-based) that hold a source's YAML, or none if it has none."""
    close = _closing_line(lines) if lines and lines[0].rstrip() == _OPEN else None
    return range(2, close + 1) if close is not None else range(0)


def _closing_line(lines: list[str]) -> int | None:
    """Return the index of the line that closes the front matter opened on the first line."""
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSE), None)


def _has_controls(text: str, findings: Findings) -> bool:
    """Record each control character in front matter's YAML; tell whether it holds any.

    YAML's reader stops at the first, and takes U+0085 for a line break: each is named here
    instead, at its own line, and the front matter is not read.
    """
    report = Reporter(findings)
    for number, line in enumerate(text.split("\n"), start=2):
        for problem in characters.controls(line, "front matter"):
            report.add(problem, number, problem.offset + 1)
    return bool(report.kinds)


def _shape_problem(text: str) -> tuple[int, int, str] | None:
    """Return where front matter is too large or nests too deep to be read, and why."""
    if len(text) > MAX_FRONT_MATTER:
        size = f"{len(text):,} characters; the limit is {MAX_FRONT_MATTER:,}"
        return 2, 1, f"the front matter is {size}"
    limit = f"front matter nests at most {MAX_DEPTH} levels"
    depth = 0
    for number, line in enumerate(text.split("\n"), start=2):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_INDENT:
            return number, indent + 1, f"this line is indented {indent} spaces: {limit}"
        if indent == 0 and line.strip():
            depth = 0  # a new top-level key: any list or mapping before it has ended
        for col, char in enumerate(line, start=1):
            depth += (char in "[{") - (char in "]}")
            if depth > MAX_DEPTH:
                return number, col, f"brackets nest more than {MAX_DEPTH} deep here: {limit}"
    return None


def _parse_yaml(text: str, findings: Findings) -> tuple[Any, dict[Path_, tuple[int, int]]] | None:
    """Parse YAML safely, mapping each key to its file line (YAML starts on line 2)."""
    try:
        loader = _SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 2
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        findings.error(
            line,
            f"a control character (U+{exc.character:04X}) cannot stand in front matter: remove it",
            col,
        )
        return None
    try:
        alias = next(
            (t for t in yaml.scan(text, _SafeLoader) if isinstance(t, yaml.AliasToken)), None
        )
        if alias is not None:
            # Aliases can expand a few lines into billions of values; front matter needs none.
            line, col = alias.start_mark.line + 2, alias.start_mark.column + 1
            findings.error(line, "YAML aliases (*name) are not supported in front matter", col)
            return None
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not _check_values(node, text, findings):
            return None
        return loader.construct_document(node), _map_lines(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark else 2
        col = (mark.column + 1) if mark else 1
        findings.error(line, _yaml_message(exc), col)
        return None
    except yaml.YAMLError as exc:
        findings.error(2, f"YAML error: {exc}")
        return None
    finally:
        loader.dispose()


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """Turn a PyYAML error into one readable sentence."""
    problem = exc.problem or "syntax error"
    if "'\\t'" in problem:
        return "YAML syntax error: a tab character here; indent with spaces, not tabs"
    tag = re.search(r"tag '([^']*)'", problem)
    if isinstance(exc, yaml.constructor.ConstructorError) and tag:
        return (
            f"YAML tag {tag.group(1)!r} is not allowed: front matter is plain data "
            "(text, numbers, lists and mappings)"
        )
    context = f" {exc.context}" if exc.context else ""
    return f"YAML syntax error: {problem}{context}"


def _entries(root: yaml.Node) -> Iterator[tuple[Path_, yaml.Node, yaml.Node]]:
    """Yield every key and list item under root: its path, the node that marks it, its value.

    A loop with a stack, not recursion, so no nesting of YAML can exhaust Python's stack.
    """
    stack: list[tuple[Path_, yaml.Node]] = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
                yield (*path, name), key, value
                stack.append(((*path, name), value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield (*path, index), item, item
                stack.append(((*path, index), item))


def _map_lines(root: yaml.Node) -> dict[Path_, tuple[int, int]]:
    """Return the file line and column of every key and list item under root."""
    return {path: _position(marker) for path, marker, _ in _entries(root)}


def _position(node: yaml.Node) -> tuple[int, int]:
    """Return the file line and column where a node starts (the YAML starts on line 2)."""
    return node.start_mark.line + 2, node.start_mark.column + 1


def _check_values(root: yaml.Node, text: str, findings: Findings) -> bool:
    r"""Report characters that escapes put into keys and values (``"\u202E"``, ``"\x01"``).

    Characters written as themselves are reported where they stand, from the raw text; here
    only those that the escapes of a key or value made are, at the start of that key or value.
    Tell whether the values may be read on: not when one holds a lone surrogate
    (``"\ud83d"``), which no output, not even a message naming the key, can encode.
    """
    report = Reporter(findings)
    for _, marker, value in _entries(root):
        # A list item marks itself; a key marks its value.
        for node in (marker,) if marker is value else (marker, value):
            if isinstance(node, yaml.ScalarNode):
                _check_scalar(node, text, report)
    return "surrogate" not in report.kinds


def _check_scalar(node: yaml.ScalarNode, text: str, report: Reporter) -> None:
    """Report the problems of a scalar's value that its text as written does not show."""
    written = text[node.start_mark.index : node.end_mark.index]
    seen = {(p.kind, p.code) for p in characters.problems(written, "front matter")}
    line, col = _position(node)
    for problem in characters.problems(str(node.value), "front matter", report.done):
        if (problem.kind, problem.code) not in seen:
            report.add(problem._replace(escaped=True), line, col)
