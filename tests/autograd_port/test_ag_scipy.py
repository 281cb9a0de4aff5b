"""Port of autograd's tests/test_scipy.py against chainrule.scipy (reverse mode, order 2, as autograd).

Every function is looked up in chainrule.scipy by name; a test whose
function is not there yet is skipped. Left aside: the complex halves of
test_erf / test_erfc, and test_convolve_generalization's and
test_convolve_ignore*'s `dot_axes=` / `axes=` forms (autograd's own
extension of scipy.signal.convolve's signature).
"""

from __future__ import annotations

from functools import partial

import numpy as onp
import pytest
from check_grads import check_grads, combo_check
from port_utils import scipy_fn, unary_ufunc_check

import chainrule as cr
import chainrule.numpy as np

R, U = onp.random.randn, onp.random.uniform
rev = {"modes": ["rev"]}


def symmetrize_matrix_arg(fun, argnum):
    def symmetrized(*args, **kwargs):
        args = list(args)
        x = args[argnum]
        args[argnum] = 0.5 * (x + (np.swapaxes(x, -1, -2) if np.ndim(x) > 1 else x))
        return fun(*args, **kwargs)
    return symmetrized


def make_psd(mat):
    return mat.T @ mat + onp.eye(mat.shape[0])


def _positive(*shape):
    return R(*shape) ** 2 + 1.1


def _stats_cases():
    norm3 = [[R(4)], [R(4)], [_positive(4)]]
    norm3b = [[R(4, 3)], [R(1, 3)], [R(4, 1) ** 2 + 1.1]]
    counts, counts_b = [onp.round(R(4) ** 2)], [onp.round(R(4, 3) ** 2)]
    t4 = [[R(4)], [R(4) ** 2 + 2.1], [R(4)], [R(4) ** 2 + 2.1]]
    t4b = [[R(4, 3)], [R(1, 3) ** 2 + 2.1], [R(4, 3)], [R(4, 1) ** 2 + 2.1]]
    cases = {
        "chi2_pdf": ("stats.chi2.pdf", [0], [[_positive(4)], [1, 2, 3]]),
        "chi2_cdf": ("stats.chi2.cdf", [0], [[_positive(4)], [1, 2, 3]]),
        "chi2_logpdf": ("stats.chi2.logpdf", [0], [[_positive(4)], [1, 2, 3]]),
        "beta_cdf": ("stats.beta.cdf", [0], [[U(0.0, 1.0, 4)], [_positive(4)], [_positive(4)]]),
        "beta_pdf": ("stats.beta.pdf", [0, 1, 2], [[U(0.0, 1.0, 4)], [_positive(4)], [_positive(4)]]),
        "beta_logpdf": ("stats.beta.logpdf", [0, 1, 2], [[U(0.0, 1.0, 4)], [_positive(4)], [_positive(4)]]),
        "gamma_cdf": ("stats.gamma.cdf", [0], [[_positive(4)], [_positive(4)]]),
        "gamma_pdf": ("stats.gamma.pdf", [0, 1], [[_positive(4)], [_positive(4)]]),
        "gamma_logpdf": ("stats.gamma.logpdf", [0, 1], [[_positive(4)], [_positive(4)]]),
        "poisson_cdf": ("stats.poisson.cdf", [1], [counts, [_positive(4)]]),
        "poisson_logpmf": ("stats.poisson.logpmf", [1], [counts, [_positive(4)]]),
        "poisson_pmf": ("stats.poisson.pmf", [1], [counts, [_positive(4)]]),
        "poisson_cdf_broadcast": ("stats.poisson.cdf", [1], [counts_b, [R(4, 1) ** 2 + 1.1]]),
        "poisson_logpmf_broadcast": ("stats.poisson.logpmf", [1], [counts_b, [R(4, 1) ** 2 + 1.1]]),
        "poisson_pmf_broadcast": ("stats.poisson.pmf", [1], [counts_b, [R(4, 1) ** 2 + 1.1]]),
        "t_pdf": ("stats.t.pdf", [0, 1, 2, 3], t4), "t_cdf": ("stats.t.cdf", [0, 2], t4),
        "t_logpdf": ("stats.t.logpdf", [0, 1, 2, 3], t4), "t_logcdf": ("stats.t.logcdf", [0, 2], t4),
        "t_pdf_broadcast": ("stats.t.pdf", [0, 1, 2, 3], t4b), "t_cdf_broadcast": ("stats.t.cdf", [0, 2], t4b),
        "t_logpdf_broadcast": ("stats.t.logpdf", [0, 1, 2, 3], t4b),
        "t_logcdf_broadcast": ("stats.t.logcdf", [0, 2], t4b),
    }
    for f in ("pdf", "cdf", "sf", "logpdf", "logcdf", "logsf"):
        cases[f"norm_{f}"] = (f"stats.norm.{f}", [0, 1, 2], norm3)
        cases[f"norm_{f}_broadcast"] = (f"stats.norm.{f}", [0, 1, 2], norm3b)
    return cases


STATS = _stats_cases()


@pytest.mark.parametrize("case", sorted(STATS))
def test_stats(case):
    path, argnums, arg_lists = STATS[case]
    combo_check(scipy_fn(path), argnums, **rev)(*arg_lists)


@pytest.mark.parametrize("f", ["pdf", "logpdf"])
@pytest.mark.parametrize("broadcast", [False, True])
def test_mvn(f, broadcast):
    fun = symmetrize_matrix_arg(scipy_fn(f"stats.multivariate_normal.{f}"), 2)
    x = R(5, 4) if broadcast else R(4)
    combo_check(fun, [0, 1, 2], **rev)([x], [R(4)], [make_psd(R(4, 4))])


def test_mvn_entropy():
    fun = symmetrize_matrix_arg(scipy_fn("stats.multivariate_normal.entropy"), 1)
    combo_check(fun, [0, 1], **rev)([10 * R(4)], [make_psd(R(4, 4))])


@pytest.mark.xfail(strict=True, raises=ValueError,
                   reason="not yet: multivariate_normal(allow_singular=True) needs a pseudo-determinant row")
@pytest.mark.parametrize("f", ["pdf", "logpdf"])
def test_mvn_sing_cov(f):
    density = scipy_fn(f"stats.multivariate_normal.{f}")
    cov = onp.zeros((4, 4))
    cov[0, 0] = cov[1, 1] = 1

    def fun(x, mean, cov):
        x = np.concatenate([x[:2], mean[2:]])
        return symmetrize_matrix_arg(partial(density, allow_singular=True), 2)(x, mean, cov)

    start = onp.concatenate((R(2), onp.zeros(2)))
    combo_check(fun, [0, 1], **rev)([start], [onp.concatenate((R(2), onp.zeros(2)))], [cov])


@pytest.mark.parametrize("f, wrt", [("pdf", "x"), ("pdf", "alpha"), ("logpdf", "x"), ("logpdf", "alpha")])
def test_dirichlet(f, wrt):
    density = scipy_fn(f"stats.dirichlet.{f}")
    alpha = onp.random.random(4) ** 2 + 1.2
    x = onp.random.dirichlet(alpha)
    if wrt == "x":  # normalised, so that perturbed points still sum to one
        combo_check(lambda x, a: density(x / np.sum(x), a), [0], **rev)([x], [alpha])
    else:
        combo_check(density, [1], **rev)([x], [alpha])


LOGSUMEXP = {
    "logsumexp1": ([[onp.array([1.1]), R(4), R(3, 4)]], {"axis": [None, 0], "keepdims": [True, False]}),
    "logsumexp2": ([[R(3, 4), R(4, 5, 6), R(1, 5)]], {"axis": [None, 0, 1], "keepdims": [True, False]}),
    "logsumexp3": ([[R(4)]], {"b": [onp.exp(R(4))], "axis": [None, 0], "keepdims": [True, False]}),
    "logsumexp4": ([[R(3, 4)]], {"b": [onp.exp(R(3, 4))], "axis": [None, 0, 1], "keepdims": [True, False]}),
    "logsumexp5": ([[R(2, 3, 4)]], {"b": [onp.exp(R(2, 3, 4))], "axis": [None, 0, 1], "keepdims": [True, False]}),
}


@pytest.mark.parametrize("case", sorted(LOGSUMEXP))
def test_logsumexp(case):
    arg_lists, kwarg_lists = LOGSUMEXP[case]
    combo_check(scipy_fn("special.logsumexp"), [0], modes=["fwd", "rev"])(*arg_lists, **kwarg_lists)


def test_logsumexp6():
    logsumexp = scipy_fn("special.logsumexp")
    f = lambda a: logsumexp(a, axis=1, keepdims=True)  # noqa: E731
    x = R(1, 5)
    check_grads(f, modes=["fwd", "rev"])(x)
    check_grads(lambda a: cr.grad(f)(a), modes=["fwd", "rev"])(x)


@pytest.mark.parametrize("case", ["1d", "2d"])
def test_convolve(case):
    convolve = scipy_fn("signal.convolve")
    if case == "1d":
        combo_check(convolve, [0, 1], **rev)([R(4), R(5), R(6)], [R(2), R(3), R(4)], mode=["full", "valid", "same"])
    else:
        combo_check(convolve, [0, 1], **rev)([R(4, 3), R(5, 4), R(6, 7)], [R(2, 2), R(3, 2), R(4, 2), R(4, 1)],
                                             mode=["full", "valid", "same"])


SPECIAL_BINARY = {
    "beta": ([0, 1], [[_positive(4)], [_positive(4)]]),
    "betainc": ([2], [[_positive(4)], [_positive(4)], [U(0.0, 1.0, 4)]]),
    "betaln": ([0, 1], [[_positive(4)], [_positive(4)]]),
    "gammainc": ([1], [[1], [R(4) ** 2 + 1.3]]), "gammaincc": ([1], [[1], [R(4) ** 2 + 1.3]]),
    "polygamma": ([1], [[0], [R(4) ** 2 + 1.3]]), "jn": ([1], [[2], [R(4) ** 2 + 1.3]]),
    "yn": ([1], [[2], [R(4) ** 2 + 1.3]]),
    "multigammaln": ([0], [[U(4.0, 5.0), U(4.0, 5.0, (2, 3))], [1, 2, 3]]),
    "iv": ([1], [[U(1.0, 50.0, 4)], [R(4) ** 2 + 1.3]]), "ive": ([1], [[U(1.0, 50.0, 4)], [R(4) ** 2 + 1.3]]),
}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(
    strict=True, raises=TypeError, reason="not yet: array-valued Bessel orders (the order is a parameter)"))
    if n in ("iv", "ive") else n for n in sorted(SPECIAL_BINARY)])
def test_special(name):
    argnums, arg_lists = SPECIAL_BINARY[name]
    combo_check(scipy_fn(f"special.{name}"), argnums, **rev)(*arg_lists)


SPECIAL_UNARY = {
    "psi": (0.3, 2.0), "digamma": (0.3, 2.0), "gamma": (0.3, 2.0), "gammaln": (0.3, 2.0), "gammasgn": (0.3, 2.0),
    "rgamma": (0.3, 2.0), "j0": (0.2, 20.0), "j1": (0.2, 20.0), "y0": (0.2, 20.0), "y1": (0.2, 20.0),
    "i0": (0.2, 20.0), "i1": (0.2, 20.0), "erf": (-3.0, 3.0), "erfc": (-3.0, 3.0), "erfinv": (-0.95, 0.95),
    "erfcinv": (0.05, 1.95), "logit": (0.10, 0.90), "expit": (-4.05, 4.95),
}


@pytest.mark.parametrize("name", sorted(SPECIAL_UNARY))
def test_special_unary(name):
    unary_ufunc_check(scipy_fn(f"special.{name}"), lims=SPECIAL_UNARY[name], **rev)


def test_odeint():
    odeint = scipy_fn("integrate.odeint")

    def func(y, t, arg1, arg2):
        return -np.sqrt(t) - y + arg1 - np.mean((y + arg2) ** 2)

    combo_check(odeint, [1, 2, 3], **rev)([func], [R(3)], [onp.linspace(0.1, 0.2, 4)], [(R(3), R(3))])


@pytest.mark.xfail(strict=True, reason="not yet: sqrtm of a real matrix with a negative eigenvalue is complex, "
                                       "and chainrule's sqrtm row is real only")
def test_sqrtm():
    combo_check(symmetrize_matrix_arg(scipy_fn("linalg.sqrtm"), 0), [0], modes=["fwd", "rev"], order=2)([R(3, 3)])


def test_solve_sylvester():
    combo_check(scipy_fn("linalg.solve_sylvester"), [0, 1, 2], modes=["rev", "fwd"], order=2)(
        [R(3, 3)], [R(3, 3)], [R(3, 3)])


@pytest.mark.xfail(strict=True, raises=TypeError, reason="not yet: solve_banded has no derivative rule")
def test_solve_banded():
    combo_check(scipy_fn("linalg.solve_banded"), [1, 2], modes=["rev"], order=1)([(1, 1)], [R(3, 5)], [R(5)])

