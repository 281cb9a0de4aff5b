"""Powers, logarithms and exponentials in other bases, and the stable log-sum of two.

Rows of the derivative table, read as in ops/elementwise.py.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..core.registry import defop
from .elementwise import exp

unary = partial(defop, exact=True)  # one input, rules keep its shape and dtype

_LN2, _LN10 = float(np.log(2)), float(np.log(10))

log2 = unary("log2", np.log2, vjp=lambda g, ans, x: g / (x * _LN2), jvp=lambda t, ans, x: t / (x * _LN2),
             derivative="1/(x ln 2)", domain="positive")
log10 = unary("log10", np.log10, vjp=lambda g, ans, x: g / (x * _LN10), jvp=lambda t, ans, x: t / (x * _LN10),
              derivative="1/(x ln 10)", domain="positive")
exp2 = unary("exp2", np.exp2, vjp=lambda g, ans, x: g * ans * _LN2, jvp=lambda t, ans, x: t * ans * _LN2,
             derivative="2^x ln 2")
square = unary("square", np.square, vjp=lambda g, ans, x: g * 2 * x, jvp=lambda t, ans, x: t * 2 * x,
               derivative="2x")
reciprocal = unary("reciprocal", np.reciprocal, vjp=lambda g, ans, x: -g * ans * ans,
                   jvp=lambda t, ans, x: -t * ans * ans, derivative="-1/x²", domain="nonzero")
cbrt = unary("cbrt", np.cbrt, vjp=lambda g, ans, x: g / (3 * ans * ans), jvp=lambda t, ans, x: t / (3 * ans * ans),
             derivative="1/(3 x^(2/3))", domain="nonzero", convention="infinite at 0")

# ∂/∂x log(e^x + e^y) = e^(x - ans): a weight in [0, 1], so it never overflows
logaddexp = defop(
    "logaddexp", np.logaddexp,
    vjp=(lambda g, ans, x, y: g * exp(x - ans), lambda g, ans, x, y: g * exp(y - ans)),
    jvp=(lambda t, ans, x, y: t * exp(x - ans), lambda t, ans, x, y: t * exp(y - ans)),
    derivative="∂/∂x = e^(x - ans), ∂/∂y = e^(y - ans)")
logaddexp2 = defop(
    "logaddexp2", np.logaddexp2,
    vjp=(lambda g, ans, x, y: g * exp((x - ans) * _LN2), lambda g, ans, x, y: g * exp((y - ans) * _LN2)),
    jvp=(lambda t, ans, x, y: t * exp((x - ans) * _LN2), lambda t, ans, x, y: t * exp((y - ans) * _LN2)),
    derivative="∂/∂x = 2^(x - ans), ∂/∂y = 2^(y - ans)")

__all__ = ["log2", "log10", "exp2", "square", "reciprocal", "cbrt", "logaddexp", "logaddexp2"]
