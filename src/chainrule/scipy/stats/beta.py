"""Beta distribution, as scipy.stats.beta (shapes a, b, loc, scale).

Example:
    >>> from chainrule.scipy.stats import beta
    >>> float(beta.pdf(0.5, 1.0, 1.0))   # a = b = 1: uniform on [0, 1]
    1.0
"""

from __future__ import annotations

import numpy as np

from ...ops._util import value_of
from ...ops.elementwise import exp, where
from ...special import betainc, betaln, xlog1py, xlogy
from ._common import as_float, on_support, passthrough, standardize


def logpdf(x, a, b, loc=0.0, scale=1.0):
    """(a-1) log z + (b-1) log(1-z) - log B(a, b) - log scale on 0 <= z <= 1, else -inf.

    Example:
        >>> from chainrule.scipy.stats import beta
        >>> round(float(beta.logpdf(0.3, 2.0, 3.0)), 6)
        0.567584
    """
    z, log_scale = standardize(x, loc, scale)
    a, b = as_float(a), as_float(b)
    zv = value_of(z)
    density = on_support((zv >= 0) & (zv <= 1), z, 0.5, lambda z: xlogy(a - 1, z) + xlog1py(b - 1, -z), -np.inf)
    return density - betaln(a, b) - log_scale


def pdf(x, a, b, loc=0.0, scale=1.0):
    """The beta density (0 outside [loc, loc + scale]).

    Example:
        >>> from chainrule.scipy.stats import beta
        >>> float(beta.pdf(1.5, 2.0, 2.0))
        0.0
    """
    return exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0.0, scale=1.0):
    """The regularised incomplete beta function I_z(a, b): differentiable in x, loc and scale (not a, b).

    Example:
        >>> from chainrule.scipy.stats import beta
        >>> float(beta.cdf(0.25, 1.0, 1.0))
        0.25
    """
    z, _ = standardize(x, loc, scale)
    zv = value_of(z)
    inside = on_support((zv >= 0) & (zv <= 1), z, 0.5, lambda z: betainc(as_float(a), as_float(b), z), 0.0)
    return where(zv > 1, 1.0, inside)


__all__ = ["cdf", "logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("beta", name)
