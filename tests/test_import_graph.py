"""The import graph (issue 26): no import cycle between our modules and no arrow from the core into the UI.

Every import counts, also one inside a function: a lazy import hides a cycle from Python, not from a reader.
Modules are ``dashboard.*`` and ``ui.*``; an import of a package counts as an import of its ``__init__``.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("dashboard", "ui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules that ``path`` imports (absolute and relative; ``from pkg import mod`` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's ``__init__`` importing its own modules (re-exports) is not a cycle of meaning: drop the arrows
    from a package to its own submodules and from a module to its parent package."""
    return {m: {t for t in targets if not t.startswith(m + ".") and not m.startswith(t + ".")}
            for m, targets in graph.items()}


def test_the_graph_sees_our_modules() -> None:
    graph = import_graph()
    assert "dashboard.moderation.service" in graph and "ui.navigation" in graph
    assert "dashboard.moderation.unit_of_work" in graph["dashboard.moderation.service"]


def test_no_import_cycles() -> None:
    assert cycles(without_packages(import_graph())) == []


def test_the_core_never_imports_the_ui() -> None:
    graph = import_graph()
    arrows = sorted((m, t) for m, targets in graph.items() if m.startswith("dashboard")
                    for t in targets if t.startswith("ui"))
    assert arrows == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_catalogue_of_moderated_entities_is_the_ground_floor() -> None:
    """The catalogue imports nothing of ours; the schema, the layout check and the moderation rules read it."""
    graph = import_graph()
    assert graph["dashboard.moderated_entities"] == set()
    for reader in ("dashboard.store.schema", "dashboard.ingest.layout", "dashboard.moderation.config"):
        assert "dashboard.moderated_entities" in graph[reader], reader
    assert not any(t.startswith("dashboard.moderation") for t in graph["dashboard.ingest.layout"])


SHARED_UI = ("ui.navigation", "ui.language", "ui.identity", "ui.kept_state", "ui.data_access", "ui.sync_status",
             "ui.artist_directory", "ui.artist_pages", "ui.sections")
FEATURES = ("dashboard.metrics", "dashboard.moderation", "dashboard.anomalies", "dashboard.health", "dashboard.sync",
            "dashboard.bench", "dashboard.ingest", "dashboard.demo", "ui.views", "ui.bench")


def test_the_shell_is_split_by_job_and_navigation_imports_no_feature() -> None:
    """The old ``ui/shell.py`` did six jobs; each now has its own module. Navigation runs the app over the registry
    and asks identity and language who is looking: it imports no feature (metrics, moderation, anomalies, …)."""
    graph = import_graph()
    assert "ui.shell" not in graph
    assert set(SHARED_UI) <= set(graph)
    navigation = graph["ui.navigation"]
    assert not [t for t in navigation if t.startswith(FEATURES)], navigation
    assert {"ui.registry", "ui.identity", "ui.language", "ui.data_access"} <= navigation
    # the shared modules are below the pages: none imports a page or the navigation
    assert not [(m, t) for m in SHARED_UI for t in graph[m] if t.startswith("ui.views") or t == "ui.navigation"]
