"""Small helpers shared by derivative rules (they accept arrays or Tensors)."""

from __future__ import annotations

import numpy as np

from ..core.backend import array_like, device_of, like, to_device
from ..core.tensor import STAND_IN_TYPES, Tensor, array_of

READ_ONLY_ZEROS: dict = {}  # dtype -> its read-only 0-d zero (a hot path may read this dict directly)


def read_only_zero(dtype):
    """A shared, read-only 0-d zero of `dtype` (a kernel's or a rule's constant; made once per dtype).

    Example:
        >>> read_only_zero(np.dtype(np.float32)).dtype, read_only_zero(np.dtype(np.float32)).flags.writeable
        (dtype('float32'), False)
    """
    zero = READ_ONLY_ZEROS.get(dtype)
    if zero is None:
        zero = READ_ONLY_ZEROS[dtype] = np.zeros((), dtype)
        zero.flags.writeable = False
    return zero


def value_of(x):
    """The ndarray behind x (a Tensor's data, or x itself).

    Under vmap, x may stand for a whole batch (it has a batch axis `_bdim`):
    then its value is the batch as a constant tensor, so masks and indices
    computed from it with ops are batched too, and NumPy refuses it loudly
    rather than reading one example.
    """
    if is_stand_in(x):
        return x.detach()
    return array_of(x)  # core's one helper


def is_stand_in(x):
    """Whether x is a vmap stand-in: one example's shape, standing for a batch (its array is no example's).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> seen = []
        >>> _ = cr.vmap(lambda t: seen.append(is_stand_in(t)) or t)(np.ones((2, 3)))
        >>> seen, is_stand_in(cr.ones(3))
        ([True], False)
    """
    return type(x) in STAND_IN_TYPES


def every_value(x):
    """Every value x stands for, to check them (a vmap stand-in: its whole batch), as an ndarray.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> seen = []
        >>> _ = cr.vmap(lambda t: seen.append(every_value(t).tolist()) or t)(np.array([[1, 2], [3, 4]]))
        >>> seen
        [[[1, 2], [3, 4]]]
    """
    while is_stand_in(x):
        x = x._value
    return array_of(x)


def device_like(x):
    """The `like=` argument that makes a new array on x's device (None for NumPy data: no dispatch)."""
    return like(x._data if isinstance(x, Tensor) else x)


def zeros_like(x):
    """Zeros shaped like x, as a constant: an ndarray, or a Tensor if x is one."""
    z = np.zeros(np.shape(x), value_of(x).dtype, like=device_like(x))
    return Tensor._wrap(z) if isinstance(x, Tensor) else z


def constant_like(values, like):
    """`values` (an ndarray computed from data) cast to like's dtype, as a constant."""
    dtype = value_of(like).dtype
    if type(values) in STAND_IN_TYPES:  # computed from a batch under vmap: stays a (batched) tensor
        return values if values.dtype == dtype else values.astype(dtype)
    reference = like._data if isinstance(like, Tensor) else like
    values = array_like(values, dtype, reference)
    if type(values) is np.ndarray and type(reference) is not np.ndarray and device_like(reference) is not None:
        values = to_device(values, device_of(reference))  # a constant made on the host: placed beside `like`
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
