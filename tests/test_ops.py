"""Every built-in op, walked from the registry: values, VJP and JVP, dtypes, order 2."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, mutually_broadcastable_shapes

import chainrule as cr
from chainrule.core.engine_ops import _sum_to_shape
from chainrule.core.registry import builtin_ops
from op_specs import CASES, REFERENCE

OPS = builtin_ops()
DIFF = sorted(name for name, op in OPS.items() if not op.nondiff)
ALL_CASES = [(name, k) for name in sorted(OPS) for k in range(len(CASES.get(name, [])))]


def _inexact(a):
    return isinstance(a, np.ndarray) and a.dtype.kind in "fc"


def _call(name, args, params, requires_grad=False):
    tensors = [cr.tensor(a, requires_grad=requires_grad) if _inexact(a) else a for a in args]
    return OPS[name](*tensors, **params), tensors


def _as_real(out):
    """A complex result as its real and imaginary parts side by side (a real result as it is)."""
    if out.dtype.kind != "c":
        return out
    return cr.stack([cr.real(out), cr.imag(out)])


def _over_float_args(name, args, params):
    """(f, inputs): the op as a real function of its floating arguments, the rest held fixed.

    A complex argument z enters as two real ones (Re z, Im z) and a complex
    result leaves as its two parts, so finite differences in real numbers
    check the complex rules too (the engine's convention, docs/complex.md).
    """
    diff = [i for i, a in enumerate(args) if _inexact(a)]
    inputs = []
    for i in diff:
        inputs += [args[i].real.copy(), args[i].imag.copy()] if args[i].dtype.kind == "c" else [args[i]]

    def f(*xs):
        full, xs = list(args), list(xs)
        for i in diff:
            full[i] = xs.pop(0) + 1j * xs.pop(0) if args[i].dtype.kind == "c" else xs.pop(0)
        return _as_real(OPS[name](*full, **params))

    return f, inputs


def _real_loss_seed(out):
    """A seed for backward(): through the real and imaginary parts of a complex result."""
    return _as_real(out), np.ones(_as_real(out).shape, dtype=np.finfo(out.dtype).dtype)


def test_every_op_has_cases_and_reference():
    missing = sorted(set(OPS) - set(CASES)) + sorted(set(OPS) - set(REFERENCE))
    assert not missing, f"ops without test cases or a reference in tests/op_specs.py: {missing}"


def test_every_differentiable_op_has_both_rules():
    lacking = [name for name in DIFF if OPS[name].vjp is None or OPS[name].jvp is None]
    assert not lacking, f"differentiable ops missing a VJP or JVP rule: {lacking}"


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_value_matches_numpy(name, k):
    args, params = CASES[name][k]
    out, _ = _call(name, args, params)
    expected = REFERENCE[name](*args, **params)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert out.shape == np.shape(expected)


@pytest.mark.parametrize("name,k", [c for c in ALL_CASES if c[0] in DIFF])
def test_first_derivatives_match_finite_differences(name, k):
    args, params = CASES[name][k]
    f, inputs = _over_float_args(name, args, params)
    assert cr.gradcheck(f, *inputs, modes=("rev", "fwd"))


@pytest.mark.parametrize("name,k", [c for c in ALL_CASES if c[0] in DIFF])
def test_gradient_has_input_shape_and_dtype(name, k):
    args, params = CASES[name][k]
    out, tensors = _call(name, args, params, requires_grad=True)
    root, seed = _real_loss_seed(out)
    root.backward(seed)
    for t in tensors:
        if isinstance(t, cr.Tensor):
            assert t.grad is not None and t.grad.shape == t.shape and t.grad.dtype == t.dtype


@pytest.mark.parametrize("name", [n for n in DIFF if n != "cast"])
def test_float32_stays_float32(name):
    args, params = CASES[name][0]
    single = {"f": np.float32, "c": np.complex64}
    args32 = [a.astype(single[a.dtype.kind]) if _inexact(a) else a for a in args]
    out, tensors = _call(name, args32, params, requires_grad=True)
    assert out.dtype in (np.float32, np.complex64)
    root, seed = _real_loss_seed(out)
    root.backward(seed)
    assert all(t.grad.dtype == t.dtype for t in tensors if isinstance(t, cr.Tensor))


@pytest.mark.parametrize("name", DIFF)
def test_second_derivatives_match_finite_differences(name):
    args, params = next((a, p) for a, p in CASES[name] if all(np.size(x) > 0 for x in a))
    f, inputs = _over_float_args(name, args, params)
    assert cr.gradcheck(f, *inputs, order=2, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("name", [n for n in DIFF if n != "alias"])
def test_jacfwd_equals_jacrev(name):
    args, params = CASES[name][0]
    f, inputs = _over_float_args(name, args, params)

    def in_first(x):  # the rest held fixed
        return f(x, *inputs[1:])

    np.testing.assert_allclose(cr.jacfwd(in_first)(inputs[0]).numpy(), cr.jacrev(in_first)(inputs[0]).numpy(),
                               rtol=0, atol=1e-10)


FAST_ARRAY_RULES = sorted(name for name, op in OPS.items() if op.array_vjp is not None)


def test_fast_array_rules_cover_the_fused_ops():
    # a guard against the column being dropped (the sweep would still be right, only slower)
    assert {"linear", "softmax_cross_entropy", "sum", "relu", "where"} <= set(FAST_ARRAY_RULES)


@pytest.mark.parametrize("name", FAST_ARRAY_RULES)
def test_array_vjp_equals_vjp(name):
    # The sweep uses array_vjp when nothing is recorded and vjp otherwise: they must agree.
    rng = np.random.default_rng(0)
    op = OPS[name]
    for args, params in CASES[name]:
        ans = np.asarray(op.forward(*args, **params))
        saved = {} if op.saving_forward is None else {"saved": op.saving_forward(*args, **params)[1]}
        g = rng.normal(size=ans.shape)
        for i, (fast, rule) in enumerate(zip(op.array_vjp[:len(args)], op.vjp[:len(args)])):
            if rule is None:
                assert fast is None
                continue
            shape = np.shape(args[i])  # both may return a broadcast shape the sweep sums down
            expected = _sum_to_shape(np.asarray(rule(g, ans, *args, **params)), shape)
            got = fast(g, ans, *args, **params, **saved)
            assert type(got) is np.ndarray, (name, i)
            np.testing.assert_allclose(_sum_to_shape(got, shape), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.saving_forward is not None))
def test_saving_forward_value_equals_forward(name):
    for args, params in CASES[name]:
        value, _ = OPS[name].saving_forward(*args, **params)
        np.testing.assert_array_equal(value, OPS[name].forward(*args, **params))


DOMAINS = {"real": lambda a: np.isfinite(a), "positive": lambda a: a > 0, "nonzero": lambda a: a != 0,
           "unit": lambda a: np.abs(a) < 1}


@pytest.mark.parametrize("name", sorted(OPS))
def test_cases_lie_in_the_declared_domain(name):
    # `domain=` documents where an op is defined; the cases the tests draw must respect it
    in_domain = DOMAINS[OPS[name].domain]
    for args, _ in CASES[name]:
        first = next((a for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f"), None)
        if first is not None:
            assert in_domain(first).all(), (name, first)


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.partial is not None))
def test_partial_rows_declare_their_notation(name):
    notation = OPS[name].notation
    partials = OPS[name].partial if isinstance(OPS[name].partial, tuple) else (OPS[name].partial,)
    assert notation is not None and len(notation) == 1 + len(partials), name


def test_defop_refuses_to_replace_a_builtin_op():
    with pytest.raises(cr.OpError, match="built-in op"):
        cr.defop("tanh", np.tanh, partial=lambda ans, x: 1 - ans * ans)
    assert OPS["tanh"] is cr.tanh


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.nondiff))
def test_nondifferentiable_ops_record_nothing(name):
    args, params = CASES[name][0]
    out, _ = _call(name, args, params, requires_grad=True)
    assert not out.requires_grad


BROADCASTING_BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"]
finite = st.floats(-3, 3, allow_nan=False, width=64)


@pytest.mark.parametrize("name", BROADCASTING_BINARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data(), shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_broadcasting_gradients_hypothesis(name, data, shapes):
    x = data.draw(arrays(np.float64, shapes.input_shapes[0], elements=finite))
    y = data.draw(arrays(np.float64, shapes.input_shapes[1], elements=finite))
    if name == "div":
        y = np.where(np.abs(y) < 0.5, 1.0, y)
    if name in ("maximum", "minimum"):  # stay away from ties, where the derivative jumps
        bx, by = np.broadcast_arrays(x, y)
        assume(bx.size == 0 or np.abs(bx - by).min() > 1e-3)
    assert cr.gradcheck(OPS[name], x, y, modes=("rev",), atol=1e-4)
