"""NumPy's statistics and signal functions, as composites: NaN-ignoring reductions, average,
ptp, cov, corrcoef, select, interp and convolve.

NaN-ignoring reductions mask NaNs out with `where`, so a NaN entry gets gradient 0.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array
from ..core.engine_ops import broadcast_to
from ..core.tensor import Tensor
from ._util import device_like, normalize_axes, value_of
from .arrays import diagonal, operand, pad
from .cumulative import cumprod, cumsum, diff
from .elementwise import sqrt, where
from .joining import atleast_2d
from .linalg import matmul
from .reduce import max, mean, min, prod, sqrt_or_zero, sum
from .shape import concatenate, getitem, reshape, squeeze, transpose


def _present(x):
    return ~np.isnan(value_of(x))


def nansum(x, axis=None, keepdims=False):
    """Sum treating NaN as 0, as numpy.nansum (a NaN entry's gradient is 0).

    Example:
        >>> import chainrule as cr
        >>> cr.nansum(cr.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    return sum(where(_present(x), x, 0.0), axis=axis, keepdims=keepdims)


def _count_present(x, axis, keepdims):
    return np.sum(_present(x), axis=normalize_axes(axis, np.ndim(value_of(x))), keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean of the non-NaN entries, as numpy.nanmean (an all-NaN slice gives NaN).

    Example:
        >>> import chainrule as cr
        >>> cr.nanmean(cr.tensor([1.0, float("nan"), 3.0]))
        tensor(2.)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return nansum(x, axis=axis, keepdims=keepdims) / _count_present(x, axis, keepdims).astype(value_of(x).dtype)


def nanvar(x, axis=None, ddof=0, keepdims=False):
    """Variance of the non-NaN entries, as numpy.nanvar.

    Example:
        >>> import chainrule as cr
        >>> cr.nanvar(cr.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    present = _present(x)
    centred = where(present, x - nanmean(x, axis=axis, keepdims=True), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = (_count_present(x, axis, keepdims) - ddof).astype(value_of(x).dtype)
        return sum(centred * centred, axis=axis, keepdims=keepdims) / dof


def nanstd(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation of the non-NaN entries; gradient 0 where it is 0, as cr.std.

    Example:
        >>> import chainrule as cr
        >>> cr.nanstd(cr.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    return sqrt_or_zero(nanvar(x, axis=axis, ddof=ddof, keepdims=keepdims))


def _without_nan(x, fill):
    return where(_present(x), x, fill)


def nanmax(x, axis=None, keepdims=False):
    """Maximum ignoring NaN, as numpy.nanmax (an all-NaN slice gives NaN; ties split as in max).

    Example:
        >>> import chainrule as cr
        >>> cr.nanmax(cr.tensor([1.0, float("nan"), 3.0]))
        tensor(3.)
    """
    return _all_nan_is_nan(max(_without_nan(x, -np.inf), axis=axis, keepdims=keepdims), x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum ignoring NaN, as numpy.nanmin (an all-NaN slice gives NaN; ties split as in min).

    Example:
        >>> import chainrule as cr
        >>> cr.nanmin(cr.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    return _all_nan_is_nan(min(_without_nan(x, np.inf), axis=axis, keepdims=keepdims), x, axis, keepdims)


def _all_nan_is_nan(out, x, axis, keepdims):
    none_present = _count_present(x, axis, keepdims) == 0
    return where(none_present, np.nan, out) if np.any(none_present) else out


def nanprod(x, axis=None, keepdims=False):
    """Product treating NaN as 1, as numpy.nanprod.

    Example:
        >>> import chainrule as cr
        >>> cr.nanprod(cr.tensor([2.0, float("nan"), 3.0]))
        tensor(6.)
    """
    return prod(_without_nan(x, 1.0), axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None):
    """Running sum treating NaN as 0, as numpy.nancumsum.

    Example:
        >>> import chainrule as cr
        >>> cr.nancumsum(cr.tensor([1.0, float("nan"), 2.0]))
        tensor([1., 1., 3.])
    """
    return cumsum(_without_nan(operand(x), 0.0), axis=axis)


def nancumprod(x, axis=None):
    """Running product treating NaN as 1, as numpy.nancumprod.

    Example:
        >>> import chainrule as cr
        >>> cr.nancumprod(cr.tensor([2.0, float("nan"), 3.0]))
        tensor([2., 2., 6.])
    """
    return cumprod(_without_nan(operand(x), 1.0), axis=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of y by the trapezoidal rule along `axis`, at sample points x (or spacing dx),
    as numpy.trapezoid; differentiable in y and in x.

    Example:
        >>> import chainrule as cr
        >>> cr.trapezoid(cr.tensor([0.0, 1.0, 4.0]), x=cr.tensor([0.0, 1.0, 3.0]))
        tensor(5.5)
    """
    y = operand(y)
    ndim = np.ndim(value_of(y))
    axis = normalize_axes(axis, ndim)[0]
    if x is None:
        widths = dx
    else:
        x = operand(x)
        widths = diff(x, axis=axis if np.ndim(value_of(x)) == ndim else -1)
        if np.ndim(value_of(x)) == 1 and ndim > 1:  # 1-d sample points lie along the axis
            widths = reshape(widths, tuple(-1 if d == axis else 1 for d in range(ndim)))
    index = (slice(None),) * axis
    heights = getitem(y, index=index + (slice(1, None),)) + getitem(y, index=index + (slice(None, -1),))
    return sum(widths * heights, axis=axis) / 2


def average(x, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted mean sum(w·x) / sum(w), as numpy.average; differentiable in x and in the weights.

    1-d `weights` with an integer `axis` weigh the positions along that axis.

    Example:
        >>> import chainrule as cr
        >>> cr.average(cr.tensor([1.0, 2.0, 4.0]), weights=cr.tensor([1.0, 1.0, 2.0]))
        tensor(2.75)
    """
    x = operand(x)
    if weights is None:
        avg = mean(x, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        count = np.size(value_of(x)) / np.size(value_of(avg)) if np.size(value_of(avg)) else 0
        counts = np.full(np.shape(value_of(avg)), count, dtype=value_of(avg).dtype, like=device_like(avg))
        return avg, Tensor._wrap(counts)
    weights = operand(weights)
    wshape, xshape = np.shape(value_of(weights)), np.shape(value_of(x))
    if wshape != xshape:
        if axis is None or len(wshape) != 1:
            raise ValueError(f"average: weights of shape {wshape} do not match x of shape {xshape}; "
                             "give weights of x's shape, or 1-d weights with an integer axis")
        ax = normalize_axes(axis, len(xshape))[0]
        if wshape[0] != xshape[ax]:
            raise ValueError(f"average: {wshape[0]} weights for an axis of length {xshape[ax]}")
        weights = reshape(weights, tuple(-1 if d == ax else 1 for d in range(len(xshape))))
    total = sum(x * weights, axis=axis, keepdims=keepdims)
    scale = sum(broadcast_to(weights, shape=xshape), axis=axis, keepdims=keepdims)  # weights as x's shape
    if (value_of(scale) == 0).any():
        raise ZeroDivisionError("average: the weights sum to zero, so the average is undefined")
    avg = total / scale
    return (avg, scale) if returned else avg


def ptp(x, axis=None, keepdims=False):
    """Range, max - min along `axis`, as numpy.ptp (ties of the max or min split evenly).

    Example:
        >>> import chainrule as cr
        >>> cr.ptp(cr.tensor([4.0, 1.0, 3.0]))
        tensor(3.)
    """
    return max(x, axis=axis, keepdims=keepdims) - min(x, axis=axis, keepdims=keepdims)


def cov(m, y=None, rowvar=True, bias=False, ddof=None):
    """Covariance matrix of the variables in the rows of m (columns if rowvar=False), as numpy.cov.

    Example:
        >>> import chainrule as cr
        >>> cr.cov(cr.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    if np.ndim(value_of(m)) > 2:
        raise ValueError("cov: m has more than 2 dimensions")
    xs = atleast_2d(m)
    if not rowvar and np.shape(value_of(xs))[0] != 1:
        xs = transpose(xs)
    if y is not None:
        ys = atleast_2d(y)
        if not rowvar and np.shape(value_of(ys))[0] != 1:
            ys = transpose(ys)
        xs = concatenate([xs, ys], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    n = np.shape(value_of(xs))[1]
    centred = xs - mean(xs, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return squeeze(matmul(centred, transpose(centred)) / (n - ddof))


def corrcoef(x, y=None, rowvar=True):
    """Pearson correlation coefficients, cov / (σ_i σ_j), as numpy.corrcoef (without its clipping
    to [-1, 1], which only moves rounding errors and would zero the gradient at ±1).

    Example:
        >>> import chainrule as cr
        >>> cr.corrcoef(cr.tensor([[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]]))
        tensor([[1., 1.],
                [1., 1.]])
    """
    c = cov(x, y, rowvar)
    if np.ndim(value_of(c)) == 0:
        return c / c
    s = sqrt(diagonal(c))
    return c / reshape(s, (-1, 1)) / reshape(s, (1, -1))


def select(condlist, choicelist, default=0):
    """Elementwise, the choice of the first condition that holds, else `default`, as numpy.select.

    Example:
        >>> import chainrule as cr, numpy as np
        >>> x = cr.tensor([-1.0, 0.5, 2.0])
        >>> cr.select([x.numpy() < 0, x.numpy() > 1], [-x, x * 10], default=x)
        tensor([ 1. ,  0.5, 20. ])
    """
    if len(condlist) != len(choicelist):
        raise ValueError("select: condlist and choicelist need the same length")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(as_array(value_of(cond)).astype(bool, copy=False), choice, out)
    return out


def interp(x, xp, fp, left=None, right=None):
    """Piecewise-linear interpolation of the points (xp, fp) at x, as numpy.interp: differentiable
    in fp (and left/right) and in x; xp, the increasing knots, are constants. At a knot, the
    derivative in x is the slope of the segment to its right (the last knot: to its left).

    Example:
        >>> import chainrule as cr
        >>> cr.interp(cr.tensor([0.5, 1.5]), [0.0, 1.0, 2.0], cr.tensor([0.0, 10.0, 0.0]))
        tensor([5., 5.])
    """
    xv, fp = np.asarray(value_of(x)), operand(fp)
    # the knots are constants: they take the dtype x and fp promote to, and never promote them
    knots = np.asarray(value_of(xp), dtype=np.result_type(xv, value_of(fp), np.float16))
    if knots.ndim != 1 or len(knots) < 2 or np.shape(value_of(fp)) != knots.shape:
        raise ValueError("interp: xp and fp must be 1-d of the same length, at least 2")
    seg = np.clip(np.searchsorted(knots, xv, side="right") - 1, 0, len(knots) - 2)
    x0, width = knots[seg], knots[seg + 1] - knots[seg]
    w = (x - x0) / width
    inside = getitem(fp, index=seg) * (1 - w) + getitem(fp, index=seg + 1) * w
    below = getitem(fp, index=0) if left is None else left
    above = getitem(fp, index=-1) if right is None else right
    return where(xv < knots[0], below, where(xv > knots[-1], above, inside))


def convolve(a, v, mode="full"):
    """Discrete linear convolution of two 1-d sequences, as numpy.convolve ("full", "same", "valid").

    Built of gathers, products and sums, so bilinear and exact in both: a matrix product with
    a Toeplitz gather of the longer sequence, or, when that matrix would be large, a sum of
    shifted copies of it, one per element of the shorter.

    Example:
        >>> import chainrule as cr
        >>> cr.convolve(cr.tensor([1.0, 2.0, 3.0]), cr.tensor([0.0, 1.0, 0.5]))
        tensor([0. , 1. , 2.5, 4. , 1.5])
    """
    a, v = operand(a), operand(v)
    n, m = np.shape(value_of(a)), np.shape(value_of(v))
    if len(n) != 1 or len(m) != 1 or not n[0] or not m[0]:
        raise ValueError(f"convolve: both inputs must be non-empty 1-d arrays, got shapes {n} and {m}")
    n, m = n[0], m[0]
    long, short = (n, m) if n >= m else (m, n)
    seq, kernel = (a, v) if n >= m else (v, a)  # convolution commutes: gather the longer one
    # full[k] = Σ_j seq[k - j] kernel[j]: seq zero-padded by short - 1 on both sides, read backwards
    padded = pad(seq, short - 1)
    size = long + short - 1
    if size * short <= _TOEPLITZ_LIMIT:
        toeplitz = getitem(padded, index=np.arange(size)[:, None] - np.arange(short)[None, :] + (short - 1))
        full = matmul(toeplitz, kernel)
    else:
        full = getitem(padded, index=slice(short - 1, short - 1 + size)) * getitem(kernel, index=0)
        for j in range(1, short):
            full = full + getitem(padded, index=slice(short - 1 - j, short - 1 - j + size)) * getitem(kernel, index=j)
    if mode == "full":
        return full
    if mode == "same":
        start = (short - 1) // 2
        return getitem(full, index=slice(start, start + long))
    if mode == "valid":
        return getitem(full, index=slice(short - 1, long))
    raise ValueError(f"convolve: mode must be 'full', 'same' or 'valid', not {mode!r}")


_TOEPLITZ_LIMIT = 1 << 20  # elements of the gathered matrix (8 MB in float64)

amax, amin = max, min

__all__ = ["nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanprod", "nancumsum", "nancumprod",
           "trapezoid", "average", "ptp", "cov", "corrcoef", "select", "interp",
           "convolve", "amax", "amin"]
