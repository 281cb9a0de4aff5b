"""Tensor methods (NumPy's and PyTorch's names) on a vmap stand-in: each equals the loop, or refuses loudly.

A method that read the stand-in's array with NumPy (a sort order, an integer cast) would give every example
the first example's answer; these cases are what catches it.
"""

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(41)
X = rng.normal(size=(3, 4, 5))

METHODS = {
    "sum(1)": lambda x: x.sum(1), "mean(0)": lambda x: x.mean(0), "var(1)": lambda x: x.var(1),
    "std(1)": lambda x: x.std(1), "std() with a constant example": lambda x: (x * 0).std(),
    "max()": lambda x: x.max(), "min()": lambda x: x.min(), "argmax(1)": lambda x: x.argmax(1),
    "argmin()": lambda x: x.argmin(), "cumsum(1)": lambda x: x.cumsum(1), "cumprod(0)": lambda x: x.cumprod(0),
    "prod(1)": lambda x: x.prod(1), "logsumexp(1)": lambda x: x.logsumexp(1), "softmax(-1)": lambda x: x.softmax(-1),
    "log_softmax(1)": lambda x: x.log_softmax(1), "argsort(1)": lambda x: x.argsort(1),
    "argsort(descending)": lambda x: x.argsort(0, descending=True), "argsort()": lambda x: x.argsort(),
    "flatten()": lambda x: x.flatten(), "view(-1)": lambda x: x.view(-1), "reshape": lambda x: x.reshape(5, 4),
    "T": lambda x: x.T, "permute": lambda x: x.permute(1, 0), "transpose": lambda x: x.transpose(0, 1),
    "unsqueeze/squeeze": lambda x: x.unsqueeze(1).squeeze(1), "clamp": lambda x: x.clamp(-0.5, 0.5),
    "abs/sqrt": lambda x: x.abs().sqrt(), "pow": lambda x: x ** 3, "tril": lambda x: x.tril(),
    "triu": lambda x: x.triu(1), "flip": lambda x: x.flip(0), "roll": lambda x: x.roll(1, 1),
    "sign": lambda x: x.sign(), "round": lambda x: x.round(), "slices": lambda x: x[1:, ::2],
    "fancy": lambda x: x[[0, 2]], "mask columns": lambda x: x[:, [True, False] * 2 + [True]],
    "matmul": lambda x: x @ x.T, "clone": lambda x: x.clone(), "detach": lambda x: x.detach(),
    "long()": lambda x: (x * 3).long(), "int()": lambda x: (x * 3).int(), "bool()": lambda x: (x > 0).bool(),
    "float() of a mask": lambda x: (x > 0).float(), "astype(int)": lambda x: (x * 3).astype(np.int64),
    "type(int)": lambda x: (x * 3).type(np.int64), "where": lambda x: cr.where(x > 0, x, -x),
    "sort(1) values": lambda x: x.sort(1).values, "sort() descending": lambda x: x.sort(0, descending=True).values,
    "take_along_axis by argsort": lambda x: cr.take_along_axis(x, x.argsort(-1), axis=-1),
    "take_along_axis flattened": lambda x: cr.take_along_axis(x, x.argsort(None), axis=None),
}
# Methods that read values with NumPy where no op of the table can do it per example: under vmap they raise
# BatchedValueError (never the first example's answer). This set may only shrink.
REFUSED = {"topk": lambda x: x.topk(2, dim=1).values}


def _np(x):
    return np.asarray(x.numpy() if isinstance(x, cr.Tensor) else x)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_method_on_a_stand_in_equals_the_loop(name):
    method = METHODS[name]
    got = _np(cr.vmap(method)(X))
    want = np.stack([_np(method(cr.tensor(X[b]))) for b in range(len(X))])
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    moved = _np(cr.vmap(method, in_axes=2)(np.moveaxis(X, 0, 2)))  # the batch on another axis: the same
    np.testing.assert_array_equal(moved, want)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_methods_that_cannot_batch_refuse(name):
    with pytest.raises(cr.batching.BatchedValueError):
        cr.vmap(REFUSED[name])(X)


def test_numpy_where_batches_its_condition():
    import chainrule.numpy as cnp

    got = _np(cr.vmap(lambda x: cnp.where(x > 0, x, 0.0))(X))
    np.testing.assert_array_equal(got, np.where(X > 0, X, 0.0))


def test_scipy_functions_without_a_rule_refuse_a_stand_in():
    pytest.importorskip("scipy")
    with pytest.raises(cr.batching.BatchedValueError):
        cr.vmap(lambda x: cr.special.comb(x, 2))(np.arange(12.0).reshape(3, 4))  # (SciPy's, on plain values)
