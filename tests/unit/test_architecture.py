"""The packages import in one direction, with no circles (docs/architecture.md).

ontology imports nothing of casegraph; loaders only ontology; graph ontology and loaders (its
service functions load documents); api all three. Within a package, no two modules import each
other at module level.
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
