"""Chi-squared distribution, as scipy.stats.chi2: the gamma distribution with a = df/2, scale 2·scale.

Example:
    >>> from chainrule.scipy.stats import chi2
    >>> round(float(chi2.pdf(2.0, 2.0)), 6)   # df = 2: e^(-x/2)/2
    0.18394
"""

from __future__ import annotations

from . import gamma
from ._common import as_float, passthrough


def logpdf(x, df, loc=0.0, scale=1.0):
    """log of the chi-squared density.

    Example:
        >>> from chainrule.scipy.stats import chi2
        >>> round(float(chi2.logpdf(1.0, 3.0)), 6)
        -1.418939
    """
    return gamma.logpdf(x, as_float(df) / 2, loc, 2 * as_float(scale))


def pdf(x, df, loc=0.0, scale=1.0):
    """The chi-squared density.

    Example:
        >>> from chainrule.scipy.stats import chi2
        >>> round(float(chi2.pdf(1.0, 1.0)), 6)
        0.241971
    """
    return gamma.pdf(x, as_float(df) / 2, loc, 2 * as_float(scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """The chi-squared cdf, differentiable in x, loc and scale.

    Example:
        >>> from chainrule.scipy.stats import chi2
        >>> round(float(chi2.cdf(2.0, 2.0)), 6)   # 1 - e^-1
        0.632121
    """
    return gamma.cdf(x, as_float(df) / 2, loc, 2 * as_float(scale))


__all__ = ["cdf", "logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("chi2", name)
