"""Small helpers shared by derivative rules (they accept arrays or Tensors)."""

from __future__ import annotations

import numpy as np

from ..core.tensor import Tensor


def value_of(x):
    """The ndarray behind x (a Tensor's data, or x itself)."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def zeros_like(x):
    """Zeros shaped like x, as a constant: an ndarray, or a Tensor if x is one."""
    z = np.zeros_like(value_of(x))
    return Tensor._wrap(z) if isinstance(x, Tensor) else z


def constant_like(values, like):
    """`values` (an ndarray computed from data) cast to like's dtype, as a constant."""
    values = np.asarray(values, dtype=value_of(like).dtype)
    return Tensor._wrap(values) if isinstance(like, Tensor) else values


def normalize_axes(axis, ndim):
    """axis (None, int or tuple) as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for {ndim} dimensions")
        out.append(int(a) % max(ndim, 1))
    return tuple(sorted(out))


def keepdims_shape(shape, axis):
    """The shape a reduction over `axis` has with keepdims=True."""
    axes = normalize_axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def select(mask, g):
    """`where(mask, g, 0)`: g where the bool `mask` holds, exactly 0 elsewhere (even where g is inf or nan).

    On arrays, a multiply by the mask is branch-free and runs about ten times
    faster than np.where on a large mixed mask (relu's backward, every step);
    np.where is kept for small arrays and wherever the product is not finite.

    Example:
        >>> import numpy as np
        >>> select(np.array([True, False]), np.array([2.0, np.inf]))
        array([2., 0.])
    """
    from .elementwise import where

    if type(g) is not np.ndarray or type(mask) is not np.ndarray or mask.dtype != np.bool_:
        return where(mask, g, 0)
    if g.size >= _BRANCH_FREE_SIZE:
        out = g * mask
        if np.isfinite(out).all():
            return out
    return np.where(mask, g, 0)


_BRANCH_FREE_SIZE = 4096
