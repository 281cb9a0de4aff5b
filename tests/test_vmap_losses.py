"""The cross-entropy's derivative op (softmax_cross_entropy_backward) under vmap: batched targets, every
reduction, batches on any axis, equal to a loop over the examples and to the formula written out."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.registry import OPS

rng = np.random.default_rng(11)
BACKWARD = OPS["softmax_cross_entropy_backward"]


def _np(x):
    return x.numpy() if isinstance(x, cr.Tensor) else np.asarray(x)


def _formula(g, z, y, reduction):
    """g shared out by the reduction, times softmax(z) - onehot(y), written out."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    direction = e / e.sum(axis=-1, keepdims=True) - np.eye(z.shape[-1])[y]
    if reduction == "none":
        return g[..., None] * direction
    return (g / y.size if reduction == "mean" else g) * direction


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("rows", [(), (3,), (2, 3)])
def test_per_example_gradients_of_the_loss_equal_the_loop(reduction, rows):
    Z, Y = rng.normal(size=(4,) + rows + (5,)), rng.integers(0, 5, size=(4,) + rows)

    def loss(z, y):
        out = cr.softmax_cross_entropy(z * z, y, reduction=reduction)  # z * z: the adjoint passes on to z
        return out.sum() if reduction == "none" else out

    batched = cr.vmap(cr.grad(loss))(Z, Y)
    for k in range(4):
        expected = 2 * Z[k] * _formula(np.ones(rows) if reduction == "none" else 1.0, Z[k] ** 2, Y[k], reduction)
        np.testing.assert_allclose(_np(batched[k]), expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(_np(batched[k]), _np(cr.grad(loss)(Z[k], Y[k])), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("axes", [(0, 0, 0), (0, None, 0), (None, 0, 1), (1, 1, None), (None, None, 1)])
def test_the_backward_op_batched_on_any_axis_equals_the_loop(reduction, axes):
    n, rows, classes = 3, (2, 4), 5
    shapes = {"g": rows if reduction == "none" else (), "z": rows + (classes,), "y": rows}
    examples = [(rng.normal(size=shapes["g"]), rng.normal(size=shapes["z"]), rng.integers(0, classes, rows))
                for _ in range(n)]
    if not shapes["g"] and axes[0]:
        axes = (0,) + axes[1:]  # a scalar adjoint per example: its batch can only lie on axis 0
    args = []
    for i, axis in enumerate(axes):
        args.append(examples[0][i] if axis is None else np.stack([ex[i] for ex in examples], axis=axis))
    out = cr.vmap(lambda g, z, y: BACKWARD(g, z, y, reduction=reduction), in_axes=axes)(*args)
    for k, (g, z, y) in enumerate(examples):
        one = [examples[0][i] if axis is None else (g, z, y)[i] for i, axis in enumerate(axes)]
        np.testing.assert_allclose(_np(out[k]), _formula(*one, reduction), rtol=1e-10, atol=1e-12)


def test_per_example_hessian_vector_products_through_the_loss():
    # second order under vmap: the backward op's own derivative rules, batched
    Z, Y, V = rng.normal(size=(3, 2, 4)), rng.integers(0, 4, size=(3, 2)), rng.normal(size=(3, 2, 4))

    def loss(z, y):
        return cr.softmax_cross_entropy(z, y, reduction="mean")

    def hv(z, y, v):
        return cr.jvp(lambda a: cr.grad(loss)(a, y), (z,), (v,))[1]

    batched = cr.vmap(hv)(Z, Y, V)
    for k in range(3):
        s = np.exp(Z[k]) / np.exp(Z[k]).sum(-1, keepdims=True)
        expected = s * (V[k] - (V[k] * s).sum(-1, keepdims=True)) / 2  # the softmax Jacobian times v, mean of 2
        np.testing.assert_allclose(_np(batched[k]), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_the_loss_of_transposed_logits_has_the_gradient_of_the_formula(reduction):
    # logits laid out column by column (a transposed array, as a batch moved to the front is): the -1 at
    # each target must land in the gradient, not in a copy of it
    Z, Y = rng.normal(size=(5, 3)).T, np.array([0, 4, 2])
    z = cr.tensor(Z, requires_grad=True)
    loss = cr.softmax_cross_entropy(z, Y, reduction=reduction)
    (loss.sum() if reduction == "none" else loss).backward()
    g = np.ones(3) if reduction == "none" else 1.0
    np.testing.assert_allclose(z.grad.numpy(), _formula(g, Z, Y, reduction), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(BACKWARD(np.asarray(g), Z, Y, reduction=reduction)), _formula(g, Z, Y, reduction),
                               rtol=1e-10, atol=1e-12)
