"""The short cuts vmap(grad) takes, each against the plain path it stands for: a stand-in's operators and
indexing straight to its level's interceptor (and Tensor's own when that level is not the innermost), and
grad reading from the sweep whether it recorded itself (and from the results when a wrapped sweep does not say)."""

import numpy as np

import chainrule as cr
import chainrule.transforms as transforms

rng = np.random.default_rng(5)


def _np(x):
    return x.numpy() if isinstance(x, cr.Tensor) else np.asarray(x)


def test_operators_and_indexing_of_stand_ins_equal_the_loop():
    X, A, v = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)

    def f(x):
        return (1 - x * x) / 2 + 3 / (2 + x * x) - x @ A + A @ x + v @ x + x[None][0, ::-1] * x[1]

    batched = cr.vmap(f)(X)
    for k in range(4):
        x = X[k]
        expected = (1 - x * x) / 2 + 3 / (2 + x * x) - x @ A + A @ x + v @ x + x[::-1] * x[1]
        np.testing.assert_allclose(_np(batched[k]), expected, rtol=1e-12)


def test_an_outer_stand_in_inside_an_inner_vmap_takes_the_plain_path():
    # inside the inner vmap the outer level's interceptor is not the installed one: x's operators go
    # through Op.__call__, which hands x to the outer level
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    out = cr.vmap(lambda x: cr.vmap(lambda y: x * y - x[0] + y @ x)(Y))(X)
    expected = np.array([[x * y - x[0] + y @ x for y in Y] for x in X])
    np.testing.assert_allclose(_np(out), expected, rtol=1e-12)


def test_grad_of_vmap_of_grad_differentiates_through_the_stand_ins_operators():
    X, w = rng.normal(size=(4, 3)), rng.normal(size=3)

    def per_example(w, x):
        return cr.tanh(x @ w) * (1 - x[0])

    def total(w):
        return cr.vmap(cr.grad(lambda w, x: per_example(w, x).sum()), in_axes=(None, 0))(w, X).sum()

    def total_loop(w):
        return sum(cr.grad(lambda w, x: per_example(w, x).sum())(w, x).sum() for x in X)

    np.testing.assert_allclose(_np(cr.grad(total)(w)), _np(cr.grad(total_loop)(w)), rtol=1e-10)


def test_grad_reads_whether_the_sweep_recorded_from_its_results_when_a_wrapper_does_not_say(monkeypatch):
    c = cr.tensor(2.0, requires_grad=True)  # closed over: the sweep records, so the value stays live

    def f(x):
        return x * x + c

    plain = cr.value_and_grad(f)(3.0)
    original = transforms.backward_pass
    monkeypatch.setattr(transforms, "backward_pass", lambda *a, **k: list(original(*a, **k)))  # says nothing
    wrapped = cr.value_and_grad(f)(3.0)
    assert plain[0].requires_grad and wrapped[0].requires_grad
    assert float(plain[1]) == float(wrapped[1]) == 6.0
    assert not cr.value_and_grad(lambda x: x * x)(3.0)[0].requires_grad


def _hook_calls(monkeypatch, decline=False):
    """Spy on whether the level takes a partial's product on whole-batch arrays; with `decline`, make it
    decline every time (the op-by-op path)."""
    from chainrule.vmap import _Handle

    calls, real = [], _Handle._partial_on_arrays

    def spy(self, partial, g, ans, values, params):
        result = None if decline else real(self, partial, g, ans, values, params)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(_Handle, "_partial_on_arrays", spy)
    return calls


def _per_example_grads(loss, *args):
    return [np.asarray(_np(g)) for g in cr.vmap(cr.grad(loss, argnums=(0, 1)), in_axes=(None, None, 0))(*args)]


def test_partial_rows_worked_out_on_the_batch_give_the_bits_of_the_batched_ops(monkeypatch):
    # tanh, exp and mul with per-example broadcasting (a row against a matrix, a scalar): each partial's
    # product taken on whole-batch arrays equals, bit for bit, the batched op for each step of the partial
    W, b, X = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 2, 3))

    def loss(w, bias, x):
        h = cr.tanh(x @ w + bias)
        return (cr.exp(h) * bias * 0.5 + h * h).sum()

    taken = _hook_calls(monkeypatch)
    fast = _per_example_grads(loss, W, b, X)
    assert taken and all(taken)
    declined = _hook_calls(monkeypatch, decline=True)
    plain = _per_example_grads(loss, W, b, X)
    assert declined and not any(declined)
    for f, p in zip(fast, plain):
        np.testing.assert_array_equal(f, p)
    for k in range(5):  # and the loop of single-example gradients
        want = cr.grad(loss, argnums=(0, 1))(W, b, X[k])
        for got, w in zip(fast, want):
            np.testing.assert_allclose(got[k], _np(w), rtol=1e-12, atol=1e-14)


def test_partial_rows_of_a_batch_off_the_front_or_under_a_jvp_take_the_batched_ops(monkeypatch):
    taken = _hook_calls(monkeypatch)
    X = rng.normal(size=(3, 5))  # the batch on axis 1: the stand-ins' batch is not in front
    got = cr.vmap(cr.grad(lambda x: (cr.sin(x.T) * x.T).sum()), in_axes=1)(X.T.copy().T)
    np.testing.assert_allclose(_np(got), (np.cos(X) * X + np.sin(X)).T, rtol=1e-12)
    # a jvp open around the vmap: tangents travel with the whole batch, so its arrays alone do not do
    v = rng.normal(size=(3, 5))
    _, t = cr.jvp(lambda x: cr.vmap(cr.grad(lambda e: (cr.sin(e) ** 2).sum()))(x), (X,), (v,))
    np.testing.assert_allclose(_np(t), 2 * np.cos(2 * X) * v, rtol=1e-12)
    assert False in taken  # the jvp's sweep declined


def test_partial_rows_on_the_batch_with_a_dual_number_level_open(monkeypatch):
    # cr.dual opens a forward level that stays open: values carrying none of its tangents still take the
    # whole-batch products
    cr.dual(1.0)
    taken = _hook_calls(monkeypatch)
    X = rng.normal(size=(4, 3))
    got = cr.vmap(cr.grad(lambda x: cr.tanh(x).sum()))(X)
    np.testing.assert_allclose(_np(got), 1 - np.tanh(X) ** 2, rtol=1e-12)
    assert taken and all(taken)


def test_partial_rows_under_jacrev_take_the_product_on_the_batch_of_seeds(monkeypatch):
    # jacrev sweeps once with a batch of seeds: only the adjoints are stand-ins, the forward's values are not
    A, x = rng.normal(size=(4, 3)), rng.normal(size=3)

    def f(v):
        return cr.sin(cr.tanh(A @ v) * v[0])

    taken = _hook_calls(monkeypatch)
    fast = _np(cr.jacrev(f)(x))
    assert taken and all(taken)
    _hook_calls(monkeypatch, decline=True)
    np.testing.assert_array_equal(fast, _np(cr.jacrev(f)(x)))
    u = np.tanh(A @ x)
    inner = np.cos(u * x[0])[:, None] * ((1 - u * u)[:, None] * A * x[0])
    inner[:, 0] += np.cos(u * x[0]) * u
    np.testing.assert_allclose(fast, inner, rtol=1e-12)


def test_partial_rows_on_the_batch_with_a_parameter_closed_over(monkeypatch):
    # an nn.Parameter (a Tensor subclass) read inside f is an unbatched value like any other (frozen: one
    # that requires grad makes the sweep record, for a backward from outside)
    scale = cr.nn.Parameter(rng.normal(size=3), requires_grad=False)
    X = rng.normal(size=(5, 3))
    taken = _hook_calls(monkeypatch)
    got = cr.vmap(cr.grad(lambda x: (cr.sin(x) * scale).sum()))(X)
    assert taken and all(taken)
    np.testing.assert_allclose(_np(got), np.cos(X) * scale.numpy(), rtol=1e-12)


def test_an_unbatched_argument_reaches_f_in_containers_of_its_own():
    # as JAX's vmap: f may rebind entries of the dict it gets without touching the caller's
    params, X = {"w": rng.normal(size=3)}, rng.normal(size=(4, 3))

    def f(p, x):
        p["w"] = p["w"] * 2.0
        return (p["w"] * x).sum()

    w = params["w"]
    got = cr.vmap(f, in_axes=(None, 0))(params, X)
    assert params == {"w": w} and params["w"] is w
    np.testing.assert_allclose(_np(got), X @ (2.0 * w), rtol=1e-12)
