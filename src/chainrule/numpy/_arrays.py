"""Shape and indexing NumPy functions as composites of chainrule's ops.

Every one is exact: it gathers, reorders or joins elements through
`getitem`, `concatenate`, `reshape`, `transpose` and `broadcast_to`, whose
adjoints scatter, reorder or split them back. `chainrule.numpy` prefers an
op of the same name from the op table when there is one.
"""

from __future__ import annotations

import numpy as np

from .. import ops as _ops
from ..core.tensor import Tensor
from ..ops._util import normalize_axes, value_of
from ..ops.shape import getitem as _getitem


def _ndim(x):
    return np.ndim(value_of(x))


def _shape(x):
    return np.shape(value_of(x))


def _take(x, indices, axis):
    """x[..., indices, ...] with `indices` (an int array) along `axis`."""
    return _getitem(x, index=(slice(None),) * axis + (np.asarray(indices),))


def ravel(a, order="C"):
    """The elements as a 1-D array (row-major).

    Example:
        >>> ravel(np.ones((2, 3))).shape
        (6,)
    """
    if order not in ("C", "A", "K"):
        raise ValueError(f"ravel: order={order!r} is not supported, only row-major ('C')")
    return _ops.reshape(a, (-1,))


def moveaxis(a, source, destination):
    """Move axes to new positions, the others keeping their order.

    Example:
        >>> moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    n = _ndim(a)
    src = [normalize_axes(s, n)[0] for s in np.atleast_1d(source)]
    dst = [normalize_axes(d, n)[0] for d in np.atleast_1d(destination)]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _ops.transpose(a, tuple(order))


def rollaxis(a, axis, start=0):
    """Roll `axis` backwards until it lies before position `start` (NumPy's older moveaxis).

    Example:
        >>> rollaxis(np.zeros((2, 3, 4)), 2).shape
        (4, 2, 3)
    """
    n = _ndim(a)
    axis, start = axis % n, start % (n + 1)
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


def atleast_1d(*arys):
    """Inputs viewed with at least one axis (a list for several inputs).

    Example:
        >>> atleast_1d(2.0).shape
        (1,)
    """
    out = [a if _ndim(a) >= 1 else _ops.reshape(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    """Inputs with at least two axes: a vector becomes a row.

    Example:
        >>> atleast_2d(np.ones(3)).shape
        (1, 3)
    """
    out = [a if _ndim(a) >= 2 else _ops.reshape(a, (1, -1) if _ndim(a) == 1 else (1, 1)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    """Inputs with at least three axes: (N,) -> (1, N, 1), (M, N) -> (M, N, 1).

    Example:
        >>> atleast_3d(np.ones((2, 3))).shape
        (2, 3, 1)
    """
    def lift(a):
        shape = _shape(a)
        return a if len(shape) >= 3 else _ops.reshape(a, {0: (1, 1, 1), 1: (1,) + shape + (1,)}.get(
            len(shape), shape + (1,)))
    out = [lift(a) for a in arys]
    return out[0] if len(out) == 1 else out


def vstack(tup):
    """Stack along the first axis (vectors become rows).

    Example:
        >>> vstack([np.ones(3), np.zeros(3)]).shape
        (2, 3)
    """
    return _ops.concatenate([atleast_2d(a) for a in tup], axis=0)


row_stack = vstack


def hstack(tup):
    """Stack along the second axis (the first for vectors).

    Example:
        >>> hstack([np.ones(2), np.zeros(3)]).shape
        (5,)
    """
    arrays = [atleast_1d(a) for a in tup]
    return _ops.concatenate(arrays, axis=0 if _ndim(arrays[0]) == 1 else 1)


def dstack(tup):
    """Stack along the third axis.

    Example:
        >>> dstack([np.ones((2, 2)), np.zeros((2, 2))]).shape
        (2, 2, 2)
    """
    return _ops.concatenate([atleast_3d(a) for a in tup], axis=2)


def column_stack(tup):
    """Vectors as columns of a matrix; matrices joined along axis 1.

    Example:
        >>> column_stack([np.ones(3), np.zeros(3)]).shape
        (3, 2)
    """
    return _ops.concatenate([_ops.reshape(a, (-1, 1)) if _ndim(a) < 2 else a for a in tup], axis=1)


def array_split(ary, indices_or_sections, axis=0):
    """Split into pieces; unlike split, sections need not divide the length evenly.

    Example:
        >>> [p.shape for p in array_split(np.zeros(5), 2)]
        [(3,), (2,)]
    """
    axis = normalize_axes(axis, _ndim(ary))[0]
    n = _shape(ary)[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        size, extra = divmod(n, int(indices_or_sections))
        sizes = [size + 1] * extra + [size] * (int(indices_or_sections) - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    else:
        bounds = [0] + [min(int(i), n) for i in indices_or_sections] + [n]
    return [_getitem(ary, index=(slice(None),) * axis + (slice(lo, max(lo, hi)),))
            for lo, hi in zip(bounds[:-1], bounds[1:])]


def split(ary, indices_or_sections, axis=0):
    """Split into equal sections, or at the given indices, as numpy.split.

    Example:
        >>> [p.shape for p in split(np.zeros((4, 2)), [1, 3])]
        [(1, 2), (2, 2), (1, 2)]
    """
    if isinstance(indices_or_sections, (int, np.integer)):
        n = _shape(ary)[axis]
        if n % indices_or_sections:
            raise ValueError(f"split: array of {n} along axis {axis} does not divide into {indices_or_sections}")
    return array_split(ary, indices_or_sections, axis)


def vsplit(ary, indices_or_sections):
    """split along axis 0.

    Example:
        >>> len(vsplit(np.zeros((4, 2)), 2))
        2
    """
    return split(ary, indices_or_sections, 0)


def hsplit(ary, indices_or_sections):
    """split along axis 1 (axis 0 for vectors).

    Example:
        >>> len(hsplit(np.zeros((2, 4)), 4))
        4
    """
    return split(ary, indices_or_sections, 1 if _ndim(ary) > 1 else 0)


def dsplit(ary, indices_or_sections):
    """split along axis 2.

    Example:
        >>> len(dsplit(np.zeros((2, 2, 4)), 2))
        2
    """
    return split(ary, indices_or_sections, 2)


def flip(m, axis=None):
    """Reverse the order of elements along the given axes (all by default).

    Example:
        >>> flip(np.arange(3.0))
        array([2., 1., 0.])
    """
    n = _ndim(m)
    axes = normalize_axes(axis, n)
    return _getitem(m, index=tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(n)))


def fliplr(m):
    """flip along axis 1.

    Example:
        >>> fliplr(np.array([[1.0, 2.0]]))
        array([[2., 1.]])
    """
    return flip(m, 1)


def flipud(m):
    """flip along axis 0.

    Example:
        >>> flipud(np.array([1.0, 2.0]))
        array([2., 1.])
    """
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90° k times in the plane of `axes`.

    Example:
        >>> rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[2., 4.],
               [1., 3.]])
    """
    k %= 4
    a0, a1 = axes
    for _ in range(k):
        m = _ops.swapaxes(flip(m, a1), a0, a1)
    return m


def roll(a, shift, axis=None):
    """Shift elements cyclically along `axis` (the flattened array when None).

    Example:
        >>> roll(np.arange(4.0), 1)
        array([3., 0., 1., 2.])
    """
    if axis is None:
        return _ops.reshape(roll(ravel(a), shift, 0), _shape(a))
    shifts, axes = np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))
    for s, ax in zip(shifts, axes):
        ax = normalize_axes(int(ax), _ndim(a))[0]
        n = _shape(a)[ax]
        a = _take(a, (np.arange(n) - int(s)) % max(n, 1), ax)
    return a


def repeat(a, repeats, axis=None):
    """Repeat each element `repeats` times along `axis` (flattened when None).

    Example:
        >>> repeat(np.array([1.0, 2.0]), 2)
        array([1., 1., 2., 2.])
    """
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axes(axis, _ndim(a))[0]
    return _take(a, np.repeat(np.arange(_shape(a)[axis]), repeats), axis)


def tile(A, reps):
    """The array repeated `reps` times along each axis, as numpy.tile.

    Example:
        >>> tile(np.array([1.0, 2.0]), 2)
        array([1., 2., 1., 2.])
    """
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    shape = _shape(A)
    d = max(len(reps), len(shape))
    shape, reps = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    spread = _ops.reshape(A, tuple(x for s in shape for x in (1, s)))
    tiled = _ops.broadcast_to(spread, tuple(x for r, s in zip(reps, shape) for x in (r, s)))
    return _ops.reshape(tiled, tuple(r * s for r, s in zip(reps, shape)))


def _tri_mask(shape, k, lower):
    n, m = shape[-2:]
    mask = np.tri(n, m, k, dtype=bool)
    return mask if lower else ~np.tri(n, m, k - 1, dtype=bool)


def tril(m, k=0):
    """The lower triangle (on and below diagonal k) of the last two axes; zeros above.

    Example:
        >>> tril(np.ones((2, 2)))
        array([[1., 0.],
               [1., 1.]])
    """
    return _ops.where(_tri_mask(_shape(m), k, True), m, 0.0)


def triu(m, k=0):
    """The upper triangle (on and above diagonal k); zeros below.

    Example:
        >>> triu(np.ones((2, 2)))
        array([[1., 1.],
               [0., 1.]])
    """
    return _ops.where(_tri_mask(_shape(m), k, False), m, 0.0)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal `offset` of the plane (axis1, axis2), as the last axis of the result.

    Example:
        >>> diagonal(np.arange(4.0).reshape(2, 2))
        array([0., 3.])
    """
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    n, m = _shape(a)[-2:]
    rows = np.arange(max(0, -offset), min(n, m - offset)) if n and m else np.arange(0)
    return _getitem(a, index=(Ellipsis, rows, rows + offset))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along a diagonal (see diagonal).

    Example:
        >>> float(trace(np.eye(3)))
        3.0
    """
    return _ops.sum(diagonal(a, offset, axis1, axis2), axis=-1)


def diag(v, k=0):
    """The k-th diagonal of a matrix, or a square matrix with vector v on its k-th diagonal.

    Example:
        >>> diag(np.array([1.0, 2.0]))
        array([[1., 0.],
               [0., 2.]])
    """
    if _ndim(v) == 2:
        return diagonal(v, k)
    if _ndim(v) != 1:
        raise ValueError("diag: input must be 1-d or 2-d")
    n = _shape(v)[0]
    size = n + abs(k)
    rows = np.arange(n) + max(0, -k)
    index = np.full((size, size), n)  # n points at the appended zero
    index[rows, rows + k] = np.arange(n)
    padded = _ops.concatenate([v, np.zeros(1, dtype=value_of(v).dtype)])
    return _getitem(padded, index=index)


def diff(a, n=1, axis=-1):
    """n-th differences along `axis`: a[1:] - a[:-1], n times.

    Example:
        >>> diff(np.array([1.0, 4.0, 9.0]))
        array([3., 5.])
    """
    axis = normalize_axes(axis, _ndim(a))[0]
    for _ in range(n):
        head = (slice(None),) * axis
        a = _ops.sub(_getitem(a, index=head + (slice(1, None),)), _getitem(a, index=head + (slice(None, -1),)))
    return a


def cumsum(a, axis=None, dtype=None, out=None):
    """Running sums along `axis` (the flattened array when None), as a product with a triangle of ones.

    Example:
        >>> cumsum(np.array([1.0, 2.0, 3.0]))
        array([1., 3., 6.])
    """
    if axis is None:
        a, axis = ravel(a), 0
    n = _shape(a)[axis]
    upper = np.triu(np.ones((n, n), dtype=value_of(a).dtype if value_of(a).dtype.kind == "f" else float))
    return moveaxis(_ops.matmul(moveaxis(a, axis, -1), upper), -1, axis)


def take_along_axis(arr, indices, axis):
    """Pick values along `axis` at `indices` (as numpy.take_along_axis).

    Example:
        >>> take_along_axis(np.array([[3.0, 1.0]]), np.array([[1, 0]]), 1)
        array([[1., 3.]])
    """
    if axis is None:
        return _getitem(ravel(arr), index=np.asarray(indices))
    axis = normalize_axes(axis, _ndim(arr))[0]
    grids = np.indices(np.shape(indices), sparse=True)
    index = tuple(np.asarray(indices) if i == axis else g for i, g in enumerate(grids))
    return _getitem(arr, index=index)


def take(a, indices, axis=None):
    """Elements at `indices` along `axis` (of the flattened array when None).

    Example:
        >>> take(np.array([4.0, 5.0, 6.0]), [0, 2])
        array([4., 6.])
    """
    if axis is None:
        return _getitem(ravel(a), index=np.asarray(indices))
    axis = normalize_axes(axis, _ndim(a))[0]
    return _getitem(a, index=(slice(None),) * axis + (np.asarray(indices),))


def sort(a, axis=-1, kind=None, order=None):
    """Sorted copy; the gradient goes back to where each element came from.

    Example:
        >>> sort(np.array([3.0, 1.0, 2.0]))
        array([1., 2., 3.])
    """
    if axis is None:
        a, axis = ravel(a), 0
    return take_along_axis(a, np.argsort(value_of(a), axis=axis, kind=kind), axis)


def partition(a, kth, axis=-1):
    """Partitioned copy (as numpy.partition); the gradient follows each element.

    Example:
        >>> float(partition(np.array([3.0, 1.0, 2.0]), 1)[1])
        2.0
    """
    return take_along_axis(a, np.argpartition(value_of(a), kth, axis=axis), axis)


def pad(array, pad_width, mode="constant", constant_values=0):
    """Pad with a constant (only mode='constant'), as numpy.pad.

    Example:
        >>> pad(np.array([1.0]), 1)
        array([0., 1., 0.])
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not supported yet, only 'constant'")
    shape = _shape(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (len(shape), 2))
    dtype = value_of(array).dtype
    for axis, (before, after) in enumerate(widths):
        current = list(_shape(array))
        parts = []
        for count in (before, after):
            current[axis] = count
            parts.append(np.full(current, constant_values, dtype=dtype))
        array = _ops.concatenate([parts[0], array, parts[1]], axis=axis)
    return array


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] first holds, else default.

    Example:
        >>> select([np.array([True, False])], [np.array([1.0, 2.0])], default=9.0)
        array([1., 9.])
    """
    result = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        result = _ops.where(value_of(cond), choice, result)
    return result if isinstance(result, Tensor) else np.asarray(result)


def append(arr, values, axis=None):
    """values appended to arr (both flattened when axis is None), as numpy.append.

    Example:
        >>> append(np.array([1.0, 2.0]), 3.0)
        array([1., 2., 3.])
    """
    from ._creation import asarray, concatenate

    arr, values = asarray(arr), asarray(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


def gradient(f, *varargs, axis=None, edge_order=1):
    """Central differences inside, one-sided at the edges (unit spacing, edge_order 1), as numpy.gradient.

    Example:
        >>> gradient(np.array([1.0, 4.0, 9.0]))
        array([3., 4., 5.])
    """
    if varargs or edge_order != 1:
        raise NotImplementedError("gradient: only unit spacing and edge_order=1 are supported")
    n = _ndim(f)
    axes = normalize_axes(axis, n)
    out = []
    for ax in axes:
        head = (slice(None),) * ax

        def part(sl):
            return _getitem(f, index=head + (sl,))

        inner_part = _ops.div(_ops.sub(part(slice(2, None)), part(slice(None, -2))), 2.0)
        first = _ops.sub(part(slice(1, 2)), part(slice(0, 1)))
        last = _ops.sub(part(slice(-1, None)), part(slice(-2, -1)))
        out.append(_ops.concatenate([first, inner_part, last], axis=ax))
    return out[0] if len(out) == 1 else out


__all__ = [
    "append", "gradient", "ravel", "moveaxis", "rollaxis", "atleast_1d", "atleast_2d", "atleast_3d", "vstack",
    "row_stack", "hstack", "dstack", "column_stack", "array_split", "split", "vsplit", "hsplit", "dsplit",
    "flip", "fliplr", "flipud", "rot90", "roll", "repeat", "tile", "tril", "triu", "diagonal", "trace", "diag",
    "diff", "cumsum", "take_along_axis", "take", "sort", "partition", "pad", "select"
]
