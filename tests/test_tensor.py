"""Tensor construction, dtype rules, attributes, operators and the functional mirror."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.errors import ChainruleError


def test_python_data_gets_torch_dtypes_and_ndarrays_keep_dtype():
    # this suite runs with float64 as the default (tests/conftest.py); test_torch_defaults.py checks float32
    assert cr.tensor(1).dtype == np.int64 and cr.tensor(True).dtype == np.bool_
    assert cr.tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert cr.tensor([1.5]).dtype == cr.get_default_dtype() == np.float64
    for dtype in (np.float16, np.float32, np.float64):
        assert cr.tensor(np.zeros(2, dtype)).dtype == dtype
    assert cr.tensor([1, 2], dtype="float32").dtype == np.float32


def test_nep50_python_scalars_never_promote():
    x = cr.tensor(np.ones(2, np.float32))
    for y in (x + 1.5, 2.0 * x, x / 3.0, x ** 2, 1.0 - x, cr.exp(x) * 0.5):
        assert y.dtype == np.float32
    assert (cr.tensor(np.ones(2, np.float16)) * 2.0).dtype == np.float16


def test_creation_functions():
    assert cr.zeros((2, 3)).shape == (2, 3) and cr.ones(4).numpy().sum() == 4
    assert cr.full((2,), 3.0).tolist() == [3.0, 3.0]
    assert cr.zeros_like(cr.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert cr.ones_like(np.zeros(3)).shape == (3,)
    assert cr.arange(4).tolist() == [0, 1, 2, 3]
    assert cr.linspace(0, 1, 5).numpy()[-1] == 1.0
    np.testing.assert_array_equal(cr.eye(3).numpy(), np.eye(3))
    assert cr.zeros(2, requires_grad=True).requires_grad


def test_random_is_seeded():
    cr.manual_seed(7)
    a = [cr.randn(3).numpy(), cr.rand(3).numpy(), cr.normal(1.0, 2.0, (3,)).numpy(),
         cr.uniform(-1, 1, (3,)).numpy()]
    cr.manual_seed(7)
    b = [cr.randn(3).numpy(), cr.rand(3).numpy(), cr.normal(1.0, 2.0, (3,)).numpy(),
         cr.uniform(-1, 1, (3,)).numpy()]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    r1 = cr.randn(2, 2, rng=np.random.default_rng(3)).numpy()
    r2 = cr.randn((2, 2), rng=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(r1, r2)
    assert cr.randn(2, dtype=np.float32).dtype == np.float32


def test_attributes():
    x = cr.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert (x.shape, x.ndim, x.size, x.dtype) == ((1, 3), 2, 3, np.float64)
    assert x.is_leaf and not (x * 2).is_leaf
    assert x.T.shape == (3, 1)
    assert np.asarray(x) is x.numpy()
    assert x.tolist() == [[1.0, 2.0, 3.0]] and x.sum().item() == 6.0
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    assert len(x) == 1 and float(cr.tensor(2.5)) == 2.5


def test_repr_shows_values_and_op():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert "op=mul" in repr(x * 2)
    assert "dtype=float32" in repr(cr.tensor(np.ones(1, np.float32)))


def test_reflected_operators_with_numbers_and_arrays():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    a = np.array([10.0, 20.0])
    for y, expected in ((a + x, [11, 22]), (a - x, [9, 18]), (a * x, [10, 40]), (a / x, [10, 10]),
                        (2.0 ** x, [2, 4]), (x ** x, [1, 4]), (-x, [-1, -2]), (3 - x, [2, 1])):
        assert isinstance(y, cr.Tensor)
        np.testing.assert_allclose(y.numpy(), expected)
    m = cr.tensor(np.eye(2))
    assert isinstance(a @ m, cr.Tensor) and (a @ m).tolist() == [10.0, 20.0]


def test_comparisons_are_bool_and_not_differentiable():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    for c in (x < 2, x <= 1, x > 1, x >= 2, x == 1, x != 1):
        assert c.dtype == bool and not c.requires_grad
    assert {x: 1}[x] == 1  # tensors stay hashable


def test_methods_mirror_functions():
    rng = np.random.default_rng(0)
    x = cr.tensor(rng.normal(size=(2, 3)))
    pairs = [(x.sum(axis=1), cr.sum(x, axis=1)), (x.mean(), cr.mean(x)), (x.max(axis=0), cr.max(x, axis=0)),
             (x.var(axis=1), cr.var(x, axis=1)), (x.std(), cr.std(x)), (x.reshape(3, 2), cr.reshape(x, (3, 2))),
             (x.transpose(), cr.transpose(x)), (x.permute(1, 0), cr.permute(x, 1, 0)),
             (x.flatten(), cr.flatten(x)), (x.exp(), cr.exp(x)), (x.tanh(), cr.tanh(x)),
             (x.softmax(axis=0), cr.softmax(x, axis=0)), (x.logsumexp(axis=1), cr.logsumexp(x, axis=1))]
    for a, b in pairs:
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_allclose(x.var(axis=1).numpy(), np.var(x.numpy(), axis=1, ddof=1))  # PyTorch's: unbiased
    np.testing.assert_allclose(x.var(axis=1, correction=0).numpy(), np.var(x.numpy(), axis=1))
    np.testing.assert_allclose(cr.std(x, ddof=1).numpy(), np.std(x.numpy(), ddof=1))
    assert x.argmax().item() == np.argmax(x.numpy())


def test_shape_functions_are_differentiable():
    x = np.random.default_rng(2).normal(size=(2, 3))
    checks = [
        lambda t: cr.swapaxes(t, 0, 1), lambda t: cr.expand_dims(t, 1), lambda t: cr.squeeze(cr.expand_dims(t, 0)),
        lambda t: cr.stack([t, t * 2], axis=1), lambda t: cr.concatenate([t, t], axis=1),
        lambda t: cr.split(t, 3, axis=1)[1] * cr.split(t, [1], axis=0)[1][:, :1],
        lambda t: cr.outer(t[0], t[1]), lambda t: cr.dot(t[0], t[1]), lambda t: cr.dot(t, t.T),
        lambda t: cr.broadcast_to(t[0], (4, 3)), lambda t: cr.flatten(t, start_dim=1),
    ]
    for fn in checks:
        assert cr.gradcheck(fn, x)


def test_setitem_on_plain_tensor_bumps_version():
    t = cr.zeros(3)
    t[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]


def test_as_tensor_shares_memory():
    a = np.zeros(3)
    assert cr.as_tensor(a).numpy() is a
    t = cr.tensor(1.0)
    assert cr.as_tensor(t) is t


def test_ops_on_plain_arrays_return_arrays():
    # rules run at NumPy speed: with no Tensor involved, nothing is wrapped or recorded
    out = cr.tanh(np.array([0.5]))
    assert type(out) is np.ndarray


def test_data_of_a_tensor_that_requires_grad_must_stay_floating():
    # an integer .data would cast every gradient to integers: a silent wrong gradient
    p = cr.nn.Parameter([0.5, 1.5])
    with pytest.raises(ChainruleError, match="requires grad to a int64 array"):
        p.data = np.array([0, 1])
    p.data = np.array([2.0, 3.0])  # floats are fine
    assert p.tolist() == [2.0, 3.0]
    plain = cr.tensor([1.0])
    plain.data = np.array([7])  # no gradient involved: allowed
    assert plain.dtype == np.int64


def test_tensor_of_sizes_is_refused_not_read_as_requires_grad():
    # PyTorch's legacy torch.Tensor(3, 4) is a 3x4 tensor; here it would have made tensor(3) requiring grad
    with pytest.raises(TypeError, match=r"requires_grad must be a bool, got 4; .*cr\.zeros"):
        cr.Tensor(3, 4)
    assert cr.Tensor([1.0], True).requires_grad and cr.Tensor([1.0], np.True_).requires_grad
    assert not cr.Tensor([1.0], 0).requires_grad  # a false value is the default, whatever its type
