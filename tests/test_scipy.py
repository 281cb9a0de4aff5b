"""chainrule.scipy: stats densities, signal.convolve and integrate.odeint against SciPy and finite differences."""

import numpy as np
import pytest
import scipy.integrate
import scipy.signal
import scipy.stats as st

import chainrule as cr
from chainrule.scipy import integrate, signal, stats

rng = np.random.default_rng(11)


def check(f, *xs, order2=True):
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    if order2:
        assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


def values(t):
    return t.numpy() if isinstance(t, cr.Tensor) else np.asarray(t)


def close(ours, theirs, rtol=1e-10):
    np.testing.assert_allclose(values(ours), theirs, rtol=rtol, atol=1e-12)


# ---- scipy.stats: values vs scipy, derivatives in every differentiable argument -----------------
x = rng.normal(size=5)
pos = rng.uniform(0.3, 2.5, 5)
unit = rng.uniform(0.1, 0.9, 5)
LOC, SCALE = np.array(0.3), np.array(1.7)

DENSITIES = [  # (ours, scipy's, arguments), every argument differentiated
    ("norm.logpdf", st.norm.logpdf, (x, LOC, SCALE)), ("norm.pdf", st.norm.pdf, (x, LOC, SCALE)),
    ("norm.cdf", st.norm.cdf, (x, LOC, SCALE)), ("norm.logcdf", st.norm.logcdf, (x, LOC, SCALE)),
    ("norm.sf", st.norm.sf, (x, LOC, SCALE)), ("norm.logsf", st.norm.logsf, (x, LOC, SCALE)),
    ("norm.ppf", st.norm.ppf, (unit, LOC, SCALE)), ("norm.isf", st.norm.isf, (unit, LOC, SCALE)),
    ("t.logpdf", st.t.logpdf, (x, np.array(3.5), LOC, SCALE)), ("t.pdf", st.t.pdf, (x, np.array(2.0), LOC, SCALE)),
    ("gamma.logpdf", st.gamma.logpdf, (pos, np.array(2.3), np.array(0.1), SCALE)),
    ("gamma.pdf", st.gamma.pdf, (pos, np.array(0.8), np.array(0.1), SCALE)),
    ("chi2.logpdf", st.chi2.logpdf, (pos, np.array(3.0), np.array(0.1), SCALE)),
    ("chi2.pdf", st.chi2.pdf, (pos, np.array(4.5))),
    ("beta.logpdf", st.beta.logpdf, (unit, np.array(2.5), np.array(1.5))),
    ("beta.pdf", st.beta.pdf, (unit * 2, np.array(0.7), np.array(3.0), np.array(-0.1), np.array(2.2))),
]


def _ours(name):
    module, fn = name.split(".")
    return getattr(getattr(stats, module), fn)


@pytest.mark.parametrize("name,reference,args", DENSITIES, ids=[d[0] for d in DENSITIES])
def test_density_values_and_derivatives(name, reference, args):
    close(_ours(name)(*args), reference(*args))
    check(_ours(name), *args)


@pytest.mark.parametrize("name,reference,args", [
    ("t.cdf", st.t.cdf, (x, 3.5, LOC, SCALE)), ("t.sf", st.t.sf, (x, 3.5, LOC, SCALE)),
    ("t.logcdf", st.t.logcdf, (x, 2.5, LOC, SCALE)), ("beta.cdf", st.beta.cdf, (unit, 2.0, 3.5)),
    ("beta.cdf", st.beta.cdf, (unit * 2, 0.7, 1.5, np.array(-0.1), np.array(2.2))),
    ("gamma.cdf", st.gamma.cdf, (pos, 2.3, np.array(0.1), SCALE)), ("chi2.cdf", st.chi2.cdf, (pos, 3.0))])
def test_cdfs_differentiable_except_in_the_shape(name, reference, args):
    # the shape parameter (a Python number here) has no derivative rule; the others do
    close(_ours(name)(*args), reference(*args))
    rest = [i for i, a in enumerate(args) if isinstance(a, np.ndarray)]

    def f(*arrays):
        full = list(args)
        for i, a in zip(rest, arrays):
            full[i] = a
        return _ours(name)(*full)

    check(f, *[args[i] for i in rest])


def test_t_cdf_derivative_is_the_density():
    grad = cr.grad(lambda x: stats.t.cdf(x, 4.0).sum())(x)
    close(grad, st.t.pdf(x, 4.0))


def test_outside_the_support_density_is_zero_with_zero_gradient():
    points = np.array([-0.5, 0.5, 1.5])
    for logpdf, reference in [(lambda z: stats.gamma.logpdf(z, 2.0), st.gamma.logpdf(points, 2.0)),
                              (lambda z: stats.beta.logpdf(z, 2.0, 3.0), st.beta.logpdf(points, 2.0, 3.0))]:
        close(logpdf(points), reference)
        grad = values(cr.grad(lambda z, logpdf=logpdf: cr.sum(cr.exp(logpdf(z))))(points))
        assert np.all(np.isfinite(grad)) and grad[0] == 0.0


def test_gamma_cdf_is_zero_below_loc():
    close(stats.gamma.cdf(np.array([-1.0, 1.0]), 2.0), st.gamma.cdf([-1.0, 1.0], 2.0))
    close(stats.beta.cdf(np.array([-1.0, 0.5, 1.5]), 2.0, 2.0), st.beta.cdf([-1.0, 0.5, 1.5], 2.0, 2.0))


def test_poisson_in_mu():
    k, mu = np.array([0, 1, 3, 7]), rng.uniform(0.5, 4.0, 4)
    close(stats.poisson.logpmf(k, mu), st.poisson.logpmf(k, mu))
    close(stats.poisson.pmf(k, mu), st.poisson.pmf(k, mu))
    close(stats.poisson.cdf(k, mu), st.poisson.cdf(k, mu))
    close(stats.poisson.logpmf(np.array([-1, 2.5, 2]), 2.0, loc=1), st.poisson.logpmf([-1, 2.5, 2], 2.0, loc=1))
    check(lambda mu: stats.poisson.logpmf(k, mu), mu)
    check(lambda mu: stats.poisson.cdf(k, mu), mu)
    # d/dmu log p(k | mu) = k/mu - 1, written out
    close(cr.grad(lambda mu: stats.poisson.logpmf(k, mu).sum())(mu), k / mu - 1)
    with pytest.raises(TypeError, match="count"):
        stats.poisson.logpmf(cr.tensor(1.0, requires_grad=True), 2.0)


def test_dirichlet():
    alpha = np.array([1.5, 2.0, 3.0])
    points = rng.dirichlet(alpha, size=4).T  # (K, N): components along the first axis, as scipy
    close(stats.dirichlet.logpdf(points, alpha), st.dirichlet.logpdf(points, alpha))
    close(stats.dirichlet.pdf(points[:, 0], alpha), st.dirichlet.pdf(points[:, 0], alpha))
    close(stats.dirichlet.logpdf(points[:2], alpha), st.dirichlet.logpdf(points[:2], alpha))  # K - 1 given
    check(stats.dirichlet.logpdf, points, alpha)
    with pytest.raises(ValueError, match="components"):
        stats.dirichlet.logpdf(np.ones((5, 2)) / 5, alpha)


def _spd(d):
    a = rng.normal(size=(d, d))
    return a @ a.T + d * np.eye(d)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 2, 3)])
def test_multivariate_normal(shape):
    points, mean, cov = rng.normal(size=shape), rng.normal(size=3), _spd(3)
    close(stats.multivariate_normal.logpdf(points, mean, cov), st.multivariate_normal.logpdf(points, mean, cov))
    close(stats.multivariate_normal.pdf(points, mean, cov), st.multivariate_normal.pdf(points, mean, cov))
    check(stats.multivariate_normal.logpdf, points, mean, cov)


def test_multivariate_normal_gradient_in_cov_written_out():
    # ∂ log p / ∂Σ = ½ (Σ⁻¹ d dᵀ Σ⁻¹ - Σ⁻¹), d = x - mean: symmetric (Magnus & Neudecker; the Matrix Cookbook (61))
    point, mean, cov = rng.normal(size=3), rng.normal(size=3), _spd(3)
    grad = values(cr.grad(lambda c: stats.multivariate_normal.logpdf(point, mean, c))(cov))
    inv, d = np.linalg.inv(cov), point - mean
    np.testing.assert_allclose(grad, 0.5 * (inv @ np.outer(d, d) @ inv - inv), rtol=1e-10, atol=1e-12)


def test_multivariate_normal_entropy():
    cov = _spd(3)
    close(stats.multivariate_normal.entropy(np.zeros(3), cov), st.multivariate_normal.entropy(np.zeros(3), cov))
    # ∂/∂Σ ½ log det Σ = ½ Σ⁻¹
    grad = cr.grad(lambda c: stats.multivariate_normal.entropy(cov=c))(cov)
    close(grad, 0.5 * np.linalg.inv(cov))


def test_multivariate_normal_forms_of_cov_and_errors():
    points = rng.normal(size=(4, 2))
    close(stats.multivariate_normal.logpdf(points, np.zeros(2), 2.0),
          st.multivariate_normal.logpdf(points, np.zeros(2), 2.0))
    close(stats.multivariate_normal.logpdf(points, np.ones(2), np.array([1.0, 3.0])),
          st.multivariate_normal.logpdf(points, np.ones(2), np.array([1.0, 3.0])))
    close(stats.multivariate_normal.logpdf(np.array([0.1, 0.5]), 0.0, 2.0),
          st.multivariate_normal.logpdf([0.1, 0.5], 0.0, 2.0))  # d = 1: every entry a point
    with pytest.raises(ValueError, match="allow_singular"):
        stats.multivariate_normal.logpdf(points, np.zeros(2), np.eye(2), allow_singular=True)
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        stats.multivariate_normal.logpdf(points, cov=np.array([[1.0, 2.0], [2.0, 1.0]]))


# ---- scipy.signal.convolve -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_2d_like_scipy(mode):
    image, kernel = rng.normal(size=(6, 5)), rng.normal(size=(3, 2))
    close(signal.convolve(image, kernel, mode=mode), scipy.signal.convolve(image, kernel, mode=mode))
    check(lambda a, b: signal.convolve(a, b, mode=mode), image, kernel)


def test_convolve_gradient_is_a_correlation_written_out():
    # out[n] = Σ_m x[n - m] k[m], so ∂(Σ_n g[n] out[n])/∂x[i] = Σ_n g[n] k[n - i]: g correlated with k
    sig, kernel, g = rng.normal(size=7), rng.normal(size=3), rng.normal(size=9)
    _, pullback = cr.vjp(lambda a: signal.convolve(a, kernel), sig)
    close(pullback(g)[0], np.correlate(g, kernel, mode="valid"))


def test_convolve_bad_input():
    with pytest.raises(ValueError, match="mode"):
        signal.convolve(np.ones(3), np.ones(2), mode="middle")
    with pytest.raises(ValueError, match="same number of dimensions"):
        signal.convolve(np.ones(3), np.ones((2, 2)))


# ---- scipy.integrate.odeint ------------------------------------------------------------------------
def test_odeint_matches_scipy_on_a_damped_oscillator():
    def dynamics(y, t, damping):
        return cr.stack([y[1], -y[0] - damping * y[1]])

    times = np.linspace(0.0, 5.0, 11)
    ours = integrate.odeint(dynamics, np.array([1.0, 0.0]), times, args=(0.3,))
    theirs = scipy.integrate.odeint(lambda y, t, c: [y[1], -y[0] - c * y[1]], [1.0, 0.0], times, args=(0.3,))
    np.testing.assert_allclose(values(ours), theirs, rtol=1e-6, atol=1e-7)


def test_odeint_gradients_written_out_for_exponential_decay():
    # y' = k y: y(T) = y0 e^(kT), so ∂y/∂y0 = e^(kT), ∂y/∂k = T y(T), ∂y/∂T = k y(T)
    def final(y0, k, end):
        return integrate.odeint(lambda y, t, k: k * y, y0, cr.stack([cr.tensor(0.0, dtype="float64"), end]),
                                args=(k,))[-1]

    y0, k, end = np.array([2.0]), np.array(-0.7), np.array(1.5)
    exact = 2.0 * np.exp(-0.7 * 1.5)
    grads = cr.grad(lambda *a: final(*a).sum(), argnums=(0, 1, 2))(y0, k, end)
    np.testing.assert_allclose([float(values(g).sum()) for g in grads], [exact / 2.0, 1.5 * exact, -0.7 * exact],
                               rtol=1e-6)


def test_odeint_ode_net_gradients_match_finite_differences():
    # the autograd ODE-net example's shape: a small tanh network as the dynamics, parameters in args
    w1, w2 = rng.normal(size=(2, 4)) * 0.5, rng.normal(size=(4, 2)) * 0.5

    def dynamics(y, t, w1, w2):
        return cr.tanh(y @ w1) @ w2

    def loss(y0, w1, w2):
        path = integrate.odeint(dynamics, y0, np.linspace(0.0, 1.0, 4), args=(w1, w2), rtol=1e-10, atol=1e-10)
        return cr.sum(path * path)

    check(loss, np.array([0.5, -0.3]), w1, w2, order2=False)
    assert cr.gradcheck(lambda y0: loss(y0, w1, w2), np.array([0.5, -0.3]), order=2, atol=1e-4, rtol=1e-3)


def test_odeint_options():
    times = np.array([0.0, 1.0, 1.0, 2.0])  # a repeated time and tfirst
    ours = integrate.odeint(lambda t, y: -y + t, np.array([1.0]), times, tfirst=True, hmax=0.1)
    theirs = scipy.integrate.odeint(lambda y, t: -y + t, [1.0], times)
    np.testing.assert_allclose(values(ours), theirs, rtol=1e-6)
    assert isinstance(ours, np.ndarray)  # nothing recorded: a plain array, as ops give
    backwards = integrate.odeint(lambda y, t: -y, np.array([1.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(values(backwards)[-1], [np.e], rtol=1e-6)
    start = cr.tensor(1.0, dtype="float64", requires_grad=True)  # a list holding tensors is one state
    spin = integrate.odeint(lambda y, t: cr.stack([-y[1], y[0]]), [start, 0.0], np.array([0.0, np.pi / 2]))
    np.testing.assert_allclose(values(spin)[-1], [0.0, 1.0], atol=1e-7)
    spin[-1, 1].backward()
    np.testing.assert_allclose(values(start.grad), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="monotonic"):
        integrate.odeint(lambda y, t: y, np.array([1.0]), np.array([0.0, 1.0, 0.5]))
    with pytest.raises(cr.ChainruleError, match="mxstep"):
        integrate.odeint(lambda y, t: -1000 * y, np.array([1.0]), np.array([0.0, 10.0]), mxstep=20)


def _general_reference(a, b, axes, dot_axes, mode):
    """autograd's convolve, slice by slice: Σ over the dot axes of scipy's convolutions; in1's other axes first."""
    def layout(x, conv, dot):
        rest = [i for i in range(x.ndim) if i not in list(conv) + list(dot)]
        return np.transpose(x, rest + list(dot) + list(conv)), len(rest)

    (a, ra), (b, rb) = layout(a, axes[0], dot_axes[0]), layout(b, axes[1], dot_axes[1])
    dots = a.shape[ra:ra + len(dot_axes[0])]
    out = None
    for i in np.ndindex(a.shape[:ra]):
        for j in np.ndindex(b.shape[:rb]):
            for d in np.ndindex(dots):
                part = scipy.signal.convolve(a[i + d], b[j + d], mode=mode)
                out = np.zeros(a.shape[:ra] + b.shape[:rb] + part.shape) if out is None else out
                out[i + j] += part
    return out


GENERAL = [  # (shape of in1, shape of in2, axes, dot_axes, mode)
    ((2, 1, 6, 5), (1, 3, 3, 2), ([2, 3], [2, 3]), ([1], [0]), "valid"),  # a convolutional layer
    ((2, 1, 6, 5), (1, 3, 3, 2), ([2, 3], [2, 3]), ([1], [0]), "full"),
    ((3, 2), (2, 5), ([0], [1]), ([1], [0]), "valid"),  # in2 larger along the convolved axis
    ((4, 3), (2, 3), ([0], [0]), ([], []), "full"),
    ((5, 4), (2, 3), None, ([], []), "valid"),
    ((3, 5), (3, 4), ([1], [0]), ([], []), "full"),  # the shapes of autograd's own generalisation tests
    ((3, 5), (3, 4), ([], []), ([0], [0]), "valid"),  # nothing convolved: a tensor dot
    ((3, 5), (3, 4, 2), ([1], [2]), ([0], [0]), "valid"),
    ((2, 5, 4, 3), (2, 4, 2, 3, 2), ([1, 2], [2, 4]), ([0, 3], [0, 3]), "full"),
    ((4, 3), (3, 2), ([1, 0], [1, 0]), ([], []), "valid"),
    ((3, 3, 2), (3, 2, 3), ([1], [1]), ([0], [2]), "full"),
]


@pytest.mark.parametrize("shape_a,shape_b,axes,dot_axes,mode", GENERAL)
def test_generalised_convolve_like_autograd(shape_a, shape_b, axes, dot_axes, mode):
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    axes_pair = axes if axes is not None else (list(range(a.ndim)), list(range(a.ndim)))
    ours = signal.convolve(a, b, axes=axes, dot_axes=dot_axes, mode=mode)
    close(ours, _general_reference(a, b, axes_pair, dot_axes, mode))
    check(lambda a, b: signal.convolve(a, b, axes=axes, dot_axes=dot_axes, mode=mode), a, b)


def test_generalised_convolve_bad_input():
    with pytest.raises(ValueError, match="'full' or 'valid'"):
        signal.convolve(np.ones((3, 3)), np.ones((2, 2)), axes=([0], [0]), mode="same")
    with pytest.raises(ValueError, match="dot axes"):
        signal.convolve(np.ones((3, 2)), np.ones((2, 3)), axes=([0], [0]), dot_axes=([1], [1]))
    with pytest.raises(ValueError, match="at least as large"):
        signal.convolve(np.ones((3, 2)), np.ones((2, 3)), axes=([0, 1], [0, 1]), mode="valid")


def test_functions_without_rules_pass_through_to_scipy_on_plain_values():
    draws = stats.dirichlet.rvs(np.array([1.0, 2.0, 3.0]), size=4, random_state=0)
    np.testing.assert_array_equal(draws, st.dirichlet.rvs(np.array([1.0, 2.0, 3.0]), size=4, random_state=0))
    assert stats.norm.mean(loc=cr.tensor(2.0)) == 2.0
    with pytest.raises(TypeError, match="no derivative rule"):
        stats.gamma.mean(cr.tensor(2.0, requires_grad=True))
    with pytest.raises(AttributeError, match="no function"):
        stats.t.not_a_function  # noqa: B018


# ---- scipy.linalg ------------------------------------------------------------------------------------
def test_linalg_cholesky_keeps_scipys_upper_default():
    import scipy.linalg

    from chainrule.scipy import linalg

    a = _spd(3)
    close(linalg.cholesky(a), scipy.linalg.cholesky(a))
    close(linalg.cholesky(a, lower=True), scipy.linalg.cholesky(a, lower=True))
    check(lambda a: linalg.cholesky(a + a.T), a)


@pytest.mark.parametrize("kwargs", [{}, {"lower": True}, {"trans": 1, "lower": True}, {"unit_diagonal": True}])
def test_linalg_solve_triangular(kwargs):
    import scipy.linalg

    from chainrule.scipy import linalg

    a, b = _spd(3), rng.normal(size=(3, 2))
    close(linalg.solve_triangular(a, b, **kwargs), scipy.linalg.solve_triangular(a, b, **kwargs))
    check(lambda a, b: linalg.solve_triangular(a, b, **kwargs), a, b)
    assert linalg.expm(np.zeros((2, 2)))[0, 0] == 1.0  # no rule here: SciPy's, on plain values


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("shapes", [((6,), (3,)), ((5, 6), (2, 3)), ((4, 4), (3, 2)), ((3, 3), (4, 5))])
def test_correlate_and_the_2d_forms_like_scipy(mode, shapes):
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    if mode == "valid" and not all(n >= m for n, m in zip(*shapes)) and not all(m >= n for n, m in zip(*shapes)):
        return
    close(signal.correlate(a, b, mode=mode), scipy.signal.correlate(a, b, mode=mode))
    check(lambda a, b: signal.correlate(a, b, mode=mode), a, b)
    if a.ndim == 2:
        for ours, theirs in ((signal.convolve2d, scipy.signal.convolve2d),
                             (signal.correlate2d, scipy.signal.correlate2d)):
            close(ours(a, b, mode=mode), theirs(a, b, mode=mode))
            check(lambda a, b, ours=ours: ours(a, b, mode=mode), a, b, order2=False)


def test_correlate_conjugates_a_complex_kernel():
    a, b = rng.normal(size=5), rng.normal(size=3) + 1j * rng.normal(size=3)
    close(signal.correlate(a, b), scipy.signal.correlate(a, b))


def test_2d_forms_refuse_other_boundaries():
    with pytest.raises(ValueError, match="boundary='fill'"):
        signal.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="wrap")
    with pytest.raises(ValueError, match="2-D"):
        signal.correlate2d(np.ones(3), np.ones(2))


def test_convolve_gradient_of_complex_inputs_follows_pytorch():
    # convolution is complex-bilinear: .grad of a leaf is ∂L/∂Re + i ∂L/∂Im (PyTorch's convention)
    real = cr.real

    a, k = rng.normal(size=5) + 1j * rng.normal(size=5), rng.normal(size=3) + 1j * rng.normal(size=3)
    g = rng.normal(size=7) + 1j * rng.normal(size=7)

    def loss(a):
        return float(np.sum(np.real(np.conj(g) * scipy.signal.convolve(a, k))))

    eps, numeric = 1e-6, np.zeros(5, dtype=complex)
    for i in range(5):
        for d in (1.0, 1j):
            step = np.zeros(5, dtype=complex)
            step[i] = d * eps
            numeric[i] += d * (loss(a + step) - loss(a - step)) / (2 * eps)
    leaf = cr.tensor(a, requires_grad=True)
    cr.sum(real(np.conj(g) * signal.convolve(leaf, k))).backward()
    np.testing.assert_allclose(leaf.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)
