"""autograd's examples (examples/*.py) run against chainrule, as tests.

Each test is the example's computation, rewritten for the port with its
imports changed (autograd.numpy -> chainrule.numpy, autograd's grad /
value_and_grad / elementwise_grad -> chainrule's, autograd.misc -> ag_misc,
autograd.scipy -> chainrule.scipy, logsumexp -> chainrule's op), smaller
data, fewer iterations and no plotting; each asserts what the example
shows (the loss falls, the fit is found, the gradient checks).

Not ported: dot_graph and print_trace (they walk autograd's tracer),
rkhs (defines an autograd VSpace), fixed_points (autograd.misc.fixed_points),
and, for time, gplvm, bayesian_optimization, deep_gaussian_process and
natural_gradient_black_box_svi (variations on gaussian_process and
black_box_svi, which are ported). MNIST is replaced by small synthetic data.
Examples whose SciPy functions chainrule.scipy lacks skip, saying which.
"""

from __future__ import annotations

import itertools

import numpy as onp
import pytest
from ag_misc import adam, flatten, sgd
from check_grads import check_grads
from port_utils import scipy_fn

import chainrule as cr
import chainrule.numpy as np
from chainrule import logsumexp

npr = np.random


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
    rprime = lambda r: cr.grad(loglike)(r, p_of(r))  # noqa: E731
    r = scipy_optimize.newton(lambda r: float(rprime(r)), 1.0, fprime=lambda r: float(cr.grad(rprime)(r)))
    assert 3.0 < r < 8.0 and abs(float(rprime(r))) < 1e-4


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


def _relu(x):
    return np.maximum(0, x)


def _batch_normalize(activations):
    mean = np.mean(activations, axis=0, keepdims=True)
    return (activations - mean) / (np.std(activations, axis=0, keepdims=True) + 1)


def _bn_net(params, inputs):
    for w, b in params[:-1]:
        inputs = _relu(_batch_normalize(np.dot(inputs, w) + b))
    w, b = params[-1]
    return np.dot(inputs, w) + b


def test_generative_adversarial_net():
    rs = npr.RandomState(0)
    real = (rs.rand(40, 6) > 0.5).astype(float)
    gen0, dsc0 = _mlp_params(0.3, [4, 8, 6], rs), _mlp_params(0.3, [6, 8, 1], rs)

    def logsigmoid(x):
        return x - np.logaddexp(0, x)

    def objective(gen, dsc, noise):
        fake = 0.5 * (np.tanh(_bn_net(gen, noise)) + 1.0)
        return np.mean(logsigmoid(_bn_net(dsc, real))) - np.mean(logsigmoid(_bn_net(dsc, fake)))

    noise = rs.rand(40, 4)
    g_gen, g_dsc = cr.grad(objective, argnums=(0, 1))(gen0, dsc0, noise)
    # one ascent step for the discriminator, one descent step for the generator (adam_minimax's directions)
    step = 0.1
    dsc1 = [(w + step * gw, b + step * gb) for (w, b), (gw, gb) in zip(dsc0, g_dsc)]
    gen1 = [(w - step * gw, b - step * gb) for (w, b), (gw, gb) in zip(gen0, g_gen)]
    assert float(objective(gen0, dsc1, noise)) > float(objective(gen0, dsc0, noise))
    assert float(objective(gen1, dsc0, noise)) < float(objective(gen0, dsc0, noise))
    check_grads(lambda w: objective([(w, gen0[0][1]), *gen0[1:]], dsc0, noise), modes=["rev"], order=1)(gen0[0][0])


def _black_box_vi(logprob, d, num_samples):
    rs = npr.RandomState(0)

    def objective(params, t):
        mean, log_std = params[:d], params[d:]
        samples = rs.randn(num_samples, d) * np.exp(log_std) + mean
        entropy = 0.5 * d * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
        return -(entropy + np.mean(logprob(samples, t)))

    return objective


def test_black_box_svi():
    norm_logpdf = scipy_fn("stats.norm.logpdf")

    def log_density(x, t):
        mu, log_sigma = x[:, 0], x[:, 1]
        return norm_logpdf(log_sigma, 0, 1.35) + norm_logpdf(mu, 0, np.exp(log_sigma))

    objective = _black_box_vi(log_density, 2, 200)
    params0 = np.array([-1.0, -1.0, -5.0, -5.0])
    params = adam(cr.grad(objective), params0, step_size=0.1, num_iters=40)
    assert float(objective(params, 0)) < float(objective(params0, 0))


def test_bayesian_neural_net():
    rs = npr.RandomState(0)
    inputs = onp.linspace(-1, 1, 20)[:, None]
    targets = onp.cos(4 * inputs) + 0.1 * rs.randn(20, 1)
    shapes = [(1, 8), (8, 1)]
    num_weights = sum((m + 1) * n for m, n in shapes)
    einsum = getattr(np, "einsum", None)
    if einsum is None:
        pytest.skip("einsum not in chainrule.numpy yet")

    def predictions(weights, x):
        x = np.expand_dims(x, 0)
        for m, n in shapes:
            w = np.reshape(weights[:, :m * n], (len(weights), m, n))
            b = np.reshape(weights[:, m * n:m * n + n], (len(weights), 1, n))
            weights = weights[:, (m + 1) * n:]
            outputs = einsum("mnd,mdo->mno", x, w) + b
            x = np.tanh(outputs)
        return outputs

    def logprob(weights, t):
        return -0.1 * np.sum(weights ** 2, axis=1) - np.sum((predictions(weights, inputs) - targets) ** 2,
                                                            axis=1)[:, 0] / 0.01

    objective = _black_box_vi(logprob, num_weights, 10)
    params0 = onp.concatenate([rs.randn(num_weights) * 0.1, -5 * onp.ones(num_weights)])
    params = adam(cr.grad(objective), params0, step_size=0.1, num_iters=20)
    assert float(objective(params, 0)) < float(objective(params0, 0))


def test_gmm():
    mvn_logpdf = scipy_fn("stats.multivariate_normal.logpdf")
    rs = npr.RandomState(0)
    data = onp.concatenate([rs.randn(30, 2) * 0.3 + c for c in ([2, 0], [-2, 0], [0, 2])])
    params0 = {"log proportions": rs.randn(3) * 0.1, "means": rs.randn(3, 2) * 0.1,
               "lower triangles": onp.zeros((3, 2, 2)) + onp.eye(2)}

    def log_likelihood(params):
        log_proportions = params["log proportions"] - logsumexp(params["log proportions"])
        cluster_lls = [log_p + mvn_logpdf(data, mean, np.dot(cov_sqrt.T, cov_sqrt)) for log_p, mean, cov_sqrt
                       in zip(log_proportions, params["means"], params["lower triangles"])]
        return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))

    result = cr.optimize.minimize(lambda p: -log_likelihood(p), params0, method="Newton-CG",
                                  options={"maxiter": 10})
    assert -result.fun > float(log_likelihood(params0))


def test_ica():
    t_logpdf = scipy_fn("stats.t.logpdf")
    scipy_optimize = pytest.importorskip("scipy.optimize")
    rs = npr.RandomState(0)
    obs_dim, lat_dim, n = 10, 2, 30
    true_weights = onp.stack([onp.sin(onp.linspace(0, 4 + i * 3.2, obs_dim)) for i in range(lat_dim)], axis=1)
    data = onp.dot(true_weights, rs.randn(lat_dim, n)).T + rs.randn(n, obs_dim)
    num_weights = obs_dim * lat_dim

    def objective(params):
        weights = np.reshape(params[:num_weights], (obs_dim, lat_dim))
        latents = np.reshape(params[num_weights:num_weights + lat_dim * n], (lat_dim, n))
        noise_std = np.exp(params[-1])
        return -np.sum(t_logpdf(np.dot(weights, latents).T, 2.4, data, noise_std))

    params0 = rs.randn(num_weights + lat_dim * n + 1)
    fun_and_jac = lambda p: tuple(np.asarray(v) for v in cr.value_and_grad(objective)(p))  # noqa: E731
    result = scipy_optimize.minimize(fun_and_jac, params0, jac=True, method="CG", options={"maxiter": 20})
    assert result.fun < float(objective(params0))


def test_variational_autoencoder():
    norm_logpdf = scipy_fn("stats.norm.logpdf")
    rs = npr.RandomState(0)
    images = (rs.rand(16, 12) > 0.5).astype(float)
    latent = 2
    enc0, dec0 = _mlp_params(0.1, [12, 8, 2 * latent], rs), _mlp_params(0.1, [latent, 8, 12], rs)

    def lower_bound(enc, dec, t):
        q = _bn_net(enc, images)
        mean, log_std = q[:, :latent], q[:, latent:]
        z = npr.RandomState(t).randn(*mean.shape) * np.exp(log_std) + mean
        logits = _bn_net(dec, z)
        log_px = np.sum(-np.logaddexp(0, -logits * (2 * images - 1)), axis=-1)
        log_pz = np.sum(norm_logpdf(z, 0.0, 1.0), axis=-1)
        log_qz = np.sum(norm_logpdf(z, mean, np.exp(log_std)), axis=-1)
        return np.mean(log_px + log_pz - log_qz)

    params = adam(cr.grad(lambda p, t: -lower_bound(p[0], p[1], 0)), (enc0, dec0), step_size=0.05, num_iters=30)
    assert float(lower_bound(*params, 0)) > float(lower_bound(enc0, dec0, 0))


def test_mixture_variational_inference():
    norm_logpdf = scipy_fn("stats.norm.logpdf")
    rs = npr.RandomState(0)
    k, d, num_samples = 3, 2, 50

    def log_density(x, t):
        return np.sum(norm_logpdf(x, 1.0, 0.5), axis=-1)

    def objective(params, t):
        log_weights = params[:k] - logsumexp(params[:k])
        components = np.reshape(params[k:], (k, -1))
        bound = 0.0
        for i in range(k):  # the example's per-component bound, weighted by the mixture
            mean, log_std = components[i, :d], components[i, d:]
            samples = npr.RandomState(t + i).randn(num_samples, d) * np.exp(log_std) + mean
            log_qs = logsumexp(np.stack([log_weights[j] + np.sum(norm_logpdf(samples, components[j, :d],
                                                                              np.exp(components[j, d:])), axis=-1)
                                         for j in range(k)]), axis=0)
            bound = bound + np.exp(log_weights[i]) * np.mean(log_density(samples, t) - log_qs)
        return -bound

    params0 = onp.concatenate([onp.zeros(k), onp.concatenate([rs.randn(k, d), -onp.ones((k, d))], 1).ravel()])
    params = adam(cr.grad(objective), params0, step_size=0.1, num_iters=20)
    assert float(objective(params, 0)) < float(objective(params0, 0))
