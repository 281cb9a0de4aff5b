"""How each op is written in the trace tables, in the notes' notation.

For every op: its primal definition, and for each input the adjoint
contribution (in terms of g = v̄ of the output, as the reverse sweep computes
it) and the tangent term (in terms of t = that input's v̇). Placeholders:
{0}, {1}: the inputs' names; {out}: the output's; {g}, {t}: as above.
An op missing here is written generically, so every op can be traced.
"""

from __future__ import annotations

NOTATION = {
    "add": ("{0} + {1}", ("{g} × 1", "{g} × 1"), ("{t}", "{t}")),
    "sub": ("{0} - {1}", ("{g} × 1", "{g} × (-1)"), ("{t}", "-{t}")),
    "mul": ("{0} × {1}", ("{g} × {1}", "{g} × {0}"), ("{t} × {1}", "{t} × {0}")),
    "div": ("{0} / {1}", ("{g} / {1}", "-{g} × {out} / {1}"), ("{t} / {1}", "-{t} × {out} / {1}")),
    "neg": ("-{0}", ("-{g}",), ("-{t}",)),
    "pow": ("{0} ^ {1}", ("{g} × {1} × {0} ^ ({1} - 1)", "{g} × {out} × ln {0}"),
            ("{t} × {1} × {0} ^ ({1} - 1)", "{t} × {out} × ln {0}")),
    "exp": ("exp {0}", ("{g} × exp {0}",), ("{t} × exp {0}",)),
    "log": ("ln {0}", ("{g} / {0}",), ("{t} / {0}",)),
    "log1p": ("ln(1 + {0})", ("{g} / (1 + {0})",), ("{t} / (1 + {0})",)),
    "expm1": ("exp {0} - 1", ("{g} × exp {0}",), ("{t} × exp {0}",)),
    "sqrt": ("√{0}", ("{g} / (2 √{0})",), ("{t} / (2 √{0})",)),
    "abs": ("|{0}|", ("{g} × sign {0}",), ("{t} × sign {0}",)),
    "sign": ("sign {0}", ("{g} × 0",), ("{t} × 0",)),
    "step": ("step {0}", ("{g} × 0",), ("{t} × 0",)),
    "sin": ("sin {0}", ("{g} × cos {0}",), ("{t} × cos {0}",)),
    "cos": ("cos {0}", ("{g} × (-sin {0})",), ("-{t} × sin {0}",)),
    "tan": ("tan {0}", ("{g} × (1 + tan² {0})",), ("{t} × (1 + tan² {0})",)),
    "tanh": ("tanh {0}", ("{g} × (1 - tanh² {0})",), ("{t} × (1 - tanh² {0})",)),
    "sigmoid": ("σ({0})", ("{g} × σ({0})(1 - σ({0}))",), ("{t} × σ({0})(1 - σ({0}))",)),
    "relu": ("relu {0}", ("{g} × [{0} > 0]",), ("{t} × [{0} > 0]",)),
    "leaky_relu": ("leaky_relu {0}", ("{g} × leaky_relu' {0}",), ("{t} × leaky_relu' {0}",)),
    "elu": ("elu {0}", ("{g} × elu' {0}",), ("{t} × elu' {0}",)),
    "softplus": ("softplus {0}", ("{g} × σ({0})",), ("{t} × σ({0})",)),
    "maximum": ("max({0}, {1})", ("{g} × [{0} ≥ {1}]", "{g} × [{1} ≥ {0}]"),
                ("{t} × [{0} ≥ {1}]", "{t} × [{1} ≥ {0}]")),
    "minimum": ("min({0}, {1})", ("{g} × [{0} ≤ {1}]", "{g} × [{1} ≤ {0}]"),
                ("{t} × [{0} ≤ {1}]", "{t} × [{1} ≤ {0}]")),
    "clip": ("clip({0})", ("{g} × [inside]",), ("{t} × [inside]",)),
    "where": ("where({0}, {1}, {2})", ("", "{g} × [{0}]", "{g} × [not {0}]"), ("", "{t} × [{0}]", "{t} × [not {0}]")),
    "matmul": ("{0} @ {1}", ("{g} @ {1}ᵀ", "{0}ᵀ @ {g}"), ("{t} @ {1}", "{0} @ {t}")),
    "linear": ("{0} @ {1}ᵀ + {2}", ("{g} @ {1}", "{g}ᵀ @ {0}", "Σ {g}"), ("{t} @ {1}ᵀ", "{0} @ {t}ᵀ", "{t}")),
    "sum": ("Σ {0}", ("broadcast {g}",), ("Σ {t}",)),
    "prod": ("Π {0}", ("{g} × {out} / {0}",), ("Σ {t} × {out} / {0}",)),
    "max": ("max {0}", ("{g} at the argmax",), ("{t} at the argmax",)),
    "min": ("min {0}", ("{g} at the argmin",), ("{t} at the argmin",)),
    "logsumexp": ("logsumexp {0}", ("{g} × softmax {0}",), ("Σ {t} × softmax {0}",)),
    "softmax": ("softmax {0}", ("{out} × ({g} - Σ {g} × {out})",), ("{out} × ({t} - Σ {t} × {out})",)),
    "log_softmax": ("log_softmax {0}", ("{g} - softmax {0} × Σ {g}",), ("{t} - Σ softmax {0} × {t}",)),
    "softmax_cross_entropy": ("xent({0}, y)", ("{g} × (softmax {0} - onehot y)", ""),
                              ("Σ {t} × (softmax {0} - onehot y)", "")),
    "reshape": ("reshape {0}", ("reshape {g}",), ("reshape {t}",)),
    "transpose": ("{0}ᵀ", ("{g}ᵀ",), ("{t}ᵀ",)),
    "getitem": ("{0}[i]", ("scatter {g} to i",), ("{t}[i]",)),
    "broadcast_to": ("broadcast {0}", ("Σ {g} over broadcast axes",), ("broadcast {t}",)),
    "sum_to": ("sum_to {0}", ("broadcast {g}",), ("sum_to {t}",)),
    "cast": ("{0}", ("{g}",), ("{t}",)),
    "alias": ("{0}", ("{g}",), ("{t}",)),
}


def primal_text(op_name, names, out):
    """The definition of an op's output, e.g. 'v_-1 × v_0'."""
    template = NOTATION.get(op_name, (None,))[0]
    if template is None:
        return f"{op_name}({', '.join(names)})"
    return template.format(*names, out=out)


def adjoint_text(op_name, argnum, names, out, g):
    """The adjoint contribution of input `argnum`, e.g. 'v̄_2 × v_-1'."""
    entry = NOTATION.get(op_name)
    if entry is None or argnum >= len(entry[1]) or not entry[1][argnum]:
        return f"{g} ∂{out}/∂{names[argnum]}"
    return entry[1][argnum].format(*names, out=out, g=g)


def tangent_text(op_name, argnum, names, out, t):
    """The tangent term of input `argnum`, e.g. 'v̇_-1 × v_0'."""
    entry = NOTATION.get(op_name)
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
