"""The house plan of DESIGN.md, enforced: imports point one way, and core/ has no import circle.

core ← ops ← transforms ← {nn, optim, data, tools, train, inputs, io} ← cli

Every import statement counts, wherever it stands: a function-level (lazy)
import still ties the two modules together, it only hides the tie until
the function runs. Relative imports are resolved against the importing
module's package; `from pkg import name` counts as an import of the
submodule pkg.name when there is one, else of pkg.
"""

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chainrule"

# Layer of each top-level part of the package: a module may import its own part
# and lower layers, never a higher one. Peers share a layer (and may not form a circle).
LAYERS = {
    "core": 0, "tree": 0, "_interrupt": 0,      # the engine; plain Python on nested containers; the Ctrl-C guard
    "ops": 1, "creation": 1,                    # primitives and tensor factories, on the engine
    "transforms": 2, "linalg": 2,               # grad, vjp, jvp, ... on ops; the numpy.linalg namespace on ops
    "vmap": 2, "batching": 2,                   # the batching transform and its rules (the table's batching column)
    "numpy": 2,                                 # chainrule.numpy: NumPy's names on ops (what numpy.sin(t) runs)
    "optimize": 3,                              # scipy.optimize.minimize with value_and_grad / hvp
    "fft": 2, "special": 2,                     # the numpy.fft and scipy.special namespaces, on ops
    "scipy": 3,                                 # chainrule.scipy: special, stats, signal, integrate, linalg
    "nn": 3, "optim": 3, "data": 3, "tools": 3, "train": 3, "inputs": 3, "io": 3,
    "jit": 3,                                   # cr.jit: traces ops, the sweep, nn modules and optimizers
    "": 4,                                      # chainrule/__init__.py: public re-exports of all the above
    "cli": 5, "__main__": 6,                    # the command, and `python -m chainrule`
    # torch names (issue 13): plain-Python helpers; autograd/cuda on the engine; func on transforms; utils.data
    "_keywords": 0, "_torch_hints": 0, "autograd": 1, "cuda": 1, "func": 3, "utils": 3,
}


# Imports against the plan that exist today, each with who fixes it. Every other import is
# checked; test_known_exceptions_still_exist fails once one is gone, so the list only shrinks.
KNOWN_EXCEPTIONS = {
    ("chainrule.tools.exercise_book", "chainrule"):
        "tools importing the public facade (which imports tools): import from ops/transforms instead",
    ("chainrule.cli.explain", "chainrule.cli.expressions"):
        "a circle with expressions.py: move the shared helpers (parse_point, _decimals) to a module both import",
}


def _modules():
    """{dotted module name: (path, is_package)} for every file of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["chainrule", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _resolve(name):
    """The longest prefix of `name` that is a module of the package (None outside it)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


@functools.cache
def imports_of(module):
    """((imported module, line), ...) for every import statement in `module`, at any depth."""
    path, is_package = MODULES[module]
    package = module if is_package else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from x import y`: y is either the submodule x.y or a name defined in x
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                     for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.add((target, node.lineno))
    return tuple(sorted(found, key=lambda pair: (pair[1], pair[0])))


def checked_imports(module):
    """imports_of(module) less the known exceptions."""
    return tuple((t, line) for t, line in imports_of(module) if (module, t) not in KNOWN_EXCEPTIONS)


def part_of(module):
    """The top-level part of the package a module belongs to ('' for chainrule/__init__.py)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph):
    """The import circles of a {node: {nodes}} graph: its strongly connected parts of two or more."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]  # Tarjan's algorithm with a stack of its own
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    part = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        part.append(member)
                        if member == node:
                            break
                    if len(part) > 1:
                        found.append(sorted(part))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_import_reader_sees_lazy_relative_and_absolute_imports():
    assert "chainrule.tools.report" in {t for t, _ in imports_of("chainrule.tools.check_gradient")}  # in a method
    assert "chainrule.core.errors" in {t for t, _ in imports_of("chainrule.transforms")}  # relative
    assert "chainrule.tools.differences" in {t for t, _ in imports_of("chainrule.cli.demo")}  # absolute
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_every_part_of_the_package_has_a_layer():
    unplaced = sorted({part_of(m) for m in MODULES} - set(LAYERS))
    assert not unplaced, f"give {unplaced} a layer in tests/test_layering.py (and in DESIGN.md's house plan)"


def test_imports_point_down_the_layers():
    wrong = []
    for module in sorted(MODULES):
        for target, line in checked_imports(module):
            if LAYERS.get(part_of(target), 0) > LAYERS.get(part_of(module), 0):
                wrong.append(f"{MODULES[module][0].relative_to(PACKAGE.parent)}:{line}: {module} imports {target}")
    assert not wrong, "imports against DESIGN.md's layering (core ← ops ← transforms ← nn/tools/... ← cli):\n" + \
        "\n".join(wrong)


def test_no_import_circle_between_the_parts_of_the_package():
    graph = {}
    for module in MODULES:
        graph.setdefault(part_of(module), set()).update(
            part_of(t) for t, _ in checked_imports(module) if part_of(t) != part_of(module))
    assert _cycles(graph) == []


def _circles_inside(part):
    """Each import circle among the modules of one part, as the imports that make it up."""
    inside = {m for m in MODULES if part_of(m) == part}
    graph = {m: {t for t, _ in checked_imports(m) if t in inside} for m in inside}
    return [[f"{MODULES[m][0].name}:{line} imports {t.rsplit('.', 1)[-1]}"
             for m in circle for t, line in checked_imports(m) if t in circle]
            for circle in _cycles(graph)]


def _describe(circles):
    return "\n".join("circle:\n  " + "\n  ".join(edges) for edges in circles)


def test_no_import_circle_inside_core():
    circles = _circles_inside("core")
    assert not circles, "import circles inside core/ (lazy imports count too):\n" + _describe(circles)


@pytest.mark.parametrize("part", sorted({part_of(m) for m in MODULES} - {"core"}))
def test_no_import_circle_inside_the_other_parts(part):
    circles = _circles_inside(part)
    assert not circles, f"import circles inside {part or 'chainrule/__init__'}:\n" + _describe(circles)


@pytest.mark.parametrize("module, target", sorted(KNOWN_EXCEPTIONS))
def test_known_exceptions_still_exist(module, target):
    assert target in {t for t, _ in imports_of(module)}, \
        f"{module} no longer imports {target}: delete the entry from KNOWN_EXCEPTIONS"
