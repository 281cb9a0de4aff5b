"""Linear algebra: matmul (vector, matrix, batched) and composites on it."""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array
from ..core.registry import defop
from ..core.tensor import Tensor
from .contractions import einsum_op
from .shape import expand_dims, reshape, swapaxes


def _as_matrices(g, x, y):
    """Lift 1-D operands to matrices as numpy.matmul does, and g to match."""
    x_vec, y_vec = np.ndim(x) == 1, np.ndim(y) == 1
    if x_vec and y_vec:
        return reshape(g, (1, 1)), expand_dims(x, 0), expand_dims(y, -1)
    if x_vec:
        return expand_dims(g, -2), expand_dims(x, 0), y
    if y_vec:
        return expand_dims(g, -1), x, expand_dims(y, -1)
    return g, x, y


def _ndim(x):
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)  # not np.ndim's dispatch to Tensor.__array_function__


def _matmul_vjp_x(g, ans, x, y):
    nx, ny = _ndim(x), _ndim(y)
    if nx == 1 and ny == 2:  # vector @ matrix: one product (one op, so vmap batches it in one call)
        return matmul(y, g)
    if nx == 2 and ny == 1:  # matrix @ vector: the outer product of g and y
        return einsum_op(g, y, subscripts="i,j->ij")
    g2, x2, y2 = _as_matrices(g, x, y)
    gx = g2 @ swapaxes(y2, -1, -2)  # broadcast batch axes are summed by the sweep
    return reshape(gx, np.shape(gx)[:-2] + np.shape(gx)[-1:]) if nx == 1 else gx


def _matmul_vjp_y(g, ans, x, y):
    nx, ny = _ndim(x), _ndim(y)
    if nx == 1 and ny == 2:  # a layer applied to one example: the outer product of x and g
        return einsum_op(x, g, subscripts="i,j->ij")
    if nx == 2 and ny == 1:
        return matmul(g, x)
    g2, x2, y2 = _as_matrices(g, x, y)
    gy = swapaxes(x2, -1, -2) @ g2
    return reshape(gy, np.shape(gy)[:-1]) if ny == 1 else gy


def _matmul_array_vjp_x(g, ans, x, y):
    """_matmul_vjp_x on arrays: NumPy calls only (a chainrule op called on arrays costs a Python call more)."""
    if type(x) is not np.ndarray or type(y) is not np.ndarray:  # (the layer's ndarrays: no calls)
        x, y = as_array(x), as_array(y)
    if x.ndim == 2 and y.ndim == 2:  # the layer's case: G Yᵀ
        return np.matmul(g, y.T)
    g2, y2 = _lift_g(g, x, y), (y[:, None] if y.ndim == 1 else y)
    gx = np.matmul(g2, np.swapaxes(y2, -1, -2))
    return gx.reshape(gx.shape[:-2] + gx.shape[-1:]) if x.ndim == 1 else gx


def _matmul_array_vjp_y(g, ans, x, y):
    """_matmul_vjp_y on arrays."""
    if type(x) is not np.ndarray or type(y) is not np.ndarray:  # (the layer's ndarrays: no calls)
        x, y = as_array(x), as_array(y)
    if x.ndim == 2 and y.ndim == 2:  # Xᵀ G
        return np.matmul(x.T, g)
    g2, x2 = _lift_g(g, x, y), (x[None, :] if x.ndim == 1 else x)
    gy = np.matmul(np.swapaxes(x2, -1, -2), g2)
    return gy.reshape(gy.shape[:-1]) if y.ndim == 1 else gy


def _lift_g(g, x, y):
    """g lifted as _as_matrices lifts it (arrays)."""
    if x.ndim == 1 and y.ndim == 1:
        return np.reshape(g, (1, 1))
    if x.ndim == 1:
        return np.expand_dims(g, -2)
    return np.expand_dims(g, -1) if y.ndim == 1 else g


matmul = defop("matmul", np.matmul,
               vjp=(_matmul_vjp_x, _matmul_vjp_y), array_vjp=(_matmul_array_vjp_x, _matmul_array_vjp_y),
               jvp=(lambda t, ans, x, y: matmul(t, y), lambda t, ans, x, y: matmul(x, t)),
               derivative="∂/∂X: G Yᵀ, ∂/∂Y: Xᵀ G")


def outer(x, y):
    """Outer product of two vectors (flattened first, as numpy.outer).

    Example:
        >>> import chainrule as cr
        >>> cr.outer(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 10.0]))
        tensor([[ 1., 10.],
                [ 2., 20.]])
    """
    return reshape(x, (-1, 1)) * reshape(y, (1, -1))


def dot(x, y):
    """numpy.dot for scalars, vectors and matrices; use matmul for batches.

    Example:
        >>> import chainrule as cr
        >>> cr.dot(cr.tensor([1.0, 2.0]), cr.tensor([3.0, 4.0]))
        tensor(11.)
    """
    nx, ny = np.ndim(x), np.ndim(y)
    if nx == 0 or ny == 0:
        return x * y
    if nx > 2 or ny > 2:
        raise ValueError(f"dot of {nx}-d and {ny}-d operands is not supported; use cr.matmul "
                         "(batched) or reshape to 2-d first")
    return matmul(x, y)
