"""`cr.linalg`: numpy.linalg's functions, differentiable (stacks of matrices `(..., m, n)` throughout).

Names, arguments and results follow numpy.linalg (NumPy 2), plus
`solve_triangular` with scipy.linalg's signature. Factorisations with
several outputs return NumPy's named tuples (`eigh(a).eigenvalues`, ...);
each output is its own op-table row, so a program pays derivative work only
for the outputs it uses. Where a derivative does not exist (repeated
eigenvalues for eigenvectors, full_matrices=True for non-square SVD) the
docstrings say what happens; see also chainrule/ops/decompositions.py.

Example:
    >>> import chainrule as cr
    >>> a = cr.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> cr.linalg.det(a).backward()
    >>> a.grad
    tensor([[ 3., -1.],
            [-1.,  2.]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .core.errors import ChainruleError
from .core.tensor import Tensor
from .ops._util import value_of
from .ops.contractions import tensordot
from .ops.decompositions import eigh_values, eigh_vectors, qr_q, qr_r, svd_u, svd_vh
from .ops.decompositions import svdvals as _svdvals
from .ops.linalg import outer
from .ops.linalg_composites import (
    LstsqResult,
    cond,
    cross,
    diagonal,
    lstsq,
    matrix_rank,
    matrix_transpose,
    multi_dot,
    tensorinv,
    tensorsolve,
    trace,
    vecdot,
)
from .ops.linalg_norm import matrix_norm, norm, vector_norm
from .ops.linalg_scipy import solve_sylvester as _solve_sylvester
from .ops.linalg_scipy import sqrtm as _sqrtm
from .ops.linalg_solve import cholesky_lower, matrix_power, slogdet_logabsdet, slogdet_sign
from .ops.linalg_solve import det as _det
from .ops.linalg_solve import inv as _inv
from .ops.linalg_solve import pinv as _pinv
from .ops.linalg_solve import solve as _solve
from .ops.linalg_solve import solve_triangular as _solve_triangular
from .ops.linalg_util import as_operand as _operand
from .ops.linalg_util import mT


class SlogdetResult(NamedTuple):
    """`slogdet`'s result, as NumPy's: `.sign` (no derivative) and `.logabsdet`.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.slogdet(cr.tensor([[2.0]])).sign
        tensor(1.)
    """

    sign: object
    logabsdet: object


class EighResult(NamedTuple):
    """`eigh`'s result, as NumPy's: `.eigenvalues` (ascending) and `.eigenvectors` (columns).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.eigh(cr.tensor([[1.0, 0.0], [0.0, 3.0]])).eigenvalues
        tensor([1., 3.])
    """

    eigenvalues: object
    eigenvectors: object


class SVDResult(NamedTuple):
    """`svd`'s result, as NumPy's: A = U diag(S) Vh.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.svd(cr.tensor([[2.0, 0.0], [0.0, 1.0]])).S
        tensor([2., 1.])
    """

    U: object
    S: object
    Vh: object


class QRResult(NamedTuple):
    """`qr`'s result, as NumPy's: A = Q R.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.qr(cr.eye(2)).R.shape
        (2, 2)
    """

    Q: object
    R: object


def _square(name, a):
    shape = np.shape(value_of(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError(f"{name}: needs square matrices (..., n, n), got shape {shape}")


def inv(a):
    """The inverse of a square matrix (or of each in a stack); Ā = -A⁻ᵀ Ḡ A⁻ᵀ.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.inv(cr.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5 , 0.  ],
                [0.  , 0.25]])
    """
    return _inv(_operand(a))


def solve(a, b):
    """X with A X = B, as numpy.linalg.solve (b is a vector only when 1-d; stacks broadcast).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.solve(cr.tensor([[2.0, 0.0], [0.0, 4.0]]), cr.tensor([2.0, 2.0]))
        tensor([1. , 0.5])
    """
    return _solve(_operand(a), _operand(b))


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """X with T X = B for the triangle T of a, as scipy.linalg.solve_triangular (NumPy only, stacks too).

    `trans` 0/'N' solves T X = B, 1/'T' (or 2/'C') Tᵀ X = B; only the triangle
    read has a gradient (and not the diagonal, when unit_diagonal).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.solve_triangular(cr.tensor([[2.0, 0.0], [1.0, 1.0]]), cr.tensor([2.0, 3.0]), lower=True)
        tensor([1., 2.])
    """
    return _solve_triangular(_operand(a), _operand(b), trans=trans, lower=bool(lower),
                             unit_diagonal=bool(unit_diagonal))


def solve_sylvester(a, b, q):
    """X with A X + X B = Q, as scipy.linalg.solve_sylvester (matrices, or stacks of them; SciPy optional).

    Without SciPy, systems of up to 900 unknowns are solved as their Kronecker form.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.solve_sylvester(cr.tensor([[1.0]]), cr.tensor([[2.0]]), cr.tensor([[6.0]]))
        tensor([[2.]])
    """
    return _solve_sylvester(_operand(a), _operand(b), _operand(q))


def sqrtm(a, disp=True, blocksize=64):
    """The principal matrix square root, as scipy.linalg.sqrtm (real matrices with a real root, or stacks).

    `disp` and `blocksize` are accepted for SciPy compatibility. The derivative
    solves a Sylvester equation: Ā = sylv(Xᵀ, Xᵀ, Ḡ).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.sqrtm(cr.tensor([[4.0, 0.0], [0.0, 9.0]]))
        tensor([[2., 0.],
                [0., 3.]])
    """
    del disp, blocksize
    return _sqrtm(_operand(a))


def det(a):
    """The determinant; its gradient det(A) A⁻ᵀ needs A invertible.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.det(cr.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    return _det(_operand(a))


def slogdet(a):
    """(sign, log|det A|): the sign has no derivative, logabsdet has Ā = Ḡ A⁻ᵀ.

    Example:
        >>> import chainrule as cr
        >>> sign, logabsdet = cr.linalg.slogdet(cr.tensor([[-2.0, 0.0], [0.0, 1.0]]))
        >>> sign, logabsdet
        (tensor(-1.), tensor(0.693147...))
    """
    a = _operand(a)
    return SlogdetResult(slogdet_sign(a), slogdet_logabsdet(a))


def cholesky(a, upper=False):
    """The Cholesky factor L (A = L Lᵀ) of a symmetric positive-definite matrix, as numpy.linalg.cholesky.

    Only one triangle of a is read (the lower, or the upper when upper=True), so
    the other gets gradient 0; symmetrise the input yourself if it is a free parameter.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.cholesky(cr.tensor([[4.0, 2.0], [2.0, 5.0]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    a = _operand(a)
    if upper:  # the upper triangle of a is the lower triangle of aᵀ
        return mT(cholesky_lower(mT(a)))
    return cholesky_lower(a)


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix, as numpy.linalg.eigh.

    Only the UPLO triangle is read (the other gets gradient 0). Eigenvalue
    gradients always exist; eigenvector gradients divide by eigenvalue gaps, so
    for repeated eigenvalues they are inf/NaN (the derivative does not exist),
    never a finite wrong number. Functions of the eigenvectors that do not
    depend on their sign are the ones with a well-defined derivative.

    Example:
        >>> import chainrule as cr
        >>> w, v = cr.linalg.eigh(cr.tensor([[2.0, 0.0], [0.0, 1.0]]))
        >>> w
        tensor([1., 2.])
    """
    a = _operand(a)
    _square("eigh", a)
    return EighResult(eigh_values(a, UPLO=UPLO), eigh_vectors(a, UPLO=UPLO))


def eigvalsh(a, UPLO="L"):
    """The eigenvalues of a symmetric matrix (ascending); always differentiable: Ā = V diag(w̄) Vᵀ.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.eigvalsh(cr.tensor([[2.0, 1.0], [1.0, 2.0]]))
        tensor([1., 3.])
    """
    a = _operand(a)
    _square("eigvalsh", a)
    return eigh_values(a, UPLO=UPLO)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition A = U diag(S) Vh, as numpy.linalg.svd.

    Differentiable for full_matrices=False, and for square matrices (where both
    forms agree); for a non-square input that requires grad, full_matrices=True
    raises, since the extra columns are arbitrary. Singular-value gradients always
    exist; those of U and Vh are inf/NaN for repeated (or, for non-square inputs,
    zero) singular values. `hermitian` is accepted and ignored (the general
    algorithm gives the same S).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.svd(cr.tensor([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
        tensor([4., 3.])
    """
    del hermitian
    a = _operand(a)
    if not compute_uv:
        return _svdvals(a)
    m, n = np.shape(value_of(a))[-2:]
    if full_matrices and m != n:
        if isinstance(a, Tensor) and (a.requires_grad or a._tangents):  # reverse or forward mode
            raise ChainruleError(f"svd: full_matrices=True of a {m}x{n} matrix has no derivative (the extra "
                                 "singular vectors are arbitrary); pass full_matrices=False")
        u, s, vh = np.linalg.svd(value_of(a), full_matrices=True)
        wrap = Tensor._wrap if isinstance(a, Tensor) else np.asarray
        return SVDResult(wrap(u), wrap(s), wrap(vh))
    return SVDResult(svd_u(a), _svdvals(a), svd_vh(a))


def svdvals(a):
    """The singular values, descending, as numpy.linalg.svdvals; Ā = U diag(s̄) Vh.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.svdvals(cr.tensor([[0.0, 2.0], [1.0, 0.0]]))
        tensor([2., 1.])
    """
    return _svdvals(_operand(a))


def qr(a, mode="reduced"):
    """QR factorisation, as numpy.linalg.qr ('reduced' gives (Q, R), 'r' gives R).

    Differentiable for m >= n with full column rank (the factors are then
    unique given NumPy's sign choice); 'complete' and 'raw' are not supported.

    Example:
        >>> import chainrule as cr
        >>> q, r = cr.linalg.qr(cr.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> abs(r[0, 0])
        tensor(5.)
    """
    a = _operand(a)
    if mode == "r":
        return qr_r(a)
    if mode != "reduced":
        raise ValueError(f"qr: mode={mode!r} is not supported; use 'reduced' or 'r'")
    return QRResult(qr_q(a), qr_r(a))


def pinv(a, rcond=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse; its derivative assumes the rank does not change near a.

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.pinv(cr.tensor([[1.0], [1.0]], dtype=cr.float64))
        tensor([[0.5, 0.5]], dtype=float64)
    """
    return _pinv(_operand(a), rcond=rcond, hermitian=bool(hermitian))


LinAlgError = np.linalg.LinAlgError

__all__ = [
    "inv", "solve", "solve_triangular", "solve_sylvester", "sqrtm",
    "det", "slogdet", "cholesky", "eigh", "eigvalsh", "svd", "svdvals",
    "qr", "pinv", "matrix_power", "norm", "vector_norm", "matrix_norm", "multi_dot", "matrix_transpose",
    "trace", "diagonal", "cross", "outer", "tensordot", "matrix_rank", "lstsq", "cond", "tensorsolve",
    "tensorinv", "vecdot", "LinAlgError", "SlogdetResult", "EighResult", "SVDResult", "QRResult", "LstsqResult",
]

from ._keywords import explain_keywords  # noqa: E402  (torch.linalg's dim= / keepdim= read; unknown keywords named)

explain_keywords(globals(), __all__, "cr.linalg.")
