"""Dirichlet distribution, as scipy.stats.dirichlet (concentration alpha of length K).

`x` holds the components along its FIRST axis, as in scipy: shape (K,) or
(K, N) for N points; K - 1 components may be given, the last then being
1 minus their sum.

Example:
    >>> import numpy as np
    >>> from chainrule.scipy.stats import dirichlet
    >>> float(dirichlet.pdf(np.array([0.2, 0.8]), np.array([1.0, 1.0])))   # flat on the simplex
    1.0
"""

from __future__ import annotations

from ...ops.elementwise import exp
from ...ops.reduce import sum
from ...ops.shape import concatenate, reshape
from ...special import gammaln, xlogy
from ._common import as_float, passthrough


def _components(x, k):
    x = as_float(x)
    if x.shape[0] == k - 1:  # the last component is implied by the others
        rest = 1 - sum(x, axis=0, keepdims=True)
        x = concatenate([x, rest], axis=0)
    if x.ndim not in (1, 2) or x.shape[0] != k:
        raise ValueError(f"dirichlet: x must have {k} (or {k - 1}) components along its first axis, "
                         f"got shape {x.shape}")
    return x


def logpdf(x, alpha):
    """Σ (alpha_i - 1) log x_i - log B(alpha), B(alpha) = Π Γ(alpha_i) / Γ(Σ alpha_i).

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.stats import dirichlet
        >>> round(float(dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 3.0]))), 6)
        1.695211
    """
    alpha = as_float(alpha)
    if alpha.ndim != 1:
        raise ValueError(f"dirichlet: alpha must be one-dimensional, got shape {alpha.shape}")
    x = _components(x, alpha.shape[0])
    weights = alpha if x.ndim == 1 else reshape(alpha, (-1, 1))
    log_norm = gammaln(sum(alpha)) - sum(gammaln(alpha))
    return sum(xlogy(weights - 1, x), axis=0) + log_norm


def pdf(x, alpha):
    """The Dirichlet density.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.stats import dirichlet
        >>> round(float(dirichlet.pdf(np.array([0.5, 0.5]), np.array([2.0, 2.0]))), 6)
        1.5
    """
    return exp(logpdf(x, alpha))


__all__ = ["logpdf", "pdf"]


def __getattr__(name):  # rvs, mean, var, ...: SciPy's own, on plain values
    return passthrough("dirichlet", name)
