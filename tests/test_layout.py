"""The package's shape: stages as subpackages, no import cycles, small modules, declared imports."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import briefkit
from briefkit.rendering.pdf.weasyprint.layout import SUPPORTED
from conftest import ROOT

PACKAGE = ROOT / "src" / "briefkit"
STAGES = {"sources", "model", "rendering", "building", "delivery", "commands", "cli"}


def _module_name(path: Path) -> str:
    """Return the dotted name of a module file."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    """Tell whether an if statement is `if TYPE_CHECKING:`."""
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> set[str]:
    """Return the briefkit modules a file imports at run time, inside functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for child in ast.walk(node)
    }
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("briefkit"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("briefkit"))
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle of the graph, if there is any."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_stages_are_subpackages() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders >= STAGES


def test_no_import_cycle() -> None:
    graph = {
        _module_name(path): {m for m in _imports(path) if m != _module_name(path)}
        for path in PACKAGE.rglob("*.py")
    }
    # A package imports nothing of its own at run time but the version, which it defines.
    graph = {m: {t for t in targets if t != "briefkit"} for m, targets in graph.items()}
    assert _cycle(graph) is None, " → ".join(_cycle(graph) or [])


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def _third_party_imports() -> set[str]:
    """Return the top-level names of every non-standard module the package imports."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("briefkit",)}


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=!~\[ ]", spec)[0].lower().replace("_", "-")
        for spec in project["dependencies"]
    }
    providers = importlib.metadata.packages_distributions()
    missing = {
        name
        for name in _third_party_imports()
        if not {d.lower().replace("_", "-") for d in providers.get(name, [name])} & declared
    }
    assert missing == set()


def test_weasyprint_range_is_the_one_its_internals_module_supports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    spec = next(d for d in project["dependencies"] if d.startswith("weasyprint"))
    low, high = SUPPORTED
    assert spec == f"weasyprint>={low}.0,<{high}"
    installed = int(importlib.metadata.version("weasyprint").split(".")[0])
    assert low <= installed < high


def test_public_api_names_resolve() -> None:
    for name in briefkit.__all__:
        assert getattr(briefkit, name) is not None, name
    assert "render" in dir(briefkit)
