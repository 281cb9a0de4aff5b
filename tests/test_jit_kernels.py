"""The kernels column (chainrule/jit/kernels.py): each entry equals the op's forward or the sweep's rule, bitwise."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.registry import OPS
from chainrule.jit import kernels
from chainrule.jit.steps import contribution_call
from op_specs import CASES

rng = np.random.default_rng(7)


def _mlp_cases():
    """The shapes a training step feeds the kernels, beside the registry's own cases."""
    x, w, b, h = rng.normal(size=(6, 3)), rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(6, 4))
    big = rng.normal(size=(80, 64))  # relu's VJP takes its branch-free path from 4096 elements on
    return {"matmul": [((x, w.T), {})], "linear": [((x, w, b), {})], "relu": [((h,), {}), ((big,), {})],
            "add": [((h, b), {}), ((h, h), {})],
            "softmax_cross_entropy": [((h, np.array([0, 3, 1, 1, 2, 0])), {"reduction": "mean"})]}


def _cases(name):
    extra = _mlp_cases().get(name, [])
    found = []
    for args, params in CASES.get(name, []) + extra:
        for dtype in (np.float64, np.float32):
            found.append(([a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                           for a in args], params))
    return found


def _bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()  # bit for bit, the sign of zero included


def _callable(kernel):
    """A kernel as a function: a Code runs its source on the arrays; else the (func, text) pair's func."""
    return kernel if isinstance(kernel, kernels.Code) else kernel[0]


FORWARD_CASES = [(name, k) for name in sorted(kernels.FORWARD) for k in range(len(_cases(name)))]


@pytest.mark.parametrize("name,k", FORWARD_CASES)
def test_forward_kernel_equals_the_ops_forward(name, k):
    args, params = _cases(name)[k]
    op = OPS[name]
    value = np.asarray(op.forward(*args, **params))
    kernel = kernels.forward_kernel(op, args, params, value)
    if kernel is None:
        pytest.skip("not a call this kernel covers (the op's forward runs)")
    func = _callable(kernel)
    _bits(func(*args), value)
    other = [a * 0.5 if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]
    _bits(func(*other), np.asarray(op.forward(*other, **params)))  # the buffer is reused: still right


def test_every_forward_entry_is_exercised():
    covered = set()
    for name in kernels.FORWARD:
        for args, params in _cases(name):
            value = np.asarray(OPS[name].forward(*args, **params))
            if kernels.forward_kernel(OPS[name], args, params, value) is not None:
                covered.add(name)
    assert covered == set(kernels.FORWARD)


VJP_CASES = [(name, i, k) for name, i in sorted(kernels.VJP) for k in range(len(_cases(name)))
             if i < len(_cases(name)[k][0])]


@pytest.mark.parametrize("name,i,k", VJP_CASES)
def test_vjp_kernel_equals_the_sweeps_rule(name, i, k):
    args, params = _cases(name)[k]
    op = OPS[name]
    saved = None
    if op.saving_forward is not None:
        ans, saved = op.saving_forward(*args, **params)
    else:
        ans = op.forward(*args, **params)
    ans = np.asarray(ans)
    g = rng.normal(size=ans.shape).astype(ans.dtype)
    rule, _ = contribution_call(op, i, params, saved is not None)
    extra = (saved,) if saved is not None else ()
    gi = rule(g, ans, *args, *extra)
    kernel = kernels.vjp_kernel(op, i, g, ans, args, params, gi)
    if kernel is None:
        pytest.skip("not a call this kernel covers (the rule runs)")
    func = _callable(kernel)
    _bits(func(g, ans, *args, *extra), gi)
    g2 = g * -1.5
    _bits(func(g2, ans, *args, *extra), rule(g2, ans, *args, *extra))


def test_every_vjp_entry_is_exercised():
    covered = set()
    for (name, i) in kernels.VJP:
        for args, params in _cases(name):
            if i >= len(args):
                continue
            op = OPS[name]
            if op.saving_forward is not None:
                ans, saved = op.saving_forward(*args, **params)
                extra = (saved,)
            else:
                ans, extra = op.forward(*args, **params), ()
            ans = np.asarray(ans)
            g = np.ones_like(ans)
            rule, _ = contribution_call(op, i, params, bool(extra))
            if kernels.vjp_kernel(op, i, g, ans, args, params, rule(g, ans, *args, *extra)) is not None:
                covered.add((name, i))
    assert covered == set(kernels.VJP)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_and_in_place_kernels_equal_numpy(dtype):
    a, b = rng.normal(size=(3, 4)).astype(dtype), rng.normal(size=(3, 4)).astype(dtype)
    func = _callable(kernels.sum_kernel(a, b, a + b))
    _bits(func(a, b), a + b)
    assert kernels.sum_kernel(a, b[0], a + b[0]) is None  # broadcasting: left to the plain sum
    target = a.copy()
    func = _callable(kernels.in_place_kernel(cr.sub, target, 0.01 * b))
    func(target, 0.01 * b)
    expected = a.copy()
    np.copyto(expected, np.subtract(expected, 0.01 * b))
    _bits(target, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgd_kernel_equals_sgd_step(dtype):
    w1 = cr.nn.Parameter(rng.normal(size=(3, 2)).astype(dtype))
    w2 = cr.nn.Parameter(w1.data.copy())
    g = rng.normal(size=(3, 2)).astype(dtype)
    eager, fused = cr.optim.SGD([w1], lr=0.037), cr.optim.SGD([w2], lr=0.037)
    func = _callable(kernels.sgd_kernel(fused))
    for _ in range(3):
        w1.grad, w2.grad = cr.tensor(g), cr.tensor(g)
        before = w2.version
        eager.step()
        func()
        _bits(w1.data, w2.data)
        assert w2.version > before
    assert kernels.sgd_kernel(cr.optim.SGD([w1], lr=0.1, momentum=0.9)) is None


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saving_kernel_equals_the_ops_saving_forward(reduction, dtype):
    op = OPS["softmax_cross_entropy"]
    x, target = rng.normal(size=(6, 4)).astype(dtype), np.array([0, 3, 1, 1, 2, 0])
    value, saved = op.saving_forward(x, target, reduction=reduction)
    func = _callable(kernels.saving_kernel(op, [x, target], {"reduction": reduction}, np.asarray(value), saved))
    for xs in (x, x * 3.0, np.where(x > 0, np.inf, x)):  # the last: the op's own path for a non-finite row
        with np.errstate(invalid="ignore"):
            got, want = func(xs, target), op.saving_forward(xs, target, reduction=reduction)
        _bits(got[0], want[0]), _bits(got[1], want[1])
    with pytest.raises(ValueError, match="targets must lie in"):
        func(x, np.array([0, 4, 1, 1, 2, 0]))
    with pytest.raises(ValueError, match="targets must lie in"):
        func(x, np.array([0, -1, 1, 1, 2, 0]))
