"""`import chainrule.numpy as np`: NumPy's names and meanings, the name table, composites, cr.optimize."""

from __future__ import annotations

import math

import numpy as onp
import pytest

import chainrule as cr
import chainrule.numpy as np
from chainrule.numpy import _arrays, _math, _products

R = onp.random.RandomState(0).randn


def test_numpy_meaning_of_var_std_axis_keepdims():
    x = onp.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
    assert onp.isclose(float(np.var(x)), ((x - x.mean()) ** 2).mean())  # ddof=0, NumPy's
    assert onp.allclose(np.std(x, axis=1, ddof=1), onp.sqrt(((x - x.mean(1, keepdims=True)) ** 2).sum(1) / 2))
    assert np.sum(x, axis=0, keepdims=True).shape == (1, 3)
    assert np.max(x, 1).shape == (2,)
    g = cr.grad(lambda t: np.var(t))(x)  # d var / dx_i = 2 (x_i - mean) / n
    assert onp.allclose(g.numpy(), 2 * (x - x.mean()) / x.size)


def test_lists_of_tensors_are_stacked_differentiably():
    x = cr.tensor(2.0, requires_grad=True)
    np.sum([x, 3 * x]).backward()
    assert float(x.grad) == 4.0
    g = cr.grad(lambda t: np.sum(np.array([[t, t ** 2], [1.0, t]])))(3.0)
    assert float(g) == 1 + 2 * 3.0 + 1


def test_passthrough_and_creation_are_plain():
    x = cr.tensor([3.0, -1.0, 2.0], requires_grad=True)
    for result in (np.argsort(x), np.floor(x), np.isnan(x), np.greater(x, 0), np.zeros(3), np.linspace(0, 1, 3),
                   np.zeros_like(x), np.eye(2), np.arange(3)):
        assert type(result) is onp.ndarray
    assert np.shape(x) == (3,) and np.ndim(x) == 1 and np.size(x) == 3
    assert np.array([1, 2]).dtype == onp.int64 and np.asarray(x) is x


def test_random_is_numpy_random():
    np.random.seed(3)
    a = np.random.randn(2, 2)
    np.random.seed(3)
    assert type(a) is onp.ndarray and onp.array_equal(a, np.random.randn(2, 2))
    assert np.random.randint(0, 5, size=3).shape == (3,) and np.random.permutation(4).shape == (4,)
    assert np.random.choice(onp.arange(4), 2).shape == (2,)


def test_constants_and_dtypes():
    assert np.pi == math.pi and np.e == math.e and np.inf == math.inf and math.isnan(np.nan)
    assert np.newaxis is None and np.float64 is onp.float64 and np.ndarray is onp.ndarray


def test_missing_names_raise_attribute_error_saying_no_rule_yet():
    with pytest.raises(AttributeError, match=r"chainrule.numpy.unwrap: NumPy's unwrap has no derivative rule"):
        np.unwrap  # noqa: B018
    assert getattr(np, "unwrap", None) is None
    with pytest.raises(AttributeError, match="no derivative rule in chainrule yet"):
        np.linalg.eigvals  # noqa: B018


def test_ops_added_later_appear_by_name(monkeypatch):
    import chainrule.ops as ops

    sinc = cr.defop("sinc_for_test", onp.sinc, vjp=lambda g, ans, x: g * 0.0, jvp=lambda t, ans, x: t * 0.0)
    monkeypatch.setattr(ops, "sinc", sinc, raising=False)
    monkeypatch.setattr(ops, "__all__", [*ops.__all__, "sinc"])
    monkeypatch.setattr(np, "_RESOLVED", {})
    assert np.sinc.chainrule_function is sinc


def test_every_table_name_resolves_or_says_it_is_missing():
    for name in dir(np):
        if not name.startswith("_"):
            try:
                getattr(np, name)
            except AttributeError as error:
                assert "no derivative rule in chainrule yet" in str(error)


# ---- the composites: every derivative against finite differences, both modes, order 2 -----------------
X = R(3, 4)
SQUARE = R(4, 4)
POSITIVE = onp.abs(R(3, 4)) + 0.5
COMPOSITES = {
    "square": (_math.square, X), "reciprocal": (_math.reciprocal, POSITIVE), "log2": (_math.log2, POSITIVE),
    "log10": (_math.log10, POSITIVE), "exp2": (_math.exp2, X), "sinh": (_math.sinh, X), "cosh": (_math.cosh, X),
    "arcsinh": (_math.arcsinh, X), "arccosh": (_math.arccosh, POSITIVE + 1.0),
    "arctanh": (_math.arctanh, onp.tanh(X) * 0.9), "deg2rad": (_math.deg2rad, X), "rad2deg": (_math.rad2deg, X),
    "logaddexp": (lambda x: _math.logaddexp(x, x[::-1]), X), "logaddexp2": (lambda x: _math.logaddexp2(x, 0.3), X),
    "hypot": (lambda x: _math.hypot(x, 2.0), X), "remainder": (lambda x: _math.remainder(x, 0.7), X),
    "fmod": (lambda x: _math.fmod(x, 0.7), X), "fmax": (lambda x: _math.fmax(x, 0.1), X),
    "nan_to_num": (_math.nan_to_num, X),
    "ravel": (_arrays.ravel, X), "moveaxis": (lambda x: _arrays.moveaxis(x, 0, -1), X),
    "vstack": (lambda x: _arrays.vstack([x, x * 2]), X), "hstack": (lambda x: _arrays.hstack([x, x]), X),
    "column_stack": (lambda x: _arrays.column_stack([x[0], x[1]]), X),
    "array_split": (lambda x: _arrays.array_split(x, 3, axis=1)[0], X), "flip": (_arrays.flip, X),
    "rot90": (_arrays.rot90, X), "roll": (lambda x: _arrays.roll(x, 2, axis=1), X),
    "repeat": (lambda x: _arrays.repeat(x, 2, axis=0), X), "tile": (lambda x: _arrays.tile(x, (2, 1)), X),
    "tril": (lambda x: _arrays.tril(x, -1), X), "triu": (_arrays.triu, X), "diagonal": (_arrays.diagonal, SQUARE),
    "trace": (lambda x: _arrays.trace(x, 1), SQUARE), "diag": (lambda x: _arrays.diag(x[0], 1), SQUARE),
    "diff": (lambda x: _arrays.diff(x, 2, axis=1), X), "cumsum": (lambda x: _arrays.cumsum(x, axis=1), X),
    "sort": (lambda x: _arrays.sort(x, axis=0), X), "partition": (lambda x: _arrays.partition(x, 2), X),
    "pad": (lambda x: _arrays.pad(x, ((1, 0), (0, 2))), X), "gradient": (lambda x: _arrays.gradient(x, axis=1), X),
    "append": (lambda x: _arrays.append(x, x[0:1], axis=0), X),
    "select": (lambda x: _arrays.select([x > 0, x < -1], [x, x * x], default=1.0), X),
    "take_along_axis": (lambda x: _arrays.take_along_axis(x, onp.argsort(X, axis=1), 1), X),
    "tensordot": (lambda x: _products.tensordot(x, x.T, axes=1), X),
    "dot_3d": (lambda x: _products.dot(_arrays.tile(x, (2, 1, 1)), x.T), X),
    "inner": (lambda x: _products.inner(x, x), X), "kron": (lambda x: _products.kron(x, x[:2, :2]), X),
    "cross": (lambda x: _products.cross(x[:, :3], x[:, 1:]), X),
    "norm": (_products.norm, X), "norm_ord3": (lambda x: _products.norm(x[0], 3), X),
    "norm_inf_matrix": (lambda x: _products.norm(x, onp.inf), X),
    "norm_1_matrix": (lambda x: _products.norm(x, 1), X),
    "matrix_power": (lambda x: _products.matrix_power(x, 3), SQUARE * 0.5),
    "linspace": (lambda x: np.linspace(x[0, 0], x[0, 1], 5), X),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite_derivatives(name):
    f, x = COMPOSITES[name]
    cr.gradcheck(f, x, modes=("rev", "fwd"))
    cr.gradcheck(lambda t: cr.sum(f(t) ** 2), x, modes=("rev", "fwd"), order=2)


@pytest.mark.parametrize("name, reference, args", [
    ("tile", onp.tile, ((2, 3),)), ("repeat", onp.repeat, (3, 1)), ("roll", onp.roll, (-1, 0)),
    ("diff", onp.diff, (1, 0)), ("cumsum", onp.cumsum, (None,)), ("trace", onp.trace, (-1,)),
    ("pad", onp.pad, (((0, 1), (2, 0)),)), ("rot90", onp.rot90, (3,)), ("kron", onp.kron, (onp.ones((2, 1)),)),
    ("tensordot", onp.tensordot, (onp.ones((4, 2)), 1)), ("gradient", onp.gradient, ()),
])
def test_composite_values_match_numpy(name, reference, args):
    assert onp.allclose(onp.asarray(getattr(np, name)(cr.tensor(X), *args)), reference(X, *args))


def test_norm_values_match_numpy():
    for ord_, axis in [(None, None), (1, None), (onp.inf, None), (-onp.inf, 1), (3, 0), ("fro", (0, 1)), (1, (1, 0))]:
        assert onp.allclose(onp.asarray(np.linalg.norm(X, ord_, axis)), onp.linalg.norm(X, ord_, axis))


def test_fft_shifts():
    x = onp.arange(10.0).reshape(2, 5)
    assert onp.array_equal(np.fft.fftshift(x), onp.fft.fftshift(x))
    assert onp.array_equal(np.fft.ifftshift(x, axes=1), onp.fft.ifftshift(x, axes=1))
    cr.gradcheck(lambda t: np.fft.fftshift(t) * x, x)


# ---- cr.optimize.minimize ----------------------------------------------------------------------------------------
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@pytest.mark.parametrize("method", ["BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg", "CG"])
def test_minimize_rosenbrock_converges_to_ones(method):
    pytest.importorskip("scipy")
    result = cr.optimize.minimize(rosenbrock, onp.array([-1.2, 1.0, 0.5]), method=method, options={"maxiter": 2000})
    assert result.success and onp.allclose(result.x, 1.0, atol=1e-4)


def test_minimize_hands_scipy_the_exact_gradient_and_hessian_product():
    pytest.importorskip("scipy")
    seen = {}

    def quadratic(x):
        return 0.5 * np.sum(x * (onp.array([[2.0, 1.0], [1.0, 3.0]]) @ x))

    import scipy.optimize

    original = scipy.optimize.minimize

    def spy(fun, x0, **kwargs):
        seen["value, jac"] = fun(onp.array([1.0, 2.0]))
        seen["hessp"] = kwargs["hessp"](onp.array([1.0, 2.0]), onp.array([1.0, 0.0]))
        return original(fun, x0, **kwargs)

    scipy.optimize.minimize = spy
    try:
        cr.optimize.minimize(quadratic, onp.zeros(2), method="Newton-CG")
    finally:
        scipy.optimize.minimize = original
    value, jac = seen["value, jac"]
    assert value == 0.5 * (2 + 2 * 2 + 2 * 6) and onp.allclose(jac, [4.0, 7.0])  # A x with A = [[2, 1], [1, 3]]
    assert jac.dtype == onp.float64 and onp.allclose(seen["hessp"], [2.0, 1.0])


def test_minimize_takes_parameter_structures():
    pytest.importorskip("scipy")
    result = cr.optimize.minimize(lambda p: (p["a"] - 1.0) ** 2 + np.sum((p["b"] + 2.0) ** 2),
                                  {"a": 0.0, "b": onp.zeros(2)})
    assert onp.isclose(float(result.x["a"]), 1.0) and onp.allclose(result.x["b"], -2.0)


def test_minimize_without_scipy_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    with pytest.raises(cr.ChainruleError, match=r"chainrule\[optimize\]"):
        cr.optimize.minimize(rosenbrock, onp.zeros(2))


def test_logaddexp_is_smooth_where_the_inputs_tie():
    # ∂/∂x = σ(x - y), ∂²/∂x² = σ(1 - σ): 1/2 and 1/4 at x = y, whatever the shift
    d1 = cr.grad(lambda x: np.logaddexp(x, 700.0))
    assert float(d1(700.0)) == pytest.approx(0.5, rel=1e-12)
    assert float(cr.grad(d1)(700.0)) == pytest.approx(0.25, rel=1e-12)


def test_einsum_interleaved_form_matches_the_string_form():
    a, b = R(2, 3), R(3, 4)
    assert onp.allclose(np.einsum(a, [0, 1], b, [1, 2], [0, 2]), onp.einsum("ij,jk->ik", a, b))
    v = R(3)
    assert onp.allclose(np.einsum(a, [Ellipsis, 1], v, [1]), onp.einsum(a, [Ellipsis, 1], v, [1]))
    cr.gradcheck(lambda x: np.einsum(x, [0, 1], b, [1, 2]), a)


def test_ascontiguousarray_lays_plain_arrays_out_in_c_order_and_gives_tensors_an_axis():
    fortran = onp.asfortranarray(onp.arange(6.0).reshape(2, 3))
    laid = np.ascontiguousarray(fortran)
    assert laid.flags.c_contiguous and not fortran.flags.c_contiguous
    onp.testing.assert_array_equal(laid, fortran)
    assert np.ascontiguousarray(2.0).shape == (1,)  # at least one axis, as NumPy
    x = cr.tensor(3.0, requires_grad=True)
    y = np.ascontiguousarray(x)
    assert y.shape == (1,)
    (2 * y).sum().backward()
    assert float(x.grad) == 2.0
