"""Symmetric eigendecomposition, SVD and QR: one op-table row per output.

An op returns one array, so each factor is its own primitive (`eigh_values`,
`eigh_vectors`; `svd_u`, `svdvals`, `svd_vh`; `qr_q`, `qr_r`), and each
rule accounts only for its own output; the engine adds the contributions of
the factors a program uses. The factorisation runs once per input: the rows
of one decomposition share its last result (`_LastResult`, keyed on the
input's contents, so changing the array in place recomputes it).

Why not one packed array: then a program using only eigenvalues would still
push zeros through the eigenvector rule, and 0 · 1/(λ_j − λ_i) is NaN for a
repeated eigenvalue, where the eigenvalue derivative is perfectly defined.

Rules: eigh from M. Giles, "An extended collection of matrix derivative
results" (2008); the SVD from J. Townsend, "Differentiating the
singular value decomposition" (2016); QR from the derivation in S. Walter
and L. Lehmann, "Algorithmic differentiation of linear algebra functions
with application in optimum experimental design" (2010), both directions
written out below.

Degenerate spectra: eigenvalue and singular-value derivatives exist and are
returned. Eigenvector (singular-vector) derivatives divide by the gaps
λ_j − λ_i (s_j² − s_i²); where two coincide the derivative does not exist
and the result contains inf or NaN, never a finite number. A zero singular
value of a non-square matrix makes the U or Vh derivative infinite too.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, device_of
from ..core.errors import ChainruleError
from ..core.registry import defop
from ._util import value_of
from .linalg_solve import solve_triangular
from .linalg_util import (
    diagonal_part,
    inverse_gaps,
    mT,
    symmetric_from_triangle,
    triangle_adjoint,
    tril,
)
from .shape import expand_dims


class _LastResult:
    """A factorisation's last input and result, so its per-output rows run it once."""

    def __init__(self, fn):
        self.fn, self.key, self.x, self.result = fn, None, None, None

    def __call__(self, x, *params):
        x = as_array(x)
        key = (x.shape, x.dtype, params)
        if type(x) is not np.ndarray:  # arrays of two devices are never compared (CuPy refuses to)
            key = (type(x), device_of(x), *key)
        if key != self.key or not np.array_equal(x, self.x):
            self.result, self.x, self.key = self.fn(x, *params), x.copy(), key
        return self.result


_eigh = _LastResult(lambda x, uplo: np.linalg.eigh(x, UPLO=uplo))
_svd = _LastResult(lambda x: np.linalg.svd(x, full_matrices=False))
_qr = _LastResult(lambda x: np.linalg.qr(x, mode="reduced"))


def _lower(uplo):
    if uplo not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo == "L"


def _eigh_checked(x, uplo):
    _lower(uplo)  # a clear error for a bad UPLO before LAPACK sees it
    return _eigh(x, uplo)


def _cols(v):
    """Scale columns: v `(..., k)` lifted to broadcast over the rows of a matrix."""
    return expand_dims(v, -2)


def _rows(v):
    """Scale rows: v `(..., k)` lifted to broadcast over the columns of a matrix."""
    return expand_dims(v, -1)


# ---- eigh: A = V diag(w) Vᵀ, dw = diag(Vᵀ dA V), dV = V (F ∘ Vᵀ dA V), F_ij = 1/(w_j − w_i) ----
def _eigh_values_vjp(g, ans, x, UPLO="L"):
    v = eigh_vectors(x, UPLO=UPLO)
    return triangle_adjoint((v * _cols(g)) @ mT(v), _lower(UPLO))


def _eigh_values_jvp(t, ans, x, UPLO="L"):
    v = eigh_vectors(x, UPLO=UPLO)
    da = symmetric_from_triangle(t, _lower(UPLO))
    return diagonal_part(mT(v) @ da @ v)


def _eigh_vectors_vjp(g, ans, x, UPLO="L"):
    f = inverse_gaps(eigh_values(x, UPLO=UPLO))
    return triangle_adjoint(ans @ (f * (mT(ans) @ g)) @ mT(ans), _lower(UPLO))


def _eigh_vectors_jvp(t, ans, x, UPLO="L"):
    f = inverse_gaps(eigh_values(x, UPLO=UPLO))
    da = symmetric_from_triangle(t, _lower(UPLO))
    return ans @ (f * (mT(ans) @ da @ ans))


_EIGH_CONVENTION = "reads one triangle (UPLO); the other gets gradient 0"
eigh_values = defop("eigh_values", lambda x, UPLO="L": _eigh_checked(x, UPLO)[0].copy(),
                    vjp=_eigh_values_vjp, jvp=_eigh_values_jvp,
                    derivative="Ā = V diag(w̄) Vᵀ", convention=_EIGH_CONVENTION)
eigh_vectors = defop("eigh_vectors", lambda x, UPLO="L": _eigh_checked(x, UPLO)[1].copy(),
                     vjp=_eigh_vectors_vjp, jvp=_eigh_vectors_jvp,
                     derivative="Ā = V (F ∘ Vᵀ V̄) Vᵀ, F_ij = 1/(w_j − w_i)",
                     convention=_EIGH_CONVENTION + "; repeated eigenvalues give inf/NaN")


# ---- thin SVD: A = U diag(s) Vh (Townsend 2016), F_ij = 1/(s_j² − s_i²) -------------------
# dP = Uᵀ dA V: ds = diag(dP), dU = U (F ∘ (dP S + S dPᵀ)) + (I − UUᵀ) dA V S⁻¹,
# dV = V (F ∘ (S dP + dPᵀ S)) + (I − VVᵀ) dAᵀ U S⁻¹; the VJPs are their adjoints.
def _svdvals_vjp(g, ans, x):
    return (svd_u(x) * _cols(g)) @ svd_vh(x)


def _svdvals_jvp(t, ans, x):
    return diagonal_part(mT(svd_u(x)) @ t @ mT(svd_vh(x)))


def _svd_u_vjp(g, ans, x):
    u, s, vh = ans, svdvals(x), svd_vh(x)
    f, utg = inverse_gaps(s, squared=True), mT(u) @ g
    inner = (f * (utg - mT(utg))) * _cols(s)
    return u @ inner @ vh + ((g - u @ utg) / _cols(s)) @ vh


def _svd_u_jvp(t, ans, x):
    u, s, vh = ans, svdvals(x), svd_vh(x)
    v, f = mT(vh), inverse_gaps(s, squared=True)
    dp = mT(u) @ t @ v
    return u @ (f * (dp * _cols(s) + _rows(s) * mT(dp))) + ((t @ v) - u @ (mT(u) @ (t @ v))) / _cols(s)


def _svd_vh_vjp(g, ans, x):
    u, s, vh = svd_u(x), svdvals(x), ans
    v, f = mT(vh), inverse_gaps(s, squared=True)
    vtv_bar = vh @ mT(g)  # Vᵀ V̄, with V̄ = Ḡᵀ the adjoint of V
    inner = _rows(s) * (f * (vtv_bar - mT(vtv_bar)))
    return u @ inner @ vh + (u / _cols(s)) @ (g - (g @ v) @ vh)


def _svd_vh_jvp(t, ans, x):
    u, s, vh = svd_u(x), svdvals(x), ans
    v, f = mT(vh), inverse_gaps(s, squared=True)
    dp = mT(u) @ t @ v
    dv = v @ (f * (_rows(s) * dp + mT(dp) * _cols(s)))
    tu = mT(t) @ u
    dv = dv + (tu - v @ (vh @ tu)) / _cols(s)
    return mT(dv)


svdvals = defop("svdvals", lambda x: _svd(x)[1].copy(), vjp=_svdvals_vjp, jvp=_svdvals_jvp,
                derivative="Ā = U diag(s̄) Vh")
svd_u = defop("svd_u", lambda x: _svd(x)[0].copy(), vjp=_svd_u_vjp, jvp=_svd_u_jvp,
              derivative="Ā = U (F ∘ (UᵀŪ − ŪᵀU)) S Vh + (I − UUᵀ) Ū S⁻¹ Vh",
              convention="repeated (or, for non-square A, zero) singular values give inf/NaN")
svd_vh = defop("svd_vh", lambda x: _svd(x)[2].copy(), vjp=_svd_vh_vjp, jvp=_svd_vh_jvp,
               derivative="Ā = U S (F ∘ (VᵀV̄ − V̄ᵀV)) Vh + U S⁻¹ V̄ᵀ (I − VVᵀ)",
               convention="repeated (or, for non-square A, zero) singular values give inf/NaN")


# ---- reduced QR, A = Q R (m ≥ n, full column rank) --------------------------------------
# With C = Qᵀ dA R⁻¹ and Ω = tril(C, −1) − tril(C, −1)ᵀ: dR = (C − Ω) R and dQ = (dA − Q dR) R⁻¹.
# Adjoint: for R̄, M = R̄ Rᵀ and Ā = Q (M − tril(M − Mᵀ, −1)) R⁻ᵀ; Q̄ adds Q̄ R⁻ᵀ and acts on
# R through dR with R̄' = −Qᵀ Q̄ R⁻ᵀ.
def _tall(x, name):
    m, n = np.shape(value_of(x))[-2:]
    if m < n:
        raise ChainruleError(f"{name}: QR is differentiable here only for m >= n (got {m}x{n}); "
                             "differentiate the QR of the transpose, or use svd")


def _times_r_inv_t(y, r):
    """Y R⁻ᵀ for upper-triangular R, as (R⁻¹ Yᵀ)ᵀ."""
    return mT(solve_triangular(r, mT(y), lower=False))


def _times_r_inv(y, r):
    """Y R⁻¹ for upper-triangular R, as (R⁻ᵀ Yᵀ)ᵀ."""
    return mT(solve_triangular(r, mT(y), trans=1, lower=False))


def _qr_adjoint_through_r(q, r, r_bar):
    m = r_bar @ mT(r)
    return q @ _times_r_inv_t(m - tril(m - mT(m), -1), r)


def _qr_r_vjp(g, ans, x):
    _tall(x, "qr")
    return _qr_adjoint_through_r(qr_q(x), ans, g)


def _qr_q_vjp(g, ans, x):
    _tall(x, "qr")
    r = qr_r(x)
    g_r_inv_t = _times_r_inv_t(g, r)
    return g_r_inv_t + _qr_adjoint_through_r(ans, r, -(mT(ans) @ g_r_inv_t))


def _qr_dr(t, q, r):
    c = _times_r_inv(mT(q) @ t, r)
    omega = tril(c, -1) - mT(tril(c, -1))
    return (c - omega) @ r


qr_r = defop("qr_r", lambda x: _qr(x)[1].copy(),
             vjp=_qr_r_vjp, jvp=lambda t, ans, x: (_tall(x, "qr"), _qr_dr(t, qr_q(x), ans))[1],
             derivative="Ā = Q (M − tril(M − Mᵀ, −1)) R⁻ᵀ, M = R̄ Rᵀ",
             convention="m ≥ n and full column rank; raises for m < n")
qr_q = defop("qr_q", lambda x: _qr(x)[0].copy(),
             vjp=_qr_q_vjp,
             jvp=lambda t, ans, x: (_tall(x, "qr"), _times_r_inv(t - ans @ _qr_dr(t, ans, qr_r(x)), qr_r(x)))[1],
             derivative="Ā = Q̄ R⁻ᵀ + (the R rule with R̄ = −Qᵀ Q̄ R⁻ᵀ)",
             convention="m ≥ n and full column rank; raises for m < n")
