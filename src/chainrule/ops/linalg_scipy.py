"""scipy.linalg's Sylvester solver and matrix square root, as op-table rows (matrices or stacks of them).

SciPy is optional: with it the forward passes are SciPy's (Bartels-Stewart,
Schur-based square root); without it, small Sylvester equations are solved as
their Kronecker-product linear system and the square root goes through an
eigendecomposition. Either takes one matrix at a time, so a stack `(..., n, n)`
(broadcast as numpy.linalg broadcasts; what vmap hands them) is one call per
matrix inside the forward. The rules are the same either way, and are written
with the solve_sylvester row itself, so they differentiate again:

- X = sylv(A, B, Q) solves A X + X B = Q. From dA X + A dX + dX B + X dB = dQ,
  A dX + dX B = dQ − dA X − X dB; the adjoint map of Y ↦ A Y + Y B is
  Z ↦ Aᵀ Z + Z Bᵀ, so Q̄ = sylv(Aᵀ, Bᵀ, Ḡ), Ā = −Q̄ Xᵀ, B̄ = −Xᵀ Q̄.
- X = sqrtm(A), X X = A: dX X + X dX = dA, so dX = sylv(X, X, dA) and
  Ā = sylv(Xᵀ, Xᵀ, Ḡ) (e.g. N. Higham, "Functions of Matrices", 2008, ch. 6).
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, on_host
from ..core.registry import defop
from .linalg_util import mT

_KRONECKER_LIMIT = 900  # unknowns; beyond this the n m × n m system is too large to be the fallback


def _each_matrix(name, one, tail, *arrays):
    """`one` (a function of single matrices) over stacks of them, their leading axes broadcast; `tail` is
    the shape of one result. A Python loop over the matrices, in NumPy: SciPy takes one at a time."""
    for x in arrays:
        if x.ndim < 2:
            raise ValueError(f"{name} takes matrices (..., n, m), got shape {x.shape}")
    lead = np.broadcast_shapes(*[x.shape[:-2] for x in arrays])
    if not lead:
        return one(*arrays)
    full = [np.broadcast_to(x, lead + x.shape[-2:]) for x in arrays]
    out = np.empty(lead + tail, dtype=np.result_type(*arrays))
    for i in np.ndindex(*lead):
        out[i] = one(*[x[i] for x in full])
    return out


def _solve_sylvester(a, b, q):
    a, b, q = as_array(a), as_array(b), as_array(q)
    return _each_matrix("solve_sylvester", _one_sylvester, q.shape[-2:] if q.ndim >= 2 else (), a, b, q)


def _one_sylvester(a, b, q):
    try:
        from scipy.linalg import solve_sylvester as scipy_solve
    except ImportError:
        x = _sylvester_by_kronecker(a, b, q)
    else:
        x = scipy_solve(a, b, q)
    return np.asarray(x).astype(np.result_type(a, b, q), copy=False)


def _sylvester_by_kronecker(a, b, q):
    n, m = q.shape
    if n * m > _KRONECKER_LIMIT:
        raise ValueError(f"solve_sylvester of a {n}x{m} system without SciPy is too large for the Kronecker "
                         "fallback; install SciPy (pip install scipy)")
    # column-major vec: vec(A X) = (I ⊗ A) vec X, vec(X B) = (Bᵀ ⊗ I) vec X
    system = np.kron(np.eye(m), a) + np.kron(b.T, np.eye(n))
    return np.linalg.solve(system, q.reshape(-1, order="F")).reshape((n, m), order="F")


def _adjoint_rhs(g, ans, a, b, q):
    return solve_sylvester(mT(a), mT(b), g)


solve_sylvester = defop(
    "solve_sylvester", on_host(_solve_sylvester),  # SciPy's: a GPU array's values go to the host and back
    vjp=(lambda g, ans, a, b, q: -(_adjoint_rhs(g, ans, a, b, q) @ mT(ans)),
         lambda g, ans, a, b, q: -(mT(ans) @ _adjoint_rhs(g, ans, a, b, q)),
         _adjoint_rhs),
    jvp=(lambda t, ans, a, b, q: solve_sylvester(a, b, -(t @ ans)),
         lambda t, ans, a, b, q: solve_sylvester(a, b, -(ans @ t)),
         lambda t, ans, a, b, q: solve_sylvester(a, b, t)),
    derivative="Q̄ = sylv(Aᵀ, Bᵀ, Ḡ), Ā = −Q̄ Xᵀ, B̄ = −Xᵀ Q̄",
    convention="needs A and −B to share no eigenvalue (else there is no unique solution)")


def _sqrtm(a):
    a = as_array(a)
    return _each_matrix("sqrtm", _one_sqrtm, a.shape[-2:] if a.ndim >= 2 else (), a)


def _one_sqrtm(a):
    try:
        from scipy.linalg import sqrtm as scipy_sqrtm
    except ImportError:
        w, v = np.linalg.eig(a)
        root = (v * np.sqrt(w.astype(complex))) @ np.linalg.inv(v)
    else:
        root = scipy_sqrtm(a)
    if np.isrealobj(a) and np.iscomplexobj(root):
        if np.abs(root.imag).max(initial=0.0) > 1e-8 * max(np.abs(root.real).max(initial=0.0), 1.0):
            raise ValueError("sqrtm: this real matrix has no real square root (a negative real eigenvalue); "
                             "chainrule's tensors are real")
        root = root.real
    return np.asarray(root).astype(a.dtype, copy=False)


sqrtm = defop("sqrtm", on_host(_sqrtm),  # SciPy's: a GPU array's values go to the host and back
              vjp=lambda g, ans, a: solve_sylvester(mT(ans), mT(ans), g),
              jvp=lambda t, ans, a: solve_sylvester(ans, ans, t),
              derivative="Ā = sylv(Xᵀ, Xᵀ, Ḡ), X = √A",
              convention="the principal square root; real inputs need a real root")
