"""Multivariate normal distribution, as scipy.stats.multivariate_normal; differentiable in x, mean and cov.

The covariance is factored by a Cholesky decomposition written out in
chainrule ops (Cholesky–Banachiewicz, row by row), so derivatives of every
order flow through it. It costs O(d³) small ops: meant for the modest
dimensions densities are usually evaluated in. `cov` is used through its
symmetric part (cov + covᵀ)/2, so its gradient is symmetric (as in JAX).

Example:
    >>> import numpy as np
    >>> from chainrule.scipy.stats import multivariate_normal
    >>> round(float(multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(2))), 6)   # -log 2π
    -1.837877
"""

from __future__ import annotations

import math

import numpy as np

from ...ops._util import value_of
from ...ops.elementwise import exp, log, sqrt
from ...ops.shape import getitem, transpose
from ._common import as_float, passthrough


def _dimension(mean, cov):
    """The dimension d, as scipy infers it: from mean, else from cov, else 1."""
    for arg in (mean, cov):
        if arg is not None and np.ndim(value_of(arg)):
            return np.shape(value_of(arg))[0]
    return 1


def _covariance(cov, d):
    cov = as_float(cov)
    if cov.ndim == 0:
        return cov * np.eye(d)
    if cov.ndim == 1:
        return cov * np.eye(d)  # a vector: the diagonal
    if cov.shape != (d, d):
        raise ValueError(f"multivariate_normal: cov must be ({d}, {d}) for mean of length {d}, got {cov.shape}")
    return (cov + transpose(cov)) / 2


def _cholesky(a, d):
    """The lower Cholesky factor of a, as nested lists of 0-d entries (L[i][j] for j <= i)."""
    lower = [[None] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1):
            dot = sum((lower[i][k] * lower[j][k] for k in range(j)), 0.0)
            entry = getitem(a, index=(i, j)) - dot
            if i == j:
                if not value_of(entry) > 0:
                    raise np.linalg.LinAlgError("multivariate_normal: cov is not positive definite")
                lower[i][i] = sqrt(entry)
            else:
                lower[i][j] = entry / lower[j][j]
    return lower


def _points(x, d):
    x = as_float(x)
    if d == 1 and x.ndim <= 1:
        x = getitem(x, index=(Ellipsis, None))  # scipy: for d = 1, every entry of x is a point
    if x.shape[-1] != d:
        raise ValueError(f"multivariate_normal: x must have {d} components along its last axis, got {x.shape}")
    return x


def _check_regular(allow_singular):
    if allow_singular:
        raise ValueError("multivariate_normal: allow_singular=True is not supported (its density needs a "
                         "pseudo-determinant); pass a positive definite cov")


def logpdf(x, mean=None, cov=1, allow_singular=False):
    """-(d log 2π + log det cov + (x - mean)ᵀ cov⁻¹ (x - mean))/2 over the last axis of x.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.stats import multivariate_normal
        >>> multivariate_normal.logpdf(np.zeros((3, 2)), cov=np.eye(2)).shape
        (3,)
    """
    _check_regular(allow_singular)
    d = _dimension(mean, cov)
    mean = np.zeros(d) if mean is None else as_float(mean)
    lower = _cholesky(_covariance(cov, d), d)
    diff = _points(x, d) - mean
    # forward substitution L z = diff, one component at a time, batched over the points
    z, maha, log_det = [], 0.0, 0.0
    for i in range(d):
        zi = (getitem(diff, index=(Ellipsis, i)) - sum((lower[i][k] * z[k] for k in range(i)), 0.0)) / lower[i][i]
        z.append(zi)
        maha = maha + zi * zi
        log_det = log_det + 2 * log(lower[i][i])
    return -0.5 * (d * math.log(2 * math.pi) + log_det + maha)


def pdf(x, mean=None, cov=1, allow_singular=False):
    """The multivariate normal density.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.stats import multivariate_normal
        >>> round(float(multivariate_normal.pdf(np.zeros(2), cov=np.eye(2))), 6)   # 1/(2π)
        0.159155
    """
    return exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean=None, cov=1):
    """The differential entropy ½ log det(2πe·cov) (it does not depend on the mean).

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.stats import multivariate_normal
        >>> round(float(multivariate_normal.entropy(cov=np.eye(2))), 6)   # 1 + log 2π
        2.837877
    """
    d = _dimension(mean, cov)
    lower = _cholesky(_covariance(cov, d), d)
    log_det = sum((2 * log(lower[i][i]) for i in range(d)), 0.0)
    return 0.5 * (d * (1 + math.log(2 * math.pi)) + log_det)


__all__ = ["entropy", "logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("multivariate_normal", name)
