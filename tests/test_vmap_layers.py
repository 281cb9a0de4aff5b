"""Layers under vmap: per-example indices (gather, embedding, one_hot), random draws (dropout), batch norm."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import gather, gather_adjoint

F = cr.nn.functional
rng = np.random.default_rng(31)
B = 4


def _np(x):
    return np.asarray(x.numpy() if isinstance(x, cr.Tensor) else x)


def _pick(i, axis, b):
    return i if axis is None else np.take(i, b, axis=axis)


@pytest.mark.parametrize("x_axis", [None, 0, 1])
@pytest.mark.parametrize("i_axis", [None, 0, 1])
def test_gather_and_its_adjoint_equal_the_loop(x_axis, i_axis):
    if x_axis is None and i_axis is None:
        pytest.skip("nothing batched")
    x_one, i_one = (6, 3), (2, 5)
    X = rng.normal(size=x_one if x_axis is None else np.insert(x_one, x_axis, B))
    idx = rng.integers(-6, 6, size=i_one if i_axis is None else tuple(np.insert(i_one, i_axis, B)))

    def f(x, i):
        return cr.sum(cr.tanh(gather(x, i)) * np.arange(3.0))

    got = cr.vmap(gather, in_axes=(x_axis, i_axis))(X, idx)
    for b in range(B):
        np.testing.assert_array_equal(_np(got)[b], _pick(X, x_axis, b)[_pick(idx, i_axis, b)])
    grads = cr.vmap(cr.grad(f), in_axes=(x_axis, i_axis))(X, idx)  # gather_adjoint, batched the same ways
    for b in range(B):
        x, i = _pick(X, x_axis, b), _pick(idx, i_axis, b)
        expected = np.zeros_like(x)  # written out: the picked rows' derivative added back, repeats summed
        np.add.at(expected, i, (1 - np.tanh(x[i]) ** 2) * np.arange(3.0))
        np.testing.assert_allclose(_np(grads)[b], expected, rtol=1e-12, atol=1e-14)
    G = rng.normal(size=(2, 5, 3) if x_axis is None and i_axis is not None else (B, 2, 5, 3))
    scattered = cr.vmap(lambda g, i: gather_adjoint(g, i, rows=6), in_axes=(0 if G.ndim == 4 else None, i_axis))(
        G, idx)
    for b in range(B):
        expected = np.zeros((6, 3))
        np.add.at(expected, _pick(idx, i_axis, b), G[b] if G.ndim == 4 else G)
        np.testing.assert_allclose(_np(scattered)[b], expected, rtol=1e-12)


def test_an_index_out_of_range_in_any_example_raises():
    X = rng.normal(size=(B, 6, 3))
    for bad in (6, -7):
        idx = rng.integers(0, 6, size=(B, 2))
        idx[2, 1] = bad  # example 2 reaching past its rows must not read example 3's
        with pytest.raises(cr.OpError, match="out of bounds"):
            cr.vmap(gather)(X, idx)


def test_take_along_axis_with_per_example_indices_equals_the_loop():
    X, idx = rng.normal(size=(B, 4, 5)), rng.integers(-4, 4, size=(B, 2, 5))
    got = cr.vmap(lambda x, i: cr.take_along_axis(x, i, axis=0))(X, idx)
    np.testing.assert_array_equal(_np(got), np.stack([np.take_along_axis(X[b], idx[b], 0) for b in range(B)]))
    cols = rng.integers(0, 5, size=(B, 4, 3))
    shared = cr.vmap(lambda x, i: cr.take_along_axis(x, i, axis=1), in_axes=(None, 0))(X[0], cols)
    np.testing.assert_array_equal(_np(shared), np.stack([np.take_along_axis(X[0], cols[b], 1) for b in range(B)]))
    # per-example gradients through the pick: each example's picked entries, weights added back (repeats summed)
    w = rng.normal(size=(2, 5))
    grads = cr.vmap(cr.grad(lambda x, i: cr.sum(cr.take_along_axis(x, i, axis=0) * w)))(X, idx)
    for b in range(B):
        expected = np.zeros((4, 5))
        np.add.at(expected, (idx[b] % 4, np.arange(5)[None, :].repeat(2, 0)), w)
        np.testing.assert_allclose(_np(grads)[b], expected, rtol=1e-12)
    bad = idx.copy()
    bad[1, 0, 3] = 4  # past the axis in one example: raises, never reads the next column
    with pytest.raises(cr.OpError, match="out of bounds"):
        cr.vmap(lambda x, i: cr.take_along_axis(x, i, axis=0))(X, bad)


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_per_example_embedding_gradients_equal_the_loop(padding_idx):
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Embedding(7, 3, padding_idx=padding_idx), cr.nn.Flatten(0), cr.nn.Linear(12, 2))
    model = model.double()
    tokens, labels = rng.integers(0, 7, size=(B, 4)), rng.integers(0, 2, size=B)
    tokens[:, 0] = 6  # the padding row (-1 is 6) in every example
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, t, y):
        return F.cross_entropy(cr.func.functional_call(model, p, (t,))[None], y[None])

    per_example = cr.vmap(cr.grad(loss), in_axes=(None, 0, 0))(params, tokens, labels)
    for b in range(B):
        one = cr.grad(loss)(params, tokens[b], labels[b])
        for k in params:
            np.testing.assert_allclose(_np(per_example[k])[b], _np(one[k]), rtol=1e-12, atol=1e-14)
    if padding_idx is not None:  # the padding row gets no gradient, in any example
        np.testing.assert_array_equal(_np(per_example["0.weight"])[:, padding_idx % 7], 0.0)


def test_one_hot_of_per_example_classes():
    classes = rng.integers(0, 5, size=(B, 3))
    got = cr.vmap(lambda c: F.one_hot(c, num_classes=5))(classes)
    np.testing.assert_array_equal(_np(got), np.eye(5, dtype=np.int64)[classes])
    got = cr.vmap(F.one_hot)(classes)  # num_classes=-1: one more than the largest class of the whole batch
    assert got.shape == (B, 3, classes.max() + 1)


def test_jitted_embedding_replays_new_tokens():
    W = rng.normal(size=(7, 3))

    def f(w, t):
        return cr.sum(F.embedding(t, w) ** 2)

    eager = cr.vmap(cr.grad(f), in_axes=(None, 0))
    jitted = cr.jit(eager)
    for _ in range(3):
        tokens = rng.integers(0, 7, size=(B, 4))
        np.testing.assert_allclose(_np(jitted(W, tokens)), _np(eager(W, tokens)), rtol=1e-12)
    assert jitted.traces == 1


def test_dropout_under_vmap_asks_for_its_randomness():
    X = np.ones((B, 50, 6))
    drop = cr.nn.Dropout(0.5)
    with pytest.raises(cr.batching.BatchedValueError, match="randomness"):
        cr.vmap(drop)(X)  # torch.func's default: a random draw inside vmap is refused
    same = _np(cr.vmap(drop, randomness="same")(X))
    assert all(np.array_equal(same[0], same[b]) for b in range(B)) and set(np.unique(same)) == {0.0, 2.0}
    different = _np(cr.func.vmap(drop, randomness="different")(X))
    assert not any(np.array_equal(different[0], different[b]) for b in range(1, B))
    assert set(np.unique(different)) == {0.0, 2.0} and 0.3 < (different == 0).mean() < 0.7
    moved = _np(cr.vmap(drop, in_axes=1, out_axes=1, randomness="different")(np.ones((50, B, 6))))
    assert not np.array_equal(moved[:, 0], moved[:, 1])
    # each example's gradient is its own mask: d/dx Σ dropout(x)·x = 2·mask·x where kept
    grads = _np(cr.vmap(cr.grad(lambda x: cr.sum(drop(x) * x)), randomness="different")(X))
    assert not np.array_equal(grads[0], grads[1]) and set(np.unique(grads)) == {0.0, 4.0}
    np.testing.assert_array_equal(_np(cr.vmap(drop.eval())(X)), X)  # not training: nothing drawn


def test_batch_norm_while_training_under_vmap():
    X = rng.normal(size=(B, 5, 3))
    tracked = cr.nn.BatchNorm1d(3).double()
    with pytest.raises(cr.batching.BatchedValueError, match="track_running_stats=False"):
        cr.vmap(tracked)(X)
    untracked = cr.nn.BatchNorm1d(3, track_running_stats=False).double()
    got = _np(cr.vmap(untracked)(X))  # each example normalised by its own batch statistics
    expected = (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + untracked.eps)
    np.testing.assert_allclose(got, expected, rtol=1e-10)
