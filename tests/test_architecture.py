"""docs/architecture.md's layers hold: each seqcore module imports only modules of its own layer or under it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {
    1: ["cells", "taskspecs", "corpora", "palette", "splits", "metrics", "device", "distributed", "foreground"],
    2: ["tokens", "readers", "treebank"],
    3: ["batching", "models", "checkpoints"],
    4: ["tasks"],
    5: ["scoring", "inference", "traces", "states", "anatomy", "gatestats", "attribution", "search", "gradflow", "plots"],
    6: ["training", "pipeline", "memory", "pitfalls", "background"],
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


def seqcore_imports(path: Path) -> set[str]:
    """Every seqcore module a file imports when it runs, at the top or inside a function."""
    found = set()
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "seqcore":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("seqcore."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("seqcore."))
    return found


def test_every_module_has_a_layer_and_imports_only_under_it():
    modules = {p.stem: p for p in (ROOT / "seqcore").glob("*.py")}
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
