"""The batching rules, by kind, and the table column they fill for the built-in ops.

Every rule has the form `rule(op, values, dims, params) -> (result, dim)`
(see chainrule.batching). Most move the batch axis to the front first
(`to_front`), so that the rest of the rule only shifts the op's axis
parameters by one.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..core import backend
from ..core.registry import OPS
from ..core.tensor import Tensor
from ..ops.gather import flat_positions

_AXIS_DEFAULTS: dict[str, object] = {}


def _op(name):
    return OPS[name]


def shape_of(x):
    """x's shape, read without NumPy's dispatch to Tensor.__array_function__ (rules ask it of every argument).

    Example:
        >>> import chainrule as cr
        >>> shape_of(cr.zeros((2, 3))), shape_of(1.0)
        ((2, 3), ())
    """
    return x._data.shape if isinstance(x, Tensor) else np.shape(x)


def ndim_of(x):
    """x's number of axes (as `shape_of`, without the dispatch).

    Example:
        >>> import chainrule as cr
        >>> ndim_of(cr.zeros((2, 3)))
        2
    """
    if isinstance(x, Tensor):
        return x._data.ndim
    return 0 if isinstance(x, _SCALARS) else np.ndim(x)


_SCALARS = (int, float, complex, bool)


def batch_size(values, dims):
    """The length of the batch axis (the first batched value's).

    Example:
        >>> import numpy as np
        >>> batch_size([np.ones(3), np.ones((2, 5))], [None, 1])
        5
    """
    for v, d in zip(values, dims):
        if d is not None:
            return shape_of(v)[d]
    raise ValueError("no batched value")


def to_front(x, dim):
    """x with its batch axis `dim` moved to axis 0 (an op, so it is differentiable).

    Example:
        >>> import numpy as np
        >>> to_front(np.zeros((2, 3, 4)), 2).shape
        (4, 2, 3)
    """
    if dim == 0:
        return x
    nd = ndim_of(x)
    axes = (dim,) + tuple(a for a in range(nd) if a != dim)
    return _op("transpose")(x, axes=axes)


def batched_front(x, dim, size):
    """x with a leading batch axis: moved there, or (unbatched x) broadcast along a new one.

    Example:
        >>> import numpy as np
        >>> batched_front(np.zeros(3), None, 5).shape
        (5, 3)
    """
    if dim is not None:
        return to_front(x, dim)
    if not isinstance(x, Tensor):
        x = Tensor._wrap(backend.as_array(x))
    return _op("broadcast_to")(x, shape=(size,) + tuple(shape_of(x)))


def _pad_after_batch(x, rank):
    """A front-batched x with size-1 axes after the batch so that one example has `rank` axes."""
    shape = shape_of(x)
    missing = rank - (len(shape) - 1)
    if missing <= 0:
        return x
    return _op("reshape")(x, shape=(shape[0],) + (1,) * missing + tuple(shape[1:]))


def _example_ndim(x, dim):
    return ndim_of(x) - (dim is not None)


def _shift_axis(axis, nd):
    """A per-example axis (or tuple of axes) as an axis of the front-batched array."""
    if isinstance(axis, (tuple, list)):
        return tuple(_shift_axis(a, nd) for a in axis)
    if not -nd <= axis < max(nd, 1):
        raise ValueError(f"axis {axis} is out of range for {nd} dimensions")
    return int(axis) % max(nd, 1) + 1


# ---- generic rules, by kind ----------------------------------------------------------
def elementwise(op, values, dims, params):
    """Elementwise ops (every `partial=` row): batch axes to the front, aligned, then broadcast.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> out, dim = elementwise(cr.core.OPS["add"], [np.ones((3, 2)), np.arange(2.0)], [0, None], {})
        >>> out.shape, dim
        ((3, 2), 0)
    """
    if len(values) == 1 and dims[0] == 0:  # the hot cases first: a front batch that needs no padding
        return op(values[0], **params), 0
    if len(values) == 2:
        (x, y), (dx, dy) = values, dims
        if ((dx == 0 and dy is None and ndim_of(x) > ndim_of(y)) or (dy == 0 and dx is None and ndim_of(y) > ndim_of(x))
                or (dx == 0 and dy == 0 and ndim_of(x) == ndim_of(y))):
            return op(x, y, **params), 0
    ranks = [ndim_of(v) if d is None else ndim_of(v) - 1 for v, d in zip(values, dims)]
    rank = max(ranks)
    if all(d is None or (d == 0 and r == rank) for d, r in zip(dims, ranks)):
        return op(*values, **params), 0  # the common case: batches in front, examples alike: as they are
    moved = [v if d is None else _pad_after_batch(to_front(v, d), rank) for v, d in zip(values, dims)]
    return op(*moved, **params), 0


def along_axis(none="all"):
    """Ops of one array with an `axis` parameter (reductions, softmax, argmax, ...).

    `none` says what axis=None means for the op: "all" axes (sum, max) or the
    "flattened" array (argmax, cumsum).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> out, dim = along_axis()(cr.core.OPS["sum"], [np.ones((4, 2, 3))], [0], {"axis": -1})
        >>> out.shape
        (4, 2)
    """
    def rule(op, values, dims, params):
        x = to_front(values[0], dims[0])
        nd = ndim_of(x) - 1
        axis = params["axis"] if "axis" in params else _axis_default(op)
        if axis is None:
            if none == "flatten":
                x, axis = _op("reshape")(x, shape=(shape_of(x)[0], -1)), 1
            else:
                axis = tuple(range(1, nd + 1))
        else:
            axis = _shift_axis(axis, nd)
        rest = [batched_front(v, d, shape_of(x)[0]) if d is not None else v for v, d in zip(values[1:], dims[1:])]
        return op(x, *rest, **{**params, "axis": axis}), 0
    return rule


def _axis_default(op):
    if op.name not in _AXIS_DEFAULTS:
        _AXIS_DEFAULTS[op.name] = inspect.signature(op.forward).parameters["axis"].default
    return _AXIS_DEFAULTS[op.name]


def stacked_matrices(op, values, dims, params):
    """Ops that act on the last axes and broadcast over leading ones (np.linalg's stacked matrices).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> out, dim = stacked_matrices(cr.core.OPS["det"], [np.stack([np.eye(2), 2 * np.eye(2)])], [0], {})
        >>> np.round(out, 6)
        array([1., 4.])
    """
    size = batch_size(values, dims)
    if sum(d is not None for d in dims) == 1 and len(values) == 1:
        return op(to_front(values[0], dims[0]), **params), 0
    rank = max(_example_ndim(v, d) for v, d in zip(values, dims))
    moved = [_pad_after_batch(batched_front(v, d, size), rank) if isinstance(v, Tensor) or d is not None else v
             for v, d in zip(values, dims)]
    return op(*moved, **params), 0


def loop(op, values, dims, params):
    """One call per batch element, stacked: correct for any op, and as slow as a Python loop.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> out, dim = loop(cr.core.OPS["sqrtm"], [cr.tensor(np.stack([4 * np.eye(2), 9 * np.eye(2)]))], [0], {})
        >>> out[:, 0, 0]
        tensor([2., 3.], dtype=float64)
    """
    size = batch_size(values, dims)
    getitem = _op("getitem")
    results = []
    for k in range(size):
        one = [v if d is None else getitem(v, index=(slice(None),) * d + (k,)) for v, d in zip(values, dims)]
        results.append(op(*one, **params))
    if not results:  # an empty batch: the op on zeros for the shape, with a batch of none
        example = [v if d is None else np.zeros(shape_of(v)[:d] + shape_of(v)[d + 1:], like=backend.like(v))
                   for v, d in zip(values, dims)]
        out = op(*example, **params)
        data = backend.as_array(out._data if isinstance(out, Tensor) else out)  # a plain array on plain arrays
        return Tensor._wrap(np.zeros((0,) + shape_of(out), dtype=data.dtype, like=backend.like(data))), 0
    return _op("concatenate")(*[_op("reshape")(r, shape=(1,) + shape_of(r)) for r in results], axis=0), 0


# ---- shape ops -------------------------------------------------------------------------
def _reshape(op, values, dims, params):
    x = to_front(values[0], dims[0])
    shape = params["shape"]
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return op(x, shape=(shape_of(x)[0],) + shape), 0


def _transpose(op, values, dims, params):
    x = to_front(values[0], dims[0])
    nd = ndim_of(x) - 1
    axes = params.get("axes")
    axes = tuple(range(nd, 0, -1)) if axes is None else tuple(a % max(nd, 1) + 1 for a in axes)
    return op(x, axes=(0,) + axes), 0


def _broadcast_to(op, values, dims, params):
    shape = tuple(params["shape"])
    x = _pad_after_batch(to_front(values[0], dims[0]), len(shape))
    return op(x, shape=(shape_of(x)[0],) + shape), 0


def _sum_to(op, values, dims, params):
    g = to_front(values[0], dims[0])
    shape = tuple(params["shape"])
    size, nd = shape_of(g)[0], ndim_of(g) - 1
    summed = op(g, shape=(size,) + (1,) * (nd - len(shape)) + shape)
    return _op("reshape")(summed, shape=(size,) + shape), 0


def _concatenate(op, values, dims, params):
    size = batch_size(values, dims)
    moved = [batched_front(v, d, size) for v, d in zip(values, dims)]
    axis = params.get("axis", 0)
    if axis is None:
        moved, axis = [_op("reshape")(m, shape=(size, -1)) for m in moved], 1
    else:
        axis = _shift_axis(axis, ndim_of(moved[0]) - 1)
    return op(*moved, **{**params, "axis": axis}), 0


def _index_result_dim(index):
    """Where the batch axis lands when `(slice(None),) + index` indexes a front-batched array.

    NumPy moves the axes of advanced (array) indices to the front when they are
    not next to each other; then the batch axis follows them.
    """
    parts = index if isinstance(index, tuple) else (index,)
    advanced = [i for i, p in enumerate(parts) if isinstance(p, (np.ndarray, list)) and not np.isscalar(p)]
    if len(advanced) > 1 and advanced != list(range(advanced[0], advanced[-1] + 1)):
        arrays = [backend.as_array(parts[i]) for i in advanced]
        return len(np.broadcast_shapes(*[a.shape for a in arrays]))
    return 0


def _front_index(index):
    return (slice(None),) + (index if isinstance(index, tuple) else (index,))


def _getitem(op, values, dims, params):
    index = params["index"]
    if isinstance(index, np.ndarray) and index.dtype == bool and index.ndim > 1:
        index = np.nonzero(index)  # a mask of several axes: the same as its index arrays
    x = to_front(values[0], dims[0])
    return op(x, index=_front_index(index)), _index_result_dim(index)


def _scatter_add(op, values, dims, params):
    index = params["index"]
    if isinstance(index, np.ndarray) and index.dtype == bool and index.ndim > 1:
        index = np.nonzero(index)
    result_dim = _index_result_dim(index)
    g = values[0] if dims[0] == result_dim else _op("transpose")(values[0], axes=_move(ndim_of(values[0]), dims[0],
                                                                                         result_dim))
    size = shape_of(g)[result_dim]
    return op(g, index=_front_index(index), shape=(size,) + tuple(params["shape"])), 0


def _move(nd, src, dst):
    order = [a for a in range(nd) if a != src]
    order.insert(dst, src)
    return tuple(order)


def along_axes(op, values, dims, params):
    """Ops of one array with `axes` (and a matching shape `s`), as numpy.fft.fftn: the axes shift past the batch.

    axes=None means every axis, or the last len(s) axes when `s` is given.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> out, dim = along_axes(cr.core.OPS["fftn"], [np.ones((3, 2, 2))], [0], {})
        >>> out.shape
        (3, 2, 2)
    """
    x = to_front(values[0], dims[0])
    nd = ndim_of(x) - 1
    axes, s = params.get("axes"), params.get("s")
    if axes is None:
        axes = tuple(range(1, nd + 1)) if s is None else tuple(range(nd + 1 - len(s), nd + 1))
    else:
        axes = _shift_axis(tuple(axes), nd)
    return op(x, **{**params, "axes": axes}), 0


def _rows_of_each_example(idx, size, rows):
    """Front-batched indices into `rows` rows per example, as indices into the examples' rows laid end to end
    (example b's offset by b·rows; one out of range raises in the pick, as unbatched)."""
    offsets = (np.arange(size) * rows).reshape((size,) + (1,) * (ndim_of(idx) - 1))
    return flat_positions(idx, rows, 1, offsets, size * rows)


def _gather(op, values, dims, params):
    (x, idx), (dx, di) = values, dims
    if di is None:  # indices shared: each example's rows are axis 1 of the batch; the batch follows the index axes
        xs = to_front(x, dx)
        swapped = _op("transpose")(xs, axes=(1, 0) + tuple(range(2, ndim_of(xs))))
        return op(swapped, idx), ndim_of(idx)
    idx = to_front(idx, di)
    if dx is None:  # x shared: the batch of indices picks from it directly
        return op(x, idx), 0
    xs = to_front(x, dx)  # both: every example picks from its own rows, laid end to end
    size, rows = shape_of(xs)[:2]
    flat = _op("reshape")(xs, shape=(size * rows,) + shape_of(xs)[2:])
    return op(flat, _rows_of_each_example(idx, size, rows)), 0


def _gather_adjoint(op, values, dims, params):
    (g, idx), (dg, di) = values, dims
    rows = params["rows"]
    if di is None:  # indices shared: the batch of g after the index axes comes out after the rows
        k = ndim_of(idx)
        moved = g if dg == k else _op("transpose")(g, axes=_move(ndim_of(g), dg, k))
        return op(moved, idx, rows=rows), 1
    idx = to_front(idx, di)
    size = shape_of(idx)[0]
    gs = batched_front(g, dg, size)
    out = op(gs, _rows_of_each_example(idx, size, rows), rows=size * rows)
    return _op("reshape")(out, shape=(size, rows) + shape_of(out)[1:]), 0
