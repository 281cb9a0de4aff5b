"""NumPy's array-manipulation functions, as composites of the shape rows.

Each is indexing (getitem, whose adjoint scatters back and sums repeated indices),
reshaping, transposing, joining or masking, so each has exact derivatives of every
order with no rules of its own. Names, arguments and results are NumPy's.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array
from ..core.engine_ops import broadcast_to
from ..core.tensor import Tensor
from ._util import device_like, is_stand_in, normalize_axes, value_of
from .elementwise import clip, where
from .gather import flat_positions, gather
from .rounding import mod
from .shape import concatenate_op, getitem, reshape_op, scatter_add, transpose


def operand(x):
    """x as an op input: a Tensor as it is, anything else (a list, a number) as an ndarray.

    Example:
        >>> operand([1.0, 2.0])
        array([1., 2.])
    """
    return x if isinstance(x, Tensor) else as_array(x)


def _ndim(x):
    return np.ndim(value_of(x))


def _shape(x):
    return np.shape(value_of(x))


def _on_axis(ndim, axis, index):
    return (slice(None),) * axis + (index,)


def ravel(x):
    """The elements as a 1-d tensor, in C order, as numpy.ravel.

    Example:
        >>> import chainrule as cr
        >>> cr.ravel(cr.zeros((2, 3))).shape
        (6,)
    """
    return reshape_op(x, shape=(-1,))


def moveaxis(x, source, destination):
    """Move axes to new positions, the others keeping their order, as numpy.moveaxis.

    Example:
        >>> import chainrule as cr
        >>> cr.moveaxis(cr.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    ndim = _ndim(x)
    src = [normalize_axes(a, ndim)[0] for a in np.atleast_1d(source)]
    dst = [normalize_axes(a, ndim)[0] for a in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination need the same number of axes")
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def rollaxis(x, axis, start=0):
    """Roll `axis` backwards until it lies before position `start`, as numpy.rollaxis.

    Example:
        >>> import chainrule as cr
        >>> cr.rollaxis(cr.zeros((2, 3, 4)), 2).shape
        (4, 2, 3)
    """
    ndim = _ndim(x)
    axis = normalize_axes(axis, ndim)[0]
    if not -ndim <= start <= ndim:
        raise ValueError(f"rollaxis: start {start} is out of range for {ndim} dimensions")
    start = start + ndim if start < 0 else start
    if axis < start:
        start -= 1
    order = [a for a in range(ndim) if a != axis]
    order.insert(start, axis)
    return transpose(x, order)


def flip(x, axis=None):
    """Reverse the order of elements along `axis` (all axes when None), as numpy.flip.

    Example:
        >>> import chainrule as cr
        >>> cr.flip(cr.tensor([1.0, 2.0, 3.0]))
        tensor([3., 2., 1.])
    """
    x = operand(x)
    ndim = _ndim(x)
    axes = normalize_axes(axis, ndim)
    return getitem(x, index=tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(ndim)))


def fliplr(x):
    """Reverse the columns (axis 1), as numpy.fliplr.

    Example:
        >>> import chainrule as cr
        >>> cr.fliplr(cr.tensor([[1.0, 2.0]]))
        tensor([[2., 1.]])
    """
    if _ndim(x) < 2:
        raise ValueError("fliplr needs an input of at least 2 dimensions")
    return flip(x, 1)


def flipud(x):
    """Reverse the rows (axis 0), as numpy.flipud.

    Example:
        >>> import chainrule as cr
        >>> cr.flipud(cr.tensor([[1.0], [2.0]]))
        tensor([[2.],
                [1.]])
    """
    if _ndim(x) < 1:
        raise ValueError("flipud needs an input of at least 1 dimension")
    return flip(x, 0)


def rot90(x, k=1, axes=(0, 1)):
    """Rotate by 90° k times in the plane of `axes`, from the first axis towards the second.

    Example:
        >>> import chainrule as cr
        >>> cr.rot90(cr.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[2., 4.],
                [1., 3.]])
    """
    x = operand(x)
    ndim = _ndim(x)
    a, b = (normalize_axes(ax, ndim)[0] for ax in axes)
    if a == b:
        raise ValueError("rot90: the two axes must differ")
    k %= 4
    if k == 0:
        return getitem(x, index=(Ellipsis,))
    if k == 2:
        return flip(flip(x, a), b)
    order = list(range(ndim))
    order[a], order[b] = order[b], order[a]
    return transpose(flip(x, b), order) if k == 1 else flip(transpose(x, order), b)


def take(x, indices, axis=None, mode="raise"):
    """Elements at `indices` along `axis` (of the flattened input when None), as numpy.take;
    `mode` "wrap" or "clip" brings out-of-range indices into range as NumPy does.

    Example:
        >>> import chainrule as cr, numpy as np
        >>> cr.take(cr.tensor([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 1]), axis=1)
        tensor([[2., 2.],
                [4., 4.]])
    """
    x = operand(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axes(axis, _ndim(x))[0]
    n = _shape(x)[axis]
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    if mode != "raise":  # by ops (on a tensor of indices cr.jit replays them; NumPy on its array would be baked)
        indices = mod(indices, n) if mode == "wrap" else clip(indices, min=0, max=n - 1)
    return getitem(x, index=_on_axis(_ndim(x), axis, as_array(value_of(indices))))


def take_along_axis(x, indices, axis):
    """Pick values by an index array shaped like x along `axis`, as numpy.take_along_axis.

    Example:
        >>> import chainrule as cr, numpy as np
        >>> x = cr.tensor([[10.0, 30.0, 20.0]])
        >>> cr.take_along_axis(x, np.argsort(x.numpy(), axis=1), axis=1)
        tensor([[10., 20., 30.]])
    """
    x = operand(x)
    if is_stand_in(indices):  # per-example indices under vmap: picked by gather, whose indices are an input
        return _take_along_by_gather(x, indices, axis)
    indices = as_array(value_of(indices))
    if axis is None:
        x, axis = ravel(x), 0
    ndim = _ndim(x)
    if indices.ndim != ndim:
        raise ValueError(f"take_along_axis: indices have {indices.ndim} dimensions, the input {ndim}")
    axis = normalize_axes(axis, ndim)[0]
    shape = _shape(x)
    index = tuple(indices if d == axis else np.arange(shape[d]).reshape([-1 if e == d else 1 for e in range(ndim)])
                  for d in range(ndim))
    return getitem(x, index=index)


def _take_along_by_gather(x, indices, axis):
    """take_along_axis by ops only: the axis moved to the front and the rest flattened, each position's index
    offset into its own column of x, then one gather (so per-example indices batch under vmap). An index out of
    range becomes one past the end, so the pick raises as NumPy's does, never reading another column."""
    if axis is None:
        x, indices, axis = ravel(x), reshape_op(indices, shape=(-1,)), 0
    ndim = _ndim(x)
    if len(indices.shape) != ndim:
        raise ValueError(f"take_along_axis: indices have {len(indices.shape)} dimensions, the input {ndim}")
    axis = normalize_axes(axis, ndim)[0]
    sx, si = _shape(x), tuple(indices.shape)
    rest = np.broadcast_shapes(sx[:axis] + sx[axis + 1:], si[:axis] + si[axis + 1:])
    n, k = sx[axis], si[axis]
    x = moveaxis(broadcast_to(x, shape=rest[:axis] + (n,) + rest[axis:]), axis, 0)
    idx = moveaxis(broadcast_to(indices, shape=rest[:axis] + (k,) + rest[axis:]), axis, 0)
    columns = int(np.prod(rest, dtype=np.int64))
    flat = flat_positions(idx, n, columns, np.arange(columns).reshape(rest), n * columns)
    picked = gather(reshape_op(x, shape=(n * columns,)), flat)
    return moveaxis(picked, 0, axis)


def roll(x, shift, axis=None):
    """Shift elements along `axis`, those that leave at one end entering at the other, as numpy.roll.

    Example:
        >>> import chainrule as cr
        >>> cr.roll(cr.tensor([1.0, 2.0, 3.0]), 1)
        tensor([3., 1., 2.])
    """
    x = operand(x)
    if axis is None:
        return reshape_op(roll(ravel(x), shift, 0), shape=_shape(x))
    shifts, axes = np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))
    for s, a in zip(shifts, axes):
        a = normalize_axes(int(a), _ndim(x))[0]
        n = _shape(x)[a]
        s = int(s) % n if n else 0
        if s:  # the last s elements, then the rest: two slices, whose adjoints are plain slices too
            x = concatenate_op(getitem(x, index=_on_axis(_ndim(x), a, slice(n - s, None))),
                               getitem(x, index=_on_axis(_ndim(x), a, slice(None, n - s))), axis=a)
    return x


def _triangle(x, k, lower):
    shape = _shape(x)
    if len(shape) < 2:
        raise ValueError(f"{'tril' if lower else 'triu'} needs at least 2 dimensions, got shape {shape}")
    keep = np.tri(shape[-2], shape[-1], k if lower else k - 1, dtype=bool, like=device_like(x))
    return where(keep if lower else ~keep, x, 0.0)


def tril(x, k=0):
    """Lower triangle: elements above the k-th diagonal set to 0, as numpy.tril (last two axes).

    Example:
        >>> import chainrule as cr
        >>> cr.tril(cr.ones((2, 2)))
        tensor([[1., 0.],
                [1., 1.]])
    """
    return _triangle(x, k, lower=True)


def triu(x, k=0):
    """Upper triangle: elements below the k-th diagonal set to 0, as numpy.triu (last two axes).

    Example:
        >>> import chainrule as cr
        >>> cr.triu(cr.ones((2, 2)))
        tensor([[1., 1.],
                [0., 1.]])
    """
    return _triangle(x, k, lower=False)


def repeat(x, repeats, axis=None):
    """Repeat each element `repeats` times along `axis` (flattened when None), as numpy.repeat
    (PyTorch calls this repeat_interleave; torch's Tensor.repeat is numpy.tile).

    Example:
        >>> import chainrule as cr
        >>> cr.repeat(cr.tensor([1.0, 2.0]), 2)
        tensor([1., 1., 2., 2.])
    """
    x = operand(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axes(axis, _ndim(x))[0]
    if np.ndim(repeats) == 0:  # each element r times: a new axis after `axis`, broadcast, merged (adjoint: a sum)
        shape, r = _shape(x), int(repeats)
        spread = reshape_op(x, shape=shape[:axis + 1] + (1,) + shape[axis + 1:])
        copies = broadcast_to(spread, shape=shape[:axis + 1] + (r,) + shape[axis + 1:])
        return reshape_op(copies, shape=shape[:axis] + (shape[axis] * r,) + shape[axis + 1:])
    return take(x, np.repeat(np.arange(_shape(x)[axis]), repeats), axis=axis)


def tile(x, reps):
    """The input repeated `reps` times along each axis, as numpy.tile (and torch.tile).

    Example:
        >>> import chainrule as cr
        >>> cr.tile(cr.tensor([1.0, 2.0]), 2)
        tensor([1., 2., 1., 2.])
    """
    reps = tuple(int(r) for r in np.atleast_1d(reps))
    shape = _shape(x)
    d = max(len(reps), len(shape))
    shape, reps = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    # (s0, s1, ...) -> (1, s0, 1, s1, ...) -> broadcast to (r0, s0, r1, s1, ...) -> merge pairs
    spread = reshape_op(x, shape=tuple(v for s in shape for v in (1, s)))
    copies = broadcast_to(spread, shape=tuple(v for r, s in zip(reps, shape) for v in (r, s)))
    return reshape_op(copies, shape=tuple(r * s for r, s in zip(reps, shape)))


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal at `offset` of the planes (axis1, axis2), as the last axis (numpy.diagonal).

    Example:
        >>> import chainrule as cr
        >>> cr.diagonal(cr.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 4.])
    """
    ndim = _ndim(x)
    if ndim < 2:
        raise ValueError("diagonal needs at least 2 dimensions")
    a, b = normalize_axes(axis1, ndim)[0], normalize_axes(axis2, ndim)[0]
    if a == b:
        raise ValueError("diagonal: axis1 and axis2 must differ")
    planes = moveaxis(x, (a, b), (-2, -1))
    rows, cols = _shape(planes)[-2:]
    r0, c0 = max(-offset, 0), max(offset, 0)
    n = max(0, min(rows - r0, cols - c0))
    return getitem(planes, index=(Ellipsis, np.arange(n) + r0, np.arange(n) + c0))


def diag(v, k=0):
    """A 1-d input placed on the k-th diagonal of a square matrix, or a 2-d input's k-th diagonal.

    Example:
        >>> import chainrule as cr
        >>> cr.diag(cr.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    ndim = _ndim(v)
    if ndim == 2:
        return diagonal(v, k)
    if ndim != 1:
        raise ValueError(f"diag takes a 1-d or 2-d input, got {ndim} dimensions")
    n = _shape(v)[0]
    size = n + abs(k)
    index = (np.arange(n) + max(-k, 0), np.arange(n) + max(k, 0))
    return scatter_add(v, index=index, shape=(size, size))


def pad(x, pad_width, mode="constant", constant_values=0):
    """Pad each axis, as numpy.pad, in modes "constant" (with NumPy's forms of `constant_values`),
    "edge", "reflect", "symmetric" and "wrap"; the padding is constant, or copies of x's elements.

    Example:
        >>> import chainrule as cr
        >>> cr.pad(cr.tensor([1.0, 2.0]), 1)
        tensor([0., 1., 2., 0.])
    """
    shape, ndim = _shape(x), _ndim(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    if (widths < 0).any():
        raise ValueError("pad: pad widths must be non-negative")
    if mode == "constant":
        padded = tuple(int(n + lo + hi) for n, (lo, hi) in zip(shape, widths))
        inner = tuple(slice(int(lo), int(lo + n)) for n, (lo, _) in zip(shape, widths))
        out = scatter_add(x, index=inner, shape=padded)
        if np.any(constant_values):  # the border, laid out by NumPy itself (any constant_values form)
            zeros = np.zeros(shape, dtype=value_of(x).dtype, like=device_like(x))
            border = np.pad(zeros, widths, mode="constant", constant_values=constant_values)
            out = out + (Tensor._wrap(border) if isinstance(out, Tensor) else border)
        return out
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ValueError(f"pad: mode {mode!r} is not supported; use constant, edge, reflect, symmetric or wrap")
    for axis, (n, (lo, hi)) in enumerate(zip(shape, widths)):
        if lo or hi:  # where each padded position reads from, by NumPy's own rule for the mode
            x = take(x, np.pad(np.arange(n), (int(lo), int(hi)), mode=mode), axis=axis)
    return x


def broadcast_arrays(*xs):
    """The inputs broadcast against each other, as numpy.broadcast_arrays (a list).

    Example:
        >>> import chainrule as cr
        >>> [t.shape for t in cr.broadcast_arrays(cr.zeros(3), cr.zeros((2, 1)))]
        [(2, 3), (2, 3)]
    """
    shape = np.broadcast_shapes(*(_shape(x) for x in xs))
    return [broadcast_to(operand(x), shape=shape) for x in xs]


def full_like(x, fill_value, dtype=None):
    """A constant tensor shaped like x, filled with `fill_value` (x's dtype unless `dtype`).

    Like zeros_like and ones_like it does not depend on x's values: no gradient flows.

    Example:
        >>> import chainrule as cr
        >>> cr.full_like(cr.zeros(2), 7.0)
        tensor([7., 7.])
    """
    return Tensor._wrap(np.full_like(value_of(x), fill_value, dtype=dtype))


__all__ = ["ravel", "moveaxis", "rollaxis", "flip", "fliplr", "flipud", "rot90", "take", "take_along_axis",
           "roll", "tril", "triu", "repeat", "tile", "diagonal", "diag", "pad", "broadcast_arrays", "full_like"]
