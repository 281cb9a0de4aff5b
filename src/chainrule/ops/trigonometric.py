"""Hyperbolic and inverse trigonometric functions, arctan2, hypot, sinc, and degree conversions.

Rows of the derivative table, read as in ops/elementwise.py: each declares its partial
derivative ∂out/∂input (`partial=`, a function of the output `ans` and the inputs), from
which the table derives the VJP, the JVP, the trace notation and the docs column.
NumPy's names (arcsin, not asin; the short names are aliases in chainrule.ops).
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import value_of
from .elementwise import cos, sqrt, where

sinh = defop("sinh", np.sinh, partial=lambda ans, x: cosh(x), notation=("sinh {0}", "cosh {0}"))
cosh = defop("cosh", np.cosh, partial=lambda ans, x: sinh(x), notation=("cosh {0}", "sinh {0}"))
arcsin = defop("arcsin", np.arcsin, partial=lambda ans, x: 1 / sqrt(1 - x * x),
               notation=("arcsin {0}", "1 / √(1 - {0}²)"), domain="unit")
arccos = defop("arccos", np.arccos, partial=lambda ans, x: -1 / sqrt(1 - x * x),
               notation=("arccos {0}", "-1 / √(1 - {0}²)"), domain="unit")
arctan = defop("arctan", np.arctan, partial=lambda ans, x: 1 / (1 + x * x),
               notation=("arctan {0}", "1 / (1 + {0}²)"))
arcsinh = defop("arcsinh", np.arcsinh, partial=lambda ans, x: 1 / sqrt(x * x + 1),
                notation=("arcsinh {0}", "1 / √({0}² + 1)"))
arccosh = defop("arccosh", np.arccosh, partial=lambda ans, x: 1 / sqrt(x * x - 1),
                notation=("arccosh {0}", "1 / √({0}² - 1)"), domain="positive",
                convention="defined for x >= 1 (NaN below); infinite slope at 1")
arctanh = defop("arctanh", np.arctanh, partial=lambda ans, x: 1 / (1 - x * x),
                notation=("arctanh {0}", "1 / (1 - {0}²)"), domain="unit")

arctan2 = defop(
    "arctan2", np.arctan2,
    partial=(lambda ans, y, x: x / (x * x + y * y), lambda ans, y, x: -y / (x * x + y * y)),
    notation=("arctan2({0}, {1})", "{1} / ({0}² + {1}²)", "-{0} / ({0}² + {1}²)"), domain="nonzero",
    convention="undefined (NaN) at (0, 0)")
hypot = defop(
    "hypot", np.hypot,
    partial=(lambda ans, x, y: x / ans, lambda ans, x, y: y / ans),
    notation=("hypot({0}, {1})", "{0} / {out}", "{1} / {out}"), domain="nonzero",
    convention="undefined (NaN) at (0, 0)")


# sinc x = sin(πx)/(πx). Its derivative (cos(πx) - sinc x)/x is 0/0 at 0; near 0 the Taylor
# polynomial of the derivative is used instead, so it and its own derivatives are exact there.
_TAYLOR_BELOW = 0.01


def _dsinc(x):
    small = np.abs(value_of(x)) < _TAYLOR_BELOW
    if isinstance(small, np.ndarray) and not small.any():  # (a batch under vmap takes the general form)
        return (cos(np.pi * x) - sinc(x)) / x
    z = (np.pi * np.pi) * (x * x)  # sinc'(x) = -π²x/3 · (1 - z/10 + z²/280 - z³/15120 + ...)
    series = (-np.pi * np.pi / 3) * x * (1 - z / 10 + z * z / 280 - z * z * z / 15120)
    safe = where(small, 1.0, x)  # double where: the closed form never sees 0
    return where(small, series, (cos(np.pi * safe) - sinc(safe)) / safe)


sinc = defop("sinc", np.sinc, partial=lambda ans, x: _dsinc(x),
             notation=("sinc {0}", "(cos(pi {0}) - sinc {0}) / {0}"),
             convention="sinc'(0) = 0; for x within ±0.01 the derivative is its Taylor series, exact at 0 at order 2+")


def deg2rad(x):
    """Degrees to radians, x·π/180 (composite), as numpy.deg2rad; `radians` is the same.

    Example:
        >>> import chainrule as cr
        >>> cr.deg2rad(cr.tensor(180.0))
        tensor(3.1415927)
    """
    return x * (np.pi / 180)


def rad2deg(x):
    """Radians to degrees, x·180/π (composite), as numpy.rad2deg; `degrees` is the same.

    Example:
        >>> import chainrule as cr
        >>> cr.rad2deg(cr.tensor(3.141592653589793))
        tensor(180.)
    """
    return x * (180 / np.pi)


radians, degrees = deg2rad, rad2deg

__all__ = ["sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot",
           "sinc", "deg2rad", "rad2deg", "radians", "degrees"]
