"""Small helpers shared by derivative rules (they accept arrays or Tensors)."""

from __future__ import annotations

import numpy as np

from ..core.tensor import Tensor, array_of

value_of = array_of  # the ndarray behind x (a Tensor's data, or x itself): core's one helper


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
