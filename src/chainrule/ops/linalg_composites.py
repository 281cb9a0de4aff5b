"""numpy.linalg's remaining functions, as composites of the rows (re-exported by `cr.linalg`).

multi_dot, matrix_transpose, trace, diagonal, cross, vecdot are contractions;
lstsq goes through pinv, cond through svdvals or norm and inv, tensorsolve
and tensorinv reshape to one matrix for solve and inv. No rules of their own.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._util import device_like, value_of
from .contractions import cross as _cross
from .contractions import diagonal as _diagonal
from .contractions import trace as _trace
from .decompositions import svdvals as _svdvals
from .linalg import matmul
from .linalg_norm import norm
from .linalg_solve import inv as _inv
from .linalg_solve import pinv as _pinv
from .linalg_solve import solve as _solve
from .linalg_util import as_operand as _operand
from .linalg_util import mT
from .reduce import sum
from .shape import reshape, transpose


def _square(name, a):
    shape = np.shape(value_of(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError(f"{name}: needs square matrices (..., n, n), got shape {shape}")


class LstsqResult(NamedTuple):
    """`lstsq`'s result, as numpy.linalg.lstsq's tuple: (x, residuals, rank, singular values).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.lstsq(cr.tensor([[1.0], [1.0]], dtype=cr.float64), cr.tensor([1.0, 3.0], dtype=cr.float64)).x
        tensor([2.], dtype=float64)
    """

    x: object
    residuals: object
    rank: object
    s: object


def multi_dot(arrays):
    """The product of a chain of matrices (first and last may be vectors), as numpy.linalg.multi_dot.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.multi_dot([cr.ones((2, 3)), cr.ones((3, 4)), cr.ones(4)])
        tensor([12., 12.])
    """
    arrays = [_operand(x) for x in arrays]
    if len(arrays) < 2:
        raise ValueError("multi_dot needs at least two arrays")
    result = arrays[0]
    for x in arrays[1:]:
        result = matmul(result, x)
    return result


def matrix_transpose(x):
    """Each matrix of a stack transposed (the last two axes swapped).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.matrix_transpose(cr.zeros((2, 3, 4))).shape
        (2, 4, 3)
    """
    return mT(_operand(x))


def trace(x, offset=0):
    """The trace of each matrix of a stack (last two axes), as numpy.linalg.trace.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.trace(cr.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(5.)
    """
    return _trace(x, offset, -2, -1)


def diagonal(x, offset=0):
    """The diagonal of each matrix of a stack (last two axes), as numpy.linalg.diagonal.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.diagonal(cr.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 4.])
    """
    return _diagonal(x, offset, -2, -1)


def cross(a, b, axis=-1):
    """The cross product of 3-vectors along `axis`, as numpy.linalg.cross.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.cross(cr.tensor([0.0, 1.0, 0.0]), cr.tensor([0.0, 0.0, 1.0]))
        tensor([1., 0., 0.])
    """
    return _cross(a, b, axis=axis)


def matrix_rank(a, tol=None, hermitian=False):
    """The rank (an integer: no derivative), as numpy.linalg.matrix_rank.

    Example:
        >>> import chainrule as cr
        >>> int(cr.linalg.matrix_rank(cr.tensor([[1.0, 2.0], [2.0, 4.0]])))
        1
    """
    return np.linalg.matrix_rank(value_of(_operand(a)), tol=tol, hermitian=hermitian)


def lstsq(a, b, rcond=None):
    """The least-squares solution of a x = b, as numpy.linalg.lstsq (one matrix a; b a vector or matrix).

    Composite: x = pinv(a) b, so its derivative assumes the rank does not change
    near a. residuals (the squared residual norms, when m > n and a has full
    rank, else empty) and s (a's singular values) are differentiable too; rank is NumPy's.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.lstsq(cr.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]), cr.tensor([1.0, 2.0, 5.0])).x
        tensor([1., 1.])
    """
    a, b = _operand(a), _operand(b)
    shape = np.shape(value_of(a))
    if len(shape) != 2:
        raise np.linalg.LinAlgError(f"lstsq: a must be one matrix (m, n), got shape {shape}")
    x = matmul(_pinv(a, rcond=rcond), b)
    rank = np.linalg.lstsq(value_of(a), value_of(b), rcond=rcond)[2]
    if rank == shape[1] and shape[0] > shape[1]:
        r = matmul(a, x) - b
        residuals = sum(r * r, axis=0)
        if np.ndim(value_of(b)) == 1:
            residuals = reshape(residuals, (1,))  # NumPy's shape (1,) for a vector b
    else:
        residuals = np.zeros((0,), dtype=value_of(x).dtype, like=device_like(x))
    return LstsqResult(x, residuals, rank, _svdvals(a))


def cond(x, p=None):
    """The condition number in norm p, as numpy.linalg.cond (None/2/-2 from singular values).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.cond(cr.tensor([[4.0, 0.0], [0.0, 2.0]]))
        tensor(2.)
    """
    x = _operand(x)
    if p is None or p in (2, -2):
        s = _svdvals(x)
        ratio = s[..., 0] / s[..., -1]
        return 1 / ratio if p == -2 else ratio
    _square("cond", x)
    return norm(x, ord=p, axis=(-2, -1)) * norm(_inv(x), ord=p, axis=(-2, -1))


def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b, as numpy.linalg.tensorsolve (composite on solve).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.tensorsolve(cr.tensor(2 * np.eye(4).reshape(2, 2, 4)), cr.ones((2, 2))).shape
        (4,)
    """
    a, b = _operand(a), _operand(b)
    if axes is not None:
        nd = np.ndim(value_of(a))
        axes = [ax % nd for ax in axes]
        order = [k for k in range(nd) if k not in axes] + axes
        a = transpose(a, order)
    a_shape, b_shape = np.shape(value_of(a)), np.shape(value_of(b))
    x_shape = a_shape[len(b_shape):]
    rows = int(np.prod(b_shape, dtype=np.int64))
    if int(np.prod(x_shape, dtype=np.int64)) != rows:
        raise np.linalg.LinAlgError(f"tensorsolve: a of shape {a_shape} is not square for b of shape {b_shape}")
    return reshape(_solve(reshape(a, (rows, rows)), reshape(b, (rows,))), x_shape)


def tensorinv(a, ind=2):
    """The inverse of a viewed as a square matrix over its first `ind` axes, as numpy.linalg.tensorinv.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.tensorinv(cr.tensor(np.eye(4).reshape(4, 2, 2)), ind=1).shape
        (2, 2, 4)
    """
    a = _operand(a)
    shape = np.shape(value_of(a))
    rows = int(np.prod(shape[:ind], dtype=np.int64))
    if int(np.prod(shape[ind:], dtype=np.int64)) != rows:
        raise np.linalg.LinAlgError(f"tensorinv: shape {shape} split after {ind} axes is not square")
    return reshape(_inv(reshape(a, (rows, rows))), shape[ind:] + shape[:ind])


def vecdot(x1, x2, axis=-1):
    """The dot product of vectors along `axis`, broadcasting the rest, as numpy.linalg.vecdot (real inputs).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.vecdot(cr.tensor([[1.0, 2.0], [3.0, 4.0]]), cr.tensor([1.0, 1.0]))
        tensor([3., 7.])
    """
    return sum(_operand(x1) * _operand(x2), axis=axis)
