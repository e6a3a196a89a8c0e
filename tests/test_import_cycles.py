"""No module of app/ imports itself back, directly or through others.

The graph is read from the source (nothing is imported): each module's imports, `from x import y`
resolved to the module `x.y` when that is a module and to `x` otherwise, relative imports included.
An import inside a function counts too: moving an import into a function hides a cycle, it does not
break it. Two kinds of import are left out, because they are not dependencies of the module:
- those under `if TYPE_CHECKING:` (type hints only, never run);
- those inside the functions of the factory (app/__init__.py): `create_app` brings every blueprint
  and hook together, so everything that imports the factory's helpers would otherwise be "in a cycle".
"""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
FACTORY = "app"


def module_names() -> dict[str, Path]:
    names = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, in_function: bool):
    """(import node, inside a function?) for every import below `node`, except type-checking ones."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _imports_of(other, in_function)
            continue
        yield from _imports_of(child, in_function)


def _imports_of(node: ast.AST, in_function: bool):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, in_function
    yield from _imports(node, in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The modules of app/ that `name` imports, each with the line of its first import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node, in_function in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), False):
        if in_function and name == FACTORY:
            continue
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in targets:
            if target in modules and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    modules = module_names()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (as a path that returns to its start) for each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # Tarjan's strongly connected components, without recursion
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return [_path_through(graph, group) for group in groups]


def _path_through(graph: dict[str, dict[str, int]], group: set[str]) -> list[str]:
    """The shortest way from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                return [*paths[node], start]
            if target in group and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {sorted(group)}")


def describe(graph: dict[str, dict[str, int]], path: list[str]) -> str:
    return (
        " -> ".join(f"{name} (line {graph[name][following]})" for name, following in pairwise(path)) + f" -> {path[-1]}"
    )


def test_app_has_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(graph, path) for path in found)


# --- the reader above finds what it must ----------------------------------------------------------


def test_the_graph_sees_plain_relative_submodule_and_function_level_imports():
    graph = import_graph()
    assert "app.extensions" in graph["app.api.views"]  # from app.extensions import db
    assert "app.covenants.services" in graph["app.api.views"]  # from app.covenants import services as ...
    assert "app.covenants.council_rule" in graph["app.council.services"]
    assert "app.accounts.models" not in graph["app.revisions.columns"]  # only under TYPE_CHECKING


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    graph = {
        "app.a": {"app.b": 3},
        "app.b": {"app.c": 4},
        "app.c": {"app.a": 12},  # say, an import inside a function
        "app.d": {"app.a": 1},
    }
    (path,) = cycles(graph)
    assert path == ["app.a", "app.b", "app.c", "app.a"]
    assert describe(graph, path) == "app.a (line 3) -> app.b (line 4) -> app.c (line 12) -> app.a"
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from app.extensions import db\n", encoding="utf-8")
    assert imported_modules("app.m", source, {"app.m": source, "app.extensions": source}) == {"app.extensions": 2}
