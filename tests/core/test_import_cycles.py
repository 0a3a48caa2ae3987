"""No import cycles among passkit's modules.

Read from the source with `ast` (nothing is imported): an edge runs from a module to every
passkit module it imports. `from package import name` leads to the submodule when `name` is
one, else to the package itself (whose `__init__` then runs). A cycle makes the import order
matter and hides which module depends on which, so none is allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import passkit

ROOT = Path(passkit.__file__).parent

# Packages where imports inside functions and under TYPE_CHECKING count too: there, such an
# import only ever dodged a cycle.
NO_DEFERRED_CYCLES = ("passkit.apple", "passkit.layout", "passkit.model", "passkit.devcerts")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = ["passkit", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _module_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Statements run on import: the body, and blocks of `if`, `try` and `with` in it; not
    function or class bodies, nor `if TYPE_CHECKING:` blocks."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.extend(getattr(node, field, []))


def _targets(name: str, path: Path, node: ast.stmt, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        wanted = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            base = ".".join(
                [*package[: len(package) - node.level + 1], *filter(None, [node.module])]
            )
        else:
            base = node.module or ""
        wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
    else:
        return set()
    found = set()
    for target in wanted:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def _graph(deferred_in: tuple[str, ...]) -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deferred = any(name == p or name.startswith(p + ".") for p in deferred_in)
        nodes = ast.walk(tree) if deferred else _module_level(tree)
        graph[name] = set()
        for node in nodes:
            if isinstance(node, ast.stmt):
                graph[name] |= _targets(name, path, node, modules)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_cycle_among_module_level_imports() -> None:
    assert _cycles(_graph(())) == []


def test_no_cycle_in_apple_and_layout_counting_imports_inside_functions() -> None:
    assert _cycles(_graph(NO_DEFERRED_CYCLES)) == []


def test_the_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
