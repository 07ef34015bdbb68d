"""Imports follow the data (docs/architecture.md): checked on the source, so a shortcut fails here.

The flow is files → ``etl.extract`` → ``etl.parse`` → ``etl.record`` →
``etl.load`` → dbt, driven by ``etl.run`` and told by ``etl.cli``. Each rule
below is one sentence of docs/architecture.md; the graph is read from every
``import`` in the source (module level and inside functions), so a lazy
import does not hide an edge.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("etl", "bench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every project module ``name`` imports: ``from X import Y`` counts as X.Y when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in MODULES else base


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for imported in _imports(name, path):
            # the nearest project module the import names (``etl.load.runs.LOCK_KEY`` → ``etl.load.runs``)
            parts = imported.split(".")
            while parts and ".".join(parts) not in MODULES:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        graph[name] = targets
    return graph


GRAPH = _graph()


def _under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _edges(source_prefixes: tuple[str, ...], target_prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{src} imports {dst}"
        for src, targets in GRAPH.items()
        if _under(src, *source_prefixes)
        for dst in targets
        if _under(dst, *target_prefixes)
    )


def test_the_graph_sees_the_layers() -> None:
    """The checks below mean something only if the graph found the modules and their edges."""
    assert {"etl.run.driver", "etl.load.writer", "etl.pipeline", "etl.cli.app"} <= set(MODULES)
    assert "etl.load.writer" in GRAPH["etl.run.driver"]
    assert "etl.parse" in GRAPH["etl.pipeline"]


def test_the_loader_only_writes() -> None:
    """No module of the loader reads files, extracts, parses or runs: it takes records."""
    assert _edges(("etl.load",), ("etl.extract", "etl.parse", "etl.pipeline", "etl.run", "etl.cli")) == []


def test_parsing_knows_no_database_and_no_run() -> None:
    """Extraction and parsing are pure: bytes and text in, a record out."""
    assert (
        _edges(
            ("etl.extract", "etl.parse", "etl.record"),
            (
                "etl.load",
                "etl.run",
                "etl.cli",
                "etl.database",
                "etl.transform",
                "etl.migrate",
                "etl.pipeline",
            ),
        )
        == []
    )
    assert _edges(("etl.extract",), ("etl.parse",)) == []


def test_the_cli_only_talks() -> None:
    """The CLI reaches a run through ``etl.run`` alone: no writer, no sources, no marts policy, no pool."""
    assert (
        _edges(
            ("etl.cli",),
            ("etl.load.writer", "etl.load.store", "etl.run.sources", "etl.run.marts", "etl.run.pool"),
        )
        == []
    )
    assert "etl.run" in GRAPH["etl.cli.app"]


def test_the_product_never_imports_test_code() -> None:
    assert _edges(("etl",), ("bench", "tests")) == []


def test_the_benchmark_loads_and_builds_through_the_run_layer() -> None:
    """What the benchmark times is what ``nianbao run`` does, not a copy of it."""
    assert _edges(("bench",), ("etl.load.writer", "etl.run.sources", "etl.run.pool")) == []
    assert "etl.run" in GRAPH["bench.loading"]
    assert "etl.run.marts" in GRAPH["bench.building"]


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle() -> None:
    cycles = _cycles()
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("package", ["etl.load", "etl.run", "etl.cli"])
def test_each_layer_says_what_it_is(package: str) -> None:
    """Every module of a layer opens with a docstring that says why it exists (style.md)."""
    missing = [
        name
        for name, path in MODULES.items()
        if _under(name, package)
        and not path.name.startswith("__main__")
        and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert missing == []
