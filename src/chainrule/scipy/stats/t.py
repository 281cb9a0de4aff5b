"""Student's t distribution, as scipy.stats.t (df degrees of freedom, loc, scale).

Example:
    >>> from chainrule.scipy.stats import t
    >>> float(t.cdf(0.0, 3.0))
    0.5
"""

from __future__ import annotations

import math

from ...ops.elementwise import exp, log, log1p
from ...special import gammaln, stdtr
from ._common import as_float, passthrough, standardize


def logpdf(x, df, loc=0.0, scale=1.0):
    """log Γ((ν+1)/2) - log Γ(ν/2) - ½ log(νπ) - log scale - (ν+1)/2 · log(1 + z²/ν).

    Example:
        >>> from chainrule.scipy.stats import t
        >>> round(float(t.logpdf(1.0, 3.0)), 6)
        -1.576253
    """
    z, log_scale = standardize(x, loc, scale)
    df = as_float(df)
    return (gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * log(df * math.pi) - log_scale
            - (df + 1) / 2 * log1p(z * z / df))


def pdf(x, df, loc=0.0, scale=1.0):
    """The t density.

    Example:
        >>> from chainrule.scipy.stats import t
        >>> round(float(t.pdf(0.0, 1.0)), 6)   # Cauchy: 1/π
        0.31831
    """
    return exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """The t cdf, differentiable in x, loc and scale (df has no derivative rule: an error if it requires grad).

    Example:
        >>> from chainrule.scipy.stats import t
        >>> round(float(t.cdf(1.0, 1.0)), 6)   # Cauchy: 3/4
        0.75
    """
    return stdtr(as_float(df), standardize(x, loc, scale)[0])


def sf(x, df, loc=0.0, scale=1.0):
    """1 - cdf, computed as the cdf at -z.

    Example:
        >>> from chainrule.scipy.stats import t
        >>> round(float(t.sf(1.0, 1.0)), 6)
        0.25
    """
    return stdtr(as_float(df), -standardize(x, loc, scale)[0])


def logcdf(x, df, loc=0.0, scale=1.0):
    """log of the t cdf.

    Example:
        >>> from chainrule.scipy.stats import t
        >>> round(float(t.logcdf(0.0, 5.0)), 6)
        -0.693147
    """
    return log(cdf(x, df, loc, scale))


__all__ = ["cdf", "logcdf", "logpdf", "pdf", "sf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("t", name)
