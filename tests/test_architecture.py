"""docs/architecture.md's layers hold: each seqcore module imports only modules of its own layer or under it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    1: ["cells", "taskspecs", "corpora", "palette", "splits", "metrics", "device", "distributed", "foreground"],
    2: ["tokens", "readers", "treebank", "negations"],
    3: ["batching", "cellnets", "models", "checkpoints", "vectors"],
    4: ["tasks"],
    5: [
        "scoring",
        "inference",
        "readouts",
        "remembered",
        "traces",
        "states",
        "anatomy",
        "gatestats",
        "attribution",
        "search",
        "gradflow",
        "plots",
        "labplots",
        "projector",
        "presenter",
    ],
    6: ["training", "pipeline", "memory", "celllab", "pitfalls", "background", "embeddings"],
    7: ["cli", "__main__", "__init__"],
}
LAYER_OF = {module: layer for layer, modules in LAYERS.items() for module in modules}


def runtime_nodes(node: ast.AST):
    """Every node of a tree, except those under `if TYPE_CHECKING:` (annotations only, never run)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
            continue
        yield from runtime_nodes(child)


def seqcore_modules() -> dict[str, list[Path]]:
    """Each seqcore module with its files: a plain module is one file, a package (e.g. `cli/`) all of its own."""
    modules = {p.stem: [p] for p in (ROOT / "seqcore").glob("*.py")}
    modules |= {d.name: sorted(d.rglob("*.py")) for d in (ROOT / "seqcore").iterdir() if (d / "__init__.py").is_file()}
    return modules


def seqcore_imports(paths: list[Path]) -> set[str]:
    """Every seqcore module the files import when they run, at the top or inside a function."""
    found = set()
    for node in (n for path in paths for n in runtime_nodes(ast.parse(path.read_text(encoding="utf-8")))):
        if isinstance(node, ast.ImportFrom) and node.module == "seqcore":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("seqcore."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("seqcore."))
    return found


def test_every_module_has_a_layer_and_imports_only_under_it():
    modules = seqcore_modules()
    assert set(modules) == set(LAYER_OF), "place every seqcore module in a layer (here and in docs/architecture.md)"
    upward = {
        f"{name} (layer {LAYER_OF[name]}) imports {dep} (layer {LAYER_OF[dep]})"
        for name, path in modules.items()
        for dep in seqcore_imports(path)
        if dep in LAYER_OF and LAYER_OF[dep] > LAYER_OF[name]
    }
    assert upward == set()


def test_the_architecture_page_names_every_module_in_its_layer():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer, modules in LAYERS.items():
        row = next((line for line in text.splitlines() if re.match(rf"\| {layer}\. ", line)), "")
        missing = [m for m in modules if not m.startswith("__") and f"`{m}`" not in row]
        assert not missing, f"layer {layer} of docs/architecture.md does not name {missing}"


def package_graph(package: str, runtime_only: bool) -> dict[str, set[str]]:
    """Which module of `package` imports which other (a subpackage counts as one module). With
    `runtime_only`, imports under `if TYPE_CHECKING:` are left out; otherwise they count too."""
    base = ROOT / package
    files = {p.stem: [p] for p in base.glob("*.py") if p.stem != "__init__"}
    files |= {d.name: sorted(d.rglob("*.py")) for d in base.iterdir() if (d / "__init__.py").is_file()}
    graph: dict[str, set[str]] = {}
    for name, paths in files.items():
        deps = set()
        for path in paths:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in runtime_nodes(tree) if runtime_only else ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == package:
                    deps.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(f"{package}."):
                    deps.add(node.module.split(".")[1])
                elif isinstance(node, ast.Import):
                    deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith(f"{package}."))
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted: empty when acyclic."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_seqcore():
    assert cycles(package_graph("seqcore", runtime_only=False)) == []


def test_no_import_cycles_in_ui_not_even_for_annotations():
    """`ui` modules import each other in one direction only, `if TYPE_CHECKING:` imports included."""
    assert cycles(package_graph("ui", runtime_only=False)) == []
