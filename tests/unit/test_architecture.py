"""The packages import in one direction, with no circles (docs/architecture.md).

ontology imports nothing of casegraph; loaders only ontology; graph ontology and loaders (its
service functions load documents); api all three. Within a package, no two modules import each
other at module level. And no module grows past ~400 lines, but for a short, explained list.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ontology", "loaders", "graph", "api")
ALLOWED = {
    "ontology": set(),
    "loaders": {"ontology"},
    "graph": {"ontology", "loaders"},
    "api": {"ontology", "loaders", "graph"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, *, top_level_only: bool) -> set[str]:
    """casegraph modules imported by a file (at module level only, if asked)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:
            continue  # `if TYPE_CHECKING:` blocks
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from a.b import c` imports the module a.b.c when there is one, else a.b.
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def resolve(name: str, modules: dict[str, Path]) -> str:
    """The module an imported name lives in (the longest known prefix)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_packages_import_in_one_direction() -> None:
    wrong = []
    for path in sources():
        package = path.relative_to(ROOT).parts[0]
        for name in imports(path, top_level_only=False):
            other = name.split(".")[0]
            if other != package and other not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, wrong


def test_no_module_level_import_circle() -> None:
    modules = {module_name(p): p for p in sources()}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported in imports(path, top_level_only=True):
            target = resolve(imported, modules)
            if target and target != name:
                graph[name].add(target)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(modules):
        if node not in state:
            visit(node, [node])
    # A package's __init__ re-exporting its modules is not a circle that matters.
    real = [c for c in cycles if not any(m in PACKAGES for m in c)]
    assert not real, real


MAX_LINES = 400
"""A module past ~400 lines does more than one thing (STYLE.md, practice 12): split it."""

LONG_MODULES = {
    # The pydantic response models of every REST body: one declaration after another, read
    # as the schema of the API; splitting them would scatter the OpenAPI reference.
    "api/schemas.py",
    # One write through every layer, one line over: its steps read best in one place.
    "graph/pipeline.py",
}
"""Modules allowed past `MAX_LINES`, each for the reason above it."""


def test_no_module_is_too_long() -> None:
    lengths = {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sources()
    }
    long = {name: n for name, n in lengths.items() if n > MAX_LINES and name not in LONG_MODULES}
    assert not long, f"modules over {MAX_LINES} lines (split them by concern): {long}"
    stale = sorted(name for name in LONG_MODULES if lengths.get(name, 0) <= MAX_LINES)
    assert not stale, f"exempt but no longer long (drop them from LONG_MODULES): {stale}"
