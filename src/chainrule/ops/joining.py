"""Joining and splitting, as NumPy spells them: atleast_nd, hstack/vstack/dstack/column_stack,
append, array_split and hsplit/vsplit/dsplit; composites of reshape, concatenate and indexing.
"""

from __future__ import annotations

import numpy as np

from ._util import normalize_axes, value_of
from .arrays import ravel
from .shape import concatenate, reshape_op, split


def _ndim(x):
    return np.ndim(value_of(x))


def _shape(x):
    return np.shape(value_of(x))


def atleast_1d(*xs):
    """Each input with at least 1 dimension (0-d becomes shape (1,)), as numpy.atleast_1d.

    Example:
        >>> import chainrule as cr
        >>> cr.atleast_1d(cr.tensor(2.0)).shape
        (1,)
    """
    out = [x if _ndim(x) >= 1 else reshape_op(x, shape=(1,)) for x in xs]
    return out[0] if len(out) == 1 else out


def atleast_2d(*xs):
    """Each input with at least 2 dimensions ((n,) becomes (1, n)), as numpy.atleast_2d.

    Example:
        >>> import chainrule as cr
        >>> cr.atleast_2d(cr.zeros(3)).shape
        (1, 3)
    """
    out = [x if _ndim(x) >= 2 else reshape_op(x, shape=(1, -1) if _ndim(x) else (1, 1)) for x in xs]
    return out[0] if len(out) == 1 else out


def atleast_3d(*xs):
    """Each input with at least 3 dimensions ((n,) to (1, n, 1), (m, n) to (m, n, 1)), as numpy.atleast_3d.

    Example:
        >>> import chainrule as cr
        >>> cr.atleast_3d(cr.zeros((2, 3))).shape
        (2, 3, 1)
    """
    def lift(x):
        shape = _shape(x)
        return x if len(shape) >= 3 else reshape_op(x, shape={0: (1, 1, 1), 1: (1,) + shape + (1,)}.get(
            len(shape), shape + (1,)))

    out = [lift(x) for x in xs]
    return out[0] if len(out) == 1 else out


def _each(fn, xs):
    return [fn(x) for x in xs]


def hstack(xs):
    """Join along axis 1 (axis 0 for 1-d inputs), as numpy.hstack.

    Example:
        >>> import chainrule as cr
        >>> cr.hstack([cr.zeros(2), cr.ones(3)]).shape
        (5,)
    """
    xs = _each(atleast_1d, xs)
    return concatenate(xs, axis=0 if xs and _ndim(xs[0]) == 1 else 1)


def vstack(xs):
    """Join along axis 0 after atleast_2d, as numpy.vstack (and the old numpy.row_stack).

    Example:
        >>> import chainrule as cr
        >>> cr.vstack([cr.zeros(3), cr.ones(3)]).shape
        (2, 3)
    """
    return concatenate(_each(atleast_2d, xs), axis=0)


row_stack = vstack


def dstack(xs):
    """Join along axis 2 after atleast_3d, as numpy.dstack.

    Example:
        >>> import chainrule as cr
        >>> cr.dstack([cr.zeros(3), cr.ones(3)]).shape
        (1, 3, 2)
    """
    return concatenate(_each(atleast_3d, xs), axis=2)


def column_stack(xs):
    """1-d inputs as columns, 2-d as they are, joined along axis 1, as numpy.column_stack.

    Example:
        >>> import chainrule as cr
        >>> cr.column_stack([cr.zeros(3), cr.ones(3)]).shape
        (3, 2)
    """
    return concatenate([reshape_op(x, shape=(-1, 1)) if _ndim(x) < 2 else x for x in xs], axis=1)


def append(x, values, axis=None):
    """x with `values` joined at the end (both flattened when axis is None), as numpy.append.

    Example:
        >>> import chainrule as cr
        >>> cr.append(cr.tensor([1.0]), cr.tensor([[2.0, 3.0]]))
        tensor([1., 2., 3.])
    """
    if axis is None:
        return concatenate([ravel(x), ravel(values)], axis=0)
    return concatenate([x, values], axis=axis)


def array_split(x, indices_or_sections, axis=0):
    """Split into pieces along `axis`; k sections need not divide evenly (the first n % k
    pieces get one element more), as numpy.array_split.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.array_split(cr.zeros(5), 2)]
        [(3,), (2,)]
    """
    axis = normalize_axes(axis, _ndim(x))[0]
    if isinstance(indices_or_sections, (int, np.integer)):
        k, n = int(indices_or_sections), _shape(x)[axis]
        if k <= 0:
            raise ValueError(f"array_split: the number of sections must be positive, got {k}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        indices_or_sections = np.cumsum(sizes)[:-1].tolist()
    return split(x, indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-d inputs), as numpy.hsplit.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.hsplit(cr.zeros((2, 4)), 2)]
        [(2, 2), (2, 2)]
    """
    if _ndim(x) == 0:
        raise ValueError("hsplit needs at least a 1-d input")
    return split(x, indices_or_sections, axis=1 if _ndim(x) > 1 else 0)


def vsplit(x, indices_or_sections):
    """Split along axis 0 of an input of at least 2 dimensions, as numpy.vsplit.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.vsplit(cr.zeros((4, 2)), [1])]
        [(1, 2), (3, 2)]
    """
    if _ndim(x) < 2:
        raise ValueError("vsplit needs an input of at least 2 dimensions")
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Split along axis 2 of an input of at least 3 dimensions, as numpy.dsplit.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.dsplit(cr.zeros((1, 2, 4)), 2)]
        [(1, 2, 2), (1, 2, 2)]
    """
    if _ndim(x) < 3:
        raise ValueError("dsplit needs an input of at least 3 dimensions")
    return split(x, indices_or_sections, axis=2)


__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack", "column_stack",
           "append", "array_split", "hsplit", "vsplit", "dsplit"]
