"""grad / vjp / jvp / Jacobians / Hessians, nesting, custom rules, anomaly detection."""

import gc
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule.tree import flatten


def test_nested_derivatives_do_not_confuse_perturbations():
    rev = cr.grad(lambda x: x * cr.grad(lambda y: x + y)(1.0))(1.0)
    assert rev.item() == 1.0

    def D(f):
        return lambda v: cr.jvp(f, (v,), (1.0,))[1]

    assert D(lambda x: x * D(lambda y: x + y)(1.0))(1.0).item() == 1.0


def test_grad_of_closure_variable_in_inner_grad():
    # d/dx [d/dy (x*y)] at y=x equals d/dx x = 1
    assert cr.grad(lambda x: cr.grad(lambda y: x * y)(x))(3.0).item() == 1.0


def test_third_derivative_of_x_sin_x():
    x0 = 0.7
    third = cr.grad(cr.grad(cr.grad(lambda x: x * cr.sin(x))))(x0)
    assert third.item() == pytest.approx(-3 * np.sin(x0) - x0 * np.cos(x0), abs=1e-12)
    # forward over forward over reverse agrees
    d1 = cr.grad(lambda x: x * cr.sin(x))
    d2 = lambda v: cr.jvp(d1, (v,), (1.0,))[1]  # noqa: E731
    d3 = lambda v: cr.jvp(d2, (v,), (1.0,))[1]  # noqa: E731
    assert d3(x0).item() == pytest.approx(-3 * np.sin(x0) - x0 * np.cos(x0), abs=1e-12)


def test_value_and_grad_and_has_aux():
    (value, aux), g = cr.value_and_grad(lambda x: ((x ** 2).sum(), "aux"), has_aux=True)(np.array([1.0, 2.0]))
    assert value.item() == 5.0 and aux == "aux"
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


def test_grad_argnums_and_dict_params():
    def loss(params, x):
        h = cr.tanh(x @ params["W"] + params["b"])
        return (h ** 2).mean()

    params = {"W": np.random.default_rng(0).normal(size=(3, 2)), "b": np.zeros(2)}
    x = np.random.default_rng(1).normal(size=(4, 3))
    g = cr.grad(loss)(params, x)
    assert set(g) == {"W", "b"} and g["W"].shape == (3, 2)
    # against finite differences of one entry
    eps = 1e-6
    bumped = {k: v.copy() for k, v in params.items()}
    bumped["W"][1, 0] += eps
    lowered = {k: v.copy() for k, v in params.items()}
    lowered["W"][1, 0] -= eps
    numeric = (loss({k: cr.tensor(v) for k, v in bumped.items()}, x).item()
               - loss({k: cr.tensor(v) for k, v in lowered.items()}, x).item()) / (2 * eps)
    assert g["W"].numpy()[1, 0] == pytest.approx(numeric, rel=1e-6)
    gx = cr.grad(loss, argnums=1)(params, x)
    assert gx.shape == x.shape
    both = cr.grad(loss, argnums=(0, 1))(params, x)
    assert isinstance(both, tuple) and both[1].shape == x.shape


def test_grad_of_scalar_only():
    with pytest.raises(cr.ChainruleError, match="scalar"):
        cr.grad(lambda x: x * 2)(np.ones(3))


def test_vjp_returns_one_cotangent_per_primal():
    out, back = cr.vjp(lambda x, y: x @ y, np.ones((2, 3)), np.arange(3.0))
    gx, gy = back(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(gx.numpy(), np.outer([1.0, 2.0], np.arange(3.0)))
    np.testing.assert_array_equal(gy.numpy(), [3.0, 3.0, 3.0])
    again = back(np.array([1.0, 0.0]))  # vjp_fn can be called more than once
    np.testing.assert_array_equal(again[1].numpy(), [1.0, 1.0, 1.0])


def test_jvp_of_mlp_matches_jacobian():
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4))

    def mlp(x):
        return W2 @ cr.tanh(W1 @ x)

    x, v = rng.normal(size=3), rng.normal(size=3)
    _, t = cr.jvp(mlp, (x,), (v,))
    J = cr.jacrev(mlp)(x).numpy()
    np.testing.assert_allclose(t.numpy(), J @ v, atol=1e-12)
    np.testing.assert_allclose(cr.jacfwd(mlp)(x).numpy(), J, atol=1e-12)
    np.testing.assert_allclose(cr.jacobian(mlp)(x).numpy(), J, atol=1e-12)


def test_hessian_and_hvp_against_formula():
    def f(x):
        return (x[0] ** 2) * x[1] + cr.sin(x[1]) * x[2] ** 3

    x = np.array([0.5, -1.2, 0.8])
    a, b, c = x
    H = np.array([[2 * b, 2 * a, 0.0],
                  [2 * a, -np.sin(b) * c ** 3, 3 * np.cos(b) * c ** 2],
                  [0.0, 3 * np.cos(b) * c ** 2, 6 * np.sin(b) * c]])
    np.testing.assert_allclose(cr.hessian(f)(x).numpy(), H, atol=1e-12)
    v = np.array([0.3, -0.7, 1.1])
    value, hv = cr.hvp(f, (x,), (v,))
    assert value.item() == pytest.approx(f(cr.tensor(x)).item())
    np.testing.assert_allclose(hv.numpy(), H @ v, atol=1e-12)


def test_transforms_accept_tensors_arrays_and_floats():
    for x in (2.0, np.float64(2.0), np.array(2.0), cr.tensor(2.0)):
        assert cr.grad(lambda v: v ** 2)(x).item() == 4.0


def test_custom_vjp_log1pexp_is_stable_and_correct():
    log1pexp = cr.custom_vjp(lambda x: np.logaddexp(0, x),
                             lambda g, ans, x: g * cr.sigmoid(x),
                             lambda ts, ans, x: ts[0] * cr.sigmoid(x))
    x = cr.tensor([-800.0, 0.0, 800.0], requires_grad=True)
    y = log1pexp(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.5, 1.0], atol=1e-300)  # σ's clamp, see docs/ops.md
    assert cr.gradcheck(log1pexp, np.array([-1.0, 0.3, 2.0]), order=2)
    assert log1pexp.name in cr.core.OPS


def _buggy_mul(bug):
    rules = {
        "sign flip": lambda g, ans, x, y: (-g * y, g * x),
        "factor of 2": lambda g, ans, x, y: (2 * g * y, g * x),
        "swapped arguments": lambda g, ans, x, y: (g * x, g * y),
    }
    return cr.custom_vjp(lambda x, y: x * y, rules[bug], name=f"buggy_mul_{bug}")


@pytest.mark.parametrize("bug", ["sign flip", "factor of 2", "swapped arguments"])
def test_gradcheck_catches_injected_bugs(bug):
    x, y = np.array([0.3, -1.1, 2.0]), np.array([1.5, 0.7, -0.4])
    with pytest.raises(cr.GradcheckError, match="gradcheck failed"):
        cr.gradcheck(_buggy_mul(bug), x, y, modes=("rev",))
    assert cr.gradcheck(_buggy_mul(bug), x, y, modes=("rev",), raise_exception=False) is False


def test_gradcheck_catches_missing_broadcast_reduction():
    # a rule that returns the broadcast-shaped adjoint's first row instead of summing rows
    bad_add = cr.custom_vjp(lambda x, b: x + b,
                            lambda g, ans, x, b: (g, g[0] if g.ndim == 2 else g), name="bad_bias_add")
    x, b = np.ones((3, 2)), np.array([0.5, -0.5])
    with pytest.raises(cr.GradcheckError) as err:
        cr.gradcheck(bad_add, x, b, modes=("rev",))
    assert "input" in str(err.value) and "max abs err" in str(err.value)


def test_gradcheck_fast_and_report_contents():
    bad = cr.custom_vjp(lambda x: np.sin(x), lambda g, ans, x: g * cr.cos(x) * 1.01, name="bad_sin")
    with pytest.raises(cr.GradcheckError, match="random projections"):
        cr.gradcheck(bad, np.array([0.1, 0.5]), modes=("rev",), fast=True)
    assert cr.gradcheck(cr.sin, np.array([0.1, 0.5]), fast=True)


def test_gradcheck_warns_on_float32():
    with pytest.warns(UserWarning, match="float64"):
        cr.gradcheck(cr.tanh, np.array([0.1, 0.2], dtype=np.float32), atol=1e-2, rtol=1e-2)


def test_gradcheck_order_two_catches_bad_second_derivative():
    # first derivative right, but written with raw NumPy: its own derivative is lost (zero)
    frozen = cr.custom_vjp(lambda x: x ** 3, lambda g, ans, x: g * 3 * np.asarray(x) ** 2,
                           lambda ts, ans, x: ts[0] * 3 * np.asarray(x) ** 2, name="frozen_cube")
    x = np.array([0.5, -1.5])
    assert cr.gradcheck(frozen, x)
    with pytest.raises(cr.GradcheckError):
        cr.gradcheck(frozen, x, order=2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_forward_names_op_and_line():
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    with cr.detect_anomaly():
        with pytest.raises(cr.AnomalyError) as err:
            cr.log(x)  # the offending line
    message = str(err.value)
    assert "log" in message and "test_transforms.py" in message and "the offending line" in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_backward_names_op():
    x = cr.tensor([0.0, 4.0], requires_grad=True)
    with cr.detect_anomaly():
        y = cr.sqrt(x).sum()
        with pytest.raises(cr.AnomalyError, match="backward rule of sqrt") as err:
            y.backward()
    assert "test_transforms.py" in str(err.value)


def test_detect_anomaly_is_silent_on_clean_code():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with cr.detect_anomaly():
            x = cr.tensor([0.5, 1.5], requires_grad=True)
            loss = (cr.softmax(x * 3, axis=0) * cr.log(x)).sum()
            loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))


# ---- value_and_grad's value, and vjp_fn differentiated in its cotangent (issue 18) -------------
def test_value_and_grad_returns_a_plain_value():
    value, g = cr.value_and_grad(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))
    assert value.item() == 9.0 and not value.requires_grad and value.is_leaf
    np.testing.assert_array_equal(g.numpy(), [3.0, 12.0])


def test_value_and_grad_value_stays_differentiable_from_outside():
    # an input that requires grad: the value backpropagates into it, d/dx x³ = 3x²
    x = cr.tensor(2.0, requires_grad=True)
    value, _ = cr.value_and_grad(lambda v: v ** 3)(x)
    value.backward()
    assert x.grad.item() == 12.0
    # an enclosing grad, through the argument and through a closure: d/dx x³ = 3x², d/dx 2x = 2
    assert cr.grad(lambda x: cr.value_and_grad(lambda v: v ** 3)(x)[0])(3.0).item() == 27.0
    assert cr.grad(lambda x: cr.value_and_grad(lambda y: x * y)(2.0)[0])(3.0).item() == 2.0
    assert cr.grad(lambda x: cr.value_and_grad(lambda y: x + y)(2.0)[0])(3.0).item() == 1.0  # a constant adjoint
    # an enclosing jvp: the value keeps its tangent, 3x² · 1
    _, t = cr.jvp(lambda x: cr.value_and_grad(lambda v: v ** 3)(x)[0], (2.0,), (1.0,))
    assert t.item() == 12.0
    value, _ = cr.hvp(lambda x: (x ** 3).sum(), (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    assert value.item() == 9.0 and not value.requires_grad


def test_vjp_has_aux():
    out, back, aux = cr.vjp(lambda x: (x * 3.0, "aux"), 2.0, has_aux=True)
    assert out.item() == 6.0 and aux == "aux" and back(1.0)[0].item() == 3.0


_X0 = np.array([0.3, -1.2, 2.0])
_V0 = np.array([1.0, 0.5, -2.0])


def _x_sin_x(x):
    return cr.sin(x) * x


def _diagonal_of_x_sin_x(x):  # d/dx (x sin x) = x cos x + sin x, elementwise, so J = diag(this)
    return x * np.cos(x) + np.sin(x)


def test_grad_through_vjp_fn_with_respect_to_the_cotangent():
    # v -> Σ (Jᵀv)²  with J = diag(d):  gradient 2 J Jᵀ v = 2 d² v
    d = _diagonal_of_x_sin_x(_X0)
    g = cr.grad(lambda v: cr.sum(cr.vjp(_x_sin_x, _X0)[1](v)[0] ** 2))(_V0)
    np.testing.assert_allclose(g.numpy(), 2 * d * d * _V0, rtol=1e-12)


def test_jvp_through_vjp_fn_with_respect_to_the_cotangent():
    # v -> Jᵀv is linear: its JVP along t is Jᵀt = d·t
    d = _diagonal_of_x_sin_x(_X0)
    t0 = np.array([1.0, -1.0, 0.5])
    _, t = cr.jvp(lambda v: cr.vjp(_x_sin_x, _X0)[1](v)[0], (_V0,), (t0,))
    np.testing.assert_allclose(t.numpy(), d * t0, rtol=1e-12)


def test_vjp_fn_checked_in_both_arguments_as_autograd_check_grads_does():
    # (x, v) -> Jᵀ(x) v: first and second order, both modes
    def vjp_of(x, v):
        return cr.vjp(_x_sin_x, x)[1](v)[0]

    assert cr.gradcheck(vjp_of, _X0, _V0, modes=("rev", "fwd"))
    assert cr.gradcheck(vjp_of, _X0, _V0, modes=("rev", "fwd"), order=2)
    # and the second derivative against the formula: d/dx Σ v·d(x) = v · (2 cos x - x sin x)
    g = cr.grad(lambda x: cr.sum(vjp_of(x, _V0)))(_X0)
    np.testing.assert_allclose(g.numpy(), _V0 * (2 * np.cos(_X0) - _X0 * np.sin(_X0)), rtol=1e-12)


def test_forward_mode_tangent_after_setitem():
    def f(x):
        a = x * 1.0
        a[0] = x[1] * 3.0
        return a

    _, t = cr.jvp(f, (_X0,), (np.array([1.0, 2.0, 4.0]),))
    np.testing.assert_array_equal(t.numpy(), [6.0, 2.0, 4.0])  # d(3 x₁) = 3 t₁


# ---- no reference cycles per call (issue 18): memory is freed when the call returns ----------
_CALLS = {
    "grad": lambda x: cr.grad(lambda v: (v ** 2).sum())(x),
    "grad of a dict": lambda x: cr.grad(lambda p: (p["w"] ** 2).sum() + p["b"][0].sum())({"w": x, "b": [x]}),
    "value_and_grad has_aux": lambda x: cr.value_and_grad(lambda v: ((v ** 2).sum(), v), has_aux=True)(x),
    "vjp": lambda x: cr.vjp(lambda v: v ** 2, x)[1](x),
    "jvp": lambda x: cr.jvp(lambda v: v ** 2, (x,), (x,)),
    "grad of grad": lambda x: cr.grad(lambda v: cr.grad(lambda w: (w ** 3).sum())(v).sum())(x),
    "hessian": lambda x: cr.hessian(lambda v: (v ** 3).sum())(x),
}


@pytest.fixture
def collector_off():
    # With the collector off, everything a call makes stays in the youngest generation,
    # so collecting that generation alone (fast, whatever the size of the heap) finds
    # every cycle the call left.
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("name", sorted(_CALLS))
@pytest.mark.parametrize("make_input", [np.array, cr.tensor, lambda a: cr.tensor(a, requires_grad=True)],
                         ids=["ndarray", "tensor", "tensor requiring grad"])
def test_transforms_leave_no_reference_cycles(name, make_input, collector_off):
    x = make_input([1.0, 2.0, 3.0])
    call = _CALLS[name]
    gc.collect(0)  # whatever the test setup left
    result = call(x)
    refs = [weakref.ref(x)] + [weakref.ref(leaf) for leaf in flatten(result)[0] if isinstance(leaf, cr.Tensor)]
    del x, result
    assert [r() for r in refs] == [None] * len(refs), "an input or output outlived the call"
    assert gc.collect(0) == 0, "the call left garbage that only the cyclic collector can free"


@pytest.mark.slow
def test_memory_stays_flat_over_1000_grad_calls_with_the_collector_off(collector_off):
    w = cr.tensor(np.ones(10_000))  # 80 kB: a leak of one copy per call would be 80 MB
    step = cr.grad(lambda v: (cr.tanh(v) ** 2).sum())
    for _ in range(10):
        step(w)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            step(w)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"memory grew by {grown} bytes over 1000 calls"


# ---- gradcheck checks forward mode where it can, or when asked (issue 18) ------------------------
_square_without_jvp = cr.custom_vjp(lambda x: x * x, lambda g, ans, x: 2 * g * x, name="square_without_jvp")


def test_gradcheck_checks_reverse_mode_only_where_an_op_has_no_jvp_rule():
    x = np.array([0.5, -1.5])
    assert cr.gradcheck(_square_without_jvp, x)
    assert cr.gradcheck(_square_without_jvp, x, order=2)
    assert cr.gradcheck(_square_without_jvp, x, check_forward=False)


@pytest.mark.parametrize("asked", [{"check_forward": True}, {"modes": ("rev", "fwd")}, {"modes": ("fwd",)}])
def test_gradcheck_forward_mode_when_asked_needs_a_jvp_rule(asked):
    with pytest.raises(cr.ChainruleError, match="square_without_jvp.*JVP rule"):
        cr.gradcheck(_square_without_jvp, np.array([0.5, -1.5]), **asked)


def test_gradcheck_report_says_which_modes_it_checked():
    wrong = cr.custom_vjp(lambda x: x * x, lambda g, ans, x: 3 * g * x, name="wrong_square_without_jvp")
    with pytest.raises(cr.GradcheckError, match=r"modes checked: rev; fwd not checked \(no JVP rule for "
                                                r"wrong_square_without_jvp\)") as err:
        cr.gradcheck(wrong, np.array([0.5, -1.5]))
    assert err.value.modes_checked == ("rev",) and "fwd" in err.value.not_checked
    bad_sin = cr.custom_vjp(lambda x: np.sin(x), lambda g, ans, x: g * cr.cos(x) * 1.01,
                            lambda ts, ans, x: ts[0] * cr.cos(x) * 1.01, name="bad_sin_with_jvp")
    with pytest.raises(cr.GradcheckError, match="modes checked: rev, fwd\\)"):
        cr.gradcheck(bad_sin, np.array([0.1, 0.5]))


def test_gradcheck_order_two_differentiates_the_vjp_in_its_cotangent():
    # a rule that turns the adjoint g into a constant (raw NumPy): right at order 1, and right in x at
    # order 2 (cos x is recorded), but the VJP u·cos x loses its derivative cos x in the cotangent u
    frozen_adjoint = cr.custom_vjp(np.sin, lambda g, ans, x: np.array(g) * cr.cos(x),
                                   lambda ts, ans, x: ts[0] * cr.cos(x), name="frozen_adjoint_sin")
    x = np.array([0.3, 1.0])
    assert cr.gradcheck(frozen_adjoint, x)
    with pytest.raises(cr.GradcheckError, match="input 1 being the cotangent u") as err:
        cr.gradcheck(frozen_adjoint, x, order=2)
    assert "\n      1   rev" in str(err.value) and "\n      0" not in str(err.value)
    assert cr.gradcheck(cr.sin, x, order=2)
