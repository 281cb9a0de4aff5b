"""cr.special: the composites and wrappers around the rows (values vs SciPy, derivatives vs differences),
the declared conventions, and SciPy staying optional."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sp

import chainrule as cr

rng = np.random.default_rng(7)


def check(f, *xs):
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


def values(t):
    return t.numpy() if isinstance(t, cr.Tensor) else np.asarray(t)


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_polygamma_with_scipy_argument_order(n):
    x = rng.uniform(0.5, 3.0, 5)
    np.testing.assert_allclose(values(cr.special.polygamma(n, x)), sp.polygamma(n, x), rtol=1e-12)
    check(lambda x: cr.special.polygamma(n, x), x)


def test_digamma_derivative_is_trigamma_written_out():
    x = cr.tensor(np.array([0.7, 1.0, 2.5]), requires_grad=True)
    cr.special.psi(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), sp.polygamma(1, [0.7, 1.0, 2.5]), rtol=1e-12)


@pytest.mark.parametrize("name,order,domain", [("jv", 1.5, (0.5, 3)), ("jn", 3, (-3, 3)), ("yv", 0.5, (0.5, 3)),
                                               ("yn", 2, (0.5, 3)), ("iv", 2, (-2, 2)), ("ive", 1, (0.5, 3))])
def test_bessel_wrappers_take_the_order_first(name, order, domain):
    x = rng.uniform(*domain, 4)
    ours = getattr(cr.special, name)
    np.testing.assert_allclose(values(ours(order, x)), getattr(sp, name)(order, x), rtol=1e-10)
    check(lambda x: ours(order, x), x)


def test_j0_derivative_is_minus_j1_written_out():
    x = np.array([0.3, 1.7, 4.0])
    assert np.allclose(values(cr.grad(lambda x: cr.special.j0(x).sum())(x)), -sp.j1(x), rtol=1e-12)


def test_bessel_order_must_be_a_number():
    with pytest.raises(TypeError, match="order"):
        cr.special.jv(np.array([1.0, 2.0]), 1.0)
    with pytest.raises(ValueError, match="integer"):
        cr.special.jn(1.5, 1.0)
    with pytest.raises(TypeError, match="no derivative"):
        cr.special.iv(cr.tensor(1.0, requires_grad=True), 1.0)


def test_expit_logit_are_inverse_and_match_scipy():
    x = rng.normal(size=6)
    np.testing.assert_allclose(values(cr.special.expit(x)), sp.expit(x), rtol=1e-12)
    np.testing.assert_allclose(values(cr.special.logit(cr.special.expit(x))), x, rtol=1e-9)
    check(cr.special.expit, x)


def test_multigammaln_matches_scipy():
    a = rng.uniform(2.0, 4.0, 3)
    np.testing.assert_allclose(values(cr.special.multigammaln(a, 3)), sp.multigammaln(a, 3), rtol=1e-12)
    check(lambda a: cr.special.multigammaln(a, 3), a)
    with pytest.raises(ValueError, match="greater than"):
        cr.special.multigammaln(0.5, 3)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": 1, "keepdims": True}, {"axis": (0, 1)}])
def test_logsumexp_with_weights(kwargs):
    a, b = rng.normal(size=(3, 4)), rng.uniform(0.5, 2.0, (3, 4))
    np.testing.assert_allclose(values(cr.special.logsumexp(a, b=b, **kwargs)), sp.logsumexp(a, b=b, **kwargs),
                               rtol=1e-12)
    np.testing.assert_allclose(values(cr.special.logsumexp(a, **kwargs)), sp.logsumexp(a, **kwargs), rtol=1e-12)
    check(lambda a, b: cr.special.logsumexp(a, b=b, **kwargs), a, b)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": 0, "keepdims": True}, {"keepdims": True},
                                    {"b": 2.0}, {"b": 2.0, "axis": 0, "keepdims": True}])
def test_logsumexp_of_a_number_is_that_of_a_one_element_array(kwargs):
    ours, theirs = cr.special.logsumexp(1.1, **kwargs), sp.logsumexp(1.1, **kwargs)
    np.testing.assert_allclose(values(ours), theirs, rtol=1e-12)
    assert np.shape(values(ours)) == np.shape(theirs)
    check(lambda a: cr.special.logsumexp(a, **kwargs), np.array(1.1))


def test_logsumexp_weight_zero_has_a_finite_gradient():
    # ∂/∂b_i of log Σ b e^a is e^(a_i) / Σ b e^a: finite at b_i = 0, where a log b form would give nan
    a, b = np.array([0.0, 1.0]), np.array([0.0, 2.0])
    grad = cr.grad(lambda b: cr.special.logsumexp(a, b=b))(b)
    np.testing.assert_allclose(values(grad), np.exp(a) / np.sum(b * np.exp(a)), rtol=1e-12)


def test_logsumexp_return_sign():
    a, b = np.array([1.0, 2.0, 0.5]), np.array([1.0, -1.0, 0.5])
    out, sign = cr.special.logsumexp(a, b=b, return_sign=True)
    expected, expected_sign = sp.logsumexp(a, b=b, return_sign=True)
    np.testing.assert_allclose(values(out), expected, rtol=1e-12)
    assert sign == expected_sign
    check(lambda a: cr.special.logsumexp(a, b=b, return_sign=True)[0], a)


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
def test_softmax_and_log_softmax_match_scipy(axis):
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(values(cr.special.softmax(x, axis=axis)), sp.softmax(x, axis=axis), rtol=1e-12)
    np.testing.assert_allclose(values(cr.special.log_softmax(x, axis=axis)), sp.log_softmax(x, axis=axis),
                               rtol=1e-12)
    check(lambda x: cr.special.softmax(x, axis=axis), x)
    check(lambda x: cr.special.log_softmax(x, axis=axis), x)


def test_xlogy_convention_at_zero():
    # x log y is 0 wherever x is 0: its derivative in y is 0 there, also at y = 0
    x = cr.tensor(np.array([0.0, 0.0]), requires_grad=True)
    y = cr.tensor(np.array([0.0, 3.0]), requires_grad=True)
    out = cr.special.xlogy(x, y)
    assert np.array_equal(out.numpy(), [0.0, 0.0])
    with np.errstate(divide="ignore"):  # ∂/∂x = log y is -inf at y = 0, as it should be
        out.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 0.0])
    np.testing.assert_allclose(x.grad.numpy(), [-np.inf, np.log(3.0)])


def test_log_ndtr_gradient_stays_finite_far_in_the_tail():
    x = np.array([-40.0, -10.0, 10.0])
    grad = values(cr.grad(lambda x: cr.special.log_ndtr(x).sum())(x))
    # d/dx log Φ(x) = φ(x)/Φ(x), which tends to -x as x → -∞
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[0], 40.0, rtol=1e-2)


@pytest.mark.parametrize("name,first", [("gammainc", "a"), ("gammaincc", "a"), ("stdtr", "df")])
def test_parameters_without_a_rule_raise_instead_of_giving_zero(name, first):
    a = cr.tensor(2.0, dtype="float64", requires_grad=True)
    out = getattr(cr.special, name)(a, cr.tensor(1.5, dtype="float64"))
    with pytest.raises(cr.ChainruleError, match=f"no derivative with respect to {first}"):
        out.backward()
    with pytest.raises(cr.ChainruleError, match=f"no derivative with respect to {first}"):
        cr.jvp(lambda a: getattr(cr.special, name)(a, 1.5), (np.float64(2.0),), (np.float64(1.0),))


def test_float32_stays_float32():
    x = cr.tensor([0.5, 1.5], dtype="float32", requires_grad=True)
    out = cr.special.polygamma(2, x) + cr.special.jv(1.5, x) + cr.special.gammaln(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


def test_other_scipy_special_functions_pass_through_on_plain_values():
    assert cr.special.comb(5, 2) == sp.comb(5, 2)
    assert cr.special.factorial(cr.tensor(4.0)) == 24.0
    with pytest.raises(TypeError, match="no derivative rule"):
        cr.special.comb(cr.tensor(5.0, requires_grad=True), 2)
    with pytest.raises(AttributeError, match="no function"):
        cr.special.not_a_function  # noqa: B018


def test_top_level_torch_names():
    x = np.array([0.3, 1.2])
    np.testing.assert_allclose(values(cr.lgamma(x)), sp.gammaln(x), rtol=1e-12)
    np.testing.assert_allclose(values(cr.erf(x)), sp.erf(x), rtol=1e-12)


def test_chainrule_imports_without_scipy_and_names_the_extra():
    script = (
        "import sys; sys.modules['scipy'] = None\n"
        "import chainrule as cr\n"
        "from chainrule.scipy import integrate, signal, special, stats\n"
        "print(round(float(stats.norm.logpdf(0.0)), 4))\n"  # composites of NumPy-only ops need no SciPy
        "print(integrate.odeint(lambda y, t: -y, [1.0], [0.0, 1.0]).shape)\n"
        "print(round(float(cr.special.erf(0.5)), 4))\n"  # erf has a standard-library fallback (GELU needs it)
        "for f in (lambda: cr.special.gammaln(0.5), lambda: signal.convolve([1.0], [1.0]), lambda: cr.special.comb):\n"
        "    try:\n"
        "        f()\n"
        "    except (ImportError, AttributeError) as e:\n"
        "        print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[:3] == ["-0.9189", "(2, 1)", "0.5205"]
    assert len(lines) == 6 and all('pip install "chainrule[scipy]"' in line for line in lines[3:])


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_holomorphic_rows_take_complex_inputs(name):
    # erf is holomorphic, so its rule g·erf'(z) serves complex z too; .grad is PyTorch's ∂L/∂Re + i ∂L/∂Im
    real = cr.real

    z = rng.normal(size=4) + 1j * rng.normal(size=4)
    g = rng.normal(size=4) + 1j * rng.normal(size=4)
    f = getattr(sp, name)

    def loss(z):
        return float(np.sum(np.real(np.conj(g) * f(z))))

    eps, numeric = 1e-6, np.zeros(4, dtype=complex)
    for i in range(4):
        for d in (1.0, 1j):
            step = np.zeros(4, dtype=complex)
            step[i] = d * eps
            numeric[i] += d * (loss(z + step) - loss(z - step)) / (2 * eps)
    leaf = cr.tensor(z, requires_grad=True)
    out = getattr(cr.special, name)(leaf)
    np.testing.assert_allclose(out.numpy(), f(z), rtol=1e-12)
    cr.sum(real(np.conj(g) * out)).backward()
    np.testing.assert_allclose(leaf.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)
