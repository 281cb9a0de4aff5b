"""PyTorch's Tensor methods small scripts reach for (expand, chunk, split, masked_fill, gather, norm, ...):
values against NumPy formulas written out here, gradients against finite differences in float64, and (where
PyTorch is installed) values and gradients against PyTorch's own."""

import math

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(51)
X = rng.normal(size=(4, 5))
IDX = rng.integers(0, 4, size=(3, 5))

# name -> (chainrule call on a tensor, the same written in NumPy, the same in torch (or None))
CASES = {
    "expand": (lambda t: t[:, :1].expand(4, 3), lambda x: np.broadcast_to(x[:, :1], (4, 3)),
               lambda t: t[:, :1].expand(4, 3)),
    "expand -1 and a new axis": (lambda t: t[None].expand(2, -1, -1), lambda x: np.broadcast_to(x, (2, 4, 5)),
                                 lambda t: t[None].expand(2, -1, -1)),
    "expand_as": (lambda t: t[:1].expand_as(t), lambda x: np.broadcast_to(x[:1], (4, 5)),
                  lambda t: t[:1].expand_as(t)),
    "chunk": (lambda t: t.chunk(2, dim=1)[1], lambda x: x[:, 3:], lambda t: t.chunk(2, dim=1)[1]),
    "split size": (lambda t: t.split(3, dim=1)[1], lambda x: x[:, 3:], lambda t: t.split(3, dim=1)[1]),
    "split sections": (lambda t: t.split([1, 3], dim=0)[1], lambda x: x[1:], lambda t: t.split([1, 3], dim=0)[1]),
    "unbind": (lambda t: t.unbind(1)[2], lambda x: x[:, 2], lambda t: t.unbind(1)[2]),
    "narrow": (lambda t: t.narrow(1, 1, 3), lambda x: x[:, 1:4], lambda t: t.narrow(1, 1, 3)),
    "masked_fill": (lambda t: t.masked_fill(t > 0.3, -1.0), lambda x: np.where(x > 0.3, -1.0, x),
                    lambda t: t.masked_fill(t > 0.3, -1.0)),
    "masked_select": (lambda t: t.masked_select(t > 0), lambda x: x[x > 0], lambda t: t.masked_select(t > 0)),
    "gather": (lambda t: t.gather(0, IDX), lambda x: np.take_along_axis(x[:, :5], IDX, axis=0),
               lambda t, torch: t.gather(0, torch.from_numpy(IDX))),
    "gather shorter index": (lambda t: t.gather(1, IDX[:2, :2] % 5), lambda x: np.take_along_axis(
        x[:2, :], IDX[:2, :2] % 5, axis=1), lambda t, torch: t.gather(1, torch.from_numpy(IDX[:2, :2] % 5))),
    "index_select": (lambda t: t.index_select(1, np.array([4, 0, 0])), lambda x: x[:, [4, 0, 0]],
                     lambda t, torch: t.index_select(1, torch.tensor([4, 0, 0]))),
    "norm": (lambda t: t.norm(), lambda x: np.sqrt((x * x).sum()), lambda t: t.norm()),
    "norm p=1 dim": (lambda t: t.norm(1, dim=1), lambda x: np.abs(x).sum(1), lambda t: t.norm(1, dim=1)),
    "norm p=3 keepdim": (lambda t: t.norm(3, dim=0, keepdim=True),
                         lambda x: (np.abs(x) ** 3).sum(0, keepdims=True) ** (1 / 3),
                         lambda t: t.norm(3, dim=0, keepdim=True)),
    "norm inf": (lambda t: t.norm(math.inf, dim=1), lambda x: np.abs(x).max(1), lambda t: t.norm(math.inf, dim=1)),
    "amax": (lambda t: t.amax(dim=1), lambda x: x.max(1), lambda t: t.amax(dim=1)),
    "amin keepdim": (lambda t: t.amin(0, keepdim=True), lambda x: x.min(0, keepdims=True),
                     lambda t: t.amin(0, keepdim=True)),
    "mm": (lambda t: t.mm(t.T), lambda x: x @ x.T, lambda t: t.mm(t.T)),
    "bmm": (lambda t: t.reshape(2, 2, 5).bmm(t.reshape(2, 5, 2)),
            lambda x: np.matmul(x.reshape(2, 2, 5), x.reshape(2, 5, 2)),
            lambda t: t.reshape(2, 2, 5).bmm(t.reshape(2, 5, 2))),
    "mT": (lambda t: t.reshape(2, 2, 5).mT, lambda x: np.swapaxes(x.reshape(2, 2, 5), -1, -2),
           lambda t: t.reshape(2, 2, 5).mT),
    "neg": (lambda t: t.neg(), lambda x: -x, lambda t: t.neg()),
    "rsqrt": (lambda t: t.abs().rsqrt(), lambda x: 1 / np.sqrt(np.abs(x)), lambda t: t.abs().rsqrt()),
    "lerp": (lambda t: t.lerp(t * t, 0.25), lambda x: x + 0.25 * (x * x - x), lambda t: t.lerp(t * t, 0.25)),
    "addcmul": (lambda t: t.addcmul(t, t.exp(), value=0.5), lambda x: x + 0.5 * x * np.exp(x),
                lambda t: t.addcmul(t, t.exp(), value=0.5)),
    "addcdiv": (lambda t: t.addcdiv(t, t.exp(), value=2), lambda x: x + 2 * x / np.exp(x),
                lambda t: t.addcdiv(t, t.exp(), value=2)),
    "contiguous": (lambda t: t.T.contiguous(), lambda x: x.T, lambda t: t.T.contiguous()),
}
INTEGER_CASES = {  # no gradient: values only
    "type_as": (lambda t: (t * 3).type_as(cr.tensor([1])), lambda x: (x * 3).astype(np.int64),
                lambda t, torch: (t * 3).type_as(torch.tensor([1]))),
    "logical_and": (lambda t: (t > 0).logical_and(t < 1), lambda x: (x > 0) & (x < 1),
                    lambda t: (t > 0).logical_and(t < 1)),
    "logical_or": (lambda t: (t > 1).logical_or(t < -1), lambda x: (x > 1) | (x < -1),
                   lambda t: (t > 1).logical_or(t < -1)),
    "logical_not": (lambda t: (t > 0).logical_not(), lambda x: ~(x > 0), lambda t: (t > 0).logical_not()),
    "isnan": (lambda t: (t / (t * 0)).isnan(), lambda x: np.isnan(x / (x * 0)), lambda t: (t / (t * 0)).isnan()),
    "isfinite": (lambda t: t.log().isfinite(), lambda x: np.isfinite(np.log(np.where(x > 0, x, np.nan))) & (x > 0),
                 lambda t: t.log().isfinite()),
    "all": (lambda t: (t > -10).all(), lambda x: np.all(x > -10), lambda t: (t > -10).all()),
    "any dim": (lambda t: (t > 1).any(dim=1), lambda x: np.any(x > 1, axis=1), lambda t: (t > 1).any(dim=1)),
    "count_nonzero": (lambda t: (t > 0).count_nonzero(dim=0), lambda x: (x > 0).sum(0),
                      lambda t: (t > 0).count_nonzero(dim=0)),
    "nonzero": (lambda t: (t > 0.5).nonzero(), lambda x: np.argwhere(x > 0.5), lambda t: (t > 0.5).nonzero()),
}


def _np(x):
    return np.asarray(x.numpy() if isinstance(x, cr.Tensor) else x)


def _torch_call(fn, t, torch):
    return fn(t, torch) if fn.__code__.co_argcount == 2 else fn(t)


@pytest.mark.parametrize("name", sorted(CASES) + sorted(INTEGER_CASES))
def test_value_equals_the_numpy_formula(name):
    method, formula, _ = {**CASES, **INTEGER_CASES}[name]
    got = _np(method(cr.tensor(X)))
    want = np.asarray(formula(X))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    method = CASES[name][0]
    weights = rng.normal(size=np.shape(_np(method(cr.tensor(X)))))

    def f(x):
        return cr.sum(method(x) * weights)

    g = _np(cr.grad(f)(cr.tensor(X)))
    eps, numeric = 1e-6, np.zeros_like(X)
    for i in np.ndindex(X.shape):
        up, down = X.copy(), X.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (float(f(cr.tensor(up))) - float(f(cr.tensor(down)))) / (2 * eps)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES) + sorted(INTEGER_CASES))
def test_value_and_gradient_equal_pytorchs(name):
    torch = pytest.importorskip("torch")
    method, _, torch_method = {**CASES, **INTEGER_CASES}[name]
    t = torch.tensor(X, requires_grad=name in CASES)
    want = _torch_call(torch_method, t, torch)
    got = method(cr.tensor(X))
    np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=1e-12, atol=1e-14)
    if name in CASES:
        weights = rng.normal(size=tuple(want.shape))
        (want * torch.from_numpy(weights)).sum().backward()
        g = cr.grad(lambda x: cr.sum(method(x) * weights))(cr.tensor(X))
        np.testing.assert_allclose(_np(g), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bad_arguments_say_what_is_wrong():
    t = cr.tensor(X)
    with pytest.raises(cr.ChainruleError, match="add up to"):
        t.split([1, 2], dim=0)
    with pytest.raises(cr.ChainruleError, match="positive"):
        t.chunk(0)
    with pytest.raises(cr.ChainruleError, match="outside"):
        t.narrow(1, 3, 4)
    with pytest.raises(cr.ChainruleError, match="boolean mask"):
        t.masked_fill(t, 0.0)
    with pytest.raises(cr.ChainruleError, match="axes"):
        t.gather(0, IDX[0])
    with pytest.raises(cr.ChainruleError, match="2-d"):
        t.mm(t[0])
    with pytest.raises(cr.ChainruleError, match="3-d"):
        t.bmm(t)
    with pytest.raises(cr.ChainruleError, match="-1"):
        t.expand(-1, 4, 5)


def test_pieces_are_views_and_a_piece_gets_its_own_gradient():
    x = cr.tensor(X, requires_grad=True)
    first, second = x.chunk(2, dim=0)
    assert np.shares_memory(first.numpy(), x.numpy())
    (second * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.r_[np.zeros((2, 5)), 2 * np.ones((2, 5))])
