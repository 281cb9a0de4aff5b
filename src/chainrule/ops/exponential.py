"""Powers, logarithms and exponentials in other bases, and the stable log-sum of two.

Rows of the derivative table with their partial derivatives, read as in ops/elementwise.py.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from .elementwise import exp

_LN2, _LN10 = float(np.log(2)), float(np.log(10))

log2 = defop("log2", np.log2, partial=lambda ans, x: 1 / (x * _LN2), notation=("log2 {0}", "1 / ({0} ln 2)"),
             domain="positive")
log10 = defop("log10", np.log10, partial=lambda ans, x: 1 / (x * _LN10), notation=("log10 {0}", "1 / ({0} ln 10)"),
              domain="positive")
exp2 = defop("exp2", np.exp2, partial=lambda ans, x: ans * _LN2, notation=("2^{0}", "{out} ln 2"))
square = defop("square", np.square, partial=lambda ans, x: 2 * x, notation=("{0}²", "2 {0}"))
reciprocal = defop("reciprocal", np.reciprocal, partial=lambda ans, x: -(ans * ans),
                   notation=("1 / {0}", "-1 / {0}²"), domain="nonzero")
cbrt = defop("cbrt", np.cbrt, partial=lambda ans, x: 1 / (3 * ans * ans), notation=("cbrt {0}", "1 / (3 {out}²)"),
             domain="nonzero", convention="infinite at 0")

# ∂/∂x log(e^x + e^y) = e^(x - ans): a weight in [0, 1], so it never overflows
logaddexp = defop(
    "logaddexp", np.logaddexp,
    partial=(lambda ans, x, y: exp(x - ans), lambda ans, x, y: exp(y - ans)),
    notation=("log(e^{0} + e^{1})", "e^({0} - {out})", "e^({1} - {out})"))
logaddexp2 = defop(
    "logaddexp2", np.logaddexp2,
    partial=(lambda ans, x, y: exp((x - ans) * _LN2), lambda ans, x, y: exp((y - ans) * _LN2)),
    notation=("log2(2^{0} + 2^{1})", "2^({0} - {out})", "2^({1} - {out})"))

__all__ = ["log2", "log10", "exp2", "square", "reciprocal", "cbrt", "logaddexp", "logaddexp2"]
