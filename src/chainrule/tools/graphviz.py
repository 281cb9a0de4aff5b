"""Computation-graph pictures: DOT text written here, rendered by Graphviz's `dot`.

Each node is an input or an op, labelled with its name, value and (after a
backward pass) its gradient; edges point from inputs to the ops that use them.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.reverse import backward_pass
from ..core.tensor import Tensor
from .trace import format_value


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
    if shutil.which("dot") is None:
        raise ChainruleError("rendering SVG or PNG needs Graphviz's dot program: install the graphviz package "
                             "(apt-get install graphviz, brew install graphviz, or conda install graphviz); "
                             "a .dot file needs nothing")
    done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise ChainruleError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def _adjoints(output, order):
    """d output / d t for every tensor t on a path from a leaf that requires grad."""
    if not output.requires_grad or output.size != 1:
        return {}
    if any(t._node is not None and t._node.inputs is None for t in order):
        raise ChainruleError("the graph was freed by backward(); call backward(retain_graph=True) to draw it")
    leaves = [t for t in order if t._node is None and t.requires_grad]
    adjoints = {id(output): np.ones_like(output.numpy())}

    def observe(t, argnum, x, contribution, total):
        adjoints[id(x)] = np.asarray(total._data if isinstance(total, Tensor) else total)

    backward_pass([output], [np.ones_like(output.numpy())], targets=leaves, retain_graph=True, observer=observe)
    return adjoints


def _quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def draw_graph(output, names=None):
    """The DOT graph of everything `output` was computed from (a `DotGraph`).

    `names` maps tensors to labels for the inputs (default: v_-k ... as in traces).
    For a single-element output every node shows its gradient d output / d node,
    computed by a reverse sweep that leaves every `.grad` untouched; otherwise
    nodes show their `.grad` where they have one.
    """
    if not isinstance(output, Tensor):
        raise ChainruleError("draw_graph takes the Tensor whose graph to draw")
    names = dict(names or {})
    order = list(reversed(topological_order([output], only_requiring_grad=False)))
    leaves = [t for t in order if t._node is None]
    ops = [t for t in order if t._node is not None]
    label = {id(t): names.get(t) or f"v_{i - len(leaves) + 1}" for i, t in enumerate(leaves)}
    for k, t in enumerate(ops, start=1):
        label[id(t)] = names.get(t) or f"v_{k}"
    adjoints = _adjoints(output, order)
    key = {id(t): k for k, t in enumerate(order)}  # stable node names: the same graph gives the same text
    lines = ["digraph chainrule {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica", fontsize=10];']
    for t in order:
        title = label[id(t)] if t._node is None else f"{label[id(t)]} = {t._node.op.name}"
        parts = [title, f"value {format_value(t.numpy(), 4)}"]
        grad = adjoints.get(id(t), t.grad.numpy() if t.grad is not None else None)
        if grad is not None:
            parts.append(f"grad {format_value(grad, 4)}")
        style = ', style=filled, fillcolor="#e8f0fe"' if t._node is None else ""
        text = "\\n".join(_quote(p) for p in parts)  # DOT's line break is the two characters \n
        lines.append(f'  n{key[id(t)]} [label="{text}"{style}];')
    for t in ops:
        if t._node.inputs is None:
            raise ChainruleError("the graph was freed by backward(); call backward(retain_graph=True) to draw it")
        for i, x in enumerate(t._node.inputs):
            if isinstance(x, Tensor):
                lines.append(f"  n{key[id(x)]} -> n{key[id(t)]};")
            else:
                lines.append(f'  c{key[id(t)]}_{i} [label="{_quote(format_value(x))}", shape=plaintext];')
                lines.append(f"  c{key[id(t)]}_{i} -> n{key[id(t)]};")
    lines.append("}")
    return DotGraph("\n".join(lines) + "\n")
