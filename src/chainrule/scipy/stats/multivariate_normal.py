"""Multivariate normal distribution, as scipy.stats.multivariate_normal; differentiable in x, mean and cov.

The covariance is factored by cr.linalg's Cholesky op and the points
whitened by its triangular solve, rows of the op table both, so derivatives
of every order flow through them. `cov` is used through its
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

from ...core.errors import OpError
from ...linalg import cholesky, solve_triangular
from ...ops._util import value_of
from ...ops.elementwise import exp, log
from ...ops.reduce import sum
from ...ops.shape import getitem, reshape, transpose
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


def _cholesky(a):
    try:
        return cholesky(a)
    except (np.linalg.LinAlgError, OpError):
        raise np.linalg.LinAlgError("multivariate_normal: cov is not positive definite") from None


def _whiten(diff, lower, d):
    """z with L z = diff along the last axis, for every point (the leading axes)."""
    points = reshape(diff, (-1, d))
    z = solve_triangular(lower, transpose(points), lower=True)  # (d, number of points)
    return reshape(transpose(z), np.shape(value_of(diff)))


def _log_det(lower, d):
    return 2 * sum(log(getitem(lower, index=(np.arange(d), np.arange(d)))))


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
    lower = _cholesky(_covariance(cov, d))
    z = _whiten(_points(x, d) - mean, lower, d)
    maha = sum(z * z, axis=-1)
    return -0.5 * (d * math.log(2 * math.pi) + _log_det(lower, d) + maha)


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
    return 0.5 * (d * (1 + math.log(2 * math.pi)) + _log_det(_cholesky(_covariance(cov, d)), d))


__all__ = ["entropy", "logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("multivariate_normal", name)
