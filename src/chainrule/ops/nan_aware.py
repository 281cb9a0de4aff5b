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


def _share(d, x, y, wins):
    return d * constant_like(_winner_share(x, y, wins), d)


def _nan_aware(name, forward, wins, word):
    return defop(
        name, forward,
        vjp=(lambda g, ans, x, y: _share(g, x, y, wins), lambda g, ans, x, y: _share(g, y, x, wins)),
        jvp=(lambda t, ans, x, y: _share(t, x, y, wins), lambda t, ans, x, y: _share(t, y, x, wins)),
        derivative=f"1 where the input is the {word} or the other is NaN",
        convention="ties split the gradient evenly; both NaN: gradient 0")


fmax = _nan_aware("fmax", np.fmax, np.greater, "larger")
fmin = _nan_aware("fmin", np.fmin, np.less, "smaller")


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
