"""Shape primitives (reshape, transpose, indexing, concatenation) and composites.

All are linear, so each JVP is the op applied to the tangent ("linear").
"""

from __future__ import annotations

import weakref

import numpy as np

from ..core.backend import as_array, index_on, like
from ..core.engine_ops import broadcast_to
from ..core.registry import defop
from ..core.tensor import Tensor, _plain_index
from ._util import normalize_axes

reshape_op = defop("reshape", lambda x, shape: np.reshape(x, shape),
                   vjp=lambda g, ans, x, shape: reshape_op(g, shape=np.shape(x)),
                   jvp="linear", view=True, derivative="adjoint reshaped back")


def _inverse_permutation(axes):
    return None if axes is None else tuple(np.argsort(axes))


def _transpose(x, axes=None):
    # the array's own method: np.transpose's Python wrapper costs more than the transpose itself (`w.T`)
    return x.transpose(axes) if type(x) is np.ndarray else np.transpose(x, axes)


transpose_op = defop("transpose", _transpose,
                     vjp=lambda g, ans, x, axes=None: transpose_op(g, axes=_inverse_permutation(axes)),
                     array_vjp=lambda g, ans, x, axes=None: _transpose(g, _inverse_permutation(axes)),
                     jvp="linear", view=True, derivative="adjoint transposed back")


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _scatter_add(g, index, shape):
    g = as_array(g)
    out = np.zeros(shape, dtype=g.dtype, like=like(g))  # on g's device
    if _is_basic(index):
        out[index] = g  # a basic index selects each element at most once
    else:
        np.add.at(out, index_on(index, out), g)  # repeated indices accumulate
    return out


def _selects_everything(index):
    """Whether `index` only adds axes or takes whole ones (None, ..., :), as x[None] and x[:, None] do: then
    x[index] has x's elements in x's order, and its adjoint is g reshaped back, not scattered into zeros."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or (type(p) is slice and p == _ALL) for p in parts)


_ALL = slice(None)


def _getitem_vjp(g, ans, x, index):
    if _selects_everything(index):
        return reshape_op(g, shape=np.shape(x))
    return scatter_add(g, index=index, shape=np.shape(x))


getitem = defop("getitem", lambda x, index: x[index],
                vjp=_getitem_vjp,
                jvp="linear", view=True, derivative="adjoint scattered back; repeated indices accumulate")
scatter_add = defop("scatter_add", _scatter_add,
                    vjp=lambda g, ans, x, index, shape: getitem(g, index=index),
                    jvp="linear", derivative="adjoint gathered at the index")


def _concat_vjp(i, g, ans, *xs, axis=0):
    starts = _starts_along(ans, xs, axis)
    index = [slice(None)] * len(g.shape)
    index[axis] = slice(starts[i], starts[i + 1])
    return getitem(g, index=tuple(index))


# The sweep asks a concatenation for its inputs' adjoints one after another: their offsets are
# worked out once per output, kept here with a weak reference to that output (ans).
_last_starts = (None, None)


def _starts_along(ans, xs, axis):
    global _last_starts
    ref, starts = _last_starts  # one read: another thread may replace the pair, never tear it
    if ref is None or ref() is not ans:
        starts = np.cumsum([0] + [np.shape(x)[axis] for x in xs]).tolist()
        _last_starts = (weakref.ref(ans), starts)
    return starts


concatenate_op = defop("concatenate", lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                       vjp=_concat_vjp, jvp="linear", variadic=True,
                       derivative="each input gets its slice of the adjoint")


# ---- public functions (NumPy / PyTorch spellings) -----------------------------
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def reshape(x, *shape):
    """Same data, new shape (one dimension may be -1).

    Example:
        >>> import chainrule as cr
        >>> cr.reshape(cr.arange(6.0), (2, 3)).shape
        (2, 3)
    """
    return reshape_op(x, shape=_shape_arg(shape))


def transpose(x, axes=None):
    """Permute axes (reverse them when `axes` is None), as numpy.transpose.

    Example:
        >>> import chainrule as cr
        >>> cr.transpose(cr.zeros((2, 3))).shape
        (3, 2)
    """
    return transpose_op(x, axes=None if axes is None else tuple(int(a) for a in axes))


def permute(x, *dims):
    """PyTorch's name for transpose with explicit axes.

    Example:
        >>> import chainrule as cr
        >>> cr.permute(cr.zeros((2, 3, 4)), 2, 0, 1).shape
        (4, 2, 3)
    """
    return transpose(x, _shape_arg(dims))


def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    Example:
        >>> import chainrule as cr
        >>> cr.swapaxes(cr.zeros((2, 3, 4)), 0, 2).shape
        (4, 3, 2)
    """
    axes = list(range(np.ndim(x._data if isinstance(x, Tensor) else x)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(x, axes)


def expand_dims(x, axis):
    """Insert a size-1 axis at `axis`.

    Example:
        >>> import chainrule as cr
        >>> cr.expand_dims(cr.zeros(3), 0).shape
        (1, 3)
    """
    return reshape_op(x, shape=np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape)


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those in `axis`).

    Example:
        >>> import chainrule as cr
        >>> cr.squeeze(cr.zeros((1, 3, 1))).shape
        (3,)
    """
    return reshape_op(x, shape=np.squeeze(np.empty(x.shape, dtype=bool), axis).shape)


def flatten(x, start_dim=0, end_dim=-1):
    """Merge axes start_dim..end_dim into one (all of them by default).

    Example:
        >>> import chainrule as cr
        >>> cr.flatten(cr.zeros((2, 3, 4)), start_dim=1).shape
        (2, 12)
    """
    shape = x.shape
    if len(shape) == 0:
        return reshape_op(x, shape=(1,))
    for dim in (start_dim, end_dim):
        if not -len(shape) <= dim < len(shape):
            raise ValueError(f"flatten: dimension {dim} is out of range for a {len(shape)}-d tensor")
    start, end = start_dim % len(shape), end_dim % len(shape)
    if start > end:
        raise ValueError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim}); "
                         "give start_dim <= end_dim")
    merged = int(np.prod(shape[start:end + 1], dtype=np.int64))
    return reshape_op(x, shape=shape[:start] + (merged,) + shape[end + 1:])


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis (the flattened tensors when axis is None, as NumPy).

    Example:
        >>> import chainrule as cr
        >>> cr.concatenate([cr.zeros((2, 3)), cr.ones((1, 3))]).shape
        (3, 3)
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    if axis is None:  # NumPy: flatten every input first
        tensors, axis = [reshape_op(t, shape=(-1,)) for t in tensors], 0
    ndim = np.ndim(tensors[0]._data if isinstance(tensors[0], Tensor) else tensors[0])
    axis = normalize_axes(axis, ndim)[0]
    # The sweep calls a variadic rule once per input, handing it all n inputs: O(n) each,
    # O(n²) for the node. Joining groups of at most _FAN_IN first keeps the backward pass
    # linear in n (10,000 inputs: a tree two levels deep); the value is the same.
    while len(tensors) > _FAN_IN:
        groups = [tensors[k:k + _FAN_IN] for k in range(0, len(tensors), _FAN_IN)]
        tensors = [concatenate_op(*group, axis=axis) if len(group) > 1 else group[0] for group in groups]
    return concatenate_op(*tensors, axis=axis)


_FAN_IN = 64


def stack(tensors, axis=0):
    """Join tensors along a new axis.

    Example:
        >>> import chainrule as cr
        >>> cr.stack([cr.zeros(3), cr.ones(3)]).shape
        (2, 3)
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    return concatenate([expand_dims(t, axis) for t in tensors], axis=axis)


def holds_tensor(data):
    """True if a (nested) list or tuple holds a Tensor anywhere."""
    if isinstance(data, Tensor):
        return True
    return isinstance(data, list | tuple) and any(holds_tensor(d) for d in data)


def stack_nested(data):
    """A (nested) list or tuple of tensors and numbers as one tensor, differentiably.

    What `np.array([[x, 1.0], [y, z]])` does for arrays: the gradient reaches
    every tensor in it (cr.tensor and every op take such lists this way).

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> v = stack_nested([x, 3 * x, 1.0])
        >>> v.sum().backward(); x.grad
        tensor(4.)
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, list | tuple):
        if not holds_tensor(data):
            return Tensor(np.array(data))
        return stack([stack_nested(d) for d in data])
    return Tensor(np.asarray(data))


stack_nested.holds = holds_tensor


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors, as numpy.split.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.split(cr.zeros((6, 2)), 3)]
        [(2, 2), (2, 2), (2, 2)]
    """
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(f"split: {n} elements along axis {axis} do not divide into "
                             f"{indices_or_sections} equal sections")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    axis = normalize_axes(axis, x.ndim)[0]
    pieces = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        index = (slice(None),) * axis + (slice(lo, hi),)
        pieces.append(getitem(x, index=index))
    return pieces


def index(x, idx):
    """`x[idx]`: basic and advanced indexing, differentiable.

    Example:
        >>> import chainrule as cr, numpy as np
        >>> cr.index(cr.arange(5.0), np.array([0, 0, 3]))
        tensor([0., 0., 3.])
    """
    return getitem(x, index=_plain_index(idx))


__all__ = ["reshape", "transpose", "permute", "swapaxes", "expand_dims", "squeeze", "flatten",
           "concatenate", "stack", "split", "broadcast_to", "index", "getitem", "scatter_add"]
