"""Elementwise NumPy functions written as composites of chainrule's ops.

Each is exact (an algebraic identity on existing rows, no approximation),
so its derivative comes from the chain rule with nothing new to test. They
are fallbacks: `chainrule.numpy` uses an op of the same name from the op
table when one exists (a row may be faster or steadier) and these only
otherwise. Real inputs only: complex numbers are not supported yet.
"""

from __future__ import annotations

import math

import numpy as np

from .. import ops as _ops
from ..ops._util import value_of

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def square(x):
    """x², NumPy's square.

    Example:
        >>> float(square(3.0))
        9.0
    """
    return _ops.mul(x, x)


def reciprocal(x):
    """1 / x.

    Example:
        >>> float(reciprocal(4.0))
        0.25
    """
    return _ops.div(1.0, x)


def positive(x):
    """+x (the input itself).

    Example:
        >>> positive(2.0)
        2.0
    """
    return x


def fabs(x):
    """|x| for real x (abs'(0) = 0).

    Example:
        >>> float(fabs(-2.0))
        2.0
    """
    return _ops.abs(x)


def deg2rad(x):
    """Degrees to radians: x·π/180.

    Example:
        >>> round(float(deg2rad(180.0)), 6)
        3.141593
    """
    return _ops.mul(x, math.pi / 180.0)


def rad2deg(x):
    """Radians to degrees: x·180/π.

    Example:
        >>> round(float(rad2deg(math.pi)), 6)
        180.0
    """
    return _ops.mul(x, 180.0 / math.pi)


radians, degrees = deg2rad, rad2deg


def log2(x):
    """Base-2 logarithm, ln x / ln 2.

    Example:
        >>> float(log2(8.0))
        3.0
    """
    return _ops.div(_ops.log(x), _LN2)


def log10(x):
    """Base-10 logarithm, ln x / ln 10.

    Example:
        >>> round(float(log10(1000.0)), 12)
        3.0
    """
    return _ops.div(_ops.log(x), _LN10)


def exp2(x):
    """2**x as exp(x ln 2).

    Example:
        >>> round(float(exp2(3.0)), 12)
        8.0
    """
    return _ops.exp(_ops.mul(x, _LN2))


def sinh(x):
    """(eˣ - e⁻ˣ) / 2.

    Example:
        >>> round(float(sinh(1.0)), 6)
        1.175201
    """
    return _ops.div(_ops.sub(_ops.exp(x), _ops.exp(_ops.neg(x))), 2.0)


def cosh(x):
    """(eˣ + e⁻ˣ) / 2.

    Example:
        >>> round(float(cosh(1.0)), 6)
        1.543081
    """
    return _ops.div(_ops.add(_ops.exp(x), _ops.exp(_ops.neg(x))), 2.0)


def arcsinh(x):
    """sign(x)·ln(|x| + √(x² + 1)): the form without cancellation for negative x.

    Example:
        >>> round(float(arcsinh(-1.0)), 6)
        -0.881374
    """
    a = _ops.abs(x)
    return _ops.mul(_ops.sign(x), _ops.log(_ops.add(a, _ops.sqrt(_ops.add(_ops.mul(x, x), 1.0)))))


def arccosh(x):
    """ln(x + √(x² - 1)) for x ≥ 1.

    Example:
        >>> round(float(arccosh(2.0)), 6)
        1.316958
    """
    return _ops.log(_ops.add(x, _ops.sqrt(_ops.sub(_ops.mul(x, x), 1.0))))


def arctanh(x):
    """(ln(1 + x) - ln(1 - x)) / 2 for |x| < 1.

    Example:
        >>> round(float(arctanh(0.5)), 6)
        0.549306
    """
    return _ops.mul(_ops.sub(_ops.log1p(x), _ops.log1p(_ops.neg(x))), 0.5)


def logaddexp(x, y):
    """ln(eˣ + eʸ) as m + ln(e^(x-m) + e^(y-m)) with m = max(x, y) held constant.

    The identity holds for any constant m, so holding it constant changes no
    derivative: the result is smooth to every order, also where x = y, and
    never overflows.

    Example:
        >>> round(float(logaddexp(1000.0, 1000.0)), 6)
        1000.693147
    """
    m = np.maximum(value_of(x), value_of(y))
    m = np.where(np.isfinite(m), m, 0.0)
    return _ops.add(m, _ops.log(_ops.add(_ops.exp(_ops.sub(x, m)), _ops.exp(_ops.sub(y, m)))))


def logaddexp2(x, y):
    """log₂(2ˣ + 2ʸ) through logaddexp.

    Example:
        >>> round(float(logaddexp2(1.0, 1.0)), 12)
        2.0
    """
    return _ops.div(logaddexp(_ops.mul(x, _LN2), _ops.mul(y, _LN2)), _LN2)


def hypot(x, y):
    """√(x² + y²).

    Example:
        >>> float(hypot(3.0, 4.0))
        5.0
    """
    return _ops.sqrt(_ops.add(_ops.mul(x, x), _ops.mul(y, y)))


def remainder(x, y):
    """x - floor(x / y)·y with the quotient constant (derivatives 1 and -floor(x/y) between jumps).

    Example:
        >>> float(remainder(-1.0, 3.0))
        2.0
    """
    quotient = np.floor_divide(value_of(x), value_of(y))
    return _ops.sub(x, _ops.mul(quotient, y))


mod = remainder


def fmod(x, y):
    """C's fmod: x - trunc(x / y)·y, the sign of x (quotient constant).

    Example:
        >>> float(fmod(-1.0, 3.0))
        -1.0
    """
    quotient = np.trunc(value_of(x) / value_of(y))
    return _ops.sub(x, _ops.mul(quotient, y))


def fmax(x, y):
    """The larger of x and y, ignoring NaN (ties split the gradient evenly).

    Example:
        >>> float(fmax(np.nan, 1.0))
        1.0
    """
    xv, yv = value_of(x), value_of(y)
    return _ops.where(np.isnan(yv), x, _ops.where(np.isnan(xv), y, _ops.maximum(x, y)))


def fmin(x, y):
    """The smaller of x and y, ignoring NaN (ties split the gradient evenly).

    Example:
        >>> float(fmin(2.0, np.nan))
        2.0
    """
    xv, yv = value_of(x), value_of(y)
    return _ops.where(np.isnan(yv), x, _ops.where(np.isnan(xv), y, _ops.minimum(x, y)))


def real(x):
    """The real part: x itself for real input (complex numbers are not supported yet).

    Example:
        >>> real(2.0)
        2.0
    """
    _real_only(x, "real")
    return x


def conj(x):
    """The complex conjugate: x itself for real input.

    Example:
        >>> conj(2.0)
        2.0
    """
    _real_only(x, "conj")
    return x


conjugate = real_if_close = conj


def imag(x):
    """The imaginary part: zeros for real input (no derivative flows).

    Example:
        >>> imag(np.array([1.0, 2.0]))
        array([0., 0.])
    """
    _real_only(x, "imag")
    return np.zeros_like(value_of(x))


def angle(x):
    """The argument of x: 0 for x ≥ 0 and π for x < 0 when real (a constant, no derivative).

    Example:
        >>> float(angle(-1.0))
        3.141592653589793
    """
    _real_only(x, "angle")
    return np.angle(value_of(x))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and ±inf replaced by numbers; the gradient flows only through the finite entries.

    Example:
        >>> nan_to_num(np.array([np.nan, 1.0]))
        array([0., 1.])
    """
    v = value_of(x)
    return _ops.where(np.isfinite(v), x, np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf))


def _real_only(x, name):
    if np.iscomplexobj(value_of(x)):
        raise TypeError(f"chainrule.numpy.{name}: complex inputs are not supported yet")


__all__ = ["square", "reciprocal", "positive", "fabs", "deg2rad", "rad2deg", "radians", "degrees", "log2",
           "log10", "exp2", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "logaddexp", "logaddexp2",
           "hypot", "remainder", "mod", "fmod", "fmax", "fmin", "real", "conj", "conjugate", "real_if_close",
           "imag", "angle", "nan_to_num"]
