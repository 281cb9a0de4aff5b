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
from .elementwise import equal, maximum, minimum, where
from .reduce import argmax, argmin, sum
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
    """(values, indices) along dim, written with ops so that vmap batches it: the values are the sum of
    the input masked to the picked index, so the gradient reaches that one entry."""
    shape = tuple(input.shape) if isinstance(input, Tensor) else np.shape(input)
    nd = len(shape)
    span = nd or 1  # (this module's max is torch.max, so no builtin max here)
    if not -span <= dim < span:
        raise IndexError(f"dimension out of range (expected to be in range of [{-span}, {span - 1}], but got {dim})")
    if nd == 0:
        return result(input, Tensor(np.array(0, dtype=np.int64)))
    axis = dim % nd
    indices = pick(input, axis=axis, keepdims=True)
    positions = np.arange(shape[axis]).reshape([-1 if d == axis else 1 for d in range(nd)])
    zero = np.zeros((), dtype=input.dtype if isinstance(input, Tensor) else np.asarray(input).dtype)
    values = sum(where(equal(indices, positions), input, zero), axis=axis, keepdims=keepdim)
    if not keepdim:
        indices = squeeze(indices, axis)
    return result(values, indices if isinstance(indices, Tensor) else Tensor(indices))


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
    return _extreme(amax, argmax, maximum, max_result, input, dim, keepdim, axis, keepdims, other)


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=False, other=None):
    """The smallest element; along `dim`, (values, indices); of two tensors, the elementwise minimum.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([[1.0, 3.0], [4.0, 2.0]])
        >>> cr.min(x), cr.min(x, axis=1), cr.min(x, 0).indices
        (tensor(1.), tensor([1., 2.]), tensor([0, 1]))
    """
    return _extreme(amin, argmin, minimum, min_result, input, dim, keepdim, axis, keepdims, other)


__all__ = ["max", "min"]
