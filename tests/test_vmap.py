"""cr.vmap: JAX's semantics, composition with every transform, per-example gradients, errors."""

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(7)


def _np(x):
    return x.numpy() if isinstance(x, cr.Tensor) else np.asarray(x)


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


# ---- per-example gradients of an MLP --------------------------------------------------------
def _mlp_params(sizes):
    return {f"w{i}": rng.normal(size=(m, n)) / np.sqrt(m) for i, (m, n) in enumerate(zip(sizes, sizes[1:]))} | {
        f"b{i}": rng.normal(size=n) * 0.1 for i, n in enumerate(sizes[1:])}


def _squared_loss(params, x, y):
    h = x
    n = len(params) // 2
    for i in range(n):
        h = h @ params[f"w{i}"] + params[f"b{i}"]
        if i < n - 1:
            h = cr.tanh(h)
    return ((h - y) ** 2).sum() + cr.logsumexp(h)


def test_per_example_gradients_of_an_mlp_equal_the_loop():
    params = _mlp_params([6, 8, 5, 3])
    X, Y = rng.normal(size=(10, 6)), rng.normal(size=(10, 3))
    batched = cr.vmap(cr.grad(_squared_loss), in_axes=(None, 0, 0))(params, X, Y)
    for k in range(len(X)):
        one = cr.grad(_squared_loss)(params, X[k], Y[k])
        for name in params:
            _close(batched[name][k], one[name])
    assert batched["w0"].shape == (10, 6, 8)


def test_per_example_gradients_with_softmax_cross_entropy():
    params = _mlp_params([4, 7, 3])
    X, labels = rng.normal(size=(5, 4)), rng.integers(0, 3, size=5)

    def loss(p, x, label):
        logits = cr.tanh(x @ p["w0"] + p["b0"]) @ p["w1"] + p["b1"]
        return cr.softmax_cross_entropy(logits[None], label[None], reduction="mean")

    batched = cr.vmap(cr.grad(loss), in_axes=(None, 0, 0))(params, X, labels)
    for k in range(5):
        one = cr.grad(loss)(params, X[k], labels[k])
        for name in params:
            _close(batched[name][k], one[name])


# ---- in_axes / out_axes -------------------------------------------------------------------------
def test_in_axes_and_out_axes_follow_jax():
    A, v = rng.normal(size=(3, 4, 5)), rng.normal(size=5)
    _close(cr.vmap(lambda a, x: a @ x, in_axes=(0, None))(A, v), A @ v)
    _close(cr.vmap(lambda a: a.sum(axis=0), in_axes=1)(A), A.sum(axis=0))
    _close(cr.vmap(lambda a: a.sum(axis=0), in_axes=-1)(A), A.sum(axis=0).T)
    _close(cr.vmap(lambda a: a * 2, out_axes=1)(A), np.moveaxis(A * 2, 0, 1))
    _close(cr.vmap(lambda a: a * 2, out_axes=-1)(A), np.moveaxis(A * 2, 0, -1))
    tree = {"a": A, "b": (v, A[:, 0])}
    out = cr.vmap(lambda t: t["a"].sum() + t["b"][0].sum() * t["b"][1].sum(),
                  in_axes=({"a": 0, "b": (None, 0)},))(tree)
    _close(out, A.sum(axis=(1, 2)) + v.sum() * A[:, 0].sum(axis=1))
    pair = cr.vmap(lambda a: (a.sum(), a * 0 + 1.0), out_axes=(0, None))
    with pytest.raises(cr.ChainruleError, match="out_axes=None"):
        pair(A)
    const = cr.vmap(lambda a: (a.sum(), cr.tensor(1.0)), out_axes=(0, None))(A)
    assert const[1].shape == ()
    unbatched_out = cr.vmap(lambda a: cr.tensor([1.0, 2.0]))(A)
    _close(unbatched_out, np.tile([1.0, 2.0], (3, 1)))


def test_nested_vmap_is_a_double_loop():
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    pairwise = cr.vmap(cr.vmap(lambda a, b: (a * b).sum() + cr.sin(a).sum(), in_axes=(None, 0)), in_axes=(0, None))
    _close(pairwise(A, B), A @ B.T + np.sin(A).sum(axis=1, keepdims=True))


def test_bad_in_axes_and_sizes_say_what_is_wrong():
    with pytest.raises(cr.ChainruleError, match="different batch sizes"):
        cr.vmap(lambda a, b: a + b)(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(cr.ChainruleError, match="no argument is batched"):
        cr.vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(cr.ChainruleError, match="out of range"):
        cr.vmap(lambda a: a, in_axes=2)(np.ones((3, 2)))
    with pytest.raises(cr.ChainruleError, match="2 entries"):
        cr.vmap(lambda a: a, in_axes=(0, 0))(np.ones((3, 2)))
    with pytest.raises(cr.batching.BatchedValueError, match="cannot read the value"):
        cr.vmap(lambda a: float(a.sum()))(np.ones((3, 2)))
    with pytest.raises(cr.batching.BatchedValueError):  # a batched index: no silent first example
        cr.vmap(lambda i: cr.tensor(np.arange(5.0))[i])(np.array([0, 2]))
    with pytest.raises(cr.batching.BatchedValueError):
        cr.vmap(lambda a: np.isnan(a).any())(np.ones((3, 2)))


def test_user_ops_batch_by_their_kind_or_say_they_cannot():
    cube = cr.defop("vmap_test_cube", lambda x: x ** 3, partial=lambda ans, x: 3 * x ** 2)  # elementwise: batches
    X = rng.normal(size=(4, 3))
    _close(cr.vmap(cube)(X), X ** 3)
    _close(cr.vmap(cr.grad(lambda x: cube(x).sum()))(X), 3 * X ** 2)
    log1pexp = cr.custom_vjp(lambda x: np.logaddexp(0, x), lambda g, ans, x: g * cr.sigmoid(x), name="vmap_test_lpe")
    with pytest.raises(cr.batching.BatchingError, match="vmap_test_lpe"):
        cr.vmap(log1pexp)(X)
    _close(cr.vmap(cr.grad(lambda x: log1pexp(x).sum()), fallback="loop")(X), 1 / (1 + np.exp(-X)))


# ---- composition with the other transforms, in every order -------------------------------------------
def _f(x):
    return (cr.sin(x) * x).sum() + (x ** 3).sum() * 0.1


def test_vmap_of_each_transform_equals_the_loop():
    X = rng.normal(size=(4, 3))
    V = rng.normal(size=(4, 3))
    cases = {
        "grad": (cr.vmap(cr.grad(_f)), lambda x: cr.grad(_f)(x)),
        "value_and_grad": (cr.vmap(lambda x: cr.value_and_grad(_f)(x)[1]), lambda x: cr.grad(_f)(x)),
        "jacrev": (cr.vmap(cr.jacrev(cr.sin)), cr.jacrev(cr.sin)),
        "jacfwd": (cr.vmap(cr.jacfwd(cr.tanh)), cr.jacfwd(cr.tanh)),
        "hessian": (cr.vmap(cr.hessian(_f)), cr.hessian(_f)),
    }
    for batched, single in cases.values():
        got = batched(X)
        for k in range(len(X)):
            _close(got[k], single(X[k]))
    vjp_b = cr.vmap(lambda x, v: cr.vjp(cr.tanh, x)[1](v)[0])(X, V)
    jvp_b = cr.vmap(lambda x, v: cr.jvp(cr.tanh, (x,), (v,))[1])(X, V)
    hvp_b = cr.vmap(lambda x, v: cr.hvp(_f, (x,), (v,))[1])(X, V)
    for k in range(len(X)):
        _close(vjp_b[k], cr.vjp(cr.tanh, X[k])[1](V[k])[0])
        _close(jvp_b[k], cr.jvp(cr.tanh, (X[k],), (V[k],))[1])
        _close(hvp_b[k], cr.hvp(_f, (X[k],), (V[k],))[1])


def test_each_transform_of_vmap_equals_the_closed_form():
    X = rng.normal(size=(4, 3))
    total = lambda x: (cr.vmap(_f)(x) ** 2).sum()  # noqa: E731

    def closed_grad(x):  # d/dX Σ_k f(x_k)²  =  2 f(x_k) f'(x_k)
        f = (np.sin(x) * x).sum(axis=1) + 0.1 * (x ** 3).sum(axis=1)
        df = np.cos(x) * x + np.sin(x) + 0.3 * x ** 2
        return 2 * f[:, None] * df

    _close(cr.grad(total)(X), closed_grad(X))
    _close(cr.value_and_grad(total)(X)[1], closed_grad(X))
    _close(cr.vjp(total, X)[1](1.0)[0], closed_grad(X))
    V = rng.normal(size=X.shape)
    _close(cr.jvp(total, (X,), (V,))[1], (closed_grad(X) * V).sum())
    _close(cr.jacrev(cr.vmap(cr.sin))(X[0]), np.diag(np.cos(X[0])))
    _close(cr.jacfwd(cr.vmap(cr.sin))(X[0]), np.diag(np.cos(X[0])))
    _close(cr.hessian(lambda x: cr.vmap(lambda a: a ** 3)(x).sum())(X[0]), np.diag(6 * X[0]))
    _close(cr.hvp(lambda x: cr.vmap(lambda a: a ** 3)(x).sum(), (X[0],), (V[0],))[1], 6 * X[0] * V[0])
    assert cr.gradcheck(lambda x: cr.vmap(lambda a: cr.tanh(a) * a.sum())(x), X, modes=("rev", "fwd"), order=2)


def test_grad_of_vmap_of_grad_and_jacobians_of_per_example_gradients():
    W, X = rng.normal(size=(3, 2)), rng.normal(size=(5, 3))

    def loss(w, x):
        return (cr.tanh(x @ w) ** 2).sum()

    def mean_norm(w):  # mean squared norm of the per-example gradients
        g = cr.vmap(cr.grad(loss), in_axes=(None, 0))(w, X)
        return (g ** 2).sum() / len(X)

    def loop_norm(w):
        return sum((cr.grad(loss)(w, x) ** 2).sum() for x in X) / len(X)

    _close(cr.grad(mean_norm)(W), cr.grad(loop_norm)(W))
    _close(cr.jacfwd(mean_norm)(W), cr.jacrev(loop_norm)(W))


def test_hessian_of_known_functions_equals_the_closed_form():
    x = rng.normal(size=6)
    A = rng.normal(size=(6, 6))
    _close(cr.hessian(lambda v: v @ A @ v)(x), A + A.T)
    _close(cr.hessian(lambda v: cr.log(cr.exp(v).sum()))(x),
           np.diag(np.exp(x) / np.exp(x).sum()) - np.outer(np.exp(x), np.exp(x)) / np.exp(x).sum() ** 2)
    _close(cr.jacrev(lambda v: cr.tanh(A @ v))(x), (1 - np.tanh(A @ x) ** 2)[:, None] * A)
    _close(cr.jacfwd(lambda v: cr.tanh(A @ v))(x), (1 - np.tanh(A @ x) ** 2)[:, None] * A)


def test_jacobians_keep_tensor_shapes_and_pytrees():
    M = rng.normal(size=(2, 3))
    assert cr.jacrev(lambda m: m * 2)(M).shape == (2, 3, 2, 3)
    assert cr.jacfwd(lambda m: (m ** 2).sum(axis=0))(M).shape == (3, 2, 3)
    tree = cr.jacrev(lambda p: p["a"] * p["b"].sum())({"a": np.ones(2), "b": np.arange(3.0)})
    _close(tree["a"], 3.0 * np.eye(2))
    _close(tree["b"], np.ones((2, 3)))


def test_user_op_without_rule_falls_back_in_jacobians_with_a_warning():
    twice = cr.defop("vmap_test_twice", lambda x: 2.0 * x, vjp=lambda g, ans, x: 2.0 * g, jvp="linear")
    with pytest.warns(cr.batching.BatchingFallbackWarning, match="vmap_test_twice"):
        J = cr.jacfwd(twice)(np.ones(3))
    _close(J, 2.0 * np.eye(3))


def test_jacobians_of_ruled_ops_never_fall_back_to_a_loop():
    import warnings

    A = rng.normal(size=(5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", cr.batching.BatchingFallbackWarning)
        H = cr.hessian(lambda v: (cr.tanh(A @ v) ** 2).sum() + cr.logsumexp(v))(rng.normal(size=4))
        J = cr.jacrev(lambda v: cr.softmax(A @ v))(rng.normal(size=4))
    assert H.shape == (4, 4) and J.shape == (5, 4)


def test_per_example_gradients_of_a_convnet_equal_the_loop():
    # conv2d -> relu -> max_pool2d -> linear -> cross-entropy: the conv's weight gradient per example is
    # one grouped convolution (the batch as groups), max pooling's adjoint finds each example's maxima
    params = {"w": rng.normal(size=(3, 2, 3, 3)) / 3, "v": rng.normal(size=(3 * 2 * 2, 4)) / 3}
    X, labels = rng.normal(size=(5, 2, 6, 6)), rng.integers(0, 4, size=5)

    def loss(p, image, label):
        h = cr.max_pool2d(cr.relu(cr.nn.functional.conv2d(image[None], p["w"])), 2)
        return cr.softmax_cross_entropy(h.reshape(1, -1) @ p["v"], label[None], reduction="mean")

    batched = cr.vmap(cr.grad(loss), in_axes=(None, 0, 0))(params, X, labels)
    for k in range(len(X)):
        one = cr.grad(loss)(params, X[k], labels[k])
        for name in params:
            _close(batched[name][k], one[name])
    # and per-example weights: one convolution per example's own filters
    W = rng.normal(size=(4, 3, 2, 3, 3))
    got = cr.vmap(lambda w, x: cr.nn.functional.conv2d(x, w), in_axes=(0, None))(W, X)
    _close(got, np.stack([_np(cr.nn.functional.conv2d(X, w)) for w in W]))
    empty = cr.vmap(lambda w, x: cr.nn.functional.conv2d(x, w), in_axes=(0, None))(W[:0], X)
    assert empty.shape == (0, 5, 3, 4, 4)


def test_batched_solves_are_one_call_and_equal_the_loop():
    A = rng.normal(size=(4, 3, 3)) + 3 * np.eye(3)
    B, v = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3))
    _close(cr.vmap(cr.linalg.solve)(A, B), np.linalg.solve(A, B))
    _close(cr.vmap(cr.linalg.solve)(A, v), np.stack([np.linalg.solve(a, b) for a, b in zip(A, v)]))
    _close(cr.vmap(cr.linalg.solve, in_axes=(None, 0))(A[0], v), np.stack([np.linalg.solve(A[0], b) for b in v]))
    _close(cr.vmap(cr.linalg.solve, in_axes=(0, None))(A, v[0]), np.stack([np.linalg.solve(a, v[0]) for a in A]))
    g = cr.vmap(cr.grad(lambda a, b: (cr.linalg.solve(a, b) ** 2).sum(), argnums=(0, 1)))(A, v)
    for k in range(len(A)):
        one = cr.grad(lambda a, b: (cr.linalg.solve(a, b) ** 2).sum(), argnums=(0, 1))(A[k], v[k])
        _close(g[0][k], one[0])
        _close(g[1][k], one[1])


def test_backward_inside_vmap_is_a_one_line_error_naming_cr_grad():
    w = cr.tensor(np.ones(3), requires_grad=True)

    def uses_backward(x):
        loss = (w * x).sum()
        loss.backward()
        return loss

    with pytest.raises(cr.ChainruleError, match=r"backward\(\) inside vmap.*cr\.grad") as caught:
        cr.vmap(uses_backward)(np.arange(6.0).reshape(2, 3))
    assert "\n" not in str(caught.value)
    assert w.grad is None  # nothing was written
    # the same computation by cr.grad inside vmap: one gradient per example
    _close(cr.vmap(cr.grad(lambda v, x: (v * x).sum()), in_axes=(None, 0))(np.ones(3), np.arange(6.0).reshape(2, 3)),
           np.arange(6.0).reshape(2, 3))


def test_einsum_under_vmap_batches_each_pattern_of_inputs_alike():
    # the rule keeps its rewritten subscripts per (subscripts, which inputs are batched): every pattern of
    # the same subscripts, met in turn, must still equal the loop
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 5, 2))
    f = lambda x, y: cr.einsum("ij,jk->ik", x, y)  # noqa: E731
    for axes, loop in [((0, None), lambda: [np.einsum("ij,jk->ik", a[n], b[0]) for n in range(4)]),
                       ((None, 0), lambda: [np.einsum("ij,jk->ik", a[0], b[n]) for n in range(4)]),
                       ((0, 0), lambda: [np.einsum("ij,jk->ik", a[n], b[n]) for n in range(4)])]:
        x = a if axes[0] == 0 else a[0]
        y = b if axes[1] == 0 else b[0]
        _close(cr.vmap(f, in_axes=axes)(x, y), np.stack(loop()))


def test_a_two_argument_op_mixing_two_vmap_levels_equals_the_double_loop():
    # the interceptor's two-argument shortcut takes only this level's stand-ins; an outer level's goes the
    # general way (and is batched by the outer vmap)
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    out = cr.vmap(lambda u: cr.vmap(lambda v: u * v + cr.tanh(v))(y))(x)
    _close(out, np.stack([[u * v + np.tanh(v) for v in y] for u in x]))
