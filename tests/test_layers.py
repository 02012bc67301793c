"""The package's layering, checked on its imports (module-level and inside functions):
executors know no stage, the store imports no stage, and no import cycle exists."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "curate"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """curate module -> the curate modules it imports (a `from x import y` of a module
    `x.y` counts as importing `x.y`)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
            for n in ast.walk(block)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # imported for type hints only: never at run time
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_executors_know_no_stage():
    graph = import_graph()
    allowed = {"curate.errors", "curate.scratch"}
    for module in [m for m in graph if m.startswith("curate.executors")]:
        outside = {t for t in graph.successors(module) if not t.startswith("curate.executors")}
        assert outside <= allowed, f"{module} imports {sorted(outside - allowed)}"


def test_the_store_imports_no_stage():
    graph = import_graph()
    for module in ("curate.store", "curate.records", "curate.work"):
        stages = {d for d in nx.descendants(graph, module) if d.split(".")[1] in STAGES}
        assert not stages, (module, sorted(stages))


STAGES = {"ingest", "deid", "annotate", "audit", "validate", "release", "hydrate", "publish"}
STAGES |= {"writer", "synthetic", "cli"}


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, cycles[:5]


def test_the_checks_see_an_import():
    """The graph is built from the sources: a module known to import another has the
    edge (so the checks above cannot pass on an empty graph)."""
    graph = import_graph()
    assert graph.has_edge("curate.writer", "curate.deid.tables")
    assert graph.has_edge("curate.executors.local", "curate.executors.pool")


# the modules that own workspace tables (`store.TABLE_OWNERS`) and the store itself
OWNERS = {
    "curate.store",
    "curate.deid.tables",
    "curate.annotate.tables",
    "curate.audit.store",
    "curate.release.tables",
}


def test_only_the_table_owners_touch_the_connection():
    """Outside the modules that own tables, no code reaches the store's connection."""
    from curate.store import TABLE_OWNERS

    assert set(TABLE_OWNERS) | {"curate.store"} == OWNERS
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if _module(path) in OWNERS:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "store.conn" in line:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{n}")
    assert offenders == []
