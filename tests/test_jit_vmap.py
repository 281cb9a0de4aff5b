"""cr.jit around vmap and its compositions: the replay gives eager's answers, call after call, with new values."""

import numpy as np
import pytest

import chainrule as cr


def _params(rng, sizes=(5, 7, 4, 3)):
    return {name: value for i, (m, n) in enumerate(zip(sizes, sizes[1:]))
            for name, value in ((f"w{i}", rng.normal(size=(m, n)) / np.sqrt(m)), (f"b{i}", rng.normal(size=n)))}


def _example_loss(p, one, label):
    h = cr.tanh(one @ p["w0"] + p["b0"])
    h = cr.tanh(h @ p["w1"] + p["b1"])
    logits = h @ p["w2"] + p["b2"]
    return cr.softmax_cross_entropy(logits[None], label[None], reduction="mean")


def _close(a, b, tol=1e-12):
    for k in a:
        np.testing.assert_allclose(np.asarray(a[k]), np.asarray(b[k]), rtol=tol, atol=tol, err_msg=k)


def test_jitted_per_example_gradients_equal_eager_and_the_loop_on_every_call():
    rng = np.random.default_rng(0)
    per_example = cr.vmap(cr.grad(_example_loss), in_axes=(None, 0, 0))
    jitted = cr.jit(per_example)
    one = cr.grad(_example_loss)
    for _ in range(4):  # the first call traces, the others replay: each with new parameters and data
        params, x, y = _params(rng), rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
        got = jitted(params, x, y)
        _close(got, per_example(params, x, y))
        loop = [one(params, x[i], y[i]) for i in range(6)]
        _close(got, {k: np.stack([np.asarray(g[k]) for g in loop]) for k in params}, tol=1e-10)
        assert got["w1"].shape == (6, 7, 4)
    assert jitted.traces == 1


def test_jitted_per_example_gradients_retrace_for_a_new_batch_size():
    rng = np.random.default_rng(1)
    per_example = cr.vmap(cr.grad(_example_loss), in_axes=(None, 0, 0))
    jitted = cr.jit(per_example)
    params = _params(rng)
    for batch in (4, 9, 4):
        x, y = rng.normal(size=(batch, 5)), rng.integers(0, 3, size=batch)
        _close(jitted(params, x, y), per_example(params, x, y))
    assert jitted.traces == 2


def test_jitted_results_are_the_callers_own():
    # the next replay writes new arrays: results handed out earlier keep their values
    rng = np.random.default_rng(2)
    jitted = cr.jit(cr.vmap(cr.grad(_example_loss), in_axes=(None, 0, 0)))
    params = _params(rng)
    x, y = rng.normal(size=(3, 5)), rng.integers(0, 3, size=3)
    jitted(params, x, y)
    first = jitted(params, x, y)
    kept = {k: np.array(v, copy=True) for k, v in first.items()}
    jitted(params, 2 * x, y)
    _close(first, kept, tol=0)


@pytest.mark.parametrize("in_axes, out_axes", [(0, 0), (1, 0), (-1, 1), (0, -1)])
def test_jitted_vmap_of_jacrev_equals_eager_and_the_closed_form(in_axes, out_axes):
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 4))

    def f(x):
        return cr.tanh(cr.tensor(A) @ x) ** 2

    jac = cr.vmap(cr.jacrev(f), in_axes=in_axes, out_axes=out_axes)
    jac_jit = cr.jit(jac)
    for _ in range(3):  # new inputs each call: nothing of the first call's may be baked into the replay
        X = rng.normal(size=(5, 4) if in_axes == 0 else (4, 5))
        got = np.asarray(jac_jit(X))
        np.testing.assert_allclose(got, np.asarray(jac(X)), rtol=1e-12, atol=1e-12)
        got = np.moveaxis(got, out_axes, 0)
        for b, x in enumerate(np.moveaxis(X, in_axes, 0)):  # each example's Jacobian: 2 tanh · sech² · A
            y = np.tanh(A @ x)
            np.testing.assert_allclose(got[b], (2 * y * (1 - y * y))[:, None] * A, rtol=1e-12, atol=1e-12)
    assert jac_jit.traces == 1


def test_jitted_vmap_of_value_and_grad_with_batched_parameters():
    # in_axes on a dict (a batch of parameter sets), out_axes on a tuple of outputs
    rng = np.random.default_rng(4)

    def loss(p, x):
        return cr.sum(cr.tanh(x @ p["w"]) * p["s"])

    fn = cr.vmap(cr.value_and_grad(loss), in_axes=({"w": 0, "s": None}, 1), out_axes=(0, {"w": 2, "s": 0}))
    jitted = cr.jit(fn)
    for _ in range(3):
        p = {"w": rng.normal(size=(3, 4, 2)), "s": rng.normal(size=2)}
        x = rng.normal(size=(5, 3, 4))
        (v, g), (v0, g0) = jitted(p, x), fn(p, x)
        np.testing.assert_allclose(np.asarray(v), np.asarray(v0), rtol=1e-12)
        _close(g, g0)
        for b in range(3):  # example b: w[b] and the columns x[:, b], by the formula
            h = np.tanh(x[:, b] @ p["w"][b])
            np.testing.assert_allclose(np.asarray(g["w"])[:, :, b], x[:, b].T @ ((1 - h * h) * p["s"]),
                                       rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(np.asarray(g["s"])[b], h.sum(0), rtol=1e-10, atol=1e-12)


def test_ops_on_unbatched_values_alone_are_replayed_not_baked_in():
    # w * 2 and sum(w) read no batched value: under jit(vmap) they are still the tracer's ops, so a new w counts
    rng = np.random.default_rng(5)

    def f(w, x):
        return cr.sum(cr.tanh(x @ (w * 2)) * cr.sum(w))

    cases = [(cr.vmap(f, in_axes=(None, 0)), (4, 3)), (cr.vmap(cr.grad(f), in_axes=(None, 0)), (4, 3)),
             (cr.vmap(cr.vmap(f, in_axes=(None, 0)), in_axes=(None, 0)), (2, 4, 3))]
    for eager, x_shape in cases:
        jitted = cr.jit(eager)
        for _ in range(3):
            w, x = rng.normal(size=(3, 2)), rng.normal(size=x_shape)
            np.testing.assert_allclose(np.asarray(jitted(w, x)), np.asarray(eager(w, x)), rtol=1e-12, atol=1e-12)
        assert jitted.traces == 1


def test_a_jitted_function_under_vmap_runs_per_example():
    # vmap(jit(f)): the stand-ins hold one example each, so the jitted function runs its Python under the
    # vmap (as JAX's vmap(jit(f)) is vmap(f)); a plan traced on one example would give every example its answer
    rng = np.random.default_rng(6)

    def f(w, x):
        return cr.sum(cr.tanh(x @ (w * 2)) * cr.sum(w))

    jitted, jitted_grad = cr.jit(f), cr.jit(cr.grad(f))
    per_example, per_example_grad = cr.vmap(jitted, in_axes=(None, 0)), cr.vmap(jitted_grad, in_axes=(None, 0))
    for _ in range(2):
        w, x = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
        values, grads = np.asarray(per_example(w, x)), np.asarray(per_example_grad(w, x))
        for b in range(4):  # each example by the formula: f = s Σ tanh(2 x w), s = Σ w
            h, s = np.tanh(x[b] @ (2 * w)), w.sum()
            np.testing.assert_allclose(values[b], s * h.sum(), rtol=1e-12)
            np.testing.assert_allclose(grads[b], h.sum() + 2 * s * np.outer(x[b], 1 - h * h), rtol=1e-12)
    assert jitted.traces == 0 and jitted_grad.traces == 0  # nothing traced under the vmap
    w, x = rng.normal(size=(3, 2)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(np.asarray(jitted(w, x[0])), np.asarray(f(w, x[0])), rtol=1e-12)  # alone: traced
    assert jitted.traces == 1
    np.testing.assert_allclose(np.asarray(per_example(w, x))[1], np.asarray(f(w, x[1])), rtol=1e-12)  # and still


def test_transforms_that_batch_internally_run_a_jitted_function_inline():
    # jacfwd and hessian push their basis vectors through a vmap: the jitted function runs under it as written
    rng = np.random.default_rng(7)
    A = rng.normal(size=(3, 3))

    def f(x):
        return cr.sum(cr.tanh(cr.tensor(A) @ x) ** 2)

    jitted = cr.jit(f)
    for _ in range(2):
        x = rng.normal(size=3)
        np.testing.assert_allclose(np.asarray(cr.jacfwd(jitted)(x)), np.asarray(cr.grad(f)(x)), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(cr.hessian(jitted)(x)), np.asarray(cr.hessian(f)(x)), rtol=1e-12)
    assert jitted.traces == 0
