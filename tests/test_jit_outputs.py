"""What a jitted call hands out: memory of the caller's own, copied only where the plan or an argument
still holds it (an output the replay has just made is handed out as it is, as eager does)."""

import tracemalloc

import numpy as np

import chainrule as cr

rng = np.random.default_rng(11)


def _arr(t):
    return t.numpy() if isinstance(t, cr.Tensor) else t


def test_outputs_made_by_the_replay_stay_the_callers_across_calls():
    f = cr.jit(lambda a, b: (cr.tanh(a) * b, a @ b.T))
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    first = f(a, b)
    kept = [np.array(_arr(t)) for t in first]
    second = f(a + 1.0, b * 2.0)  # a new call must not write into what the first handed out
    for t, k in zip(first, kept):
        np.testing.assert_array_equal(_arr(t), k)
    for t1, t2 in zip(first, second):
        assert not np.shares_memory(_arr(t1), _arr(t2))
    np.testing.assert_allclose(_arr(second[0]), np.tanh(a + 1.0) * b * 2.0, rtol=1e-12)


def test_an_argument_a_view_of_one_or_a_captured_constant_comes_out_copied():
    c = rng.normal(size=(2, 3))
    x = rng.normal(size=(2, 3))
    for fn in (lambda v: cr.reshape(v, (3, 2)), lambda v: v[:, 1:], lambda v: cr.tensor(c) + 0 * v.sum()):
        f = cr.jit(fn)
        f(x)  # traced (an eager call: a view of x is a view of x)
        for _ in range(3):  # replayed
            out = f(x)
            data = _arr(out)
            assert not np.shares_memory(data, x) and not np.shares_memory(data, c)
            data += 100.0  # the caller writes into what it got: the next call is unchanged
        np.testing.assert_allclose(_arr(f(x)), _arr(fn(x)), rtol=0)
    np.testing.assert_array_equal(x, x.copy())


def _peak_bytes(call):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        kept = call()
        return tracemalloc.get_traced_memory()[1], kept
    finally:
        tracemalloc.stop()


def test_a_large_fresh_output_is_not_copied():
    # per-example gradients are megabytes: the call's peak holds the result once, not twice
    x, y = rng.normal(size=(64, 64)), rng.normal(size=(64, 128))
    f = cr.jit(lambda a, b: cr.einsum("bi,bj->bij", a, b))
    for _ in range(3):
        f(x, y)
    peak, out = _peak_bytes(lambda: f(x, y))
    size = _arr(out).nbytes
    assert size <= peak < 1.5 * size
    np.testing.assert_allclose(_arr(out), np.einsum("bi,bj->bij", x, y), rtol=1e-12)


def test_outputs_the_plan_keeps_a_buffer_for_or_an_argument_come_out_copied():
    # a product written into the plan's own buffer, an activation of one, an argument as it is: what a
    # replay hands out survives the next replay, and is no argument's memory (Tensor arguments take the
    # plan's general path, ndarrays its fast function)
    a0, w0 = rng.normal(size=(4, 3)), rng.normal(size=(3, 5))
    for kind in (cr.tensor, np.array):
        a, w, a2, w2 = kind(a0), kind(w0), kind(a0 * -2.0), kind(w0 + 1.0)
        for fn in (lambda p, q: p @ q, lambda p, q: cr.relu(p @ q), lambda p, q: cr.tanh(p) * 1.0):
            f = cr.jit(fn)
            f(a, w)
            first = f(a, w)
            kept = np.array(_arr(first))
            other = f(a2, w2)
            np.testing.assert_array_equal(_arr(first), kept)
            assert not np.shares_memory(_arr(first), _arr(other))
            assert not np.shares_memory(_arr(first), _arr(a)) and not np.shares_memory(_arr(first), _arr(w))
            np.testing.assert_allclose(_arr(other), _arr(fn(a2, w2)), rtol=1e-12)
