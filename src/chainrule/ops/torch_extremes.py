"""torch.max / torch.min with PyTorch's three meanings, and NumPy's axis= besides.

- `max(x)`: the largest element (the gradient split evenly over ties, as PyTorch's full reduction);
- `max(x, dim)` / `x.max(dim=1)`: the named tuple (values, indices) along dim, the gradient going to
  the one index returned (the first of tied entries), as PyTorch's max(dim);
- `max(a, b)` with a tensor b: the elementwise maximum (cr.maximum);
- `max(x, axis=1)`: NumPy's amax along the axis, the values only (ties split evenly), which is what
  `chainrule.numpy.max` and NumPy code reach.

The op table's rows are `OPS["max"]` / `OPS["min"]` (NumPy's amax / amin, ops/reduce.py).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..core.tensor import Tensor
from ._util import value_of
from .arrays import take_along_axis
from .elementwise import maximum, minimum
from .reduce import max as amax
from .reduce import min as amin
from .shape import squeeze

max_result = namedtuple("max", ["values", "indices"])
max_result.__doc__ = """What max(x, dim) returns: (values, indices), readable by name.

Example:
    >>> import chainrule as cr
    >>> cr.max(cr.tensor([[1.0, 3.0], [4.0, 2.0]]), 1).indices.tolist()
    [1, 0]
"""
min_result = namedtuple("min", ["values", "indices"])
min_result.__doc__ = """What min(x, dim) returns: (values, indices), readable by name.

Example:
    >>> import chainrule as cr
    >>> cr.min(cr.tensor([[1.0, 3.0], [4.0, 2.0]]), 1).values.tolist()
    [1.0, 2.0]
"""


def _is_other(dim):
    """True when max's second argument is a second tensor (torch.max(a, b)), not a dim."""
    return dim is not None and not isinstance(dim, (int, np.integer)) and (
        isinstance(dim, Tensor) or np.ndim(dim) > 0 or isinstance(dim, (float, np.floating)))


def _along(input, dim, keepdim, pick, result):
    x = value_of(input)
    if np.ndim(x) == 0:
        if dim not in (0, -1):
            raise IndexError(f"dimension out of range (expected to be in range of [-1, 0], but got {dim})")
        return result(input, Tensor(np.array(0, dtype=np.int64)))
    indices = pick(x, axis=dim, keepdims=True).astype(np.int64)
    values = take_along_axis(input, indices, axis=dim)
    if not keepdim:
        values, indices = squeeze(values, dim), np.squeeze(indices, axis=dim)
    return result(values, Tensor(indices))


def _extreme(reduce_op, pick, pairwise, result, input, dim, keepdim, axis, keepdims, other):
    if other is not None or _is_other(dim):
        return pairwise(input, dim if other is None else other)
    if dim is None:
        return reduce_op(input, axis=axis, keepdims=bool(keepdim or keepdims))
    if axis is not None:
        raise TypeError("got both dim= and axis=; give one of them")
    return _along(input, dim, keepdim, pick, result)


def max(input, dim=None, keepdim=False, *, axis=None, keepdims=False, other=None):
    """The largest element; along `dim`, (values, indices); of two tensors, the elementwise maximum.

    `axis=` is NumPy's (the values along the axis, ties splitting the gradient evenly).

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([[1.0, 3.0], [4.0, 2.0]])
        >>> cr.max(x), cr.max(x, axis=0)
        (tensor(4.), tensor([4., 3.]))
        >>> values, indices = cr.max(x, 1)
        >>> values, indices
        (tensor([3., 4.]), tensor([1, 0]))
        >>> cr.max(x, cr.tensor([2.0, 2.0]))
        tensor([[2., 3.],
                [4., 2.]])
    """
    return _extreme(amax, np.argmax, maximum, max_result, input, dim, keepdim, axis, keepdims, other)


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=False, other=None):
    """The smallest element; along `dim`, (values, indices); of two tensors, the elementwise minimum.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([[1.0, 3.0], [4.0, 2.0]])
        >>> cr.min(x), cr.min(x, axis=1), cr.min(x, 0).indices
        (tensor(1.), tensor([1., 2.]), tensor([0, 1]))
    """
    return _extreme(amin, np.argmin, minimum, min_result, input, dim, keepdim, axis, keepdims, other)


__all__ = ["max", "min"]
