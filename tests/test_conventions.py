"""Declared derivative conventions at kinks, and the stable ops at extremes."""

import numpy as np
import pytest

import chainrule as cr


def grad_at(f, values):
    x = cr.tensor(values, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy()


def test_kinks():
    assert grad_at(cr.relu, [0.0])[0] == 0.0
    assert grad_at(cr.abs, [0.0])[0] == 0.0
    assert grad_at(cr.step, [0.0, 1.0, -1.0]).tolist() == [0.0, 0.0, 0.0]
    assert grad_at(cr.sign, [0.0])[0] == 0.0
    # the notes' table (seed 002): leaky ReLU'(x) = 1 for x >= 0, so 1 at the kink (PyTorch: negative_slope)
    assert grad_at(lambda x: cr.leaky_relu(x, negative_slope=0.1), [0.0])[0] == pytest.approx(1.0)
    assert grad_at(cr.elu, [0.0])[0] == 1.0


def test_step_is_the_binary_step_of_the_notes():
    np.testing.assert_array_equal(cr.step(cr.tensor([-1.0, 0.0, 2.0])).numpy(), [0.0, 1.0, 1.0])


def test_ties_split_evenly():
    np.testing.assert_array_equal(grad_at(lambda x: cr.max(x), [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(grad_at(lambda x: cr.min(x, axis=0), [[2.0], [2.0]]), [[0.5], [0.5]])
    x = cr.tensor(2.0, requires_grad=True)
    y = cr.tensor(2.0, requires_grad=True)
    cr.maximum(x, y).backward()
    assert (x.grad.item(), y.grad.item()) == (0.5, 0.5)
    x.grad = y.grad = None
    cr.minimum(x, y).backward()
    assert (x.grad.item(), y.grad.item()) == (0.5, 0.5)


def test_clip_passes_gradient_at_the_bounds_like_clamp():
    g = grad_at(lambda x: cr.clip(x, min=-1.0, max=1.0), [-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp", "softplus", "sigmoid"])
def test_stable_ops_finite_at_extremes(op, dtype):
    values = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype=dtype)
    x = cr.tensor(values, requires_grad=True)
    fn = getattr(cr, op)
    y = fn(x, axis=-1) if op in ("softmax", "log_softmax", "logsumexp") else fn(x)
    assert np.all(np.isfinite(y.numpy())) and y.dtype == dtype
    (y * cr.tensor(np.arange(y.size, dtype=dtype).reshape(y.shape))).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy())) and x.grad.dtype == dtype


def test_stable_values_at_extremes():
    x = cr.tensor([1e4, -1e4])
    np.testing.assert_allclose(cr.sigmoid(x).numpy(), [1.0, 0.0], atol=1e-300)  # clamp: see _sigmoid
    np.testing.assert_allclose(cr.softplus(x).numpy(), [1e4, 0.0])
    assert cr.logsumexp(cr.tensor([1e4, 1e4])).item() == pytest.approx(1e4 + np.log(2))


def test_logsumexp_of_all_minus_inf_has_zero_gradient():
    x = cr.tensor([-np.inf, -np.inf], requires_grad=True)
    y = cr.logsumexp(x)
    assert y.item() == -np.inf
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_prod_gradient_exact_with_zeros():
    np.testing.assert_array_equal(grad_at(cr.prod, [0.0, 2.0, 3.0]), [6.0, 0.0, 0.0])
    np.testing.assert_array_equal(grad_at(cr.prod, [0.0, 2.0, 0.0]), [0.0, 0.0, 0.0])


def test_pow_derivative_conventions():
    # d/dy x**y at x = 0 is taken as 0, d/dx x**0 is 0 (as PyTorch)
    x = cr.tensor(0.0, requires_grad=True)
    y = cr.tensor(2.0, requires_grad=True)
    (x ** y).backward()
    assert (x.grad.item(), y.grad.item()) == (0.0, 0.0)
    assert grad_at(lambda v: v ** 0, [0.0])[0] == 0.0


def test_derivative_formulas_written_out():
    x = np.array([-1.3, 0.4, 2.2])
    np.testing.assert_allclose(grad_at(cr.tanh, x), 1 - np.tanh(x) ** 2)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(grad_at(cr.sigmoid, x), s * (1 - s))
    np.testing.assert_allclose(grad_at(cr.softplus, x), s)
    np.testing.assert_allclose(grad_at(cr.elu, x), np.where(x > 0, 1, np.exp(x)))
    np.testing.assert_allclose(grad_at(lambda v: cr.leaky_relu(v), x), np.where(x >= 0, 1, 0.01))
