"""cr.linalg through its public functions (einsum and friends: tests/test_contractions.py).

The op rows themselves are checked by tests/test_ops.py (values, VJP/JVP
against finite differences, order 2); here: every public form against
NumPy, derivatives of the composites (norm, einsum spellings, tensordot ...),
derivatives against formulas written out, conventions, and errors.
"""

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(7)


def well_conditioned(*shape):
    return rng.normal(size=shape) + 3 * np.eye(shape[-1])


def positive_definite(n):
    g = rng.normal(size=(n, n))
    return g @ g.T + n * np.eye(n)


def check(f, *xs, order=1):
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    if order == 2:
        assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


# ---- norm: every ord / axis / keepdims form against numpy.linalg.norm ----------------
VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 3, 0.5, -1.5]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("keepdims", [False, True])
def test_vector_norms_match_numpy_and_differentiate(ord, keepdims):
    x = rng.normal(size=(3, 4))
    for axis in (0, -1):
        out = cr.linalg.norm(cr.tensor(x), ord=ord, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out.numpy(), np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims),
                                   rtol=1e-12)
        check(lambda t, axis=axis: cr.linalg.norm(t, ord=ord, axis=axis, keepdims=keepdims), x)
    v = rng.normal(size=5)
    np.testing.assert_allclose(cr.linalg.norm(cr.tensor(v), ord=ord).numpy(), np.linalg.norm(v, ord=ord), rtol=1e-12)


@pytest.mark.parametrize("ord", MATRIX_ORDS)
def test_matrix_norms_match_numpy_and_differentiate(ord):
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(cr.linalg.norm(cr.tensor(x), ord=ord).numpy(), np.linalg.norm(x, ord=ord), rtol=1e-12)
    check(lambda t: cr.linalg.norm(t, ord=ord), x)
    stack = rng.normal(size=(3, 2, 4))
    for axis, keepdims in (((0, 2), False), ((2, 0), True), ((-1, -3), False)):
        out = cr.linalg.norm(cr.tensor(stack), ord=ord, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out.numpy(), np.linalg.norm(stack, ord=ord, axis=axis, keepdims=keepdims),
                                   rtol=1e-12)
        check(lambda t, axis=axis, keepdims=keepdims: cr.linalg.norm(t, ord=ord, axis=axis, keepdims=keepdims),
              stack)


def test_norm_without_axis_flattens_and_keeps_dims():
    x = rng.normal(size=(2, 3, 4))
    out = cr.linalg.norm(cr.tensor(x), keepdims=True)
    np.testing.assert_allclose(out.numpy(), np.linalg.norm(x, keepdims=True), rtol=1e-12)
    assert out.shape == (1, 1, 1)


def test_vector_and_matrix_norm_spellings():
    x = rng.normal(size=(2, 3, 4))
    for ord in (2, 1, np.inf, 3):
        np.testing.assert_allclose(cr.linalg.vector_norm(cr.tensor(x), ord=ord).numpy(),
                                   np.linalg.vector_norm(x, ord=ord), rtol=1e-12)
    np.testing.assert_allclose(cr.linalg.vector_norm(cr.tensor(x), axis=(0, 2), keepdims=True).numpy(),
                               np.linalg.vector_norm(x, axis=(0, 2), keepdims=True), rtol=1e-12)
    for ord in ("fro", "nuc", 2, -1, np.inf):
        np.testing.assert_allclose(cr.linalg.matrix_norm(cr.tensor(x), ord=ord).numpy(),
                                   np.linalg.matrix_norm(x, ord=ord), rtol=1e-12)


def test_norm_conventions_at_kinks():
    # the Euclidean norm at 0: gradient 0 (a subgradient), not NaN
    x = cr.zeros(3, requires_grad=True)
    cr.linalg.norm(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))
    # the inf-norm with a tie: the gradient splits evenly between the tied entries
    y = cr.tensor([2.0, -2.0, 1.0], requires_grad=True)
    cr.linalg.norm(y, ord=np.inf).backward()
    np.testing.assert_allclose(y.grad.numpy(), [0.5, -0.5, 0.0])
    # ord=0 counts nonzeros: no derivative (a constant)
    assert not cr.linalg.norm(cr.tensor([1.0, 0.0, 3.0], requires_grad=True), ord=0).requires_grad


def test_norm_gradient_formulas():
    x = rng.normal(size=(3, 4))
    g = cr.grad(lambda t: cr.linalg.norm(t))(x).numpy()
    np.testing.assert_allclose(g, x / np.sqrt(np.sum(x * x)), rtol=1e-12)
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    g = cr.grad(lambda t: cr.linalg.norm(t, "nuc"))(x).numpy()
    np.testing.assert_allclose(g, u @ vh, rtol=1e-10, atol=1e-12)  # d‖X‖_* = U Vᵀ
    g = cr.grad(lambda t: cr.linalg.norm(t, 2))(x).numpy()
    np.testing.assert_allclose(g, np.outer(u[:, 0], vh[0]), rtol=1e-10, atol=1e-12)  # d σ_max = u₁ v₁ᵀ


def test_norm_rejects_bad_orders_and_axes():
    with pytest.raises(ValueError, match="matrix"):
        cr.linalg.norm(cr.ones(3), ord="fro")
    with pytest.raises(ValueError, match="invalid order"):
        cr.linalg.norm(cr.ones((2, 2)), ord=3)
    with pytest.raises(ValueError, match="1-d or 2-d"):
        cr.linalg.norm(cr.ones((2, 2, 2)), ord=1)
    with pytest.raises(ValueError, match="int or a pair"):
        cr.linalg.norm(cr.ones((2, 2, 2)), axis=(0, 1, 2))


# ---- inverses, solves, determinants: derivatives against written-out formulas ----------
def test_inverse_solve_and_determinant_gradients_match_the_formulas():
    a, b = well_conditioned(3, 3), rng.normal(size=3)
    a_inv = np.linalg.inv(a)
    np.testing.assert_allclose(cr.grad(cr.linalg.det)(a).numpy(), np.linalg.det(a) * a_inv.T, rtol=1e-10)
    np.testing.assert_allclose(cr.grad(lambda t: cr.linalg.slogdet(t).logabsdet)(a).numpy(), a_inv.T, rtol=1e-10)
    # d sum(A⁻¹) = -A⁻ᵀ 1 1ᵀ A⁻ᵀ
    ones = np.ones((3, 3))
    np.testing.assert_allclose(cr.grad(lambda t: cr.linalg.inv(t).sum())(a).numpy(), -a_inv.T @ ones @ a_inv.T,
                               rtol=1e-10)
    # x = A⁻¹ b; d(1ᵀx)/db = A⁻ᵀ 1, d(1ᵀx)/dA = -(A⁻ᵀ 1) xᵀ
    x = np.linalg.solve(a, b)
    ga, gb = cr.grad(lambda s, t: cr.linalg.solve(s, t).sum(), argnums=(0, 1))(a, b)
    np.testing.assert_allclose(gb.numpy(), a_inv.T @ np.ones(3), rtol=1e-10)
    np.testing.assert_allclose(ga.numpy(), -np.outer(a_inv.T @ np.ones(3), x), rtol=1e-10)


def test_hessian_of_logdet_matches_the_formula():
    # d² log det A [E, F] = -tr(A⁻¹ E A⁻¹ F): the Hessian as a (n², n²) matrix is -(A⁻ᵀ ⊗ A⁻¹) permuted
    a = positive_definite(3)
    h = cr.hessian(lambda t: cr.linalg.slogdet(t).logabsdet)(a).numpy()
    a_inv = np.linalg.inv(a)
    expected = -np.einsum("li,jk->ijkl", a_inv, a_inv)
    np.testing.assert_allclose(h, expected, rtol=1e-9, atol=1e-12)


def test_slogdet_sign_has_no_derivative_and_batches():
    a = cr.tensor(np.stack([well_conditioned(3, 3), -well_conditioned(3, 3)]), requires_grad=True)
    sign, logabsdet = cr.linalg.slogdet(a)
    np.testing.assert_array_equal(sign.numpy(), np.linalg.slogdet(a.numpy()).sign)
    assert not sign.requires_grad and logabsdet.requires_grad


def test_matrix_power_matches_numpy_for_every_exponent():
    a = well_conditioned(2, 3, 3) / 3
    for n in (0, 1, 2, 3, 5, -1, -2):
        out = cr.linalg.matrix_power(cr.tensor(a), n)
        np.testing.assert_allclose(out.numpy(), np.linalg.matrix_power(a, n), rtol=1e-10, atol=1e-12)
        check(lambda t, n=n: cr.linalg.matrix_power(t, n), a)
    with pytest.raises(TypeError, match="integer"):
        cr.linalg.matrix_power(cr.tensor(a), 1.5)


def test_solve_triangular_ignores_the_other_triangle():
    a = well_conditioned(3, 3)
    g = cr.grad(lambda t: cr.linalg.solve_triangular(t, np.ones(3), lower=True).sum())(a).numpy()
    np.testing.assert_array_equal(np.triu(g, 1), 0)
    g = cr.grad(lambda t: cr.linalg.solve_triangular(t, np.ones(3), unit_diagonal=True).sum())(a).numpy()
    np.testing.assert_array_equal(np.tril(g), 0)


def test_pinv_of_full_rank_matrices_differentiates_to_order_two():
    for shape in ((4, 2), (2, 4)):
        check(cr.linalg.pinv, rng.normal(size=shape), order=2)


# ---- Cholesky, eigh, SVD, QR -------------------------------------------------------
def test_cholesky_reads_one_triangle_and_upper_is_its_transpose():
    a = positive_definite(3)
    np.testing.assert_allclose(cr.linalg.cholesky(cr.tensor(a), upper=True).numpy(),
                               np.linalg.cholesky(a, upper=True), rtol=1e-12)
    g = cr.grad(lambda t: cr.linalg.cholesky(t).sum())(a).numpy()
    np.testing.assert_array_equal(np.triu(g, 1), 0)
    g = cr.grad(lambda t: cr.linalg.cholesky(t, upper=True).sum())(a).numpy()
    np.testing.assert_array_equal(np.tril(g, -1), 0)
    check(lambda t: cr.linalg.cholesky(t, upper=True), a + np.tril(rng.normal(size=(3, 3)), -1))
    # log det A = 2 Σ log L_ii, differentiated through cholesky, is A⁻¹ on a symmetric A (folded to the lower half)
    g = cr.grad(lambda t: 2 * cr.log(cr.linalg.diagonal(cr.linalg.cholesky(t))).sum())(a).numpy()
    a_inv = np.linalg.inv(a)
    np.testing.assert_allclose(g, np.tril(2 * a_inv, -1) + np.diag(np.diag(a_inv)), rtol=1e-10)


def test_eigh_factors_and_gradients():
    a = rng.normal(size=(2, 3, 3))
    a = a + np.swapaxes(a, -1, -2)
    w, v = cr.linalg.eigh(cr.tensor(a))
    np.testing.assert_allclose((v.numpy() * w.numpy()[..., None, :]) @ np.swapaxes(v.numpy(), -1, -2), a,
                               atol=1e-12)
    np.testing.assert_allclose(cr.linalg.eigvalsh(cr.tensor(a)).numpy(), np.linalg.eigvalsh(a), rtol=1e-12)
    # d w_k / dA = v_k v_kᵀ on symmetric perturbations: folded onto the lower triangle read
    k = 2
    g = cr.grad(lambda t: cr.linalg.eigvalsh(t)[0, k])(a).numpy()[0]
    vk = np.linalg.eigh(a[0]).eigenvectors[:, k]
    outer = np.outer(vk, vk)
    np.testing.assert_allclose(g, np.tril(2 * outer, -1) + np.diag(np.diag(outer)), atol=1e-12)
    # a function of the eigenvectors that does not depend on their signs, to order 2
    check(lambda t: (cr.linalg.eigh(t).eigenvectors ** 2 * cr.arange(3.0)).sum(), a[0], order=2)
    check(lambda t: cr.linalg.eigh(t, UPLO="U").eigenvectors ** 2, rng.normal(size=(3, 3)))


def test_eigh_of_a_repeated_eigenvalue():
    # eigenvalue gradients exist; eigenvector gradients do not, and come back non-finite
    a = cr.tensor(np.eye(3), requires_grad=True)
    (cr.linalg.eigvalsh(a) ** 2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * np.eye(3), atol=1e-12)
    b = cr.tensor(np.diag([1.0, 1.0, 2.0]), requires_grad=True)
    with np.errstate(invalid="ignore"):
        (cr.linalg.eigh(b).eigenvectors * rng.normal(size=(3, 3))).sum().backward()
    assert not np.all(np.isfinite(b.grad.numpy()))


def test_svd_forms_and_singular_value_gradient():
    a = rng.normal(size=(4, 3))
    u, s, vh = cr.linalg.svd(cr.tensor(a), full_matrices=False)
    np.testing.assert_allclose((u.numpy() * s.numpy()) @ vh.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(cr.linalg.svdvals(cr.tensor(a)).numpy(), np.linalg.svdvals(a), rtol=1e-12)
    # full_matrices=True: NumPy's values; square matrices stay differentiable
    full = cr.linalg.svd(cr.tensor(a))
    assert full.U.shape == (4, 4) and full.Vh.shape == (3, 3)
    sq = rng.normal(size=(3, 3))
    check(lambda t: cr.linalg.svd(t).U ** 2 + cr.linalg.svd(t).Vh ** 2, sq)
    # d s_k / dA = u_k v_kᵀ
    nu, _, nvh = np.linalg.svd(a, full_matrices=False)
    g = cr.grad(lambda t: cr.linalg.svd(t, compute_uv=False)[1])(a).numpy()
    np.testing.assert_allclose(g, np.outer(nu[:, 1], nvh[1]), atol=1e-12)
    # A reconstructed from its factors: the gradient of sum(U S Vh) is all ones
    g = cr.grad(lambda t: ((lambda r: (r.U * r.S) @ r.Vh)(cr.linalg.svd(t, full_matrices=False))).sum())(a)
    np.testing.assert_allclose(g.numpy(), np.ones((4, 3)), atol=1e-10)


def test_svd_full_matrices_of_a_non_square_matrix_refuses_to_differentiate():
    x = rng.normal(size=(4, 3))
    with pytest.raises(cr.ChainruleError, match="full_matrices=False"):
        cr.linalg.svd(cr.tensor(x, requires_grad=True))
    with pytest.raises(cr.ChainruleError, match="full_matrices=False"):  # forward mode too
        cr.jvp(lambda t: cr.linalg.svd(t).U, (x,), (x,))


def test_qr_factors_and_errors():
    a = rng.normal(size=(2, 4, 3))
    q, r = cr.linalg.qr(cr.tensor(a))
    np.testing.assert_allclose(q.numpy() @ r.numpy(), a, atol=1e-12)
    np.testing.assert_allclose(cr.linalg.qr(cr.tensor(a), mode="r").numpy(), np.linalg.qr(a, mode="r"), rtol=1e-12)
    check(lambda t: (lambda f: f.Q @ f.R)(cr.linalg.qr(t)), a[0], order=2)  # QR = A: its Jacobian is the identity
    wide = cr.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="m >= n"):
        cr.linalg.qr(wide).R.sum().backward()
    with pytest.raises(ValueError, match="complete"):
        cr.linalg.qr(wide, mode="complete")


# ---- dtype, batches, errors, the shared factorisation -------------------------------
FLOAT32_FUNCTIONS = [
    lambda t: cr.linalg.inv(t), lambda t: cr.linalg.det(t),
    lambda t: cr.linalg.cholesky(t @ t.T + 3 * np.eye(3, dtype=np.float32)),
    lambda t: cr.linalg.eigh(t).eigenvectors, lambda t: cr.linalg.svd(t).U, lambda t: cr.linalg.norm(t, "nuc"),
    lambda t: cr.linalg.norm(t, 2), lambda t: cr.linalg.pinv(t), lambda t: cr.linalg.qr(t).Q,
    lambda t: cr.linalg.solve_triangular(t, cr.ones(3, dtype=np.float32)), lambda t: cr.einsum("ii->i", t),
    lambda t: cr.linalg.matrix_power(t, 0), lambda t: cr.linalg.eigvalsh(np.eye(3, dtype=np.float32) + 0 * t),
]


@pytest.mark.parametrize("k", range(len(FLOAT32_FUNCTIONS)))
def test_float32_stays_float32(k):
    x = cr.tensor(well_conditioned(3, 3).astype(np.float32), requires_grad=True)
    out = FLOAT32_FUNCTIONS[k](x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_batched_inputs_and_broadcast_right_hand_sides():
    a, b = well_conditioned(2, 1, 3, 3), rng.normal(size=(4, 3, 2))
    np.testing.assert_allclose(cr.linalg.solve(cr.tensor(a), cr.tensor(b)).numpy(), np.linalg.solve(a, b), rtol=1e-12)
    check(lambda s, t: cr.linalg.solve(s, t), a, b)
    check(lambda s: cr.linalg.det(s), a)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        cr.linalg.eigh(cr.ones((2, 3)))
    with pytest.raises(ValueError, match="UPLO"):
        cr.linalg.eigh(cr.ones((2, 2)), UPLO="X")
    with pytest.raises(cr.OpError, match="solve_triangular"):
        cr.linalg.solve_triangular(cr.ones((2, 3)), cr.ones(2))
    with pytest.raises(ValueError, match="trans"):
        cr.linalg.solve_triangular(np.eye(2), np.ones(2), trans=5)
    with pytest.raises(ValueError, match="square"):
        cr.linalg.matrix_power(cr.ones((2, 3)), 2)


def test_factorisation_runs_once_and_sees_in_place_changes():
    a = well_conditioned(3, 3)
    first = cr.linalg.svd(cr.tensor(a), full_matrices=False).S.numpy()
    a[0, 0] += 1.0  # the same array, changed in place: the shared result must not be reused
    second = cr.linalg.svd(cr.tensor(a), full_matrices=False).S.numpy()
    np.testing.assert_allclose(second, np.linalg.svdvals(a), rtol=1e-12)
    assert not np.allclose(first, second)


def test_matrix_rank_and_transpose_pass_through():
    assert int(cr.linalg.matrix_rank(np.ones((3, 3)))) == 1
    assert cr.linalg.matrix_transpose(cr.ones((2, 3, 4))).shape == (2, 4, 3)


# ---- the other numpy.linalg functions (composites) ---------------------------------
def test_lstsq_cond_tensorsolve_tensorinv_vecdot_match_numpy_and_differentiate():
    a, b, bm = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=(5, 2))
    for rhs in (b, bm):
        ours = cr.linalg.lstsq(cr.tensor(a), cr.tensor(rhs))
        theirs = np.linalg.lstsq(a, rhs)
        np.testing.assert_allclose(ours.x.numpy(), theirs[0], rtol=1e-10)
        np.testing.assert_allclose(ours.residuals.numpy(), theirs[1], rtol=1e-10)
        assert ours.rank == theirs[2]
        np.testing.assert_allclose(ours.s.numpy(), theirs[3], rtol=1e-12)
        check(lambda s, t: cr.linalg.lstsq(s, t).x, a, rhs)
        check(lambda s, t: cr.linalg.lstsq(s, t).residuals, a, rhs)
    sq = well_conditioned(3, 3)
    for p in (None, 2, -2, 1, -1, np.inf, "fro", "nuc"):
        np.testing.assert_allclose(cr.linalg.cond(cr.tensor(sq), p).numpy(), np.linalg.cond(sq, p), rtol=1e-10)
        check(lambda t, p=p: cr.linalg.cond(t, p), sq)
    t4 = well_conditioned(6, 6).reshape(2, 3, 6)
    rhs = rng.normal(size=(2, 3))
    np.testing.assert_allclose(cr.linalg.tensorsolve(cr.tensor(t4), cr.tensor(rhs)).numpy(),
                               np.linalg.tensorsolve(t4, rhs), rtol=1e-10)
    check(cr.linalg.tensorsolve, t4, rhs)
    t5, rhs5 = well_conditioned(6, 6).T.reshape(6, 3, 2), rng.normal(size=(3, 2))  # axes=(0,): axis 0 moves last
    np.testing.assert_allclose(cr.linalg.tensorsolve(cr.tensor(t5), cr.tensor(rhs5), axes=(0,)).numpy(),
                               np.linalg.tensorsolve(t5, rhs5, axes=(0,)), rtol=1e-10)
    inv4 = well_conditioned(6, 6).reshape(6, 2, 3)
    np.testing.assert_allclose(cr.linalg.tensorinv(cr.tensor(inv4), ind=1).numpy(), np.linalg.tensorinv(inv4, ind=1),
                               rtol=1e-10)
    check(lambda t: cr.linalg.tensorinv(t, ind=1), inv4)
    x1, x2 = rng.normal(size=(2, 3)), rng.normal(size=3)
    np.testing.assert_allclose(cr.linalg.vecdot(cr.tensor(x1), cr.tensor(x2)).numpy(), np.linalg.vecdot(x1, x2))
    check(cr.linalg.vecdot, x1, x2)


# ---- cr.hessian through every op equals finite differences of the gradient ------------
HESSIAN_CASES = {
    "inv": (cr.linalg.inv, well_conditioned(3, 3)), "det": (cr.linalg.det, well_conditioned(3, 3)),
    "slogdet": (lambda t: cr.linalg.slogdet(t).logabsdet, well_conditioned(3, 3)),
    "solve": (lambda t: cr.linalg.solve(t, t[0]), well_conditioned(3, 3)),
    "solve_triangular": (lambda t: cr.linalg.solve_triangular(t, t[:, :2], lower=True), well_conditioned(3, 3)),
    "cholesky": (lambda t: cr.linalg.cholesky(t @ t.T + 3 * np.eye(3)), rng.normal(size=(3, 3))),
    "eigh_values": (cr.linalg.eigvalsh, rng.normal(size=(3, 3))),
    "eigh_vectors": (lambda t: cr.linalg.eigh(t).eigenvectors ** 2, rng.normal(size=(3, 3))),
    "svdvals": (cr.linalg.svdvals, rng.normal(size=(3, 2))),
    "svd_u": (lambda t: cr.linalg.svd(t, full_matrices=False).U ** 2, rng.normal(size=(3, 2))),
    "svd_vh": (lambda t: cr.linalg.svd(t, full_matrices=False).Vh ** 2, rng.normal(size=(2, 3))),
    "qr": (lambda t: cr.linalg.qr(t).Q * cr.linalg.qr(t).R[0, 0], rng.normal(size=(3, 2))),
    "pinv": (cr.linalg.pinv, rng.normal(size=(3, 2))),
    "norm": (lambda t: cr.linalg.norm(t, "fro") + cr.linalg.norm(t, "nuc"), rng.normal(size=(3, 2))),
    "einsum": (lambda t: cr.einsum("ij,jk,kk->i", t, t.T, t[:, :3]), rng.normal(size=(3, 3))),
}


@pytest.mark.parametrize("name", sorted(HESSIAN_CASES))
def test_hessian_equals_finite_differences_of_the_gradient(name):
    f, x = HESSIAN_CASES[name]
    weights = rng.normal(size=np.shape(f(cr.tensor(x)).numpy()))

    def scalar(t):
        return (f(t) * weights).sum()

    h = cr.hessian(scalar)(x).numpy().reshape(x.size, x.size)
    grad = cr.grad(scalar)
    eps, columns = 1e-5, []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        e = e.reshape(x.shape)
        columns.append(((grad(x + e).numpy() - grad(x - e).numpy()) / (2 * eps)).ravel())
    np.testing.assert_allclose(h, np.array(columns).T, rtol=1e-5, atol=1e-6)


def test_det_of_a_singular_matrix_says_why_it_has_no_gradient_here():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(cr.linalg.det(cr.tensor(singular)).numpy(), 0.0, atol=1e-12)
    with pytest.raises(cr.ChainruleError, match="singular"):
        cr.grad(cr.linalg.det)(singular)
    with pytest.raises(cr.ChainruleError, match="singular"):
        cr.jvp(cr.linalg.det, (singular,), (np.eye(2),))


# ---- scipy.linalg's solve_sylvester and sqrtm, with and without SciPy ------------------
def test_sqrtm_and_sylvester_differentiate_to_order_two():
    a = positive_definite(3)
    x = cr.linalg.sqrtm(cr.tensor(a)).numpy()
    np.testing.assert_allclose(x @ x, a, rtol=1e-10)
    check(cr.linalg.sqrtm, a, order=2)
    check(cr.linalg.solve_sylvester, well_conditioned(3, 3), well_conditioned(2, 2), rng.normal(size=(3, 2)), order=2)


def test_sqrtm_and_sylvester_without_scipy(monkeypatch):
    import sys

    a, b, q, spd = well_conditioned(3, 3), well_conditioned(2, 2), rng.normal(size=(3, 2)), positive_definite(3)
    with_scipy = cr.linalg.solve_sylvester(a, b, q), cr.linalg.sqrtm(spd)
    monkeypatch.setitem(sys.modules, "scipy.linalg", None)  # `from scipy.linalg import ...` now fails
    np.testing.assert_allclose(cr.linalg.solve_sylvester(a, b, q), with_scipy[0], rtol=1e-10)
    np.testing.assert_allclose(cr.linalg.sqrtm(spd), with_scipy[1], rtol=1e-10)
    check(cr.linalg.sqrtm, spd)
    with pytest.raises(ValueError, match="install SciPy"):
        cr.linalg.solve_sylvester(np.eye(31), np.eye(31), np.ones((31, 31)))


def test_sqrtm_of_a_matrix_without_a_real_root_says_so():
    with pytest.raises(cr.OpError, match="no real square root"):
        cr.linalg.sqrtm(cr.tensor([[-1.0, 0.0], [0.0, 1.0]]))


def test_lists_holding_tensors_keep_their_gradients():
    x = cr.tensor(2.0, requires_grad=True)
    cr.linalg.det([[x, 1.0], [1.0, x]]).backward()  # d(x² − 1)/dx
    assert x.grad.item() == pytest.approx(4.0)
    y = cr.tensor(3.0, requires_grad=True)
    (cr.linalg.matrix_power([[y, 0.0], [0.0, 1.0]], 2).sum() + cr.einsum("i,i", [y, 1.0], [1.0, 1.0])).backward()
    assert y.grad.item() == pytest.approx(2 * 3.0 + 1)
