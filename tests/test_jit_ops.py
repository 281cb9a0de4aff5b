"""Every built-in op through cr.jit: value and gradient equal the eager ones, bit for bit (float64)."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.registry import builtin_ops
from op_specs import CASES

OPS = builtin_ops()
ALL_CASES = [(name, k) for name in sorted(OPS) for k in range(len(CASES.get(name, [])))]

# Ops cr.jit refuses at trace time (with an error naming the op). This set may only shrink.
NOT_JITTABLE: set[str] = set()


def _float_positions(args):
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def _as_function(name, args, params):
    diff = _float_positions(args)

    def f(*xs):
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return OPS[name](*full, **params)

    return f, [args[i] for i in diff]


def _same(a, b):
    a, b = np.asarray(a.numpy() if isinstance(a, cr.Tensor) else a), np.asarray(
        b.numpy() if isinstance(b, cr.Tensor) else b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_op_value_through_jit_equals_eager(name, k):
    args, params = CASES[name][k]
    f, inputs = _as_function(name, args, params)
    if name in NOT_JITTABLE:
        with pytest.raises(cr.JitError, match=name):
            cr.jit(f)(*inputs)
        return
    step = cr.jit(f)
    expected = f(*inputs)
    _same(step(*inputs), expected)   # the trace
    _same(step(*inputs), expected)   # the replay
    assert step.traces == 1


@pytest.mark.parametrize("name,k", [c for c in ALL_CASES if not OPS[c[0]].nondiff and c[0] not in NOT_JITTABLE])
def test_op_gradient_through_jit_equals_eager(name, k):
    args, params = CASES[name][k]
    f, inputs = _as_function(name, args, params)
    if not inputs:
        pytest.skip("no floating-point input")
    out = f(*inputs)
    if np.iscomplexobj(out):
        pytest.skip("complex output")
    weight = np.random.default_rng(k).normal(size=np.shape(out))

    def loss(*xs):
        return (f(*xs) * weight).sum()

    grad = cr.grad(loss, argnums=tuple(range(len(inputs))))
    expected = grad(*inputs)
    step = cr.jit(grad)
    for _ in range(2):
        for got, want in zip(step(*inputs), expected):
            _same(got, want)
    # new values, same plan: nothing of the traced values is baked in (halving keeps each domain)
    halved = [x * 0.5 for x in inputs]
    for got, want in zip(step(*halved), grad(*halved)):
        _same(got, want)
    # (an argument laid out otherwise, e.g. x * 0.5 of a strided x, has a plan of its own: see code.layout)
    assert step.traces == 1 + (_layouts(inputs) != _layouts(halved))


def _layouts(arrays):
    from chainrule.jit.code import layout

    return [layout(np.asarray(a)) for a in arrays]


@pytest.mark.parametrize("name", sorted(n for n in OPS if n not in NOT_JITTABLE))
def test_op_value_replays_on_new_values(name):
    args, params = CASES[name][0]
    f, inputs = _as_function(name, args, params)
    step = cr.jit(f)
    step(*inputs)
    halved = [x * 0.5 for x in inputs]
    _same(step(*halved), f(*halved))
    assert step.traces == 1


@pytest.mark.parametrize("name", sorted(n for n in OPS if not OPS[n].nondiff and n not in NOT_JITTABLE))
def test_op_gradient_through_jit_in_float32(name):
    args, params = CASES[name][0]
    args = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]
    f, inputs = _as_function(name, args, params)
    if not inputs or np.iscomplexobj(f(*inputs)):
        pytest.skip("no floating-point input, or a complex output")
    weight = np.random.default_rng(3).normal(size=np.shape(f(*inputs))).astype(np.float32)
    grad = cr.grad(lambda *xs: (f(*xs) * weight).sum(), argnums=tuple(range(len(inputs))))
    expected, step = grad(*inputs), cr.jit(grad)
    for _ in range(2):
        for got, want in zip(step(*inputs), expected):
            _same(got, want)  # float32 stays float32, and the replay is bit for bit here too
