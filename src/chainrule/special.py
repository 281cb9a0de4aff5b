"""`cr.special`: scipy.special's differentiable functions, with SciPy's names and signatures.

Each is a row of the op table (src/chainrule/ops/special.py) or an exact
composite of rows, so gradients, JVPs and derivatives of any order work.
SciPy computes the values and is imported on first use (`pip install
"chainrule[scipy]"`).

Example:
    >>> import chainrule as cr
    >>> x = cr.tensor(0.5, dtype="float64", requires_grad=True)
    >>> cr.special.gammaln(x).backward()
    >>> round(float(x.grad), 6)   # digamma(0.5) = -γ - 2 ln 2
    -1.96351
"""

from __future__ import annotations

import math

import numpy as np

from .core.tensor import Tensor
from .ops._util import keepdims_shape, normalize_axes, value_of
from .ops.elementwise import exp, log, sigmoid
from .ops.reduce import logsumexp as _logsumexp_op
from .ops.reduce import sum as _sum
from .ops.shape import reshape, squeeze
from .ops.special import (
    beta,
    betainc,
    betaln,
    digamma,
    entr,
    erf,
    erfc,
    erfcinv,
    erfcx,
    erfinv,
    exp1,
    expi,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    gammasgn,
    i0,
    i0e,
    i1,
    i1e,
    iv_op,
    ive_op,
    j0,
    j1,
    jv_op,
    k0,
    k0e,
    k1,
    k1e,
    kv_op,
    kve_op,
    log_expit,
    log_ndtr,
    logit,
    ndtr,
    ndtri,
    passthrough,
    polygamma_op,
    rgamma,
    stdtr,
    xlog1py,
    xlogy,
    y0,
    y1,
    yv_op,
)

psi = digamma


def _order(name, v, integer=False):
    """The order argument as a Python number: it is a parameter of the op, with no derivative."""
    if isinstance(v, Tensor) and v.requires_grad:
        raise TypeError(f"{name}: no derivative with respect to the order; pass it as a number")
    v = value_of(v)
    if v.ndim:
        raise TypeError(f"{name}: the order must be one number, got an array of shape {v.shape}")
    v = v.item()
    if integer:
        if v != int(v):
            raise ValueError(f"{name}: the order must be an integer, got {v}")
        return int(v)
    return float(v) if isinstance(v, float) else v


def polygamma(n, x):
    """The n-th derivative of digamma, as scipy.special.polygamma(n, x) (n an integer >= 0).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.polygamma(1, 1.0)), 9)   # π²/6
        1.644934067
    """
    n = _order("polygamma", n, integer=True)
    if n < 0:
        raise ValueError(f"polygamma: n must be >= 0, got {n}")
    return digamma(x) if n == 0 else polygamma_op(x, n=n)


def jv(v, x):
    """Bessel function of the first kind of real order v, differentiable in x (scipy.special.jv).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.jv(0, 1.0)), 6)
        0.765198
    """
    return jv_op(x, v=_order("jv", v))


def yv(v, x):
    """Bessel function of the second kind of real order v, differentiable in x (scipy.special.yv).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.yv(1, 1.0)), 6)
        -0.781213
    """
    return yv_op(x, v=_order("yv", v))


def jn(n, x):
    """Bessel function of the first kind of integer order n (scipy.special.jn).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.jn(2, 1.0)), 6)
        0.114903
    """
    return jv_op(x, v=_order("jn", n, integer=True))


def yn(n, x):
    """Bessel function of the second kind of integer order n (scipy.special.yn).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.yn(2, 1.0)), 6)
        -1.650683
    """
    return yv_op(x, v=_order("yn", n, integer=True))


def iv(v, x):
    """Modified Bessel function of the first kind of real order v, differentiable in x (scipy.special.iv).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.iv(0, 1.0)), 6)
        1.266066
    """
    return iv_op(x, v=_order("iv", v))


def ive(v, x):
    """iv(v, x)·exp(-|x|), the exponentially scaled form (scipy.special.ive).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.ive(0, 1.0)), 6)
        0.46576
    """
    return ive_op(x, v=_order("ive", v))


def kv(v, x):
    """Modified Bessel function of the second kind of real order v, differentiable in x (scipy.special.kv).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.kv(0, 1.0)), 6)
        0.421024
    """
    return kv_op(x, v=_order("kv", v))


def kve(v, x):
    """kv(v, x)·exp(x), the exponentially scaled form (scipy.special.kve).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.kve(0, 1.0)), 6)
        1.144463
    """
    return kve_op(x, v=_order("kve", v))


def expit(x):
    """The logistic sigmoid 1/(1 + exp(-x)) (scipy.special.expit; the same op as cr.sigmoid).

    Example:
        >>> import chainrule as cr
        >>> float(cr.special.expit(0.0))
        0.5
    """
    return sigmoid(x)


def multigammaln(a, d):
    """Log of the multivariate gamma function of dimension d (scipy.special.multigammaln).

    A composite: d(d-1)/4·ln π + Σ_{j<d} gammaln(a - j/2).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.multigammaln(3.0, 2)), 6)
        1.550195
    """
    d = _order("multigammaln", d, integer=True)
    if d < 1:
        raise ValueError(f"multigammaln: d must be a positive integer, got {d}")
    if np.any(value_of(a) <= (d - 1) / 2):
        raise ValueError(f"multigammaln: every a must be greater than (d - 1)/2 = {(d - 1) / 2}")
    total = d * (d - 1) / 4 * math.log(math.pi)
    for j in range(d):
        total = total + gammaln(a - j / 2)
    return total


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log Σ b·exp(a) over `axis`, computed stably, as scipy.special.logsumexp.

    Without `b` this is the `logsumexp` op. With weights b (differentiable too)
    it is log Σ b·exp(a - m) + m, m the maximum of a held constant: the value
    does not depend on m, so neither does the gradient. Negative sums give nan
    unless `return_sign=True`, which returns (log|Σ|, sign).

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.logsumexp([0.0, 0.0], b=[1.0, 3.0])), 6)   # log 4
        1.386294
    """
    if np.ndim(value_of(a)) == 0:  # as scipy: a number is a 1-element array (so axis=0 works on it)
        a = reshape(a if isinstance(a, Tensor) else np.asarray(a, dtype=np.result_type(a, 1.0)), (1,))
    if b is None and not return_sign:
        return _logsumexp_op(a, axis=axis, keepdims=keepdims)
    values = value_of(a)
    ndim = values.ndim
    if values.size:
        shift = np.max(values, axis=axis, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0.0)
    else:
        shift = np.zeros(keepdims_shape(values.shape, axis))
    total = _sum(exp(a - shift) if b is None else b * exp(a - shift), axis=axis, keepdims=True)
    axes = normalize_axes(axis, ndim)
    if return_sign:
        signs = np.sign(value_of(total))
        out = log(total * signs) + shift
        return (out, signs) if keepdims else (squeeze(out, axes), np.squeeze(signs, axis=axes))
    with np.errstate(invalid="ignore"):  # a negative sum is nan, as in scipy
        out = log(total) + shift
    return out if keepdims else squeeze(out, axes)


def softmax(x, axis=None):
    """exp(x) / Σ exp(x) over `axis` (all elements when None), as scipy.special.softmax.

    Example:
        >>> import chainrule as cr
        >>> cr.special.softmax(cr.tensor([0.0, 0.0]))
        tensor([0.5, 0.5])
    """
    return exp(log_softmax(x, axis=axis))


def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis` (all elements when None), as scipy.special.log_softmax.

    Example:
        >>> import chainrule as cr
        >>> round(float(cr.special.log_softmax(cr.tensor([0.0, 0.0]))[0]), 6)
        -0.693147
    """
    return x - _logsumexp_op(x, axis=axis, keepdims=True)


def __getattr__(name):  # scipy.special's other functions (comb, factorial, ...), on plain values
    return passthrough("scipy.special", name)


__all__ = [
    "beta", "betainc", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv", "erfcx", "erfinv", "exp1",
    "expi", "expit", "gamma", "gammainc", "gammaincc", "gammaln", "gammasgn", "i0", "i0e", "i1", "i1e", "iv",
    "ive", "j0", "j1", "jn", "jv", "k0", "k0e", "k1", "k1e", "kv", "kve", "log_expit", "log_ndtr",
    "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "rgamma",
    "softmax", "stdtr", "xlog1py", "xlogy", "y0", "y1", "yn", "yv",
]
