"""Normal distribution, as scipy.stats.norm (loc = mean, scale = standard deviation).

Example:
    >>> from chainrule.scipy.stats import norm
    >>> round(float(norm.cdf(1.0)), 6)
    0.841345
"""

from __future__ import annotations

import math

from ...ops.elementwise import exp
from ...special import log_ndtr, ndtr, ndtri
from ._common import as_float, passthrough, standardize

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def logpdf(x, loc=0.0, scale=1.0):
    """log of the normal density: -z²/2 - log scale - log √(2π), z = (x - loc)/scale.

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> round(float(norm.logpdf(0.0)), 6)
        -0.918939
    """
    z, log_scale = standardize(x, loc, scale)
    return -0.5 * z * z - log_scale - _HALF_LOG_2PI


def pdf(x, loc=0.0, scale=1.0):
    """The normal density.

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> round(float(norm.pdf(1.0, loc=1.0, scale=2.0)), 6)
        0.199471
    """
    return exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """Φ((x - loc)/scale).

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> float(norm.cdf(0.0))
        0.5
    """
    return ndtr(standardize(x, loc, scale)[0])


def logcdf(x, loc=0.0, scale=1.0):
    """log Φ((x - loc)/scale), accurate far in the lower tail.

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> round(float(norm.logcdf(-20.0)), 3)
        -203.917
    """
    return log_ndtr(standardize(x, loc, scale)[0])


def sf(x, loc=0.0, scale=1.0):
    """The survival function 1 - cdf, as Φ(-z) (no cancellation in the upper tail).

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> float(norm.sf(0.0))
        0.5
    """
    return ndtr(-standardize(x, loc, scale)[0])


def logsf(x, loc=0.0, scale=1.0):
    """log of the survival function, log Φ(-z).

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> round(float(norm.logsf(0.0)), 6)
        -0.693147
    """
    return log_ndtr(-standardize(x, loc, scale)[0])


def ppf(q, loc=0.0, scale=1.0):
    """The quantile function (inverse cdf): loc + scale·Φ⁻¹(q).

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> float(norm.ppf(0.5, loc=3.0))
        3.0
    """
    return as_float(loc) + as_float(scale) * ndtri(as_float(q))


def isf(q, loc=0.0, scale=1.0):
    """The inverse survival function: loc - scale·Φ⁻¹(q) (ppf of 1 - q, without forming 1 - q).

    Example:
        >>> from chainrule.scipy.stats import norm
        >>> round(float(norm.isf(0.025)), 6)
        1.959964
    """
    return as_float(loc) - as_float(scale) * ndtri(as_float(q))


__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("norm", name)
