"""Registry test cases for the linear-algebra rows and einsum (merged into op_specs.CASES / REFERENCE).

Inputs are well conditioned: square matrices are a Gaussian draw plus 3·I,
positive-definite ones G Gᵀ + n·I, so finite differences and the rules agree
to the registry's tolerances. Own generator: drawing here must not shift the
draws of the other areas' specs.
"""

import numpy as np

rng = np.random.default_rng(2026)


def normal(*shape):
    return rng.normal(size=shape)


def well_conditioned(*shape):
    return normal(*shape) + 3 * np.eye(shape[-1])


def positive_definite(*shape):
    g = normal(*shape)
    return g @ np.swapaxes(g, -1, -2) + shape[-1] * np.eye(shape[-1])


def with_noise_above(a):
    """a with its strict upper triangle scrambled: ops that read the lower triangle must not notice."""
    return a + np.triu(normal(*a.shape), 1)


def _negative_det(n):
    a = well_conditioned(n, n)
    return a[[1, 0] + list(range(2, n))]  # two rows swapped: det < 0


SQUARE = [(well_conditioned(3, 3),), (well_conditioned(2, 3, 3),), (well_conditioned(1, 1),),
          (well_conditioned(0, 2, 2),)]
TRIANGULAR_FORMS = [{"lower": True}, {"lower": False}, {"lower": True, "trans": 1},
                    {"lower": False, "trans": "T", "unit_diagonal": True}, {"lower": True, "unit_diagonal": True}]

CASES = {
    "inv": [(args, {}) for args in SQUARE],
    "det": [(args, {}) for args in SQUARE] + [((_negative_det(3),), {})],
    "slogdet_logabsdet": [(args, {}) for args in SQUARE] + [((_negative_det(3),), {})],
    "slogdet_sign": [((_negative_det(3),), {}), ((well_conditioned(2, 3, 3),), {})],
    "solve": [((well_conditioned(3, 3), normal(3)), {}), ((well_conditioned(3, 3), normal(3, 2)), {}),
              ((well_conditioned(2, 3, 3), normal(3)), {}), ((well_conditioned(2, 3, 3), normal(2, 3, 2)), {}),
              ((well_conditioned(3, 3), normal(2, 3, 1)), {}), ((well_conditioned(1, 1), normal(1)), {}),
              ((well_conditioned(2, 1, 3, 3), normal(4, 3, 2)), {})],
    "solve_triangular": [((well_conditioned(3, 3), normal(3)), form) for form in TRIANGULAR_FORMS]
    + [((well_conditioned(3, 3), normal(3, 2)), form) for form in TRIANGULAR_FORMS]
    + [((well_conditioned(2, 3, 3), normal(3)), {"lower": True}),
       ((well_conditioned(2, 3, 3), normal(2, 3, 2)), {"lower": False, "trans": 1})],
    "cholesky": [((with_noise_above(positive_definite(3, 3)),), {}), ((positive_definite(2, 3, 3),), {}),
                 ((positive_definite(1, 1),), {}), ((positive_definite(0, 2, 2),), {})],
    "pinv": [((normal(4, 3),), {}), ((normal(3, 4),), {}), ((normal(2, 4, 3),), {}), ((well_conditioned(3, 3),), {}),
             ((normal(4, 3),), {"rcond": 1e-10})],
    "eigh_values": [((normal(3, 3),), {}), ((normal(2, 3, 3),), {}), ((normal(3, 3),), {"UPLO": "U"}),
                    ((normal(1, 1),), {}), ((normal(0, 2, 2),), {})],
    "eigh_vectors": [((normal(3, 3),), {}), ((normal(2, 3, 3),), {}), ((normal(3, 3),), {"UPLO": "U"}),
                     ((normal(1, 1),), {})],
    "svdvals": [((normal(4, 3),), {}), ((normal(3, 4),), {}), ((normal(2, 3, 3),), {}), ((normal(1, 1),), {})],
    "svd_u": [((normal(4, 3),), {}), ((normal(3, 4),), {}), ((normal(2, 3, 3),), {}), ((normal(1, 1),), {})],
    "svd_vh": [((normal(4, 3),), {}), ((normal(3, 4),), {}), ((normal(2, 3, 3),), {}), ((normal(1, 1),), {})],
    "qr_q": [((normal(4, 3),), {}), ((well_conditioned(3, 3),), {}), ((normal(2, 4, 3),), {})],
    "qr_r": [((normal(4, 3),), {}), ((well_conditioned(3, 3),), {}), ((normal(2, 4, 3),), {})],
    "euclidean_norm": [((normal(3, 4),), {}), ((normal(3, 4),), {"axis": 0}),
                       ((normal(3, 4),), {"axis": -1, "keepdims": True}), ((normal(2, 3, 4),), {"axis": (0, 2)}),
                       ((normal(),), {}), ((normal(1),), {}), ((normal(0, 3),), {"axis": 0}),
                       ((np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]]),), {"axis": 1})],  # a zero row: gradient 0
    # einsum's subscripts as chainrule.einsum normalises them (explicit output, no '...')
    "einsum": [((normal(3, 4), normal(4, 2)), {"subscripts": "ij,jk->ik"}),
               ((normal(3, 3),), {"subscripts": "ii->i"}),
               ((normal(3, 3),), {"subscripts": "ii->"}),
               ((normal(3, 3, 2),), {"subscripts": "iij->j"}),
               ((normal(2, 3),), {"subscripts": "ij->"}),
               ((normal(2, 3),), {"subscripts": "ij->ji"}),
               ((normal(4), normal(4)), {"subscripts": "i,i->"}),
               ((normal(3), normal(4)), {"subscripts": "i,j->ij"}),
               ((normal(2, 3, 4), normal(2, 4, 5)), {"subscripts": "bij,bjk->bik"}),
               ((normal(3, 4), normal(4, 5), normal(5, 2)), {"subscripts": "ij,jk,kl->il"}),
               ((normal(3), normal(3), normal(3)), {"subscripts": "i,i,i->i"}),
               ((normal(1, 3), normal(2, 3)), {"subscripts": "ab,ab->ab"}),
               ((normal(), normal(3)), {"subscripts": ",i->i"}),
               ((normal(3, 3), normal(3)), {"subscripts": "ii,i->i"}),
               ((normal(0, 3), normal(3, 2)), {"subscripts": "ij,jk->ik"})],
}


def _solve_triangular_reference(a, b, trans=0, lower=False, unit_diagonal=False):
    try:
        from scipy.linalg import solve_triangular
    except ImportError:  # without SciPy: substitution written out, one unknown at a time
        return _substitution(a, b, trans, lower, unit_diagonal)
    return solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


def _substitution(a, b, trans, lower, unit_diagonal):
    t = np.tril(a) if lower else np.triu(a)
    if trans in (1, 2, "T", "C"):
        t, lower = np.swapaxes(t, -1, -2), not lower
    vector = b.ndim == 1
    b = b[:, None] if vector else b
    n = t.shape[-1]
    x = np.zeros(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:])
    for i in (range(n) if lower else reversed(range(n))):
        rest = np.einsum("...j,...jk->...k", t[..., i, :], x)
        x[..., i, :] = (b[..., i, :] - rest) / (1.0 if unit_diagonal else t[..., i, i][..., None])
    return x[..., 0] if vector else x


def _svd(x):
    return np.linalg.svd(x, full_matrices=False)


REFERENCE = {
    "inv": np.linalg.inv, "det": np.linalg.det, "solve": np.linalg.solve,
    "slogdet_logabsdet": lambda a: np.linalg.slogdet(a).logabsdet,
    "slogdet_sign": lambda a: np.linalg.slogdet(a).sign,
    "solve_triangular": _solve_triangular_reference,
    "cholesky": np.linalg.cholesky,
    "pinv": lambda a, rcond=None: np.linalg.pinv(a) if rcond is None else np.linalg.pinv(a, rcond),
    "eigh_values": lambda a, UPLO="L": np.linalg.eigh(a, UPLO=UPLO).eigenvalues,
    "eigh_vectors": lambda a, UPLO="L": np.linalg.eigh(a, UPLO=UPLO).eigenvectors,
    "svdvals": lambda a: _svd(a).S, "svd_u": lambda a: _svd(a).U, "svd_vh": lambda a: _svd(a).Vh,
    "qr_q": lambda a: np.linalg.qr(a).Q, "qr_r": lambda a: np.linalg.qr(a).R,
    "euclidean_norm": lambda x, axis=None, keepdims=False: np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims)),
    "einsum": lambda *xs, subscripts: np.einsum(subscripts, *xs),
}


def _sylvester_reference(a, b, q):
    if max(a.ndim, b.ndim, q.ndim) > 2:  # a stack: one system at a time
        lead = np.broadcast_shapes(a.shape[:-2], b.shape[:-2], q.shape[:-2])
        a, b, q = (np.broadcast_to(x, lead + x.shape[-2:]) for x in (a, b, q))
        return np.array([_sylvester_reference(a[i], b[i], q[i]) for i in np.ndindex(*lead)]).reshape(q.shape)
    try:
        from scipy.linalg import solve_sylvester
    except ImportError:  # written out: the n·m unknowns of A X + X B = Q as one linear system
        n, m = q.shape
        system = np.einsum("ik,jl->ijkl", a, np.eye(m)) + np.einsum("ik,jl->ijkl", np.eye(n), b.T)
        return np.linalg.solve(system.reshape(n * m, n * m), q.reshape(-1)).reshape(n, m)
    return solve_sylvester(a, b, q)


def _sqrtm_reference(a):
    if a.ndim > 2:
        return np.array([_sqrtm_reference(m) for m in a.reshape(-1, *a.shape[-2:])]).reshape(a.shape)
    try:
        from scipy.linalg import sqrtm
    except ImportError:  # the inputs below are symmetric positive definite
        w, v = np.linalg.eigh(a)
        return (v * np.sqrt(w)) @ v.T
    return sqrtm(a)


CASES.update({
    "solve_sylvester": [((well_conditioned(3, 3), well_conditioned(2, 2), normal(3, 2)), {}),
                        ((positive_definite(2, 2), positive_definite(2, 2), normal(2, 2)), {}),
                        ((well_conditioned(1, 1), well_conditioned(3, 3), normal(1, 3)), {}),
                        # stacks, broadcast as numpy.linalg broadcasts
                        ((well_conditioned(2, 3, 3), well_conditioned(2, 2), normal(2, 3, 2)), {})],
    "sqrtm": [((positive_definite(3, 3),), {}), ((positive_definite(1, 1),), {}),
              ((well_conditioned(3, 3) @ well_conditioned(3, 3).T,), {}), ((positive_definite(2, 3, 3),), {}),
              ((positive_definite(0, 2, 2),), {})],
})
REFERENCE.update({"solve_sylvester": _sylvester_reference, "sqrtm": _sqrtm_reference})
