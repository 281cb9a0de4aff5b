"""Evaluation traces: the primal, tangent and adjoint tables of the notes, for any function.

`trace(f, x1=2.0, x2=5.0)` runs f once with its inputs recorded (reverse
mode) and carrying tangents (forward mode), then walks the recorded graph:
the primal trace lists every intermediate v_i with its definition, the
numbers substituted and its value; the tangent trace the same rows for v̇_i;
the adjoint trace every accumulation step v̄_i = v̄_i + v̄_j ∂v_j/∂v_i. The
contributions are the ones the real reverse sweep computes (observed, not
re-implemented); the rows visit the values in reverse numbering order, a
valid order for the sweep (with order="evaluation", exactly the engine's).

f may also be a string: an expression ("ln(x1) + x1*x2 - sin(x2)", numbered
level by level as the notes do) or a program of statements
("v1 = ln(x1); v2 = x1*x2; v3 = sin(x2); y = v1 + v2 - v3", numbered in the
order written), read by the safe parser of chainrule.tools.expr.

Layout: every adjoint (x̄, `.grad`) has its variable's shape, as PyTorch's
`.grad`; for a matrix W the notes' numerator-layout ∂y/∂W is its transpose.
"""

from __future__ import annotations

import inspect
import re

import numpy as np

from ..core import backend, forward
from ..core.errors import ChainruleError
from ..core.modes import enable_grad
from ..core.reverse import backward_pass
from ..core.tensor import Tensor
from .formatting import _BAR, _DOT, format_number, format_value
from .notation import adjoint_text, join_terms, primal_text, tangent_text
from .numbering import number_values, output_name
from .trace_render import TraceTables

ADJOINT_ORDERS = ("sweep", "notes")
LAYOUT_NOTE = ("Each adjoint has its variable's shape, like PyTorch's .grad; for a matrix W the notes' "
               "numerator-layout dy/dW is the transpose (cr.jacobian(f)(W).T).")


def _dotted(name):
    return name[0] + _DOT + name[1:]


def _barred(name):
    return name[0] + _BAR + name[1:]


def _array(x):
    return backend.to_host(x._data if isinstance(x, Tensor) else x)  # the tables and pictures read host values


class Trace(TraceTables):
    """The three tables of one evaluation; render with str(), to_markdown(), to_latex(),
    to_json(), to_rich() or in a notebook (_repr_html_).

    Rows are dicts: name, definition, substituted (the numbers put in), value
    (an ndarray of any shape); adjoint rows also rule and partial (∂v_j/∂v_i
    where the values are single numbers).
    """

    def __init__(self, inputs, wrt, value, gradient, primal, tangent, adjoint, decimals=None, output="y",
                 order="evaluation", adjoint_order="sweep"):
        self.inputs, self.wrt, self.value, self.gradient = inputs, wrt, value, gradient
        self.primal, self.tangent, self.adjoint = primal, tangent, adjoint
        self.decimals, self.output, self.order, self.adjoint_order = decimals, output, order, adjoint_order

    @property
    def layout_note(self):
        """A sentence on the layout of the adjoints, when some input is a matrix (else '')."""
        return LAYOUT_NOTE if any(np.ndim(v) >= 2 for v in self.inputs.values()) else ""


def _input_names(f, args, kwargs):
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [params[i] if i < len(params) else f"x{i + 1}" for i in range(len(args))]
    return names + list(kwargs)


def trace(f, *args, wrt=None, direction=None, order=None, adjoint_order="sweep", decimals=None, **kwargs):
    """Evaluate f and return its primal, tangent and adjoint traces (a `Trace`).

    Inputs are named after f's parameters (or by keyword). `wrt` picks the
    input whose tangent is seeded (default: the first); `direction` is that
    tangent (default: ones). A non-scalar output is seeded with ones.

    order: "evaluation" (the order f computes values; the default for a
    function and for a program of statements) or "depth" (level by level, as
    the notes number them; the default for an expression string).
    adjoint_order: "sweep" (top-down, in the order the sweep takes the steps)
    or "notes" (the same steps printed bottom-up, x̄ rows first, as seed 002).
    decimals: write numbers with that many decimals (the notes use 3) instead
    of 4 significant digits.

    Example (the notes' running example, seed 002):
        >>> import chainrule as cr
        >>> t = cr.trace("ln(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0, decimals=3)
        >>> [(r["name"], r["definition"], r["substituted"]) for r in t.primal[2:]]  # doctest: +NORMALIZE_WHITESPACE
        [('v_1', 'ln v_-1', 'ln 2'), ('v_2', 'v_-1 × v_0', '2 × 5'), ('v_3', 'sin v_0', 'sin 5'),
         ('v_4', 'v_1 + v_2', '0.693 + 10'), ('v_5', 'v_4 - v_3', '10.693 + 0.959'), ('y', 'v_5', '')]
        >>> round(t.gradient["x1"], 3), round(t.gradient["x2"], 3)
        (5.5, 1.716)
    """
    if adjoint_order not in ADJOINT_ORDERS:
        raise ChainruleError(f"adjoint_order={adjoint_order!r}: use one of {', '.join(ADJOINT_ORDERS)}")
    aliases, result_name = {}, None
    if isinstance(f, str):
        from .expr import program_function

        f, default_order, result_name = program_function(f, aliases)
        order = default_order if order is None else order
    order = "evaluation" if order is None else order
    names = _input_names(f, args, kwargs)
    values = [np.array(_array(v), dtype=np.float64) for v in (*args, *kwargs.values())]
    if not names:
        raise ChainruleError("trace needs at least one input, e.g. cr.trace(f, x1=2.0)")
    wrt = names[0] if wrt is None else wrt
    if wrt not in names:
        raise ChainruleError(f"wrt={wrt!r} is not an input; the inputs are {', '.join(names)}")
    y = result_name if result_name and result_name not in names else output_name(names)
    with forward.open_level() as level, enable_grad():
        inputs = []
        for name, value in zip(names, values):
            x = Tensor(value, requires_grad=True)
            seed = np.zeros_like(value)
            if name == wrt:
                seed = np.ones_like(value) if direction is None else np.broadcast_to(direction, value.shape).copy()
            forward.set_tangent(x, level, seed)
            inputs.append(x)
        aliases.clear()
        out = f(*inputs[:len(args)], **dict(zip(names[len(args):], inputs[len(args):])))
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise ChainruleError("trace needs f to return a Tensor computed from its inputs")
        labels, made = number_values(inputs, out, order)
        book = _Book(labels, aliases, decimals, level, y)
        primal, tangent = book.forward_tables(inputs, names, made, out, y)
    adjoint = book.adjoint_table(out, made, y)
    gradient = {}
    for name, x in zip(names, inputs):
        g = x.grad.numpy() if x.grad is not None else np.zeros_like(x.numpy())
        gradient[name] = g.item() if g.ndim == 0 else g
        adjoint.append({"name": _barred(name), "rule": "", "definition": _barred(labels[id(x)]), "substituted": "",
                        "partial": None, "value": g, "var": labels[id(x)]})
    if adjoint_order == "notes":
        adjoint = adjoint[-len(inputs):] + adjoint[-len(inputs) - 1::-1]
    value = out.numpy().item() if out.ndim == 0 else out.numpy()
    return Trace(dict(zip(names, values)), wrt, value, gradient, primal, tangent, adjoint, decimals, y, order,
                 adjoint_order)


class _Book:
    """Writes the rows: labels, statement names (aliases) and the numbers substituted."""

    def __init__(self, labels, aliases, decimals, level, output):
        self.labels, self.aliases, self.decimals, self.level, self.output = labels, aliases, decimals, level, output

    def number(self, value):
        """A substituted number: negative ones in parentheses, so 'a - (-b)' can become 'a + b'."""
        text = format_number(value, self.decimals)
        return f"({text})" if text.startswith("-") else text

    def arg_names(self, node):
        return [self.labels.get(id(a)) or _constant_text(a, self.decimals) for a in node.inputs]

    def arg_numbers(self, node):
        arrays = [_array(a) for a in node.inputs]
        if any(a.size != 1 for a in arrays):
            return None  # substitute single numbers only; arrays are in the value column
        return [self.number(a.item()) for a in arrays]

    def name(self, t):
        label = self.labels[id(t)]
        alias = self.aliases.get(id(t))
        if not alias or alias == self.output or alias.replace("_", "") == label.replace("_", ""):
            return label
        return f"{label} ({alias})"

    def tangent(self, t):
        tangent = forward.tangent_of(t, self.level)
        return tangent.numpy() if tangent is not None else np.zeros_like(t.numpy())

    def forward_tables(self, inputs, names, made, out, y):
        primal = [{"name": self.labels[id(x)], "definition": name, "substituted": "", "value": x.numpy(),
                   "var": self.labels[id(x)]} for x, name in zip(inputs, names)]
        tangent = [{"name": _dotted(self.labels[id(x)]), "definition": _dotted(name) if name[:1].isalpha() else name,
                    "substituted": "", "value": self.tangent(x), "var": self.labels[id(x)]}
                   for x, name in zip(inputs, names)]
        for t in made:
            node, label = t._node, self.labels[id(t)]
            op, arg_names, numbers = node.op.name, self.arg_names(node), self.arg_numbers(node)
            out_number = self.number(t.numpy().item()) if t.size == 1 else None
            tie = _tie(node)
            traced = [i for i, a in enumerate(node.inputs) if isinstance(a, Tensor) and id(a) in self.labels]
            primal.append({"name": self.name(t), "definition": primal_text(op, arg_names, label),
                           "substituted": _tidy(primal_text(op, numbers, out_number)) if numbers else "",
                           "value": t.numpy(), "op": op, "var": label,
                           "from": [self.labels[id(node.inputs[i])] for i in traced]})
            terms = [_term(tangent_text, op, i, arg_names, label, _dotted(self.labels[id(node.inputs[i])]), tie)
                     for i in traced]
            subs = ""
            if numbers:
                subs = _tidy(join_terms([_term(tangent_text, op, i, numbers, out_number,
                                               self.number(self.tangent(node.inputs[i]).item()), tie)
                                         for i in traced]))
            tangent.append({"name": _dotted(self.name(t)), "definition": join_terms(terms), "substituted": subs,
                            "value": self.tangent(t), "var": label})
        primal.append({"name": y, "definition": self.labels[id(out)], "substituted": "", "value": out.numpy(),
                       "var": self.labels[id(out)]})
        tangent.append({"name": _dotted(y), "definition": _dotted(self.labels[id(out)]), "substituted": "",
                        "value": self.tangent(out), "var": self.labels[id(out)]})
        return primal, tangent

    def adjoint_table(self, out, made, y):
        steps = []
        backward_pass([out], [np.ones_like(out.numpy())], retain_graph=True,
                      observer=lambda t, argnum, x, contribution, total: steps.append((t, argnum, x, contribution)))
        rank = {id(t): k for k, t in enumerate(made)}
        steps = [s for s in steps if id(s[2]) in self.labels and id(s[0]) in rank]
        steps.sort(key=lambda s: -rank[id(s[0])])  # stable: argument order within an op
        total = {id(out): np.ones_like(out.numpy())}
        rows = [{"name": _barred(self.labels[id(out)]), "rule": "", "definition": _barred(y), "substituted": "",
                 "partial": None, "value": total[id(out)], "var": self.labels[id(out)]}]
        for t, argnum, x, contribution in steps:
            node, j, i = t._node, self.labels[id(t)], self.labels[id(x)]
            contribution, g = _array(contribution), total[id(t)]
            tie = _tie(node)
            step = _term(adjoint_text, node.op.name, argnum, self.arg_names(node), j, _barred(j), tie)
            rule = f"{_barred(j)} ∂{j}/∂{i}"
            numbers = self.arg_numbers(node)
            sub = ""
            if numbers and g.size == 1:
                out_number = self.number(t.numpy().item())
                sub = _term(adjoint_text, node.op.name, argnum, numbers, out_number, self.number(g.item()), tie)
            if id(x) in total:
                previous = total[id(x)]
                rule, step = join_terms([_barred(i), rule]), join_terms([_barred(i), step])
                if sub and previous.size == 1:
                    sub = join_terms([self.number(previous.item()), sub])
                total[id(x)] = previous + contribution
            else:
                total[id(x)] = contribution
            partial = None
            if g.size == 1 and contribution.size == 1 and g.item() != 0:
                partial = contribution.item() / g.item()
            rows.append({"name": _barred(i), "rule": rule, "definition": step, "substituted": _tidy(sub),
                         "partial": partial, "value": total[id(x)], "var": i, "edge": [i, j]})
        return rows


def _constant_text(c, decimals):
    value = _array(c)
    if value.size == 1:
        return format_number(value.item(), decimals)
    if value.ndim == 1 and value.size <= 4:
        return format_value(value, decimals)
    return f"const[{'×'.join(map(str, value.shape))}]"


def _tie(node):
    """'all' / 'some' when max or min has equal inputs (the derivative is split evenly there), else None."""
    if node.op.name not in ("maximum", "minimum") or len(node.inputs) != 2:
        return None
    a, b = (_array(v) for v in node.inputs)
    equal = np.broadcast_to(a == b, np.broadcast_shapes(a.shape, b.shape))
    return "all" if equal.all() else ("some" if equal.any() else None)


def _term(text_of, op, argnum, names, out, g, tie):
    """The op's term for one input; at a max/min tie it says the share is 0.5."""
    if tie == "all":
        return f"{g} × 0.5"
    text = text_of(op, argnum, names, out, g)
    return text + " (0.5 at ties)" if tie == "some" else text


def _tidy(text):
    """'a - (-b)' -> 'a + b' and 'a + (-b)' -> 'a - b', as the notes write substituted numbers."""
    text = re.sub(r"- \(-([^()]+)\)", r"+ \1", text)
    text = re.sub(r"\+ \(-([^()]+)\)", r"- \1", text)
    return re.sub(r"^\((-[^()]+)\)(?! \^)", r"\1", text)
