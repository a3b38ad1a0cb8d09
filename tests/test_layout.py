"""The package's layering: imports point down the layers, no cycles, no oversized modules.

Layers, lowest first: ``core`` (errors, schema, numeric helpers, checks, files, cache) ->
``io`` (params, codebook, ingest, YAML) -> ``stats`` and ``text`` -> ``report`` and ``demo`` ->
``run`` (runner, kernels, CLI). A module may import from its own subpackage and from any lower
layer, never from a higher one or from a sibling of the same rank (``stats`` <-> ``text``,
``report`` <-> ``demo``). Imports inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "csat_research"
RANK = {"core": 0, "io": 1, "stats": 2, "text": 2, "report": 3, "demo": 3, "run": 4}
MAX_LINES = 1000


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, name: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """(imported module, line, imported names) of every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, ()) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno, tuple(a.name for a in node.names)))
    return out


def _internal_graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, _, names in _imports(path, name):
            if not target.startswith("csat_research"):
                continue
            # ``from csat_research.stats import drivers`` imports the module csat_research.stats.drivers
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in mods]
            for dep in subs or [target]:
                if dep in mods and dep != name:
                    graph[name].add(dep)
    return graph


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANK) else None


def test_every_subpackage_has_a_rank():
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(RANK), f"subpackages {sorted(subpackages)} vs ranks {sorted(RANK)}"
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules at the package's top level: {loose} (put them in a layer)"


def test_imports_point_down_the_layers():
    bad = []
    for name, deps in _internal_graph().items():
        src = _layer(name)
        if src is None:  # the package's __init__: lazy top-level names may come from anywhere
            continue
        for dep in deps:
            dst = _layer(dep)
            if dst is None or dst == src:
                continue
            if RANK[dst] >= RANK[src]:
                bad.append(f"{name} imports {dep} ({src} -> {dst})")
    assert bad == [], "\n".join(sorted(bad))


def test_no_import_cycles():
    graph = _internal_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [node, dep]) if dep in stack
                              else f"{node} -> {dep}")
            elif dep not in state:
                visit(dep, stack + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == [], "\n".join(cycles)


def test_modules_stay_small(capsys):
    sizes = sorted(((len(p.read_text(encoding="utf-8").splitlines()), n) for n, p in _modules().items()),
                   reverse=True)
    with capsys.disabled():
        print("\nlargest modules: " + ", ".join(f"{n} ({k})" for k, n in sizes[:5]))
    big = [f"{n}: {k} lines" for k, n in sizes if k > MAX_LINES]
    assert big == [], f"modules over {MAX_LINES} lines (split them along their seams): {big}"


def test_no_private_names_imported_across_modules():
    mods = _modules()
    bad = []
    for name, path in mods.items():
        for target, line, names in _imports(path, name):
            if target.startswith("csat_research") and target != name:
                bad += [f"{name}:{line} imports {n} from {target}" for n in names
                        if n.startswith("_") and n != "__version__"]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("layer", sorted(RANK))
def test_layer_imports_alone(layer):
    """Each subpackage imports on its own (no hidden dependence on import order)."""
    import subprocess
    import sys

    mods = [n for n in _modules() if _layer(n) == layer]
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in mods)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PACKAGE.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
