"""Gamma distribution, as scipy.stats.gamma (shape a, loc, scale; the rate is 1/scale).

Example:
    >>> from chainrule.scipy.stats import gamma
    >>> round(float(gamma.pdf(1.0, 1.0)), 6)   # a = 1: the exponential density e^-x
    0.367879
"""

from __future__ import annotations

import numpy as np

from ...ops._util import value_of
from ...ops.elementwise import exp
from ...special import gammainc, gammaln, xlogy
from ._common import as_float, on_support, passthrough, standardize


def logpdf(x, a, loc=0.0, scale=1.0):
    """(a-1) log z - z - log Γ(a) - log scale for z = (x - loc)/scale >= 0, else -inf.

    Example:
        >>> from chainrule.scipy.stats import gamma
        >>> round(float(gamma.logpdf(2.0, 3.0)), 6)
        -1.306853
    """
    z, log_scale = standardize(x, loc, scale)
    a = as_float(a)
    density = on_support(value_of(z) >= 0, z, 1.0, lambda z: xlogy(a - 1, z) - z, -np.inf)
    return density - gammaln(a) - log_scale


def pdf(x, a, loc=0.0, scale=1.0):
    """The gamma density (0 for x < loc).

    Example:
        >>> from chainrule.scipy.stats import gamma
        >>> float(gamma.pdf(-1.0, 2.0))
        0.0
    """
    return exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0.0, scale=1.0):
    """P(a, z), the regularised lower incomplete gamma function; differentiable in x, loc, scale (not a).

    Example:
        >>> from chainrule.scipy.stats import gamma
        >>> round(float(gamma.cdf(1.0, 1.0)), 6)   # 1 - e^-1
        0.632121
    """
    z, _ = standardize(x, loc, scale)
    return on_support(value_of(z) >= 0, z, 1.0, lambda z: gammainc(as_float(a), z), 0.0)


__all__ = ["cdf", "logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("gamma", name)
