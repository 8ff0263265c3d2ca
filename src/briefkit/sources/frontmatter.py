"""Split a source into YAML front matter and body, keeping file line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from briefkit.errors import Findings

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
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSE), None)
    if close is None:
        findings.error(1, "front matter is not closed: add a '---' line after the YAML")
        return None
    yaml_text = "\n".join(lines[1:close])
    problem = _shape_problem(yaml_text)
    if problem is not None:
        line, col, message = problem
        findings.error(line, message, col)
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
    loader = _SafeLoader(text)
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
        line_map: dict[Path_, tuple[int, int]] = {}
        _map_lines(node, (), line_map)
        return loader.construct_document(node), line_map
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


def _map_lines(node: yaml.Node, path: Path_, out: dict[Path_, tuple[int, int]]) -> None:
    """Record the file line and column of every key and list item under node."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            out[(*path, name)] = (key.start_mark.line + 2, key.start_mark.column + 1)
            _map_lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*path, index)] = (item.start_mark.line + 2, item.start_mark.column + 1)
            _map_lines(item, (*path, index), out)
