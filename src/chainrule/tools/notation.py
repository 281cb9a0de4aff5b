"""How each op is written in the trace tables, in the notes' notation.

Each op row declares its notation (defop's `notation=`): a partial row gives
its primal and its partial derivatives, from which the adjoint contribution
(g × ∂) and tangent term (t × ∂) are written here; other rows give primal,
adjoint and tangent templates. Placeholders: {0}, {1}: the inputs' names;
{out}: the output's; {g}, {t}: the output's adjoint and an input's tangent.
The few ops below (reductions, shapes) are written by this table until their
rows carry notation; an op with neither is written generically, so every op
can be traced.
"""

from __future__ import annotations

from ..core.registry import OPS

NOTATION = {
    "sum": ("Σ {0}", ("broadcast {g}",), ("Σ {t}",)),
    "prod": ("Π {0}", ("{g} × Π_(j≠i) {0}_j",), ("Σ {t} × Π_(j≠i) {0}_j",)),
    "max": ("max {0}", ("{g} at the argmax (split evenly on ties)",), ("{t} at the argmax (mean on ties)",)),
    "min": ("min {0}", ("{g} at the argmin (split evenly on ties)",), ("{t} at the argmin (mean on ties)",)),
    "logsumexp": ("logsumexp {0}", ("{g} × softmax {0}",), ("Σ {t} × softmax {0}",)),
    "matmul": ("{0} @ {1}", ("{g} @ {1}ᵀ", "{0}ᵀ @ {g}"), ("{t} @ {1}", "{0} @ {t}")),
    "reshape": ("reshape {0}", ("reshape {g}",), ("reshape {t}",)),
    "transpose": ("{0}ᵀ", ("{g}ᵀ",), ("{t}ᵀ",)),
    "getitem": ("{0}[i]", ("scatter {g} to i",), ("{t}[i]",)),
}


def _entry(op_name):
    """(primal, adjoint templates, tangent templates) of an op, or None."""
    op = OPS.get(op_name)
    notation = getattr(op, "notation", None)
    if notation is None:
        return NOTATION.get(op_name)
    if op.partial is None:
        return notation
    primal, partials = notation[0], notation[1:]
    return (primal, tuple(times("{g}", p) for p in partials), tuple(times("{t}", p) for p in partials))


def times(d, partial):
    """`d × partial` as the notes write it: 'v̄ / v' for a partial 1/v, '-v̄ × sin v' for -sin v.

    Example:
        >>> times("g", "cos x"), times("g", "1 / x"), times("g", "1 - tanh² x"), times("g", "1")
        ('g × cos x', 'g / x', 'g × (1 - tanh² x)', 'g')
    """
    if partial == "1":
        return d
    if partial.startswith("1 / "):
        return f"{d} / {partial[4:]}"
    if partial.startswith("-") and " " not in partial.split(" ", 1)[0][1:] and " + " not in partial:
        return f"-{d} × {partial[1:]}"
    if any(op in partial for op in (" + ", " - ", " / ")):
        return f"{d} × ({partial})"
    return f"{d} × {partial}"


def primal_text(op_name, names, out):
    """The definition of an op's output, e.g. 'v_-1 × v_0'."""
    template = (_entry(op_name) or (None,))[0]
    if template is None:
        return f"{op_name}({', '.join(names)})"
    return template.format(*names, out=out)


def adjoint_text(op_name, argnum, names, out, g):
    """The adjoint contribution of input `argnum`, e.g. 'v̄_2 × v_-1'."""
    entry = _entry(op_name)
    if entry is None or argnum >= len(entry[1]) or not entry[1][argnum]:
        return f"{g} ∂{out}/∂{names[argnum]}"
    return entry[1][argnum].format(*names, out=out, g=g)


def tangent_text(op_name, argnum, names, out, t):
    """The tangent term of input `argnum`, e.g. 'v̇_-1 × v_0'."""
    entry = _entry(op_name)
    if entry is None or argnum >= len(entry[2]) or not entry[2][argnum]:
        return f"∂{out}/∂{names[argnum]} {t}"
    return entry[2][argnum].format(*names, out=out, t=t)


def join_terms(terms):
    """'a + b', written 'a - b' when b starts with a minus sign."""
    text = ""
    for term in terms:
        if not text:
            text = term
        elif term.startswith("-"):
            text += " - " + term[1:]
        else:
            text += " + " + term
    return text or "0"
