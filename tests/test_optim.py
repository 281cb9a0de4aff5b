"""Optimisers against their update formulas written out here, 10 steps, float64, to 1e-12."""

import math

import numpy as np
import pytest

import chainrule as cr

STEPS = 10


def quadratic_grad(p):
    # gradient of the test objective Σ (p³/3 + 0.5 p): changes from step to step
    return p * p + 0.5


def run(opt_cls, **kwargs):
    p = cr.nn.Parameter(np.array([0.8, -1.3, 2.1]))
    opt = opt_cls([p], **kwargs)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        (p ** 3 / 3 + 0.5 * p).sum().backward()
        opt.step()
        trajectory.append(p.numpy().copy())
    return np.array(trajectory)


def reference_sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    p, buf, out = np.array([0.8, -1.3, 2.1]), None, []
    for _ in range(STEPS):
        g = quadratic_grad(p) + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p)
    return np.array(out)


def reference_adam(lr, b1, b2, eps, wd=0.0, decoupled=False):
    p, m, v, out = np.array([0.8, -1.3, 2.1]), 0.0, 0.0, []
    for t in range(1, STEPS + 1):
        g = quadratic_grad(p)
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(p)
    return np.array(out)


def reference_rmsprop(lr, alpha, eps, momentum=0.0, centered=False):
    p, v, mean, buf, out = np.array([0.8, -1.3, 2.1]), 0.0, 0.0, 0.0, []
    for _ in range(STEPS):
        g = quadratic_grad(p)
        v = alpha * v + (1 - alpha) * g * g
        denom_v = v
        if centered:
            mean = alpha * mean + (1 - alpha) * g
            denom_v = v - mean * mean
        step = g / (np.sqrt(denom_v) + eps)
        if momentum:
            buf = momentum * buf + step
            step = buf
        p = p - lr * step
        out.append(p)
    return np.array(out)


def reference_adagrad(lr, lr_decay, eps, init=0.0):
    p, s, out = np.array([0.8, -1.3, 2.1]), init, []
    for t in range(1, STEPS + 1):
        g = quadratic_grad(p)
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
        out.append(p)
    return np.array(out)


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.05, momentum=0.9),
                                    dict(lr=0.05, momentum=0.9, dampening=0.3),
                                    dict(lr=0.05, momentum=0.8, nesterov=True), dict(lr=0.1, weight_decay=0.01)])
def test_sgd(kwargs):
    np.testing.assert_allclose(run(cr.optim.SGD, **kwargs), reference_sgd(**kwargs), rtol=0, atol=1e-12)


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_and_adamw(wd):
    np.testing.assert_allclose(run(cr.optim.Adam, lr=0.05, betas=(0.8, 0.99), eps=1e-8, weight_decay=wd),
                               reference_adam(0.05, 0.8, 0.99, 1e-8, wd), rtol=0, atol=1e-12)
    np.testing.assert_allclose(run(cr.optim.AdamW, lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd),
                               reference_adam(0.05, 0.9, 0.999, 1e-8, wd, decoupled=True), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(), dict(momentum=0.5), dict(centered=True)])
def test_rmsprop(kwargs):
    np.testing.assert_allclose(run(cr.optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-8, **kwargs),
                               reference_rmsprop(0.01, 0.9, 1e-8, **kwargs), rtol=0, atol=1e-12)


def test_adagrad():
    np.testing.assert_allclose(run(cr.optim.Adagrad, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
                               reference_adagrad(0.1, 0.01, 1e-10, 0.1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("opt_cls", [cr.optim.SGD, cr.optim.Adam, cr.optim.AdamW, cr.optim.RMSprop, cr.optim.Adagrad])
def test_float32_parameters_stay_float32(opt_cls):
    p = cr.nn.Parameter(np.ones(3, dtype=np.float32))
    opt = opt_cls([p], lr=0.01)
    for _ in range(3):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    assert p.dtype == np.float32 and p.grad.dtype == np.float32


def test_param_groups_state_dict_and_skipping():
    a, b = cr.nn.Parameter([1.0]), cr.nn.Parameter([2.0])
    opt = cr.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    (a * b).sum().backward()
    opt.step()
    assert a.item() == pytest.approx(1 - 0.1 * 2.0) and b.item() == pytest.approx(2 - 0.5 * 1.0)
    saved = opt.state_dict()
    assert saved["param_groups"][1]["lr"] == 0.5 and 0 in saved["state"]
    fresh = cr.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    fresh.load_state_dict(saved)
    np.testing.assert_array_equal(fresh.state[a]["momentum_buffer"], opt.state[a]["momentum_buffer"])
    c = cr.nn.Parameter([3.0])
    cr.optim.SGD([c], lr=1.0).step()  # no gradient yet: nothing changes
    assert c.item() == 3.0
    with pytest.raises(cr.ChainruleError, match="hyper-parameters"):
        cr.optim.SGD([{"params": [c], "betas": 1}], lr=0.1)
    with pytest.raises(cr.ChainruleError, match="Nesterov"):
        cr.optim.SGD([c], lr=0.1, nesterov=True)


def test_schedulers_follow_pytorch_formulas():
    def lrs(make, epochs=7):
        opt = cr.optim.SGD([cr.nn.Parameter([1.0])], lr=0.4)
        sched = make(opt)
        out = []
        for _ in range(epochs):
            sched.step()
            out.append(sched.get_last_lr()[0])
        return out

    assert lrs(lambda o: cr.optim.StepLR(o, step_size=3, gamma=0.5)) == pytest.approx(
        [0.4 * 0.5 ** (e // 3) for e in range(1, 8)])
    assert lrs(lambda o: cr.optim.ExponentialLR(o, gamma=0.9)) == pytest.approx([0.4 * 0.9 ** e for e in range(1, 8)])
    assert lrs(lambda o: cr.optim.CosineAnnealingLR(o, T_max=5, eta_min=0.1)) == pytest.approx(
        [0.1 + 0.3 * (1 + math.cos(math.pi * e / 5)) / 2 for e in range(1, 8)])
