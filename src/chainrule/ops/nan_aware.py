"""NaN-aware elementwise functions: fmax, fmin (NaN loses) and nan_to_num.

fmax and fmin are rows: like maximum and minimum they split ties evenly, and an
operand facing a NaN takes the whole gradient (it is the one returned).
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import constant_like, value_of
from .elementwise import where


def _winner_share(x, y, wins):
    """Weight of x in fmax/fmin(x, y): 1 where x is returned alone, 1/2 on ties, 0 elsewhere
    (both NaN: 0, the result is NaN whatever the weights)."""
    x, y = value_of(x), value_of(y)
    x_nan, y_nan = np.isnan(x), np.isnan(y)
    with np.errstate(invalid="ignore"):
        share = (wins(x, y) & ~y_nan) + 0.5 * (x == y) + (y_nan & ~x_nan)
    return share


def _nan_aware(name, forward, wins, word):
    return defop(
        name, forward,
        partial=(lambda ans, x, y: constant_like(_winner_share(x, y, wins), x),
                 lambda ans, x, y: constant_like(_winner_share(y, x, wins), y)),
        notation=(f"{name}({{0}}, {{1}})", f"[{{0}} {word}] + ½[{{0}} = {{1}}]", f"[{{1}} {word}] + ½[{{0}} = {{1}}]"),
        convention="ties split the gradient evenly; an operand facing a NaN takes it all; both NaN: gradient 0")


fmax = _nan_aware("fmax", np.fmax, np.greater, "wins")
fmin = _nan_aware("fmin", np.fmin, np.less, "wins")


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN and ±inf replaced by finite numbers (0, and the largest finite magnitudes unless
    given), as numpy.nan_to_num; the replaced entries get gradient 0, the others 1.

    Example:
        >>> import chainrule as cr
        >>> cr.nan_to_num(cr.tensor([1.0, float("nan"), -float("inf")]), neginf=-9.0)
        tensor([ 1.,  0., -9.])
    """
    xv = value_of(x)
    replaced = np.nan_to_num(xv, nan=nan, posinf=posinf, neginf=neginf)
    return where(np.isfinite(xv), x, constant_like(replaced, x))


__all__ = ["fmax", "fmin", "nan_to_num"]
