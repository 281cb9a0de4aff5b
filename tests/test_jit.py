"""cr.jit: traced once, replayed bit for bit; what it bakes in is guarded; what it cannot do is refused."""

import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.jit import JitError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from mlp_step import problem  # noqa: E402


def _equal(a, b):
    a = a.numpy() if isinstance(a, cr.Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, cr.Tensor) else np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def _net(weights):
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(cr.nn.ReLU())
    return cr.nn.Sequential(*layers)


def _module_step(weights, optimizer=cr.optim.SGD, **hyper):
    net = _net(weights)
    opt = optimizer(net.parameters(), **hyper)

    def step(x, y):
        opt.zero_grad()
        loss = cr.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return net, step


def _user_step(weights, lr=0.01):
    params = [(cr.nn.Parameter(w.copy()), cr.nn.Parameter(b.copy())) for w, b in weights]

    def step(x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = cr.relu(h)
        loss = cr.nn.functional.cross_entropy(h, y)
        for w, b in params:
            w.grad = b.grad = None
        loss.backward()
        with cr.no_grad():
            for w, b in params:
                w -= lr * w.grad
                b -= lr * b.grad
        return loss.item()

    return params, step


# ---- plain functions of arrays ----------------------------------------------------------
def test_jit_of_grad_is_eager_bit_for_bit_and_traces_once():
    def f(x):
        return (cr.tanh(x) * cr.exp(x) + x ** 3).sum()

    eager, step = cr.grad(f), cr.jit(cr.grad(f))
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=(3, 4))
        _equal(step(x), eager(x))
    assert step.traces == 1
    # formula check of what both compute: d/dx (tanh x · eˣ + x³)
    x = rng.normal(size=5)
    t = np.tanh(x)
    np.testing.assert_allclose(step(x).numpy(), (1 - t * t) * np.exp(x) + t * np.exp(x) + 3 * x * x, rtol=1e-12)


def test_jit_of_value_and_grad_with_several_arguments():
    def loss(w, x):
        return cr.sum((x @ w) ** 2)

    eager, step = cr.value_and_grad(loss, argnums=(0, 1)), cr.jit(cr.value_and_grad(loss, argnums=(0, 1)))
    rng = np.random.default_rng(1)
    for _ in range(3):
        w, x = rng.normal(size=(4, 2)), rng.normal(size=(3, 4))
        (v1, (gw1, gx1)), (v2, (gw2, gx2)) = step(w, x), eager(w, x)
        _equal(v1, v2), _equal(gw1, gw2), _equal(gx1, gx2)
    assert step.traces == 1


def test_plain_ops_on_arrays_give_arrays_and_new_shapes_trace_again():
    step = cr.jit(lambda x, scale: cr.sin(x) * scale)
    out = step(np.ones(3), 2.0)
    assert type(out) is np.ndarray
    _equal(out, np.sin(np.ones(3)) * 2.0)
    step(np.zeros(3), 2.0)
    assert step.traces == 1
    step(np.zeros(4), 2.0)  # new shape
    step(np.zeros(4), 3.0)  # new static argument
    step(np.zeros(4, np.float32), 3.0)  # new dtype
    assert step.traces == 4
    _equal(step(np.ones(4), 3.0), np.sin(np.ones(4)) * 3.0)


def test_outputs_are_fresh_arrays_not_the_plan_buffers():
    step = cr.jit(cr.grad(lambda x: (x * x).sum()))
    first = step(np.array([1.0, 2.0]))
    step(np.array([5.0, 6.0]))
    _equal(first, np.array([2.0, 4.0]))


# ---- whole training steps ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", ["tiny", "small", "deep"])
def test_module_training_step_matches_eager_bit_for_bit(size, dtype):
    weights, x, y = problem(size, dtype)
    net1, eager = _module_step(weights, lr=0.05)
    net2, step = _module_step(weights, lr=0.05)
    jitted = cr.jit(step)
    for _ in range(4):
        _equal(jitted(x, y), eager(cr.tensor(x), y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _equal(p, q)
        _equal(p.grad, q.grad)
    assert jitted.traces == 1


@pytest.mark.parametrize("optimizer,hyper", [(cr.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
                                              (cr.optim.Adam, dict(lr=0.01))])
def test_optimizers_with_state_replay_exactly(optimizer, hyper):
    weights, x, y = problem("small", np.float64)
    net1, eager = _module_step(weights, optimizer, **hyper)
    net2, step = _module_step(weights, optimizer, **hyper)
    jitted = cr.jit(step)
    for _ in range(5):
        _equal(jitted(x, y), eager(x, y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _equal(p, q)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_user_style_step_with_manual_update_matches_eager(dtype):
    weights, x, y = problem("small", dtype)
    params1, eager = _user_step(weights)
    params2, step = _user_step(weights)
    jitted = cr.jit(step)
    for _ in range(4):
        got, want = jitted(x, y), eager(x, y)
        assert type(got) is float and got == want
    for (w1, b1), (w2, b2) in zip(params1, params2):
        _equal(w1, w2), _equal(b1, b2), _equal(w1.grad, w2.grad)
    assert jitted.traces == 1


def test_setting_data_inside_jit_is_refused_naming_the_line():
    w = cr.nn.Parameter(np.ones(3))

    def step(x):
        loss = (w * x).sum()
        loss.backward()
        w.data -= 0.1 * w.grad.data
        return loss

    with pytest.raises(JitError, match=r"test_jit.py:\d+: setting .data"):
        cr.jit(step)(np.ones(3))
