"""Poisson distribution, as scipy.stats.poisson (mean mu, shift loc); differentiable in mu.

Example:
    >>> from chainrule.scipy.stats import poisson
    >>> round(float(poisson.pmf(0, 2.0)), 6)   # e^-2
    0.135335
"""

from __future__ import annotations

import numpy as np

from ...ops.elementwise import exp
from ...special import gammaincc, gammaln, xlogy
from ._common import as_float, no_grad_count, passthrough


def logpmf(k, mu, loc=0):
    """k log mu - log k! - mu at non-negative integers k - loc, else -inf.

    Example:
        >>> from chainrule.scipy.stats import poisson
        >>> round(float(poisson.logpmf(3, 2.0)), 6)
        -1.712318
    """
    k = no_grad_count("poisson.logpmf", k) - no_grad_count("poisson.logpmf", loc)
    mu = as_float(mu)
    inside = (k >= 0) & (k == np.floor(k))
    safe_k = np.where(inside, k, 0.0)
    out = xlogy(safe_k, mu) - gammaln(safe_k + 1) - mu
    return out if inside.all() else out + np.where(inside, 0.0, -np.inf)


def pmf(k, mu, loc=0):
    """The Poisson probability of k.

    Example:
        >>> from chainrule.scipy.stats import poisson
        >>> round(float(poisson.pmf(1, 1.0)), 6)
        0.367879
    """
    return exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """P(K <= k) = Q(floor(k) + 1, mu), the regularised upper incomplete gamma function; 0 for k < 0.

    Example:
        >>> from chainrule.scipy.stats import poisson
        >>> round(float(poisson.cdf(0, 2.0)), 6)
        0.135335
    """
    k = np.floor(no_grad_count("poisson.cdf", k) - no_grad_count("poisson.cdf", loc))
    inside = k >= 0
    out = gammaincc(np.where(inside, k, 0.0) + 1, as_float(mu))
    return out if inside.all() else out * inside


__all__ = ["cdf", "logpmf", "pmf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("poisson", name)
