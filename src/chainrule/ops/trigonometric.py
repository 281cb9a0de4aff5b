"""Hyperbolic and inverse trigonometric functions, arctan2, hypot, sinc, and degree conversions.

Rows of the derivative table, read as in ops/elementwise.py: `g` the adjoint of the output,
`t` an input's tangent, `ans` the output. NumPy's names (arcsin, not asin).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..core.registry import defop
from ._util import value_of
from .elementwise import cos, sqrt, where

unary = partial(defop, exact=True)  # one input, rules keep its shape and dtype

sinh = unary("sinh", np.sinh, vjp=lambda g, ans, x: g * cosh(x), jvp=lambda t, ans, x: t * cosh(x),
             derivative="cosh x")
cosh = unary("cosh", np.cosh, vjp=lambda g, ans, x: g * sinh(x), jvp=lambda t, ans, x: t * sinh(x),
             derivative="sinh x")
arcsin = unary("arcsin", np.arcsin, vjp=lambda g, ans, x: g / sqrt(1 - x * x),
               jvp=lambda t, ans, x: t / sqrt(1 - x * x), derivative="1/√(1 - x²)", domain="-1 < x < 1")
arccos = unary("arccos", np.arccos, vjp=lambda g, ans, x: -g / sqrt(1 - x * x),
               jvp=lambda t, ans, x: -t / sqrt(1 - x * x), derivative="-1/√(1 - x²)", domain="-1 < x < 1")
arctan = unary("arctan", np.arctan, vjp=lambda g, ans, x: g / (1 + x * x),
               jvp=lambda t, ans, x: t / (1 + x * x), derivative="1/(1 + x²)")
arcsinh = unary("arcsinh", np.arcsinh, vjp=lambda g, ans, x: g / sqrt(x * x + 1),
                jvp=lambda t, ans, x: t / sqrt(x * x + 1), derivative="1/√(x² + 1)")
arccosh = unary("arccosh", np.arccosh, vjp=lambda g, ans, x: g / sqrt(x * x - 1),
                jvp=lambda t, ans, x: t / sqrt(x * x - 1), derivative="1/√(x² - 1)", domain="x > 1")
arctanh = unary("arctanh", np.arctanh, vjp=lambda g, ans, x: g / (1 - x * x),
                jvp=lambda t, ans, x: t / (1 - x * x), derivative="1/(1 - x²)", domain="-1 < x < 1")

arctan2 = defop(
    "arctan2", np.arctan2,
    vjp=(lambda g, ans, y, x: g * x / (x * x + y * y), lambda g, ans, y, x: -g * y / (x * x + y * y)),
    jvp=(lambda t, ans, y, x: t * x / (x * x + y * y), lambda t, ans, y, x: -t * y / (x * x + y * y)),
    derivative="∂/∂y = x/(x² + y²), ∂/∂x = -y/(x² + y²)", domain="(y, x) ≠ (0, 0)")
hypot = defop(
    "hypot", np.hypot,
    vjp=(lambda g, ans, x, y: g * x / ans, lambda g, ans, x, y: g * y / ans),
    jvp=(lambda t, ans, x, y: t * x / ans, lambda t, ans, x, y: t * y / ans),
    derivative="∂/∂x = x/√(x² + y²), ∂/∂y = y/√(x² + y²)", domain="(x, y) ≠ (0, 0)")


# sinc x = sin(πx)/(πx). Its derivative (cos(πx) - sinc x)/x is 0/0 at 0; near 0 the Taylor
# polynomial of the derivative is used instead, so it and its own derivatives are exact there.
_TAYLOR_BELOW = 0.01


def _dsinc(x):
    small = np.abs(value_of(x)) < _TAYLOR_BELOW
    if not small.any():
        return (cos(np.pi * x) - sinc(x)) / x
    z = (np.pi * np.pi) * (x * x)  # sinc'(x) = -π²x/3 · (1 - z/10 + z²/280 - z³/15120 + ...)
    series = (-np.pi * np.pi / 3) * x * (1 - z / 10 + z * z / 280 - z * z * z / 15120)
    safe = where(small, 1.0, x)  # double where: the closed form never sees 0
    return where(small, series, (cos(np.pi * safe) - sinc(safe)) / safe)


sinc = unary("sinc", np.sinc, vjp=lambda g, ans, x: g * _dsinc(x), jvp=lambda t, ans, x: t * _dsinc(x),
             derivative="(cos πx - sinc x)/x",
             convention="sinc'(0) = 0; for x within ±0.01 the derivative is its Taylor series, exact at 0 at order 2+")


def deg2rad(x):
    """Degrees to radians, x·π/180 (composite), as numpy.deg2rad; `radians` is the same.

    Example:
        >>> import chainrule as cr
        >>> cr.deg2rad(cr.tensor(180.0))
        tensor(3.14159265)
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
