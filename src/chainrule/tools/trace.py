"""Evaluation traces: the primal, tangent and adjoint tables of the notes, for any function.

`trace(f, x1=2.0, x2=5.0)` runs f once with its inputs recorded (reverse
mode) and carrying tangents (forward mode), then walks the recorded graph:
the primal trace lists every intermediate v_i with its definition and
value; the tangent trace the same rows for v̇_i; the adjoint trace every
accumulation step v̄_i = v̄_i + v̄_j ∂v_j/∂v_i, in the order the real reverse
sweep performs them (it is observed, not re-implemented).
"""

from __future__ import annotations

import inspect
import json

import numpy as np

from ..core import forward
from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.modes import enable_grad
from ..core.reverse import backward_pass
from ..core.tensor import Tensor
from .notation import adjoint_text, join_terms, primal_text, tangent_text

_DOT, _BAR = "\u0307", "\u0304"  # combining dot and bar: v̇, v̄


def _dotted(name):
    return name[0] + _DOT + name[1:]


def _barred(name):
    return name[0] + _BAR + name[1:]


def _plain(value):
    """A JSON-ready number or nested list."""
    value = np.asarray(value)
    return value.item() if value.size == 1 and value.ndim == 0 else value.tolist()


def format_value(value, digits=4):
    """A number with `digits` significant digits, or a compact array with its shape."""
    value = np.asarray(value)
    if value.size == 1:
        return f"{value.item():.{digits}g}"
    body = np.array2string(value, precision=digits - 1, threshold=8, edgeitems=2, separator=", ")
    return f"{body} (shape {'×'.join(map(str, value.shape))})"


class Trace:
    """The three tables of one evaluation; render with str(), to_markdown(), to_latex(),
    to_json() or in a notebook (_repr_html_)."""

    def __init__(self, inputs, wrt, value, gradient, primal, tangent, adjoint):
        self.inputs, self.wrt, self.value, self.gradient = inputs, wrt, value, gradient
        self.primal, self.tangent, self.adjoint = primal, tangent, adjoint

    # ---- data ---------------------------------------------------------------------
    def to_dict(self):
        return {"value": _plain(self.value), "wrt": self.wrt,
                "gradient": {k: _plain(v) for k, v in self.gradient.items()},
                "primal": [_row_json(r) for r in self.primal], "tangent": [_row_json(r) for r in self.tangent],
                "adjoint": [_row_json(r) for r in self.adjoint]}

    def to_json(self, indent=2):
        """The tables as JSON: value, gradient, and the lists primal, tangent and adjoint."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ---- renderers ----------------------------------------------------------------------
    def _sections(self):
        return [("Forward primal trace", ["", "definition", "value"], self.primal),
                (f"Forward tangent trace (seed: {self.wrt})", ["", "definition", "value"], self.tangent),
                ("Reverse adjoint trace", ["", "rule", "definition", "∂v_j/∂v_i", "value"], self.adjoint)]

    def _cells(self, row, columns):
        out = [row["name"]]
        if "rule" in columns:
            out.append(row.get("rule", ""))
        out.append(row["definition"])
        if "∂v_j/∂v_i" in columns:
            out.append(format_value(row["partial"]) if row.get("partial") is not None else "")
        out.append(format_value(row["value"]))
        return out

    def to_text(self):
        """Plain aligned text tables."""
        blocks = []
        for title, columns, rows in self._sections():
            cells = [self._cells(r, columns) for r in rows]
            widths = [max([len(c[i]) for c in cells] + [0]) for i in range(len(columns))]
            lines = [title, "-" * len(title)]
            for c in cells:
                parts = [c[0].ljust(widths[0])] + [(("= " + x) if x else "").ljust(widths[i] + 2)
                                                   for i, x in enumerate(c) if i]
                lines.append("  ".join(parts).rstrip())
            blocks.append("\n".join(lines))
        grad = ", ".join(f"∂y/∂{k} = {format_value(v)}" for k, v in self.gradient.items())
        blocks.append(f"y = {format_value(self.value)};  {grad}")
        return "\n\n".join(blocks)

    __str__ = to_text

    def __repr__(self):
        return f"<Trace of {len(self.primal)} values; y = {format_value(self.value)}>"

    def to_rich(self):
        """A list of rich Tables (needs rich: pip install "chainrule[progress]")."""
        from rich.table import Table

        tables = []
        for title, columns, rows in self._sections():
            table = Table(title=title, title_justify="left")
            for col in columns:
                table.add_column(col or "variable", justify="right" if col == "value" else "left")
            for r in rows:
                table.add_row(*self._cells(r, columns))
            tables.append(table)
        return tables

    def to_markdown(self):
        """GitHub-flavoured Markdown tables."""
        out = []
        for title, columns, rows in self._sections():
            out += [f"**{title}**", "", "| " + " | ".join(c or "variable" for c in columns) + " |",
                    "|" + "---|" * len(columns)]
            out += ["| " + " | ".join(c.replace("|", "\\|") for c in self._cells(r, columns)) + " |" for r in rows]
            out.append("")
        return "\n".join(out)

    def to_latex(self):
        """LaTeX tabulars laid out like the notes (variable, definition, value)."""
        out = []
        for title, columns, rows in self._sections():
            out += [f"% {title}", "\\begin{tabular}{" + "l" * len(columns) + "}",
                    " & ".join(f"\\textbf{{{c or 'variable'}}}" for c in columns) + " \\\\ \\hline"]
            for r in rows:
                cells = self._cells(r, columns)
                body = [f"${latex(cells[0])}$"] + [f"$= {latex(c)}$" if c else "" for c in cells[1:-1]]
                body.append(f"$= {latex(cells[-1])}$")
                out.append(" & ".join(body) + " \\\\")
            out += ["\\end{tabular}", ""]
        return "\n".join(out)

    def _repr_html_(self):
        import html

        parts = []
        for title, columns, rows in self._sections():
            head = "".join(f"<th>{html.escape(c or 'variable')}</th>" for c in columns)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in self._cells(r, columns)) + "</tr>"
                           for r in rows)
            parts.append(f"<p><b>{html.escape(title)}</b></p><table><tr>{head}</tr>{body}</table>")
        return "".join(parts)


_LATEX = [("×", r"\times "), ("σ", r"\sigma"), ("√", r"\sqrt "), ("∂", r"\partial "), ("Σ", r"\sum "),
          ("Π", r"\prod "), ("ᵀ", r"^\top"), ("≥", r"\geq "), ("≤", r"\leq "), ("²", "^2"), ("@", r"\,"),
          ("ln ", r"\ln "), ("sin ", r"\sin "), ("cos ", r"\cos "), ("tanh ", r"\tanh "), ("tan ", r"\tan "),
          ("exp ", r"\exp ")]


def latex(text):
    """Unicode trace notation to LaTeX math (v̄_-1 -> \\bar{v}_{-1}, × -> \\times, ...)."""
    import re

    text = re.sub(r"([a-zA-Z])" + _BAR + r"_(-?\d+)", r"\\bar{\1}_{\2}", text)
    text = re.sub(r"([a-zA-Z])" + _DOT + r"_(-?\d+)", r"\\dot{\1}_{\2}", text)
    text = re.sub(r"([a-zA-Z])" + _BAR + r"(\d+)", r"\\bar{\1}_{\2}", text)
    text = re.sub(r"([a-zA-Z])" + _DOT + r"(\d+)", r"\\dot{\1}_{\2}", text)
    text = re.sub(r"([a-zA-Z])" + _BAR, r"\\bar{\1}", text)
    text = re.sub(r"([a-zA-Z])" + _DOT, r"\\dot{\1}", text)
    text = re.sub(r"\bv_(-?\d+)", r"v_{\1}", text)
    text = re.sub(r"\b([a-zA-Z])(\d+)\b", r"\1_{\2}", text)
    for old, new in _LATEX:
        text = text.replace(old, new)
    return text


def _row_json(row):
    return {k: (_plain(v) if k == "value" else v) for k, v in row.items()}


def _input_names(f, args, kwargs):
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [params[i] if i < len(params) else f"x{i + 1}" for i in range(len(args))]
    return names + list(kwargs)


def trace(f, *args, wrt=None, direction=None, **kwargs):
    """Evaluate f and return its primal, tangent and adjoint traces (a `Trace`).

    Inputs are named after f's parameters (or by keyword). `wrt` picks the
    input whose tangent is seeded (default: the first); `direction` is that
    tangent (default: ones). The output should be a scalar for the adjoint
    trace (a non-scalar output is seeded with ones).

    Rows are numbered in the order f evaluates them.

    Example (the notes' running example, seed 002):
        >>> import chainrule as cr
        >>> def f(x1, x2):
        ...     v1, v2, v3 = cr.log(x1), x1 * x2, cr.sin(x2)
        ...     return v1 + v2 - v3
        >>> t = cr.trace(f, x1=2.0, x2=5.0)
        >>> [r["definition"] for r in t.primal]
        ['x1', 'x2', 'ln v_-1', 'v_-1 × v_0', 'sin v_0', 'v_1 + v_2', 'v_4 - v_3']
        >>> round(t.gradient["x1"], 3), round(t.gradient["x2"], 3)
        (5.5, 1.716)
    """
    names = _input_names(f, args, kwargs)
    values = [np.array(v._data if isinstance(v, Tensor) else v, dtype=np.float64) for v in (*args, *kwargs.values())]
    if not names:
        raise ChainruleError("trace needs at least one input, e.g. cr.trace(f, x1=2.0)")
    wrt = names[0] if wrt is None else wrt
    if wrt not in names:
        raise ChainruleError(f"wrt={wrt!r} is not an input; the inputs are {', '.join(names)}")
    with forward.open_level() as level, enable_grad():
        inputs = []
        for name, value in zip(names, values):
            x = Tensor(value, requires_grad=True)
            seed = np.zeros_like(value)
            if name == wrt:
                seed = np.ones_like(value) if direction is None else np.broadcast_to(direction, value.shape).copy()
            forward.set_tangent(x, level, seed)
            inputs.append(x)
        out = f(*inputs[:len(args)], **dict(zip(names[len(args):], inputs[len(args):])))
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise ChainruleError("trace needs f to return a Tensor computed from its inputs")
        labels, primal, tangent = _forward_tables(inputs, names, out, level)
    adjoint = _adjoint_table(out, labels)
    gradient = {name: (x.grad.numpy() if x.grad is not None else np.zeros_like(x.numpy())) for name, x in
                zip(names, inputs)}
    gradient = {k: (v.item() if v.size == 1 and v.ndim == 0 else v) for k, v in gradient.items()}
    for name, x in zip(names, inputs):
        adjoint.append({"name": f"x{_BAR}" + name[1:] if name.startswith("x") else name + _BAR,
                        "definition": _barred(labels[id(x)]), "value": gradient[name]})
    value = out.numpy().item() if out.size == 1 and out.ndim == 0 else out.numpy()
    return Trace(dict(zip(names, values)), wrt, value, gradient, primal, tangent, adjoint)


def _constant_text(c):
    value = np.asarray(c._data if isinstance(c, Tensor) else c)
    if value.size == 1:
        return format_value(value)
    return f"const[{'×'.join(map(str, value.shape))}]"


def _forward_tables(inputs, names, out, level):
    n = len(inputs)
    labels = {id(x): f"v_{i - n + 1}" for i, x in enumerate(inputs)}
    primal = [{"name": labels[id(x)], "definition": name, "value": x.numpy()} for x, name in zip(inputs, names)]
    tangent = [{"name": _dotted(labels[id(x)]), "definition": _dotted(name) if name[:1].isalpha() else name,
                "value": _tangent_value(x, level)} for x, name in zip(inputs, names)]
    input_ids = set(labels)
    made = [t for t in reversed(topological_order([out])) if t._node is not None and id(t) not in input_ids]
    for k, t in enumerate(made, start=1):
        labels[id(t)] = f"v_{k}"
    for t in made:
        node, name = t._node, labels[id(t)]
        arg_names = [labels.get(id(a)) or _constant_text(a) for a in node.inputs]
        primal.append({"name": name, "definition": primal_text(node.op.name, arg_names, name), "value": t.numpy(),
                       "op": node.op.name})
        terms = [tangent_text(node.op.name, i, arg_names, name, _dotted(labels[id(a)]))
                 for i, a in enumerate(node.inputs) if isinstance(a, Tensor) and id(a) in labels]
        tangent.append({"name": _dotted(name), "definition": join_terms(terms), "value": _tangent_value(t, level)})
    tangent.append({"name": "y" + _DOT, "definition": _dotted(labels[id(out)]), "value": _tangent_value(out, level)})
    return labels, primal, tangent


def _tangent_value(t, level):
    tangent = forward.tangent_of(t, level)
    return tangent.numpy() if tangent is not None else np.zeros_like(t.numpy())


def _adjoint_table(out, labels):
    rows = [{"name": _barred(labels[id(out)]), "definition": "y" + _BAR, "value": np.ones_like(out.numpy())}]
    assigned = set()
    adjoint_of = {id(out): np.ones_like(out.numpy())}  # complete by the time a tensor passes its adjoint on

    def observe(t, argnum, x, contribution, total):
        if id(x) not in labels:
            return
        node, j, i = t._node, labels[id(t)], labels[id(x)]
        arg_names = [labels.get(id(a)) or _constant_text(a) for a in node.inputs]
        step = adjoint_text(node.op.name, argnum, arg_names, j, _barred(j))
        partial = f"{_barred(j)} ∂{j}/∂{i}"
        if id(x) in assigned:
            rule, definition = f"{_barred(i)} + {partial}", f"{_barred(i)} + {step}"
        else:
            rule, definition = partial, step
        assigned.add(id(x))
        adjoint_of[id(x)] = np.array(total)
        g, contribution = np.asarray(adjoint_of[id(t)]), np.asarray(contribution)
        partial = float(contribution / g) if g.size == 1 and contribution.size == 1 and g != 0 else None
        rows.append({"name": _barred(i), "rule": rule, "definition": definition, "partial": partial,
                     "value": np.array(total)})

    backward_pass([out], [np.ones_like(out.numpy())], retain_graph=True, observer=observe)
    return rows
