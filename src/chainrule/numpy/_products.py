"""Products and norms as composites of matmul, reshape, transpose and reductions.

Exact rewrites (tensordot is a transpose, a reshape and one matmul), used by
`chainrule.numpy` when the op table has no row of the same name.
"""

from __future__ import annotations

import numpy as np

from .. import ops as _ops
from ..ops._util import normalize_axes, value_of
from ..ops.shape import getitem as _getitem
from ._arrays import moveaxis, ravel


def _ndim(x):
    return np.ndim(value_of(x))


def _shape(x):
    return np.shape(value_of(x))


def tensordot(a, b, axes=2):
    """Sum of products over the given axes of a and b, as numpy.tensordot.

    Example:
        >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    na, nb = _ndim(a), _ndim(b)
    if isinstance(axes, (int, np.integer)):
        axes_a, axes_b = list(range(na - int(axes), na)), list(range(int(axes)))
    else:
        axes_a, axes_b = ([ax] if isinstance(ax, (int, np.integer)) else list(ax) for ax in axes)
    axes_a = [ax % na for ax in axes_a]
    axes_b = [ax % nb for ax in axes_b]
    free_a = [i for i in range(na) if i not in axes_a]
    free_b = [i for i in range(nb) if i not in axes_b]
    sa, sb = _shape(a), _shape(b)
    k = int(np.prod([sa[i] for i in axes_a], dtype=np.int64))
    a2 = _ops.reshape(_ops.transpose(a, tuple(free_a + axes_a)), (-1, k) if k else (int(np.prod(
        [sa[i] for i in free_a], dtype=np.int64)), 0))
    b2 = _ops.reshape(_ops.transpose(b, tuple(axes_b + free_b)), (k, -1) if k else (0, int(np.prod(
        [sb[i] for i in free_b], dtype=np.int64))))
    return _ops.reshape(_ops.matmul(a2, b2), tuple(sa[i] for i in free_a) + tuple(sb[i] for i in free_b))


def dot(a, b, out=None):
    """numpy.dot: products of scalars, vectors and matrices, and sum over a's last and b's second-last axis.

    Example:
        >>> dot(np.ones((2, 2, 3)), np.ones((3, 4))).shape
        (2, 2, 4)
    """
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return _ops.mul(a, b)
    if na <= 2 and nb <= 2:
        return _ops.matmul(a, b)
    return tensordot(a, b, axes=([na - 1], [max(nb - 2, 0)]))


def inner(a, b):
    """Sum of products over the last axes of a and b.

    Example:
        >>> float(inner(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
        11.0
    """
    if _ndim(a) == 0 or _ndim(b) == 0:
        return _ops.mul(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(a, b):
    """Dot product of the flattened inputs (real inputs).

    Example:
        >>> float(vdot(np.eye(2), np.eye(2)))
        2.0
    """
    return _ops.sum(_ops.mul(ravel(a), ravel(b)))


def outer(a, b, out=None):
    """Outer product of the flattened inputs.

    Example:
        >>> outer(np.ones(2), np.ones(3)).shape
        (2, 3)
    """
    return _ops.mul(_ops.reshape(a, (-1, 1)), _ops.reshape(b, (1, -1)))


def kron(a, b):
    """Kronecker product: blocks a[i, j]·b.

    Example:
        >>> kron(np.eye(2), np.ones((1, 2)))
        array([[1., 1., 0., 0.],
               [0., 0., 1., 1.]])
    """
    sa, sb = _shape(a), _shape(b)
    d = max(len(sa), len(sb))
    sa, sb = (1,) * (d - len(sa)) + sa, (1,) * (d - len(sb)) + sb
    spread_a = _ops.reshape(a, tuple(x for s in sa for x in (s, 1)))
    spread_b = _ops.reshape(b, tuple(x for s in sb for x in (1, s)))
    return _ops.reshape(_ops.mul(spread_a, spread_b), tuple(x * y for x, y in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along the given axes.

    Example:
        >>> cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
        array([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if _shape(a)[-1] != 3 or _shape(b)[-1] != 3:
        raise ValueError("cross: only 3-vectors are supported")

    def part(x, i):
        return _getitem(x, index=(Ellipsis, i))

    from ._creation import stack  # NumPy's stack: plain arrays stay plain

    c = stack([_ops.sub(_ops.mul(part(a, 1), part(b, 2)), _ops.mul(part(a, 2), part(b, 1))),
                    _ops.sub(_ops.mul(part(a, 2), part(b, 0)), _ops.mul(part(a, 0), part(b, 2))),
                    _ops.sub(_ops.mul(part(a, 0), part(b, 1)), _ops.mul(part(a, 1), part(b, 0)))], axis=-1)
    return moveaxis(c, -1, axisc)


# ---- numpy.linalg ---------------------------------------------------------------------
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms of numpy.linalg.norm (the 2-norm and nuclear norm of a matrix need svd).

    Example:
        >>> float(norm(np.array([3.0, 4.0])))
        5.0
    """
    nd = _ndim(x)
    if axis is None and ord is None:
        return _two_norm(x, tuple(range(nd)), keepdims)
    axes = normalize_axes(tuple(range(nd)) if axis is None else axis, nd)
    absolute = _ops.abs(x)
    if len(axes) == 1:
        if ord is None or ord == 2:
            return _two_norm(x, axes, keepdims)
        if ord == np.inf:
            return _ops.max(absolute, axis=axes, keepdims=keepdims)
        if ord == -np.inf:
            return _ops.min(absolute, axis=axes, keepdims=keepdims)
        if ord == 0:
            return np.sum(value_of(x) != 0, axis=axes, keepdims=keepdims).astype(value_of(x).dtype)
        if ord == 1:
            return _ops.sum(absolute, axis=axes, keepdims=keepdims)
        return _ops.pow(_ops.sum(_ops.pow(absolute, float(ord)), axis=axes, keepdims=keepdims), 1.0 / ord)
    if len(axes) != 2:
        raise ValueError(f"norm: axis must name one or two axes, got {axis}")
    if ord in (None, "fro"):
        return _two_norm(x, axes, keepdims)
    row, col = (a % nd for a in axis) if axis is not None else axes  # the order matters (NumPy's rows, columns)
    if ord in (1, -1, np.inf, -np.inf):
        summed_axis, picked_axis = (row, col) if ord in (1, -1) else (col, row)
        sums = _ops.sum(absolute, axis=summed_axis, keepdims=True)
        pick = _ops.max if ord > 0 else _ops.min
        out = pick(sums, axis=picked_axis, keepdims=True)
        return out if keepdims else _ops.squeeze(out, axis=axes)
    raise NotImplementedError(f"norm: ord={ord!r} of a matrix needs singular values (chainrule.numpy.linalg.svd)")


def _two_norm(x, axes, keepdims):
    return _ops.sqrt(_ops.sum(_ops.mul(x, x), axis=axes, keepdims=keepdims))


def matrix_power(a, n):
    """a @ a @ ... (n ≥ 0 factors; n = 0 gives the identity) by repeated squaring.

    Example:
        >>> matrix_power(np.array([[1.0, 1.0], [0.0, 1.0]]), 3)
        array([[1., 3.],
               [0., 1.]])
    """
    if n < 0:
        raise NotImplementedError("matrix_power: negative powers need chainrule.numpy.linalg.inv")
    result = np.broadcast_to(np.eye(_shape(a)[-1], dtype=value_of(a).dtype), _shape(a)).copy()
    base = a
    while n:
        if n & 1:
            result = _ops.matmul(result, base)
        n >>= 1
        if n:
            base = _ops.matmul(base, base)
    return result


__all__ = ["tensordot", "dot", "inner", "vdot", "outer", "kron", "cross", "norm", "matrix_power"]
