"""Inverses, linear solves, determinants and the Cholesky factor, as op-table rows.

Every op takes stacks of matrices `(..., n, n)` as numpy.linalg does. The
rules are the standard matrix-calculus results, as collected in M. Giles,
"An extended collection of matrix derivative results for forward and reverse
mode algorithmic differentiation" (2008), and for the
Cholesky factor I. Murray, "Differentiation of the Cholesky decomposition"
(2016); the pseudo-inverse follows G. Golub and V. Pereyra, "The
differentiation of pseudo-inverses and nonlinear least squares problems"
(1973). Each is written out in the comment beside its rule.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, like
from ..core.errors import ChainruleError, OpError
from ..core.registry import defop
from ._util import value_of
from .linalg import matmul
from .linalg_util import (
    as_column,
    as_operand,
    eye_like,
    from_column,
    matrix_trace,
    mT,
    symmetric_from_triangle,
    triangle,
    triangle_adjoint,
    tril,
)
from .shape import expand_dims


def _is_vector_rhs(b):
    """numpy.linalg.solve's rule (NumPy 2): b is a vector only when it is 1-d."""
    return np.ndim(value_of(b)) == 1


# ---- inverse: d(A⁻¹) = -A⁻¹ dA A⁻¹, so Ā = -A⁻ᵀ Ḡ A⁻ᵀ ---------------------------
inv = defop("inv", np.linalg.inv,
            vjp=lambda g, ans, a: -(mT(ans) @ g @ mT(ans)),
            jvp=lambda t, ans, a: -(ans @ t @ ans),
            derivative="Ā = -A⁻ᵀ Ḡ A⁻ᵀ")


# ---- solve: X = A⁻¹ B; B̄ = A⁻ᵀ Ḡ, Ā = -B̄ Xᵀ; dX = A⁻¹ (dB - dA X) --------------------
def _solve_vjp_b(g, ans, a, b):
    if _is_vector_rhs(b):  # g may be a stack of vectors: solve it as columns
        return from_column(solve(mT(a), as_column(g)))
    return solve(mT(a), g)


def _solve_vjp_a(g, ans, a, b):
    b_bar = _solve_vjp_b(g, ans, a, b)
    if _is_vector_rhs(b):
        return -(as_column(b_bar) @ expand_dims(ans, -2))
    return -(b_bar @ mT(ans))


def _solve_jvp_a(t, ans, a, b):
    if _is_vector_rhs(b):
        return -from_column(solve(a, t @ as_column(ans)))
    return -solve(a, t @ ans)


solve = defop("solve", np.linalg.solve,
              vjp=(_solve_vjp_a, _solve_vjp_b),
              jvp=(_solve_jvp_a, lambda t, ans, a, b: solve(a, t)),  # t has b's shape: solve reads it as b
              derivative="B̄ = A⁻ᵀ Ḡ, Ā = -B̄ Xᵀ")


# ---- triangular solve (scipy.linalg.solve_triangular), forward in NumPy ---------------
def _triangle_read(a, lower, unit_diagonal):
    """The triangular matrix solve_triangular actually uses (the other triangle ignored)."""
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        n = a.shape[-1]
        eye = np.eye(n, dtype=t.dtype, like=like(t))
        t = t * (1 - eye) + eye
    return t


def _transposes(trans):
    if trans in (0, "N"):
        return False
    if trans in (1, 2, "T", "C"):  # real matrices: the conjugate transpose is the transpose
        return True
    raise ValueError(f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")


def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    a, b = as_array(a), as_array(b)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"solve_triangular needs square matrices, got shape {a.shape}")
    t = _triangle_read(a, lower, unit_diagonal)
    if _transposes(trans):
        t = np.swapaxes(t, -1, -2)
    # An LU solve of a triangular matrix is exact in form; SciPy's O(n²) substitution is faster but optional.
    return np.linalg.solve(t, b)


def _tri_solve(a, rhs, vector, trans, lower, unit_diagonal):
    """solve_triangular, reading rhs as a stack of vectors `(..., n)` when `vector` (not as one matrix)."""
    if vector and np.ndim(value_of(rhs)) > 1:
        return from_column(solve_triangular(a, as_column(rhs), trans=trans, lower=lower,
                                            unit_diagonal=unit_diagonal))
    return solve_triangular(a, rhs, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _tri_vjp_b(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    # X = M⁻¹ B with M = T or Tᵀ: B̄ = M⁻ᵀ Ḡ, which is the other orientation of the same solve
    flipped = 0 if _transposes(trans) else 1
    return _tri_solve(a, g, _is_vector_rhs(b), flipped, lower, unit_diagonal)


def _tri_vjp_a(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    b_bar = _tri_vjp_b(g, ans, a, b, trans, lower, unit_diagonal)
    m_bar = -(as_column(b_bar) @ expand_dims(ans, -2)) if _is_vector_rhs(b) else -(b_bar @ mT(ans))
    a_bar = mT(m_bar) if _transposes(trans) else m_bar
    return triangle(a_bar, lower, -1 if unit_diagonal else 0)  # only the triangle read has a derivative


def _tri_jvp_a(t, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    dm = triangle(t, lower, -1 if unit_diagonal else 0)
    dm = mT(dm) if _transposes(trans) else dm
    dm_x = from_column(dm @ as_column(ans)) if _is_vector_rhs(b) else dm @ ans
    return -_tri_solve(a, dm_x, _is_vector_rhs(b), trans, lower, unit_diagonal)


solve_triangular = defop(
    "solve_triangular", _solve_triangular,
    vjp=(_tri_vjp_a, _tri_vjp_b),
    jvp=(_tri_jvp_a, lambda t, ans, a, b, trans=0, lower=False, unit_diagonal=False: solve_triangular(
        a, t, trans=trans, lower=lower, unit_diagonal=unit_diagonal)),
    derivative="B̄ = M⁻ᵀ Ḡ, Ā = -B̄ Xᵀ on the triangle read (M = A or Aᵀ)",
    convention="the ignored triangle (and a unit diagonal) gets gradient 0")


# ---- determinants: d det A = det A · tr(A⁻¹ dA); d log|det A| = tr(A⁻¹ dA) ---------------
def _per_matrix(g):
    """A stack of scalars `(...)` lifted to broadcast against a stack of matrices."""
    return expand_dims(expand_dims(g, -1), -1)


def _needs_inverse(name, rule):
    """rule, with a singular A reported as what it means for the derivative."""
    def checked(d, ans, a):
        try:
            return rule(d, ans, a)
        except (np.linalg.LinAlgError, OpError):
            raise ChainruleError(f"{name}: the derivative uses A⁻¹ and A is singular (det A = 0); "
                                 "move A away from singularity (e.g. add a small multiple of I)") from None
    return checked


det = defop("det", np.linalg.det,
            vjp=_needs_inverse("det", lambda g, ans, a: _per_matrix(g * ans) * mT(inv(a))),
            jvp=_needs_inverse("det", lambda t, ans, a: ans * matrix_trace(solve(a, t))),
            derivative="Ā = Ḡ det(A) A⁻ᵀ", convention="singular A: the rule needs A⁻¹ and raises")
slogdet_logabsdet = defop(
    "slogdet_logabsdet", lambda a: np.linalg.slogdet(a)[1],
    vjp=_needs_inverse("slogdet", lambda g, ans, a: _per_matrix(g) * mT(inv(a))),
    jvp=_needs_inverse("slogdet", lambda t, ans, a: matrix_trace(solve(a, t))),
    derivative="Ā = Ḡ A⁻ᵀ", convention="singular A: the rule needs A⁻¹ and raises")
slogdet_sign = defop("slogdet_sign", lambda a: np.linalg.slogdet(a)[0], nondiff=True)


# ---- Cholesky (Murray 2016): dL = L Φ(L⁻¹ dA L⁻ᵀ), Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ ---------------
# Φ keeps the lower triangle and halves the diagonal. numpy.linalg.cholesky reads only the
# lower triangle of its input, so dA is the symmetric matrix that triangle stands for.
def _phi(x):
    return tril(x) - 0.5 * x * eye_like(np.shape(value_of(x))[-1], x)


def _right_solve_lower_t(y, chol):
    """Y L⁻¹ for lower-triangular L, as (L⁻ᵀ Yᵀ)ᵀ."""
    return mT(solve_triangular(chol, mT(y), trans=1, lower=True))


def _cholesky_vjp(g, ans, a):
    p = _phi(mT(ans) @ g)
    s = _right_solve_lower_t(solve_triangular(ans, p, trans=1, lower=True), ans)
    return triangle_adjoint(s, lower=True)


def _cholesky_jvp(t, ans, a):
    da = symmetric_from_triangle(t, lower=True)
    c = mT(solve_triangular(ans, mT(solve_triangular(ans, da, lower=True)), lower=True))
    return ans @ _phi(c)


cholesky_lower = defop("cholesky", np.linalg.cholesky, vjp=_cholesky_vjp, jvp=_cholesky_jvp,
                       derivative="Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (Φ: lower triangle, half diagonal)",
                       convention="only the lower triangle is read: the upper one gets gradient 0")


# ---- pseudo-inverse (Golub & Pereyra 1973), for matrices of locally constant rank ---------
# dX = -X dA X + X Xᵀ dAᵀ (I - A X) + (I - X A) dAᵀ Xᵀ X, with X = A⁺; its adjoint:
# Ā = -Xᵀ Ḡ Xᵀ + (I - A X) Ḡᵀ X Xᵀ + Xᵀ X Ḡᵀ (I - X A)
def _pinv_vjp(g, ans, a, rcond=None, hermitian=False):
    x, gt = ans, mT(g)
    left = (gt - a @ (x @ gt)) @ (x @ mT(x))
    right = (mT(x) @ x) @ (gt - (gt @ x) @ a)
    return -(mT(x) @ g @ mT(x)) + left + right


def _pinv_jvp(t, ans, a, rcond=None, hermitian=False):
    x, tt = ans, mT(t)
    return -(x @ t @ x) + (x @ mT(x)) @ (tt - (tt @ a) @ x) + (tt - x @ (a @ tt)) @ (mT(x) @ x)


def _pinv(a, rcond=None, hermitian=False):
    a = as_array(a)
    return np.linalg.pinv(a, hermitian=hermitian) if rcond is None else np.linalg.pinv(a, rcond, hermitian)


pinv = defop("pinv", _pinv, vjp=_pinv_vjp, jvp=_pinv_jvp,
             derivative="Ā = -Xᵀ Ḡ Xᵀ + (I - AX) Ḡᵀ X Xᵀ + Xᵀ X Ḡᵀ (I - XA), X = A⁺",
             convention="assumes the rank is constant near A (it jumps where singular values cross rcond)")


def matrix_power(a, n):
    """A square matrix (or stack) raised to the integer power n, as numpy.linalg.matrix_power.

    Composite: repeated squaring with matmul (n < 0 inverts first, n = 0 gives the identity).

    Example:
        >>> import chainrule as cr
        >>> cr.linalg.matrix_power(cr.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: the exponent must be an integer, got {type(n).__name__}")
    a = as_operand(a)
    shape = np.shape(value_of(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"matrix_power needs square matrices (..., n, n), got shape {shape}")
    if n == 0:
        return a * 0 + eye_like(shape[-1], a)  # keeps a's stack shape; the derivative is 0
    if n < 0:
        a, n = inv(a), -n
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result
