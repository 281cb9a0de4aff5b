"""Rounding (floor, ceil, round, rint, trunc, fix) and remainders (mod, fmod, remainder).

The rounding functions are piecewise constant: they are rows with derivative 0 (as
HIPS autograd and PyTorch: the gradient is 0, not absent, so a loss that rounds still
runs backward). At the jumps themselves the derivative is also taken as 0. The
remainders are x - q·y for a piecewise-constant quotient q, differentiated between
the jumps: ∂/∂x = 1, ∂/∂y = -q.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import constant_like, device_like, value_of, zeros_like

_FLAT = "0 everywhere, also at the jumps (as autograd and PyTorch)"


def _flat(name, forward, symbol):
    return defop(name, forward, partial=lambda ans, x, **params: zeros_like(x), notation=(symbol, "0"),
                 convention=_FLAT)


floor = _flat("floor", np.floor, "floor {0}")
ceil = _flat("ceil", np.ceil, "ceil {0}")
rint = _flat("rint", np.rint, "rint {0}")
trunc = _flat("trunc", np.trunc, "trunc {0}")
fix = _flat("fix", np.fix, "fix {0}")
round_op = _flat("round", lambda x, decimals=0: np.round(x, decimals), "round {0}")


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


def _ones(x, y):
    shape = np.broadcast_shapes(np.shape(value_of(x)), np.shape(value_of(y)))
    return constant_like(np.ones(shape, like=device_like(x)), x)


mod = defop(
    "mod", np.mod,
    partial=(lambda ans, x, y: _ones(x, y), lambda ans, x, y: -_quotient(x, y, np.floor)),
    notation=("{0} mod {1}", "1", "-floor({0} / {1})"),
    convention="x - floor(x/y)·y, differentiated between its jumps; at a jump, with floor(x/y) as it is there")
fmod = defop(
    "fmod", np.fmod,
    partial=(lambda ans, x, y: _ones(x, y), lambda ans, x, y: -_quotient(x, y, np.trunc)),
    notation=("fmod({0}, {1})", "1", "-trunc({0} / {1})"),
    convention="x - trunc(x/y)·y, differentiated between its jumps; at a jump, with trunc(x/y) as it is there")
remainder = mod  # NumPy: numpy.remainder is numpy.mod

__all__ = ["floor", "ceil", "rint", "trunc", "fix", "round", "around", "mod", "fmod", "remainder"]
