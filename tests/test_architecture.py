"""The code's shape, read from its source: imports that point one way, one transaction
boundary, SQL where it belongs. Each test names what it found that breaks its rule.

- No import cycle between modules (imports inside functions and for type checking count).
- No cycle between the packages and top-level modules of ``tracker`` either: the models,
  then the permissions, then the features, each using only what stands below it.
- No view imports another feature's views.
- Only ``tracker/boundary.py`` commits or rolls back.
- SELECT statements are built in ``queries.py`` modules; INSERT, UPDATE and DELETE in
  services (and the data import, and the migrations); views build no statement.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _is_package(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").exists()


def imports_of(name: str) -> set[str]:
    """The tracker modules ``name`` imports, anywhere in it."""
    found: set[str] = set()
    known = modules()
    for node in ast.walk(known[name]):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if _is_package(name) else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from package import module" depends on the module, not on the package's face.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t for t in submodules if t in known] or [base]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _part(module: str) -> str:
    """The package or top-level module of ``tracker`` a module belongs to."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_module_imports_itself_through_others():
    graph = {name: imports_of(name) for name in modules()}
    assert cycles(graph) == []


def test_the_packages_and_modules_of_tracker_import_each_other_one_way():
    graph: dict[str, set[str]] = defaultdict(set)
    for name in modules():
        if name == "tracker":  # create_app: the wiring, above everything
            continue
        for target in imports_of(name):
            if _part(target) != _part(name) and target != "tracker":
                graph[_part(name)].add(_part(target))
    assert cycles(graph) == []


def test_no_view_imports_another_features_views():
    crossing = [
        f"{name} imports {target}"
        for name in modules()
        if name.endswith(".views")
        for target in imports_of(name)
        if target.endswith(".views") and _part(target) != _part(name)
    ]
    assert crossing == []


def _calls(tree: ast.Module, names: set[str]) -> list[int]:
    """The lines calling a method named in ``names`` on anything: ``db.session.commit()``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def _statements(tree: ast.Module, kinds: set[str]) -> list[int]:
    """The lines building a SQLAlchemy statement of ``kinds`` ("select", "insert"...):
    ``sa.select(...)``, or ``select(...)`` imported from SQLAlchemy."""
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
        for alias in node.names
        if alias.name in kinds
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in kinds
            and isinstance(func.value, ast.Name)
            and func.value.id in ("sa", "sqlalchemy", "db")  # db: Flask-SQLAlchemy's
        ) or (isinstance(func, ast.Name) and func.id in imported):
            lines.append(node.lineno)
    return lines


def _session_writes(tree: ast.Module) -> list[int]:
    """The lines that hand objects to the session to write: ``db.session.add(...)`` and
    its kin."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"add", "add_all", "delete", "merge"}
        and ast.unparse(node.func.value) == "db.session"
    ]


@pytest.mark.parametrize(
    ("source", "kinds", "found"),
    [
        ("import sqlalchemy as sa\nsa.select(1)", {"select"}, [2]),
        ("from sqlalchemy import select\nselect(1)", {"select"}, [2]),
        ("db.select(User)", {"select"}, [1]),
        ("sa.update(User)", {"select"}, []),
        ("items.select(1)", {"select"}, []),
    ],
)
def test_the_statement_finder_finds_what_it_should(source, kinds, found):
    assert _statements(ast.parse(source), kinds) == found


@pytest.mark.parametrize(
    ("source", "found"),
    [("db.session.add(item)", [1]), ("db.session.delete(item)", [1]), ("seen.add(1)", [])],
)
def test_the_session_write_finder_finds_what_it_should(source, found):
    assert _session_writes(ast.parse(source)) == found


def test_only_the_request_boundary_commits_or_rolls_back():
    found = [
        f"{name}:{line}"
        for name, tree in modules().items()
        if name != "tracker.boundary"
        for line in _calls(tree, {"commit", "rollback"})
    ]
    assert found == []


def test_select_statements_are_built_in_query_modules():
    found = [
        f"{name}:{line}"
        for name, tree in modules().items()
        if not name.endswith(".queries") and not name.startswith("tracker.models")
        for line in _statements(tree, {"select"})
    ]
    assert found == []


def test_views_and_queries_write_nothing():
    found = [
        f"{name}:{line}"
        for name, tree in modules().items()
        if name.endswith((".views", ".queries", ".cli", ".forms"))
        for line in _statements(tree, {"insert", "update", "delete"}) + _session_writes(tree)
    ]
    assert found == []


def test_views_build_no_statement():
    found = [
        f"{name}:{line}"
        for name, tree in modules().items()
        if name.endswith(".views")
        for line in _statements(tree, {"select", "insert", "update", "delete", "text"})
    ]
    assert found == []
