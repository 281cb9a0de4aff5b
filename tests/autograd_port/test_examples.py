"""autograd's examples (examples/*.py) run against chainrule, as tests.

Each test is the example's computation, rewritten for the port with its
imports changed (autograd.numpy -> chainrule.numpy, autograd's grad /
value_and_grad / elementwise_grad -> chainrule's, autograd.misc -> ag_misc,
autograd.scipy -> chainrule.scipy, logsumexp -> chainrule's op), smaller
data, fewer iterations and no plotting; each asserts what the example
shows (the loss falls, the fit is found, the gradient checks).

Not ported: dot_graph and print_trace (they walk autograd's tracer),
rkhs (defines an autograd VSpace), fixed_points (autograd.misc.fixed_points),
and the examples that need MNIST or a figure only (generative_adversarial_net,
variational_autoencoder, gplvm, bayesian_optimization, deep_gaussian_process,
natural_gradient_black_box_svi, bayesian_neural_net, mixture_variational_inference);
examples whose SciPy functions chainrule.scipy lacks skip, saying which.
"""

from __future__ import annotations

import importlib
import itertools

import numpy as onp
import pytest
from ag_misc import adam, flatten, sgd
from check_grads import check_grads

import chainrule as cr
import chainrule.numpy as np
from chainrule import logsumexp

npr = np.random


def scipy_fn(path):
    head, *rest = path.split(".")
    try:
        obj = importlib.import_module(f"chainrule.scipy.{head}")
    except ImportError:
        pytest.skip(f"chainrule.scipy.{head} not in chainrule yet")
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.skip(f"scipy.{path} not in chainrule.scipy yet")
    return obj


def _mlp_params(scale, sizes, rs):
    return [(scale * rs.randn(m, n), scale * rs.randn(n)) for m, n in itertools.pairwise(sizes)]


def test_neural_net():
    rs = npr.RandomState(0)
    centres = rs.randn(3, 8) * 2
    labels = rs.randint(0, 3, 120)
    inputs, targets = centres[labels] + rs.randn(120, 8), onp.eye(3)[labels]

    def predict(params, x):
        for w, b in params:
            outputs = np.dot(x, w) + b
            x = np.tanh(outputs)
        return outputs - logsumexp(outputs, axis=1, keepdims=True)

    def objective(params, i):
        flat, _ = flatten(params)
        return -(np.sum(predict(params, inputs) * targets) - 0.01 * np.dot(flat, flat))

    params0 = _mlp_params(0.1, [8, 16, 3], rs)
    params = adam(cr.grad(objective), params0, step_size=0.05, num_iters=60)
    accuracy = np.mean(np.argmax(predict(params, inputs), axis=1) == labels)
    assert objective(params, 0) < 0.5 * objective(params0, 0) and accuracy > 0.9


def test_logistic_regression():
    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2.0) + 1)

    inputs = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]])
    targets = np.array([True, True, False, True])

    def training_loss(weights):
        probs = sigmoid(np.dot(inputs, weights))
        return -np.sum(np.log(probs * targets + (1 - probs) * (1 - targets)))

    weights = np.array([0.0, 0.0, 0.0])
    check_grads(training_loss, modes=["rev"])(weights)
    start = training_loss(weights)
    for _ in range(100):
        weights = weights - np.asarray(cr.grad(training_loss)(weights)) * 0.01
    assert training_loss(weights) < 0.5 * start


def test_rosenbrock():
    scipy_optimize = pytest.importorskip("scipy.optimize")

    def rosenbrock(x):
        return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2

    def fun_and_jac(x):
        value, g = cr.value_and_grad(rosenbrock)(x)
        return float(value), np.asarray(g)

    result = scipy_optimize.minimize(fun_and_jac, x0=np.array([-2.0, 2.0]), jac=True, method="CG")
    assert onp.allclose(result.x, [1.0, 1.0], atol=1e-4)


def test_tanh():
    def tanh(x):
        return (1.0 - np.exp(-2 * x)) / (1.0 + np.exp(-2 * x))

    def egrad(f):
        return lambda x: cr.vjp(f, x)[1](onp.ones(onp.shape(x)))[0]

    x = np.linspace(-3, 3, 9)
    d1, d2, d3 = egrad(tanh), egrad(egrad(tanh)), egrad(egrad(egrad(tanh)))
    t = onp.tanh(x)
    assert onp.allclose(np.asarray(d1(x)), 1 - t ** 2)
    assert onp.allclose(np.asarray(d2(x)), -2 * t * (1 - t ** 2))
    assert onp.allclose(np.asarray(d3(x)), (1 - t ** 2) * (6 * t ** 2 - 2))
    assert np.asarray(egrad(egrad(egrad(egrad(egrad(egrad(tanh))))))(x)).shape == (9,)


def test_sinusoid():
    def fun(x):
        return np.sin(x)

    d_fun = cr.grad(fun)
    dd_fun = cr.grad(d_fun)
    x = np.linspace(-7, 7, 25)
    assert onp.allclose([float(d_fun(v)) for v in x], onp.cos(x))
    assert onp.allclose([float(dd_fun(v)) for v in x], -onp.sin(x))

    def taylor_sine(x):  # the example's Taylor series, differentiated through a while loop
        ans = currterm = x
        i = 0
        while np.abs(currterm) > 0.001:
            currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
            ans = ans + currterm
            i += 1
        return ans

    assert onp.allclose([float(cr.grad(taylor_sine)(v)) for v in x], onp.cos(x), atol=1e-2)


def _char_sequences(length=12, lines=8, alphabet=32):
    rs = npr.RandomState(1)
    codes = rs.randint(0, alphabet, size=(length, lines))
    return onp.eye(alphabet)[codes]


def _hstack_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def test_rnn():
    seqs = _char_sequences()
    rs = npr.RandomState(0)
    params0 = {"init hiddens": rs.randn(1, 16) * 0.01, "change": rs.randn(32 + 16 + 1, 16) * 0.01,
               "predict": rs.randn(16 + 1, 32) * 0.01}

    def predict(params, inputs):
        hiddens = np.repeat(params["init hiddens"], inputs.shape[1], axis=0)
        outputs = []
        for x in inputs:
            out = _hstack_and_multiply(params["predict"], hiddens)
            outputs.append(out - logsumexp(out, axis=1, keepdims=True))
            hiddens = np.tanh(_hstack_and_multiply(params["change"], x, hiddens))
        return outputs

    def loss(params, i):
        logprobs = predict(params, seqs)
        return -sum(np.sum(lp * t) for lp, t in zip(logprobs, seqs)) / (seqs.shape[0] * seqs.shape[1])

    params = adam(cr.grad(loss), params0, step_size=0.1, num_iters=30)
    assert loss(params, 0) < loss(params0, 0) - 0.3


def test_lstm():
    seqs = _char_sequences()
    rs = npr.RandomState(0)
    gates = ("change", "forget", "ingate", "outgate")
    params0 = {"init cells": rs.randn(1, 12) * 0.01, "init hiddens": rs.randn(1, 12) * 0.01,
               "predict": rs.randn(12 + 1, 32) * 0.01, **{g: rs.randn(32 + 12 + 1, 12) * 0.01 for g in gates}}

    def sigmoid(x):
        return 0.5 * (np.tanh(x) + 1.0)

    def loss(params, i):
        hiddens = np.repeat(params["init hiddens"], seqs.shape[1], axis=0)
        cells = np.repeat(params["init cells"], seqs.shape[1], axis=0)
        total = 0.0
        for x in seqs:
            out = _hstack_and_multiply(params["predict"], hiddens)
            total = total + np.sum((out - logsumexp(out, axis=1, keepdims=True)) * x)
            change = np.tanh(_hstack_and_multiply(params["change"], x, hiddens))
            forget, ingate, outgate = (sigmoid(_hstack_and_multiply(params[g], x, hiddens)) for g in gates[1:])
            cells = cells * forget + ingate * change
            hiddens = outgate * np.tanh(cells)
        return -total / (seqs.shape[0] * seqs.shape[1])

    params = adam(cr.grad(loss), params0, step_size=0.1, num_iters=25)
    assert loss(params, 0) < loss(params0, 0) - 0.3


def test_fluidsim():
    def project(vx, vy):
        p = np.zeros(vx.shape)
        h = 1.0 / vx.shape[0]
        div = -0.5 * h * (np.roll(vx, -1, axis=0) - np.roll(vx, 1, axis=0)
                          + np.roll(vy, -1, axis=1) - np.roll(vy, 1, axis=1))
        for _ in range(10):
            p = (div + np.roll(p, 1, axis=0) + np.roll(p, -1, axis=0) + np.roll(p, 1, axis=1)
                 + np.roll(p, -1, axis=1)) / 4.0
        vx -= 0.5 * (np.roll(p, -1, axis=0) - np.roll(p, 1, axis=0)) / h
        vy -= 0.5 * (np.roll(p, -1, axis=1) - np.roll(p, 1, axis=1)) / h
        return vx, vy

    def advect(f, vx, vy):
        rows, cols = f.shape
        cell_ys, cell_xs = np.meshgrid(np.arange(rows), np.arange(cols))
        center_xs, center_ys = (cell_xs - vx).ravel(), (cell_ys - vy).ravel()
        left_ix, top_ix = np.floor(center_xs).astype(int), np.floor(center_ys).astype(int)
        rw, bw = center_xs - left_ix, center_ys - top_ix
        left_ix, top_ix = np.mod(left_ix, rows), np.mod(top_ix, cols)
        right_ix, bot_ix = np.mod(left_ix + 1, rows), np.mod(top_ix + 1, cols)
        flat_f = (1 - rw) * ((1 - bw) * f[left_ix, top_ix] + bw * f[left_ix, bot_ix]) + rw * (
            (1 - bw) * f[right_ix, top_ix] + bw * f[right_ix, bot_ix])
        return np.reshape(flat_f, (rows, cols))

    def simulate(vx, vy, smoke, steps):
        for _ in range(steps):
            vx, vy = project(advect(vx, vx, vy), advect(vy, vx, vy))
            smoke = advect(smoke, vx, vy)
        return smoke

    n = 10
    rs = npr.RandomState(0)
    smoke0, target = rs.rand(n, n), rs.rand(n, n)

    def distance(v):
        vx, vy = np.reshape(v[:n * n], (n, n)), np.reshape(v[n * n:], (n, n))
        return np.mean((simulate(vx, vy, smoke0, 3) - target) ** 2)

    v0 = rs.randn(2 * n * n) * 0.1
    check_grads(distance, modes=["rev"], order=1)(v0)
    value, g = cr.value_and_grad(distance)(v0)
    assert float(distance(v0 - 0.5 * np.asarray(g))) < float(value)


def test_define_gradient():
    def logsumexp_forward(x):
        max_x = onp.max(x)
        return max_x + onp.log(onp.sum(onp.exp(x - max_x)))

    def logsumexp_vjp(g, ans, x):  # the example's hand-written rule, in chainrule ops
        return g * np.exp(x - ans)

    custom_logsumexp = cr.custom_vjp(logsumexp_forward, logsumexp_vjp, name="logsumexp_example")

    def example_func(y):
        z = y ** 2
        return custom_logsumexp(z)

    check_grads(example_func, modes=["rev"])(npr.randn(10))


def test_negative_binomial_maxlike():
    gammaln = scipy_fn("special.gammaln")
    scipy_optimize = pytest.importorskip("scipy.optimize")

    def negbin_loglike(r, p, x):
        return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + x * np.log(p) + r * np.log(1 - p)

    rs = npr.RandomState(0)
    data = rs.poisson(rs.gamma(5, 0.5 / (1 - 0.5), size=1000)).astype(float)
    loglike = lambda r, p: np.sum(negbin_loglike(r, p, data))  # noqa: E731
    p_of = lambda r: np.sum(data) / np.sum(r + data)  # noqa: E731
    rprime = lambda r: float(cr.grad(loglike)(r, p_of(r)))  # noqa: E731
    r = scipy_optimize.newton(rprime, 1.0, fprime=lambda r: float(cr.grad(rprime)(r)))
    assert 3.0 < r < 8.0 and abs(rprime(r)) < 1e-4


def test_gaussian_process():
    mvn_logpdf = scipy_fn("stats.multivariate_normal.logpdf")
    rs = npr.RandomState(0)
    x = onp.linspace(-3, 3, 15)[:, None]
    y = onp.sin(x[:, 0]) + 0.1 * rs.randn(15)

    def rbf(params, a, b):
        output_scale, lengthscales = np.exp(params[0]), np.exp(params[1:])
        diffs = np.expand_dims(a / lengthscales, 1) - np.expand_dims(b / lengthscales, 0)
        return output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))

    def log_marginal_likelihood(params):
        mean, noise = params[0], np.exp(params[1]) + 0.0001
        cov = rbf(params[2:], x, x) + noise * np.eye(len(y))
        return mvn_logpdf(y, mean * np.ones(len(y)), cov)

    params0 = 0.1 * rs.randn(4)
    check_grads(log_marginal_likelihood, modes=["rev"], order=1)(params0)
    objective = lambda p: -log_marginal_likelihood(p)  # noqa: E731
    result = cr.optimize.minimize(objective, params0, method="BFGS", options={"maxiter": 50})
    assert result.fun < float(objective(params0))


def test_convnet():
    convolve = scipy_fn("signal.convolve")
    rs = npr.RandomState(0)
    images, filters = rs.randn(4, 1, 8, 8), rs.randn(3, 1, 3, 3) * 0.1

    def conv_layer(w, x):  # one output map per filter, as the example's conv layer
        return np.stack([np.sum(np.stack([convolve(x[n, 0], w[k, 0], mode="valid") for n in range(4)]), 0)
                         for k in range(3)])

    def loss(w):
        return np.sum(np.tanh(conv_layer(w, images)) ** 2)

    check_grads(loss, modes=["rev"], order=1)(filters)


def test_ode_net():
    odeint = scipy_fn("integrate.odeint")
    true_a = np.array([[-0.1, 2.0], [-2.0, -0.1]])
    t = np.linspace(0.0, 1.0, 10)
    y0 = np.array([2.0, 0.0])
    true_y = odeint(lambda y, t0, a: np.dot(y ** 3, a), y0, t, args=(true_a,))
    rs = npr.RandomState(0)
    params0 = _mlp_params(0.1, [2, 20, 2], rs)

    def nn_predict(inputs, t, params):
        for w, b in params:
            outputs = np.dot(inputs, w) + b
            inputs = np.maximum(0, outputs)
        return outputs

    def loss(params, i):
        return np.mean(np.abs(odeint(nn_predict, y0, t, (params,), rtol=0.01) - true_y))

    params = adam(cr.grad(loss), params0, step_size=0.01, num_iters=10)
    assert loss(params, 0) < loss(params0, 0)


def test_neural_net_regression():
    norm_logpdf = scipy_fn("stats.norm.logpdf")
    rs = npr.RandomState(0)
    inputs = onp.linspace(-2, 2, 40)[:, None]
    targets = onp.cos(inputs) + 0.1 * rs.randn(40, 1)
    params0 = _mlp_params(0.1, [1, 10, 1], rs)

    def predict(params, x):
        for w, b in params:
            outputs = np.dot(x, w) + b
            x = np.tanh(outputs)
        return outputs

    def objective(params, i):
        return -np.sum(norm_logpdf(predict(params, inputs), targets, 0.1))

    params = adam(cr.grad(objective), params0, step_size=0.01, num_iters=100)
    assert objective(params, 0) < objective(params0, 0)


def test_hmm_em():
    rs = npr.RandomState(0)
    n_states, n_obs, length = 2, 3, 30
    obs = onp.eye(n_obs)[rs.randint(0, n_obs, length)]

    def log_partition(log_pi, log_a, log_b):  # forward algorithm in log space
        log_alpha = log_pi
        for x in obs:
            log_alpha = logsumexp(log_alpha[:, None] + log_a, axis=0) + np.dot(log_b, x)
        return logsumexp(log_alpha)

    log_pi = np.log(onp.ones(n_states) / n_states)
    log_a = np.log(rs.dirichlet(onp.ones(n_states), n_states))
    log_b = np.log(rs.dirichlet(onp.ones(n_obs), n_states))
    value, (g_pi, g_a, g_b) = cr.value_and_grad(log_partition, argnums=(0, 1, 2))(log_pi, log_a, log_b)
    # the gradient in log space gives expected counts: the state posteriors sum to one at the start
    assert onp.isclose(float(np.sum(g_pi)), 1.0) and onp.isclose(float(np.sum(g_b)), length)
    check_grads(lambda b: log_partition(log_pi, log_a, b), modes=["rev"], order=1)(log_b)


def test_sgd_and_adam_helpers_minimise_a_quadratic():
    target = onp.array([1.0, -2.0])
    loss_grad = cr.grad(lambda x, i: np.sum((x - target) ** 2))
    assert onp.allclose(np.asarray(sgd(loss_grad, onp.zeros(2), step_size=0.1, num_iters=300)), target, atol=1e-3)
