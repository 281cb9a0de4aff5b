"""The engine's promises under stress: threads, views, in-place updates, bad rules, complex values.

Each test here failed before the engine clean-up (a silent wrong answer or a
raw error); the numbers are worked out in the test, not taken from chainrule.
"""

import threading

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.errors import InplaceModificationError, OpError

pytestmark = pytest.mark.fault


def _run_together(*targets, rounds=200):
    """Start the targets in threads at once (a barrier) and re-raise anything they raised."""
    errors, barrier = [], threading.Barrier(len(targets))

    def wrap(target):
        try:
            barrier.wait()
            for _ in range(rounds):
                target()
        except BaseException as exc:  # noqa: BLE001  (handed back to the test thread)
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


# ---- threads ---------------------------------------------------------------------------------
def test_no_grad_in_one_thread_does_not_stop_another_recording():
    results = []

    def quiet():
        with cr.no_grad():
            x = cr.tensor(1.0, requires_grad=True)
            assert not (x * 2).requires_grad

    def recording():
        x = cr.tensor(2.0, requires_grad=True)
        y = x * x * 2  # dy/dx = 4x = 8
        y.backward()
        results.append(x.grad.item())

    _run_together(quiet, recording)
    assert results == [8.0] * 200


def test_interleaved_no_grad_blocks_leave_recording_on():
    _run_together(lambda: cr.no_grad().__enter__().__exit__(), lambda: cr.no_grad().__enter__().__exit__())
    assert cr.is_grad_enabled()
    x = cr.tensor(3.0, requires_grad=True)
    assert (x * x).requires_grad


def test_two_threads_running_jvp_keep_their_tangents_apart():
    def one(k):
        def run():
            _, tangent = cr.jvp(lambda a: a * a * k, (3.0,), (1.0,))
            assert tangent.item() == 6.0 * k  # d(k a²)/da at 3
        return run

    _run_together(one(1.0), one(2.0))


def test_independent_backward_passes_in_threads():
    def one(value):
        def run():
            x = cr.tensor(value, requires_grad=True)
            (cr.sin(x) * x).backward()
            assert x.grad.item() == pytest.approx(np.cos(value) * value + np.sin(value))
        return run

    _run_together(one(0.3), one(1.7), one(-2.0))


def test_threads_accumulating_into_a_shared_leaf_lose_nothing():
    w = cr.tensor(1.0, requires_grad=True)

    def step():
        (w * 3.0).backward()

    _run_together(step, step, rounds=1000)
    assert w.grad.item() == 6000.0


# ---- views share their base's version counter ---------------------------------------------------
@pytest.mark.parametrize("make_view", [lambda c: c.detach(), lambda c: c[0:2], lambda c: c.reshape(2)],
                         ids=["detach", "slice", "reshape"])
def test_writing_through_a_view_after_use_is_refused(make_view):
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    c = cr.tensor([2.0, 4.0])
    y = (x * c).sum()
    make_view(c)[0] = 20.0
    with pytest.raises(InplaceModificationError, match="modified in place"):
        y.backward()


def test_writing_the_base_after_a_view_was_used_is_refused():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    c = cr.tensor([2.0, 4.0, 6.0])
    y = (x * c[0:2]).sum()
    c[1] = 5.0
    with pytest.raises(InplaceModificationError):
        y.backward()


def test_untouched_views_still_backpropagate():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    c = cr.tensor([2.0, 4.0, 6.0])
    (x * c[1:3]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])


# ---- in-place operators (PyTorch's semantics) --------------------------------------------------
def test_manual_sgd_update_under_no_grad_trains():
    w = cr.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()  # gradient 2w: each step multiplies w by 1 - 2 lr = 0.8
        loss.backward()
        with cr.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
    np.testing.assert_allclose(w.numpy(), np.array([1.0, -2.0]) * 0.8 ** 3)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_while_recording():
    w = cr.tensor([1.0], requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="leaf tensor that requires grad .* in-place"):
        w += 1.0


def test_in_place_on_a_recorded_value_keeps_the_gradient_right():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y += x * x  # y = 3x + x², dy/dx = 3 + 2x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 7.0])


def test_augmented_operator_on_a_value_used_before_rebinds_as_numpy_code_expects():
    # v -= 0.5 v after v was used: the earlier use keeps the old v (autograd's semantics for -=)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    v = x * 1.0
    s = (v * v).sum()  # x²: 2x
    v -= 0.5 * v       # 0.5x
    ((v * v).sum() + s).backward()  # d/dx (0.25x² + x²) = 2.5x
    np.testing.assert_allclose(x.grad.numpy(), [2.5, 5.0])


def test_in_place_method_on_a_value_used_before_is_refused():
    def f(x):
        v = x * 1.0
        s = (v * v).sum()
        v.mul_(0.5)  # v itself now stands for the new value: the square above saw the old one
        return (v * v).sum() + s

    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(InplaceModificationError):
        f(x).backward()
    with pytest.raises(InplaceModificationError):  # also where a transform's sweep could skip the branch
        cr.grad(f)(np.array([1.0, 2.0]))


def test_in_place_change_of_a_saved_value_is_caught():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0])
    y = (x * w).sum()
    w.mul_(2.0)
    with pytest.raises(InplaceModificationError):
        y.backward()


def test_in_place_method_family():
    a = cr.tensor([1.0, -2.0, 3.0])
    assert a.add_(1.0) is a
    np.testing.assert_array_equal(a.numpy(), [2.0, -1.0, 4.0])
    a.clamp_(min=0.0, max=3.0)
    np.testing.assert_array_equal(a.numpy(), [2.0, 0.0, 3.0])
    a.copy_(cr.tensor([7.0, 8.0, 9.0]))
    np.testing.assert_array_equal(a.numpy(), [7.0, 8.0, 9.0])
    a.zero_()
    np.testing.assert_array_equal(a.numpy(), [0.0, 0.0, 0.0])
    with pytest.raises(cr.ChainruleError, match="shape"):
        a += cr.ones((2, 3))


def test_data_accepts_tensors_and_arrays_alike():
    p = cr.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data = p.data - 0.5 * p.grad  # ndarray - Tensor
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0])


# ---- rules that break their promises --------------------------------------------------------
def test_a_rule_returning_the_wrong_shape_names_op_input_and_shapes():
    bad = cr.defop("transposing_rule", lambda x: x * 2.0, vjp=lambda g, ans, x: (g * 2.0).T)
    x = cr.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(OpError, match=r"transposing_rule returned shape \(3, 2\) for input 0.*\(2, 3\)"):
        bad(x).sum().backward()


def test_a_broken_rule_names_the_op_and_the_input():
    broken = cr.defop("broken_rule", lambda x, y: x + y, vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: g.nope))
    x, y = cr.tensor(1.0, requires_grad=True), cr.tensor(2.0, requires_grad=True)
    with pytest.raises(OpError, match="VJP rule of broken_rule for input 1 failed: AttributeError"):
        broken(x, y).backward()


def test_an_array_a_rule_returns_from_the_graph_never_becomes_a_grad():
    keep = cr.defop("returns_its_input", lambda x: 2.0 * x, vjp=lambda g, ans, x: x)
    data = np.array([1.0, 2.0])
    x = cr.tensor(data, requires_grad=True)
    keep(x).backward(np.ones(2))
    assert not np.shares_memory(x.grad.numpy(), data)
    x.grad.numpy()[0] = 100.0
    assert data[0] == 1.0


def test_casting_to_an_integer_dtype_ends_the_graph():
    x = cr.tensor([1.7, 2.2], requires_grad=True)
    i = x.astype(np.int64)
    assert not i.requires_grad and i.numpy().tolist() == [1, 2]


def test_custom_vjp_of_lambdas_get_their_own_rows():
    double = cr.custom_vjp(lambda x: 2 * x, lambda g, ans, x: 2 * g)
    triple = cr.custom_vjp(lambda x: 3 * x, lambda g, ans, x: 3 * g)
    assert double.name != triple.name
    x = cr.tensor(1.0, requires_grad=True)
    (double(x) + triple(x)).backward()
    assert x.grad.item() == 5.0


def test_a_seed_that_requires_grad_keeps_its_graph():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    v = cr.tensor([3.0, 5.0], requires_grad=True)
    y = x * x
    y.backward(v, create_graph=True)  # x.grad = 2 x v, differentiable in v
    x.grad.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 4.0])


# ---- numerics at the edges of the range, to the declared conventions ----------------------------
def test_float16_sigmoid_keeps_small_values():
    s = cr.sigmoid(cr.tensor(np.array([-12.0], dtype=np.float16)))
    assert s.dtype == np.float16
    assert s.item() == pytest.approx(1 / (1 + np.exp(12.0)), rel=1e-2)


def test_float32_elu_derivative_far_below_zero():
    x = cr.tensor(np.array([-20.0], dtype=np.float32), requires_grad=True)
    cr.elu(x).backward(np.ones(1, np.float32))
    assert x.grad.item() == pytest.approx(np.exp(-20.0), rel=1e-5)


def test_pow_exponent_gradient_at_base_zero_is_zero():
    for exponent in (2.0, 0.0, -1.0):
        x = cr.tensor(0.0)
        y = cr.tensor(exponent, requires_grad=True)
        with np.errstate(divide="ignore"):
            (x ** y).backward()
        assert y.grad.item() == 0.0


# ---- complex values ---------------------------------------------------------------------------
def test_backward_on_a_complex_output_is_refused():
    z = cr.tensor(np.array([1 + 2j]), requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="complex"):
        (z * z).sum().backward()


def test_complex_leaf_gradient_follows_pytorch():
    # L = |z|² = x² + y²: PyTorch's convention gives .grad = ∂L/∂x + i ∂L/∂y = 2x + 2iy = 2z
    z0 = np.array([1.5 - 0.5j, -2.0 + 3.0j])
    z = cr.tensor(z0, requires_grad=True)
    cr.real(z * cr.conj(z)).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * z0)


def test_complex_abs_gradient():
    # L = Σ|z|: ∂L/∂x + i ∂L/∂y = z / |z|
    z0 = np.array([3.0 + 4.0j, -1.0 + 0.0j])
    z = cr.tensor(z0, requires_grad=True)
    cr.abs(z).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), z0 / np.abs(z0))


def test_complex_imag_and_angle_gradients():
    z0 = np.array([3.0 + 4.0j, -1.0 + 2.0j])
    z = cr.tensor(z0, requires_grad=True)
    (cr.imag(z) * cr.tensor([2.0, 5.0])).sum().backward()  # ∂/∂x = 0, ∂/∂y = w
    np.testing.assert_allclose(z.grad.numpy(), 1j * np.array([2.0, 5.0]))
    z = cr.tensor(z0, requires_grad=True)
    cr.angle(z).sum().backward()  # atan2(y, x): ∂/∂x = -y/r², ∂/∂y = x/r²
    x, y, r2 = z0.real, z0.imag, np.abs(z0) ** 2
    np.testing.assert_allclose(z.grad.numpy(), (-y + 1j * x) / r2)


def test_a_real_input_gets_the_real_part_of_a_complex_adjoint():
    # L = Re((a + 2i)²) = a² - 4: dL/da = 2a, although the intermediate adjoints are complex
    a = cr.tensor(1.5, requires_grad=True)
    cr.real((a + 2j) * (a + 2j)).backward()
    assert a.grad.dtype == np.float64 and a.grad.item() == pytest.approx(3.0)


# ---- lists of tensors where NumPy code puts arrays ---------------------------------------------
def test_lists_of_tensors_are_stacked_differentiably():
    x = cr.tensor(2.0, requires_grad=True)
    y = cr.tensor(3.0, requires_grad=True)
    cr.sum([x, 3 * x]).backward()  # 4x: 4
    assert x.grad.item() == 4.0
    v = cr.tensor([[x, y], [1.0, x * y]])  # Σ = x + y + 1 + xy: ∂/∂x = 1 + y, ∂/∂y = 1 + x
    assert v.shape == (2, 2) and v.requires_grad
    x.grad = None
    v.sum().backward()
    assert (x.grad.item(), y.grad.item()) == (4.0, 3.0)


def test_complex_abs_has_its_second_derivative():
    # |a + ib| = r: gradient (a, b) / r, Hessian [[b², -ab], [-ab, a²]] / r³ (written out, not computed by us);
    # the partial z / |z| of a complex abs changes with z, unlike the real sign
    def magnitude(v):
        return cr.abs(v[0] + 1j * v[1])

    for a, b in ((0.6, -0.8), (-2.0, 0.5), (3.0, 4.0)):
        v, r = np.array([a, b]), np.hypot(a, b)
        np.testing.assert_allclose(np.asarray(cr.grad(magnitude)(v)), v / r, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(cr.hessian(magnitude)(v)),
                                   np.array([[b * b, -a * b], [-a * b, a * a]]) / r ** 3, rtol=1e-12)
    assert cr.gradcheck(lambda z: cr.abs(z * (1 - 2j)) ** 3, np.array([0.3, -1.2, 2.0]), order=2)
    # at z = 0 the partial is 0, as for a real abs (np.sign's value there)
    np.testing.assert_array_equal(np.asarray(cr.grad(magnitude)(np.zeros(2))), np.zeros(2))


def test_what_an_op_watches_for_still_runs_under_no_grad():
    # no_grad alone only changes what is recorded, so ops skip the tangent and anomaly work then
    # (modes.unusual.watched); a level, detect_anomaly or an interceptor opened inside it must still act
    from chainrule.core.modes import unusual

    x = np.array([1.0, 2.0])
    before = unusual.watched  # (cr.dual's level, once made, stays open for good: count from here)
    with cr.no_grad():
        assert unusual.count and unusual.watched == before
        value, tangent = cr.jvp(lambda a: cr.sin(a) * a, (x,), (np.ones(2),))
        np.testing.assert_allclose(np.asarray(tangent), np.cos(x) * x + np.sin(x))  # the derivative, written out
        with cr.detect_anomaly(), pytest.raises(cr.ChainruleError, match="log"), np.errstate(invalid="ignore"):
            cr.log(cr.tensor([-1.0]))
        np.testing.assert_allclose(np.asarray(cr.vmap(lambda a: cr.sum(a * a))(np.eye(2) * 3)), [9.0, 9.0])
    assert unusual.watched == before
