"""The reverse sweep: fan-out, long chains, freeing, no_grad, in-place safety, errors."""

import gc
import weakref

import numpy as np
import pytest

import chainrule as cr


def test_fan_out_sums_gradients():
    a = cr.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_thousand_way_fan_out():
    a = cr.tensor(2.0, requires_grad=True)
    total = a
    for _ in range(999):
        total = total + a
    total.backward()
    assert a.grad.item() == 1000.0


def test_hundred_thousand_op_chain_has_no_recursion_limit():
    x = cr.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_leaves_accumulate_across_backward_calls():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2 + 3, 4 + 3])


def test_second_backward_through_freed_graph_mentions_retain_graph():
    x = cr.tensor(1.0, requires_grad=True)
    y = cr.exp(x) * 2.0
    y.backward()
    with pytest.raises(cr.GraphFreedError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = cr.tensor(1.0, requires_grad=True)
    y = cr.exp(x)
    y.backward(retain_graph=True)
    y.backward()
    assert np.isclose(x.grad.item(), 2 * np.e)


def test_graph_is_freed_after_backward():
    x = cr.tensor(np.ones(3), requires_grad=True)
    h = cr.tanh(x)
    probe = weakref.ref(h)
    loss = (h * 2.0).sum()
    del h
    loss.backward()
    gc.collect()
    assert probe() is None, "an intermediate tensor outlived the backward pass"


def test_graph_holds_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = cr.tensor(np.ones(3), requires_grad=True)
        h = cr.sin(x) * x
        probe = weakref.ref(h)
        loss = h.sum()
        del h, loss  # without backward: plain reference counting must free it
        assert probe() is None
    finally:
        gc.enable()


def test_no_grad_records_nothing_and_works_as_decorator():
    x = cr.tensor(1.0, requires_grad=True)
    with cr.no_grad():
        y = x * 2
    assert not y.requires_grad and y.is_leaf

    @cr.no_grad()
    def f(v):
        return v * 2

    assert not f(x).requires_grad
    with cr.no_grad():
        with cr.enable_grad():
            assert (x * 2).requires_grad


def test_nothing_recorded_without_requires_grad():
    y = cr.tensor(1.0) * 2
    assert y.is_leaf and not y.requires_grad


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(cr.ChainruleError, match="floating-point"):
        cr.tensor(np.array([1, 2]), requires_grad=True)
    t = cr.as_tensor(np.arange(3))
    with pytest.raises(cr.ChainruleError):
        t.requires_grad = True


def test_non_scalar_backward_needs_a_seed():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="single-element"):
        (x * 2).backward()
    (x * 2).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])


def test_backward_without_requires_grad_is_an_error():
    with pytest.raises(cr.ChainruleError, match="does not require grad"):
        cr.tensor(1.0).backward()


def test_float32_stays_float32_with_python_floats():
    x = cr.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = (x * 2.5 + 1.0) ** 2 / 3.0
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_a_seed_of_another_dtype_still_gives_float32_gradients():
    # Exact ops (tanh, exp) pass adjoints on unchecked, so the sweep must cast a
    # float64 seed or cotangent to the float32 output it seeds.
    x = cr.tensor(np.array([0.5, -1.0], dtype=np.float32), requires_grad=True)
    cr.exp(cr.tanh(x)).backward(cr.tensor([1.0, 2.0]))
    assert x.grad.dtype == np.float32
    _, back = cr.vjp(lambda v: cr.tanh(v), x.detach())
    (g,) = back(cr.tensor([1.0, 1.0]))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.numpy(), 1 - np.tanh(np.array([0.5, -1.0])) ** 2, rtol=1e-6)


def test_double_where_has_finite_gradient_at_zero():
    x = cr.tensor([0.0, 2.0], requires_grad=True)
    safe = cr.where(x > 0, x, 1.0)
    y = cr.where(x > 0, cr.log(safe), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5])


def test_in_place_change_of_saved_value_is_caught():
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    x = cr.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    w.data -= 0.1  # an optimiser step before backward would make the gradient stale
    with pytest.raises(cr.InplaceModificationError, match="mul"):
        y.backward()


def test_setitem_on_saved_constant_is_caught_and_on_requires_grad_refused():
    mask = cr.tensor([1.0, 0.0])
    x = cr.tensor([3.0, 4.0], requires_grad=True)
    y = (x * mask).sum()
    mask[0] = 5.0
    with pytest.raises(cr.InplaceModificationError):
        y.backward()
    with pytest.raises(cr.ChainruleError, match="in-place"):
        x[0] = 1.0


def test_leaf_data_update_after_backward_is_allowed():
    p = cr.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data -= 0.1 * p.grad.data
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6])


def test_errors_name_the_op_and_shapes():
    a = cr.tensor(np.ones((2, 3)), requires_grad=True)
    b = cr.tensor(np.ones((4, 5)))
    with pytest.raises(cr.OpError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        a @ b
    with pytest.raises(cr.OpError, match="add"):
        a + b


def test_retain_grad_keeps_non_leaf_gradient():
    x = cr.tensor(2.0, requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).backward()
    assert h.grad.item() == 12.0 and x.grad.item() == 36.0


def test_grads_of_two_leaves_never_share_memory():
    a = cr.tensor(np.ones(2), requires_grad=True)
    b = cr.tensor(np.ones(2), requires_grad=True)
    (a + b).sum().backward()
    a.grad.data[0] = 99.0
    assert b.grad.numpy()[0] == 1.0


def test_create_graph_gives_differentiable_grad():
    x = cr.tensor(1.5, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    assert np.isclose(x.grad.item(), 6 * 1.5)


def test_advanced_indexing_accumulates_repeats():
    logp = cr.tensor(np.log(np.full((3, 4), 0.25)), requires_grad=True)
    y = np.array([1, 1, 3])
    picked = logp[np.arange(3), y]
    picked.sum().backward()
    expected = np.zeros((3, 4))
    expected[np.arange(3), y] = 1.0
    np.testing.assert_array_equal(logp.grad.numpy(), expected)
    v = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v[np.array([0, 0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [3.0, 0.0, 1.0])
    m = cr.tensor([1.0, -2.0, 3.0], requires_grad=True)
    m[m > 0].sum().backward()
    np.testing.assert_array_equal(m.grad.numpy(), [1.0, 0.0, 1.0])


def test_an_index_that_only_adds_or_keeps_axes_has_its_adjoint_reshaped_back():
    # x[None], x[:, None], x[..., None], x[()]: x's elements as they are, so the adjoint is g reshaped, not
    # g scattered into zeros (the op table's rule, asked directly: which op answers)
    from chainrule.core import OPS
    rule = OPS["getitem"].vjp[0]
    x = cr.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    weights = np.arange(1.0, 7.0)
    for index, shape in (((None,), (1, 2, 3)), ((slice(None), None), (2, 1, 3)), ((Ellipsis, None), (2, 3, 1)),
                         ((), (2, 3)), (None, (1, 2, 3))):
        y = x[index]
        assert y.shape == shape
        (y * cr.tensor(weights.reshape(shape))).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), weights.reshape(2, 3))
        x.grad = None
        with cr.enable_grad():
            g = cr.tensor(weights.reshape(shape), requires_grad=True)
            adjoint = rule(g, y, x, index=index)
        assert adjoint._node.op.name == "reshape"
    # a part that selects (an int, a partial slice, a step) still scatters, and gives zeros where it did not read
    for index in ((0,), (slice(1, None),), (slice(None, None, 2),), (None, 1)):
        y = x[index]
        y.sum().backward()
        expected = np.zeros((2, 3))
        expected[index[1:] if index[0] is None else index] = 1.0
        np.testing.assert_array_equal(x.grad.numpy(), expected)
        x.grad = None


def test_zero_dim_gradients_are_arrays_after_fan_out_and_accumulation():
    # NumPy returns a scalar, not a 0-d array, when two 0-d arrays are added: .grad must still hold an ndarray
    x = cr.tensor(2.0, requires_grad=True)
    (x * x + x * 3).backward()
    assert type(x.grad.data) is np.ndarray and x.grad.item() == 7.0
    (x * x).backward()  # accumulates into the existing .grad
    assert type(x.grad.data) is np.ndarray and x.grad.item() == 11.0


def test_the_graph_is_fixed_when_recorded():
    # As in PyTorch: an input that did not require grad when the op ran gets no gradient from it,
    # even if it requires grad by the time of the backward pass; constants are never edges.
    x, w = cr.tensor([1.0, 2.0], requires_grad=True), cr.tensor([3.0, 4.0])
    b = cr.tensor([0.5], requires_grad=True)
    y = cr.linear(w, x[None, :], b)  # three inputs (w, x as a 1x2 weight, b): w · x + b, w a constant tensor
    assert y._node.edges == (1, 2)
    w.requires_grad = True
    y.sum().backward()
    assert w.grad is None
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0])


def test_a_bias_gradient_sums_the_batch_exactly():
    # The sweep's one-reduction path for a bias broadcast along leading axes equals the general sum_to.
    rng = np.random.default_rng(0)
    for shape, bias_shape in [((5, 3), (3,)), ((2, 4, 3), (3,)), ((2, 4, 3), (4, 3)), ((6, 1), (1,))]:
        g = rng.normal(size=shape)
        b = cr.tensor(rng.normal(size=bias_shape), requires_grad=True)
        (cr.tensor(np.zeros(shape)) + b).backward(g)
        lead = tuple(range(len(shape) - len(bias_shape)))
        np.testing.assert_array_equal(b.grad.numpy(), g.sum(axis=lead))
