"""Matrix helpers shared by the linear-algebra rules (arrays or Tensors, stacked `(..., m, n)`).

Everything here is built from chainrule ops, so a rule written with these
helpers can itself be differentiated. Constant matrices (identities,
triangle masks) are made in the dtype of the operand they multiply, so a
float32 computation stays float32.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array
from ..core.tensor import Tensor
from ._util import device_like, value_of
from .elementwise import where
from .reduce import sum
from .shape import expand_dims, stack, swapaxes


def as_operand(x):
    """x as an operand of the linear-algebra functions: a Tensor as it is, anything else as an array.

    A (nested) list holding tensors is stacked with chainrule's ops, so its
    entries keep their gradients (np.asarray would silently make it a constant).
    """
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)) and _holds_tensor(x):
        return stack([as_operand(item) for item in x])
    return as_array(x)


def _holds_tensor(items):
    return any(isinstance(i, Tensor) or (isinstance(i, (list, tuple)) and _holds_tensor(i)) for i in items)


def mT(x):
    """The matrix transpose of every matrix in a stack (the last two axes swapped)."""
    return swapaxes(x, -1, -2)


def eye_like(n, like):
    """The n×n identity in like's dtype (a constant)."""
    return np.eye(n, dtype=value_of(like).dtype, like=device_like(like))


def tril(x, k=0):
    """The lower triangle (on and below diagonal k) of every matrix; zeros elsewhere."""
    m, n = np.shape(value_of(x))[-2:]
    return x * np.tri(m, n, k, dtype=value_of(x).dtype, like=device_like(x))


def triu(x, k=0):
    """The upper triangle (on and above diagonal k) of every matrix; zeros elsewhere."""
    m, n = np.shape(value_of(x))[-2:]
    return x * (1 - np.tri(m, n, k - 1, dtype=value_of(x).dtype, like=device_like(x)))


def triangle(x, lower, k=0):
    """tril(x, k) if lower, else triu(x, -k): the triangle of x that a factorisation reads."""
    return tril(x, k) if lower else triu(x, -k)


def diagonal_part(x):
    """The diagonal of every square matrix, as a stack of vectors `(..., n)`."""
    return sum(x * eye_like(np.shape(value_of(x))[-1], x), axis=-1)


def diag_embed(v):
    """Square matrices with v's last axis on the diagonal: `(..., n)` -> `(..., n, n)`."""
    return expand_dims(v, -2) * eye_like(np.shape(value_of(v))[-1], v)


def matrix_trace(x):
    """The trace of every square matrix of a stack."""
    return sum(diagonal_part(x), axis=-1)


def symmetric_from_triangle(t, lower=True):
    """The symmetric matrix a factorisation sees when it reads only one triangle of t.

    numpy.linalg's eigh (UPLO) and cholesky read one triangle and mirror it,
    so a perturbation dt of the input acts as this symmetric perturbation.
    """
    return triangle(t, lower) + mT(triangle(t, lower, -1))


def triangle_adjoint(a_bar, lower=True):
    """The adjoint of `symmetric_from_triangle`: an adjoint of the symmetric matrix, as one of the input.

    The diagonal is read once, each strictly lower (or upper) entry twice:
    x̄ = tril(Ā + Āᵀ, -1) + diag(Ā). The other triangle is never read, so its gradient is 0.
    """
    n = np.shape(value_of(a_bar))[-1]
    return triangle(a_bar + mT(a_bar), lower, -1) + a_bar * eye_like(n, a_bar)


def inverse_gaps(values, squared=False):
    """F with F_ij = 1 / (λ_j - λ_i) off the diagonal and 0 on it (λ_i² when squared).

    The eigenvector and singular-vector derivatives divide by these gaps:
    where two values coincide the entry is infinite (the derivative does not
    exist), and we let the infinity through rather than return a finite guess.
    """
    lam = values * values if squared else values
    gaps = expand_dims(lam, -2) - expand_dims(lam, -1)
    n = np.shape(value_of(values))[-1]
    on_diagonal = np.eye(n, dtype=bool, like=device_like(values))
    with np.errstate(divide="ignore"):
        return where(on_diagonal, 0.0, 1.0 / where(on_diagonal, 1.0, gaps))


def as_column(b):
    """A stack of vectors `(..., n)` as a stack of one-column matrices `(..., n, 1)`."""
    return expand_dims(b, -1)


def from_column(x):
    """The inverse of as_column."""
    return x[..., 0]
