"""Computation-graph pictures: DOT text written here, rendered by Graphviz's `dot`.

Each node is an input or an op, labelled with its number (the same v_k as
the trace tables), its definition, value and gradient; edges point from
inputs to the ops that use them. With `edges=True` every edge carries the
adjoint contribution that flows back along it, so the gates of the notes
show: add distributes, max routes (all to the larger input, 0 to the
other), mul switches, and a value used twice (copy) adds its edges' adjoints.
With `saved=True` each op lists what its backward rule reads (the values
the forward pass had to keep).
"""

from __future__ import annotations

import dis
import shutil
import subprocess

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.reverse import backward_pass
from ..core.tensor import Tensor
from .formatting import format_value
from .notation import primal_text
from .numbering import number_values


class DotGraph:
    """DOT source of a computation graph; shows as a picture in Jupyter when Graphviz is installed.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> g = cr.draw_graph(cr.sin(x) * x)
        >>> g.source.splitlines()[0]
        'digraph chainrule {'
    """

    def __init__(self, source):
        self.source = source

    def __str__(self):
        return self.source

    def __repr__(self):
        return f"<DotGraph: {self.source.count('->')} edges; .source holds the DOT text>"

    def render(self, fmt="svg"):
        """The picture as bytes (svg or png), via the `dot` program."""
        return render_dot(self.source, fmt)

    def _repr_svg_(self):
        if shutil.which("dot") is None:
            return None
        return self.render("svg").decode("utf-8")

    def save(self, path):
        """Write .dot (the text), or .svg / .png (rendered by Graphviz)."""
        suffix = str(path).rsplit(".", 1)[-1].lower()
        if suffix == "dot":
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.source)
        elif suffix in ("svg", "png"):
            with open(path, "wb") as f:
                f.write(self.render(suffix))
        else:
            raise ChainruleError(f"cannot write a graph to {path}: use a .dot, .svg or .png file name")


def render_dot(source, fmt):
    """DOT text rendered by Graphviz's `dot` to svg or png bytes (a ChainruleError saying how to install it).

    Example:
        >>> import shutil
        >>> from chainrule.tools.graphviz import render_dot
        >>> shutil.which("dot") is None or render_dot("digraph { a -> b }", "svg").startswith(b"<?xml")
        True
    """
    if shutil.which("dot") is None:
        raise ChainruleError("rendering SVG or PNG needs Graphviz's dot program: install the graphviz package "
                             "(apt-get install graphviz, brew install graphviz, or conda install graphviz); "
                             "a .dot file needs nothing")
    done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise ChainruleError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def _array(x):
    return backend.to_host(x._data if isinstance(x, Tensor) else x)  # the tables and pictures read host values


def _changed_in_place(order):
    """Tensors changed in place (e.g. by optimizer.step()) after an op of the graph read them."""
    return [x for t in order if t._node is not None and t._node.inputs is not None
            for x in t._node.inputs if isinstance(x, Tensor) and x._version > t._node.index]


def _adjoints(output, order):
    """(node adjoints, edge adjoints): d output / d t, and each op input's contribution."""
    if not output.requires_grad or output.size != 1:
        return {}, {}
    leaves = [t for t in order if t._node is None and t.requires_grad]
    adjoints, edges = {id(output): np.ones_like(output.numpy())}, {}  # shown: host values

    def observe(t, argnum, x, contribution, total):
        adjoints[id(x)] = _array(total)
        edges[(id(t), argnum)] = _array(contribution)
        edges.setdefault(id(x), []).append(_array(contribution))

    backward_pass([output], [np.ones_like(output._data)], targets=leaves, retain_graph=True, observer=observe)
    return adjoints, edges


def saved_for_backward(op, needed=None):
    """Which of (output, input 0, input 1, ...) the op's VJP rules read: what the forward pass keeps.

    `needed` (argnums) limits it to the rules of inputs that need a gradient.

    Found by reading the rules' bytecode for the argument names they load; None if it cannot tell.

    Example:
        >>> from chainrule.ops import mul, sin
        >>> from chainrule.tools.graphviz import saved_for_backward
        >>> saved_for_backward(mul), saved_for_backward(sin)
        (['input 1', 'input 0'], ['input 0'])
    """
    # a partial row's rules are its partials (ans, *inputs); others' are VJP rules (g, ans, *inputs)
    partials = getattr(op, "partial", None)
    rules, first = (partials, 0) if partials is not None else (getattr(op, "vjp", None), 1)
    if rules is None:
        return None
    found = []
    try:
        for argnum, rule in enumerate(rules):
            if rule is None or (needed is not None and argnum not in needed):
                continue
            code = rule.__code__
            params = code.co_varnames[:code.co_argcount]
            loaded = {i.argval for i in dis.get_instructions(rule) if i.opname.startswith("LOAD_FAST")}
            loaded |= {n for i in dis.get_instructions(rule) if i.opname.startswith("LOAD_FAST") and
                       isinstance(i.argval, tuple) for n in i.argval}
            for k, p in enumerate(params[first:]):
                what = "output" if k == 0 else f"input {k - 1}"
                if p in loaded and what not in found:
                    found.append(what)
    except (AttributeError, TypeError):
        return None
    return found


def _quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def draw_graph(output, names=None, order="evaluation", edges=False, saved=False):
    """The DOT graph of everything `output` was computed from (a `DotGraph`).

    Values are numbered as in `cr.trace` (inputs v_{1-n} ... v_0 in the order of
    `names`, else of first use; ops v_1, v_2 ... in `order`, "evaluation" or
    "depth"); `names` maps input tensors to labels. For a single-element
    output every node shows its gradient d output / d node (a reverse sweep
    that leaves every `.grad` untouched); `edges=True` labels each edge with the
    adjoint it carries; `saved=True` lists what each op keeps for backward.
    After an in-place change (optimizer.step()) the graph still draws: the
    values each op computed at forward time, the inputs' current values
    (marked) and their `.grad`.

    Example (max routes the whole adjoint to the larger input):
        >>> import chainrule as cr
        >>> z, w = cr.tensor(2.0, requires_grad=True), cr.tensor(-1.0, requires_grad=True)
        >>> src = cr.draw_graph(2 * cr.maximum(z, w), names={z: "z", w: "w"}, edges=True).source
        >>> [line.strip() for line in src.splitlines() if "->" in line and "label" in line][:2]
        ['n0 -> n2 [label="2", fontsize=9];', 'n1 -> n2 [label="0", fontsize=9];']
    """
    if not isinstance(output, Tensor):
        raise ChainruleError("draw_graph takes the Tensor whose graph to draw")
    names = dict(names or {})
    tensors = list(reversed(topological_order([output], only_requiring_grad=False)))
    if any(t._node is not None and t._node.inputs is None for t in tensors):
        raise ChainruleError("the graph was freed by backward(); call backward(retain_graph=True) to draw it")
    inputs = _inputs_in_order(tensors, names)
    labels, _ = number_values(inputs, output, order) if output.requires_grad else ({}, [])
    changed = _changed_in_place(tensors)
    adjoints, edge_adjoints = ({}, {}) if changed else _adjoints(output, tensors)
    key = {id(t): k for k, t in enumerate(tensors)}  # stable node names: the same graph gives the same text
    lines = ["digraph chainrule {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];']
    if changed:
        lines.append('  note [shape=note, label="inputs marked * changed in place after the forward pass '
                     '(e.g. optimizer.step()): they show their values now; ops show the values they computed; '
                     'gradients are the .grad of the backward pass"];')
    for t in tensors:
        parts = _node_parts(t, labels, names, changed, adjoints, edge_adjoints, edges, saved)
        style = ', style=filled, fillcolor="#e8f0fe"' if t._node is None else ""
        text = "\\n".join(_quote(p) for p in parts)  # DOT's line break is the two characters \n
        lines.append(f'  n{key[id(t)]} [label="{text}"{style}];')
    for t in tensors:
        if t._node is not None:
            lines += _edge_lines(t, key, edge_adjoints if edges else {})
    lines.append("}")
    return DotGraph("\n".join(lines) + "\n")

def _inputs_in_order(tensors, names):
    """The graph's inputs: those named first (in `names` order), then the others by first use."""
    first_use = {}
    for t in sorted((t for t in tensors if t._node is not None), key=lambda t: t._node.index):
        for x in t._node.inputs:
            first_use.setdefault(id(x), len(first_use))
    named = [t for t in names if isinstance(t, Tensor) and t._node is None and t.requires_grad]
    others = [t for t in tensors if t._node is None and t.requires_grad and not any(t is n for n in named)]
    return named + sorted(others, key=lambda t: first_use.get(id(t), len(first_use)))


def _node_parts(t, labels, names, changed, adjoints, edge_adjoints, edges, saved):
    """The lines of one node's label: its name and formula, value, gradient and (saved=True) what it keeps."""
    label = labels.get(id(t), "const")
    if t._node is None:
        title = f"{label} = {names[t]}" if t in names else label
    else:
        args = [labels.get(id(a)) or format_value(_array(a)) for a in t._node.inputs]
        title = f"{label} = {primal_text(t._node.op.name, args, label)}"
    mark = " *" if any(t is c for c in changed) else ""
    parts = [title, f"value{mark} {format_value(t.numpy())}"]
    grad = adjoints.get(id(t), t.grad.numpy() if t.grad is not None else None)
    if grad is not None:
        terms = edge_adjoints.get(id(t), [])
        if edges and len(terms) > 1 and all(np.size(c) == 1 for c in terms):  # a copy gate adds
            parts.append("grad " + " + ".join(format_value(c) for c in terms) + f" = {format_value(grad)}")
        else:
            parts.append(f"grad {format_value(grad)}")
    if saved and t._node is not None:
        parts += _saved_part(t, labels, label)
    return parts


def _saved_part(t, labels, label):
    """["saves ..."]: what t's op keeps for the backward pass (nothing listed when the op doesn't say)."""
    needed = [i for i, a in enumerate(t._node.inputs) if isinstance(a, Tensor) and a.requires_grad]
    keeps = saved_for_backward(t._node.op, needed)
    if keeps is None:
        return []
    args = [labels.get(id(a)) or format_value(_array(a)) for a in t._node.inputs]
    shown = [label if w == "output" else args[int(w.split()[1])] for w in keeps
             if w == "output" or int(w.split()[1]) < len(args)]
    return ["saves " + (", ".join(shown) if shown else "nothing")]


def _edge_lines(t, key, edge_adjoints):
    """DOT lines for the edges into t's node: from input tensors, or from a constant's own small node."""
    lines = []
    for i, x in enumerate(t._node.inputs):
        carried = edge_adjoints.get((id(t), i))
        attr = f' [label="{_quote(format_value(carried))}", fontsize=9]' if carried is not None else ""
        if isinstance(x, Tensor):
            lines.append(f"  n{key[id(x)]} -> n{key[id(t)]}{attr};")
        else:
            lines.append(f'  c{key[id(t)]}_{i} [label="{_quote(format_value(x))}", shape=plaintext];')
            lines.append(f"  c{key[id(t)]}_{i} -> n{key[id(t)]};")
    return lines

