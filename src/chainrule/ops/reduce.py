"""Reductions over `axis=None|int|tuple` with `keepdims`, and their rules.

A reduction's adjoint has the reduced shape; `_unreduce` puts the reduced
axes back (size 1) so it broadcasts against the input again.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, like
from ..core.engine_ops import broadcast_to
from ..core.registry import defop
from ._util import constant_like, is_stand_in, keepdims_shape, normalize_axes, value_of
from .cumulative import others_product
from .elementwise import exp, where
from .shape import reshape_op


def _unreduce(g, x, axis, keepdims):
    """The reduced-shape array g reshaped to keepdims form, to broadcast against x."""
    return g if keepdims else reshape_op(g, shape=keepdims_shape(x.shape, axis))


def _reducer(fn):
    # Route every reduction through normalize_axes so error messages agree.
    def forward(x, axis=None, keepdims=False):
        x = as_array(x)
        return fn(x, axis=normalize_axes(axis, x.ndim) if axis is not None else None, keepdims=keepdims)
    return forward


def _sum_array_vjp(g, ans, x, axis=None, keepdims=False):
    # one fresh array filled by broadcasting (no view for the sweep to copy)
    out = np.empty(x.shape, dtype=g.dtype, like=like(g))
    out[...] = g if axis is None or keepdims else g.reshape(keepdims_shape(x.shape, axis))
    return out


sum = defop(
    "sum", _reducer(np.sum),
    vjp=lambda g, ans, x, axis=None, keepdims=False: broadcast_to(_unreduce(g, x, axis, keepdims), shape=x.shape),
    array_vjp=_sum_array_vjp,
    jvp="linear", derivative="1 for every summed element")


def _extreme_weights(x, ans, axis, keepdims):
    """1/k on each of the k elements that attain the max (or min), else 0."""
    x, ans = value_of(x), value_of(ans)
    hit = x == (ans if keepdims else ans.reshape(keepdims_shape(x.shape, axis)))
    return hit / np.sum(hit, axis=normalize_axes(axis, x.ndim), keepdims=True)


def _extreme_rule(d, ans, x, axis=None, keepdims=False):
    return _unreduce(d, x, axis, keepdims) * constant_like(_extreme_weights(x, ans, axis, keepdims), d)


def _extreme_jvp(t, ans, x, axis=None, keepdims=False):
    return sum(t * constant_like(_extreme_weights(x, ans, axis, keepdims), t), axis=axis, keepdims=keepdims)


max = defop("max", _reducer(np.max), vjp=_extreme_rule, jvp=_extreme_jvp,
            derivative="1 at the maximum", convention="ties split the gradient evenly (as PyTorch's amax)")
min = defop("min", _reducer(np.min), vjp=_extreme_rule, jvp=_extreme_jvp,
            derivative="1 at the minimum", convention="ties split the gradient evenly (as PyTorch's amin)")


def _prod_partials(ans, x, axis):
    """∂ prod / ∂ x_i = the product of the other elements: running products from both ends,
    no division by x_i, so exact with zeros and, built of products, to every order."""
    return others_product(x, normalize_axes(axis, np.ndim(value_of(x))))


prod = defop(
    "prod", _reducer(np.prod),
    vjp=lambda g, ans, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims) * _prod_partials(ans, x, axis),
    jvp=lambda t, ans, x, axis=None, keepdims=False: sum(t * _prod_partials(ans, x, axis),
                                                         axis=axis, keepdims=keepdims),
    derivative="product of the other elements",
    convention="exact at zeros, at every order (products of the others, no division by x)")


def _logsumexp(x, axis=None, keepdims=False):
    x = as_array(x)
    axes = normalize_axes(axis, x.ndim) if axis is not None else None
    if x.size:
        m = np.max(x, axis=axes, keepdims=True)
    else:
        m = np.zeros(keepdims_shape(x.shape, axis), x.dtype, like=like(x))
    m = np.where(np.isfinite(m), m, 0)  # all -inf: shift by 0 instead of by -inf
    with np.errstate(divide="ignore"):  # an empty or all -inf slice gives -inf, as it should
        out = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=normalize_axes(axis, x.ndim))


def _softmax_weights(ans, x, axis, keepdims):
    """exp(x - lse), the softmax along the axis, with the limits where lse is not finite:
    all -inf: weights 0; some +inf: 1/k on each of the k +inf entries, 0 elsewhere (the
    limit as they grow together, as max splits ties); a NaN along the axis: NaN weights."""
    lse = _unreduce(ans, x, axis, keepdims)
    lse_v, xv = value_of(lse), value_of(x)
    finite = np.broadcast_to(np.isfinite(lse_v), xv.shape)
    if isinstance(finite, np.ndarray) and finite.all():  # (a batch under vmap takes the general form)
        return exp(x - lse)
    # double where: exp sees only finite shifts, so its derivative is never inf · 0
    inner = exp(where(finite, x, 0.0) - where(np.isfinite(lse_v), lse, 0.0))
    return where(finite, inner, constant_like(_limit_weights(xv, lse_v, axis), x))


def _limit_weights(xv, lse_v, axis):
    top = xv == np.inf
    with np.errstate(invalid="ignore", divide="ignore"):
        split = top / np.sum(top, axis=normalize_axes(axis, xv.ndim), keepdims=True)
    return np.where(np.isnan(lse_v), np.nan, np.where(lse_v == np.inf, split, 0.0))


logsumexp = defop(
    "logsumexp", _logsumexp,
    vjp=lambda g, ans, x, axis=None, keepdims=False: _unreduce(g, x, axis, keepdims) * _softmax_weights(
        ans, x, axis, keepdims),
    jvp=lambda t, ans, x, axis=None, keepdims=False: sum(t * _softmax_weights(ans, x, axis, keepdims),
                                                         axis=axis, keepdims=keepdims),
    derivative="softmax(x) along the axis",
    convention="all -inf along the axis: gradient 0; +inf entries split 1 evenly, the rest get 0; NaN: NaN")

argmax = defop("argmax", lambda x, axis=None, keepdims=False: np.argmax(x, axis=axis, keepdims=keepdims),
               nondiff=True)
argmin = defop("argmin", lambda x, axis=None, keepdims=False: np.argmin(x, axis=axis, keepdims=keepdims),
               nondiff=True)


# ---- composites ---------------------------------------------------------------
def _count(x, axis):
    shape = np.shape(value_of(x))
    return int(np.prod([shape[a] for a in normalize_axes(axis, len(shape))], dtype=np.int64))


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis` (composite: sum / count).

    Example:
        >>> import chainrule as cr
        >>> cr.mean(cr.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
        tensor([2., 3.])
    """
    return sum(x, axis=axis, keepdims=keepdims) / _count(x, axis)


def var(x, axis=None, ddof=None, keepdims=False, *, correction=None, unbiased=None):
    """Variance over `axis`, PyTorch's convention: divided by N - correction, correction=1 (unbiased) unless told.

    `correction=` (PyTorch), `unbiased=` (PyTorch's older flag) and `ddof=` (NumPy's name) say the
    same thing; give at most one. `chainrule.numpy.var` keeps NumPy's default, ddof=0.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([1.0, 2.0, 3.0, 4.0])
        >>> float(cr.var(x)), float(cr.var(x, correction=0)), float(x.var(unbiased=False))
        (1.6666666269302368, 1.25, 1.25)
    """
    if isinstance(axis, bool):  # torch.var(x, False): the positional `unbiased`
        axis, unbiased = None, axis
    ddof = _correction("var", ddof, correction, unbiased)
    centred = x - mean(x, axis=axis, keepdims=True)
    return sum(centred * centred, axis=axis, keepdims=keepdims) / (_count(x, axis) - ddof)


def _correction(name, ddof, correction, unbiased):
    """The one number ddof=, correction= or unbiased= gave (1 when none did: PyTorch's default)."""
    given = [k for k, v in (("ddof", ddof), ("correction", correction), ("unbiased", unbiased)) if v is not None]
    if len(given) > 1:
        raise TypeError(f"{name}() got {' and '.join(given)}; give one of them (they say the same thing)")
    if unbiased is not None:
        return 1 if unbiased else 0
    if isinstance(ddof, bool):  # torch.var(x, dim, True): the positional `unbiased`
        return int(ddof)
    return next((v for v in (ddof, correction) if v is not None), 1)


def std(x, axis=None, ddof=None, keepdims=False, *, correction=None, unbiased=None):
    """Standard deviation, sqrt of `var` (unbiased unless told, as torch.std); its gradient is 0 where var
    is 0 (as autograd), so a constant slice gives gradient 0 rather than inf · 0 = NaN.

    Example:
        >>> import chainrule as cr
        >>> float(cr.std(cr.tensor([1.0, 3.0]))), float(cr.std(cr.tensor([1.0, 3.0]), correction=0))
        (1.4142135381698608, 1.0)
    """
    if isinstance(axis, bool):
        axis, unbiased = None, axis
    return sqrt_or_zero(var(x, axis=axis, ddof=_correction("std", ddof, correction, unbiased), keepdims=keepdims))


def sqrt_or_zero(v):
    """sqrt(v), with derivative 0 (not inf) where v is 0: the standard deviation's convention.

    Example:
        >>> import numpy as np
        >>> sqrt_or_zero(np.array([0.0, 4.0]))
        array([0., 2.])
    """
    from .elementwise import sqrt

    zero = value_of(v) == 0
    if not is_stand_in(v) and not zero.any():  # (under vmap no one answer for every example: the safe form)
        return sqrt(v)
    # double where: sqrt sees 1 where v is 0, so its infinite slope there is never used
    return where(zero, 0.0, sqrt(where(zero, 1.0, v)))
