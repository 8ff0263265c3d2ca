"""The code's floor plan: stages depend only downwards, and no folder grows past a dozen modules.

The stages, bottom to top: what every stage may use (errors, files, the version, processes and
atomic writes); the model; languages and fonts, config and sources; rendering and the formats;
building; delivery (mail and catalogue); commands; the API; the CLI. Every import counts, those
inside functions too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefkit"
# Each stage may import its own and any lower stage; the first prefix that matches decides.
STAGES: list[tuple[str, ...]] = [
    (
        "briefkit.version",
        "briefkit.errors",
        "briefkit.files",
        "briefkit.paths",
        "briefkit.messages",
        "briefkit.resources",
        "briefkit.system",
    ),
    ("briefkit.model",),
    ("briefkit.text", "briefkit.config", "briefkit.sources"),
    ("briefkit.rendering",),
    ("briefkit.building",),
    ("briefkit.delivery",),
    ("briefkit.commands",),
    ("briefkit.api",),
    ("briefkit.cli", "briefkit.__main__"),
]
# The package's own __init__ only re-exports the API lazily, by name.
ROOT_MODULE = "briefkit"
MAX_MODULES = 12


def module_name(path: Path) -> str:
    """Return the dotted name of a module file under the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage(name: str) -> int:
    """Return the stage a module belongs to."""
    for rank, prefixes in enumerate(STAGES):
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes):
            return rank
    raise AssertionError(f"{name} belongs to no stage: add it to STAGES")


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line, module) for every briefkit module a file imports, anywhere in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # "from package import module" depends on the module, not only the package.
            targets = [
                f"{base}.{alias.name}" for alias in node.names if _is_module(base, alias.name)
            ]
            targets = targets or [base]
        else:
            continue
        for target in targets:
            if target == ROOT_MODULE or target.startswith(ROOT_MODULE + "."):
                yield node.lineno, target


def _is_module(package: str, name: str) -> bool:
    """Tell whether package.name is a module or package of briefkit's."""
    folder = PACKAGE.parent.joinpath(*package.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def sources() -> list[Path]:
    """Return every module of the package but its root __init__."""
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def test_stages_depend_only_downwards() -> None:
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for path in sources()
        for line, target in imported(path)
        if target != ROOT_MODULE and stage(target) > stage(module_name(path))
    ]
    assert not upward, "imports from a higher stage:\n" + "\n".join(upward)


def test_root_module_reexports_only() -> None:
    # Importing the package must stay cheap and depend on nothing but the version at load time.
    tree = ast.parse((PACKAGE / "__init__.py").read_bytes())
    top = [node for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert {node.module for node in top} <= {"__future__", "typing", "briefkit.version"}


@pytest.mark.parametrize(
    "folder",
    sorted({p.parent for p in PACKAGE.rglob("*.py")}),
    ids=lambda p: str(p.relative_to(PACKAGE.parent)),
)
def test_no_folder_holds_more_than_a_dozen_modules(folder: Path) -> None:
    modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_MODULES, sorted(p.name for p in modules)


def test_the_walk_sees_function_level_imports(tmp_path: Path) -> None:
    # The check must not pass because it cannot see: a lazy upward import is found.
    lazy = PACKAGE / "model" / "choices.py"
    found = {target for _, target in imported(lazy)}
    assert "briefkit.errors" in found
    source = ast.parse("def f():\n    from briefkit.api import build\n")
    inner = [n for n in ast.walk(source) if isinstance(n, ast.ImportFrom)]
    assert inner and inner[0].module == "briefkit.api"
    assert stage("briefkit.api") > stage("briefkit.model")
