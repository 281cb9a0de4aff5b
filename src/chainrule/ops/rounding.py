"""Rounding (floor, ceil, round, rint, trunc, fix) and remainders (mod, fmod, remainder).

The rounding functions are piecewise constant: they are rows with derivative 0 (as
HIPS autograd and PyTorch: the gradient is 0, not absent, so a loss that rounds still
runs backward). At the jumps themselves the derivative is also taken as 0. The
remainders are x - q·y for a piecewise-constant quotient q, differentiated between
the jumps: ∂/∂x = 1, ∂/∂y = -q.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..core.registry import defop
from ._util import constant_like, value_of, zeros_like

unary = partial(defop, exact=True)  # one input, rules keep its shape and dtype

_FLAT = "0 everywhere, also at the jumps (as autograd and PyTorch)"


def _flat(name, forward):
    return unary(name, forward, vjp=lambda g, ans, x, **p: zeros_like(g), jvp=lambda t, ans, x, **p: zeros_like(t),
                 derivative="0", convention=_FLAT)


floor = _flat("floor", np.floor)
ceil = _flat("ceil", np.ceil)
rint = _flat("rint", np.rint)
trunc = _flat("trunc", np.trunc)
fix = _flat("fix", np.fix)
round_op = _flat("round", lambda x, decimals=0: np.round(x, decimals))


def round(x, decimals=0):
    """Round to `decimals` places, halves to even (as numpy.round); derivative 0.

    Example:
        >>> import chainrule as cr
        >>> cr.round(cr.tensor([0.5, 1.5, 2.567]), 1)
        tensor([0.5, 1.5, 2.6])
    """
    return round_op(x, decimals=int(decimals))


around = round


def _quotient(x, y, rounding):
    with np.errstate(divide="ignore", invalid="ignore"):
        return constant_like(rounding(value_of(x) / value_of(y)), x)


mod = defop(
    "mod", np.mod,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g * _quotient(x, y, np.floor)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t * _quotient(x, y, np.floor)),
    derivative="∂/∂x = 1, ∂/∂y = -floor(x/y)", domain="y ≠ 0",
    convention="x - floor(x/y)·y, differentiated between its jumps; at a jump, with floor(x/y) as it is there")
fmod = defop(
    "fmod", np.fmod,
    vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g * _quotient(x, y, np.trunc)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t * _quotient(x, y, np.trunc)),
    derivative="∂/∂x = 1, ∂/∂y = -trunc(x/y)", domain="y ≠ 0",
    convention="x - trunc(x/y)·y, differentiated between its jumps; at a jump, with trunc(x/y) as it is there")
remainder = mod  # NumPy: numpy.remainder is numpy.mod

__all__ = ["floor", "ceil", "rint", "trunc", "fix", "round", "around", "mod", "fmod", "remainder"]
