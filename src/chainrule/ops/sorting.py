"""Sorting and order statistics: sort, partition, quantile, percentile, median.

Each is a gather: the order is found on the values (argsort, no derivative), and the
elements are picked with take_along_axis, so each output element's derivative is 1
with respect to the input element it came from. Ties: the order is NumPy's stable
sort, so among equal values the gradient goes to the one that comes first in the
stable order, never split (a choice inside the subdifferential, as PyTorch's sort).
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import normalize_axes, value_of
from .arrays import operand, ravel, take, take_along_axis
from .elementwise import where
from .shape import expand_dims, stack

argsort_op = defop("argsort", lambda x, axis=-1, kind=None: np.argsort(x, axis=axis, kind=kind), nondiff=True)


def argsort(x, axis=-1, kind=None):
    """Indices that sort x along `axis` (the flattened x when None), as numpy.argsort; no derivative.

    Example:
        >>> import chainrule as cr
        >>> cr.argsort(cr.tensor([3.0, 1.0, 2.0]))
        tensor([1, 2, 0])
    """
    if axis is None:
        x, axis = ravel(x), 0
    return argsort_op(x, axis=normalize_axes(axis, np.ndim(value_of(x)))[0], kind=kind)


def sort(x, axis=-1):
    """Sorted copy along `axis` (flattened when None), as numpy.sort; ties by stable order.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([3.0, 1.0, 2.0], requires_grad=True)
        >>> (cr.sort(x) * cr.tensor([1.0, 10.0, 100.0])).sum().backward(); x.grad
        tensor([100.,   1.,  10.])
    """
    x = operand(x)
    if axis is None:
        x, axis = ravel(x), 0
    return take_along_axis(x, np.argsort(value_of(x), axis=axis, kind="stable"), axis=axis)


def partition(x, kth, axis=-1):
    """x rearranged so the kth element is in its sorted place, smaller before and larger after,
    as numpy.partition (the same arrangement: it gathers by numpy.argpartition).

    Example:
        >>> import chainrule as cr
        >>> cr.partition(cr.tensor([3.0, 1.0, 2.0]), 0)[0]
        tensor(1.)
    """
    x = operand(x)
    if axis is None:
        x, axis = ravel(x), 0
    return take_along_axis(x, np.argpartition(value_of(x), kth, axis=axis), axis=axis)


def _quantile_1(s, q, axis, keepdims):
    """Linear interpolation between the order statistics around q·(n-1) of sorted s."""
    n = np.shape(value_of(s))[axis]
    if n == 0:
        raise ValueError("quantile of an empty slice is undefined")
    pos = float(q) * (n - 1)
    lo = int(np.floor(pos))
    hi, w = min(lo + 1, n - 1), pos - lo
    out = take(s, lo, axis=axis) if w == 0 else take(s, lo, axis=axis) * (1 - w) + take(s, hi, axis=axis) * w
    return expand_dims(out, axis) if keepdims else out


def quantile(x, q, axis=None, keepdims=False, method="linear"):
    """The q-th quantile(s) along `axis`, as numpy.quantile with method="linear" (its default):
    interpolated between the two nearest order statistics, each weighted by its nearness.

    Example:
        >>> import chainrule as cr
        >>> cr.quantile(cr.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5)
    """
    if method != "linear":
        raise ValueError(f"quantile: only method='linear' is differentiable here, not {method!r}")
    qs = np.asarray(q, dtype=np.float64)
    if qs.ndim > 1 or ((qs < 0) | (qs > 1)).any():
        raise ValueError("quantile: q must be a number or a 1-d array of numbers in [0, 1]")
    ndim = np.ndim(value_of(x))
    if axis is None:
        s = sort(ravel(x), axis=0)
        results = [_quantile_1(s, qi, 0, False) for qi in np.atleast_1d(qs)]
        if keepdims:
            results = [expand_dims(r, tuple(range(ndim))) if ndim else r for r in results]
    else:
        axis = normalize_axes(axis, ndim)
        if len(axis) != 1:
            raise ValueError("quantile: give one axis (or None)")
        s = sort(x, axis=axis[0])
        results = [_quantile_1(s, qi, axis[0], keepdims) for qi in np.atleast_1d(qs)]
    out = results[0] if qs.ndim == 0 else stack(results, axis=0)
    nan_slices = np.isnan(value_of(x)).any(axis=axis, keepdims=keepdims) if value_of(x).dtype.kind == "f" else False
    if np.any(nan_slices):  # as NumPy: a slice holding a NaN has a NaN quantile (sorting put it last)
        out = where(nan_slices, np.nan, out)
    return out


def percentile(x, q, axis=None, keepdims=False, method="linear"):
    """The q-th percentile(s) (q in [0, 100]), quantile(x, q / 100), as numpy.percentile.

    Example:
        >>> import chainrule as cr
        >>> cr.percentile(cr.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), 25)
        tensor(2.)
    """
    return quantile(x, np.asarray(q, dtype=np.float64) / 100, axis=axis, keepdims=keepdims, method=method)


def median(x, axis=None, keepdims=False):
    """The median along `axis`: the middle order statistic, or the mean of the two middle ones.

    Example:
        >>> import chainrule as cr
        >>> cr.median(cr.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]]), axis=1)
        tensor([2., 4.])
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


__all__ = ["argsort", "sort", "partition", "quantile", "percentile", "median"]
