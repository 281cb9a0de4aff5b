"""Every op of the table on StrictArray inputs: the backend seam lets nothing NumPy-only through.

StrictArray (tests/strict_array.py) behaves as a CuPy array does towards NumPy:
it dispatches `np.*` calls to itself and refuses implicit conversion. Each
op's cases from tests/op_specs.py run with their arrays wrapped in it: the
value must equal the NumPy reference and stay a StrictArray, and the JVP and
VJP (first and second order) must match central finite differences of the op
evaluated on StrictArrays. A stray `np.asarray` on the path of a non-NumPy
array fails here, on a CPU, instead of on a user's GPU.
"""

import numpy as np
import pytest

import chainrule as cr
from chainrule.core import backend
from chainrule.core.registry import builtin_ops
from op_specs import CASES, REFERENCE
from strict_array import StrictArray

OPS = builtin_ops()
# The device the suite runs on: tests/test_gpu.py points these at CuPy and "cuda:0".
ON_DEVICE = {"wrap": lambda a: StrictArray(np.array(a)), "device": "strict"}
DIFF = sorted(name for name, op in OPS.items() if not op.nondiff)
ALL_CASES = [(name, k) for name in sorted(OPS) for k in range(len(CASES.get(name, [])))]

EPS = 1e-6


def _strict_tree(x):
    if isinstance(x, np.ndarray | np.generic):  # a NumPy scalar stands for a 0-d array of the device
        return ON_DEVICE["wrap"](x)
    if isinstance(x, tuple):
        return tuple(_strict_tree(v) for v in x)
    if isinstance(x, list):
        return [_strict_tree(v) for v in x]
    return x


def _inexact(a):
    return isinstance(a, np.ndarray) and a.dtype.kind in "fc"


def _host(x):
    if isinstance(x, cr.Tensor):
        assert x.device == ON_DEVICE["device"], f"a result left the device: it is on {x.device}"
        return x.numpy()
    if isinstance(x, tuple | list):
        return type(x)(_host(v) for v in x)
    assert not isinstance(x, np.ndarray), "a NumPy array came out of an op on device arrays"
    return x


def _on_strict(name, args, params):
    """The op as a function of its floating arguments (host ndarrays in, host ndarray out), run on StrictArrays."""
    diff = [i for i, a in enumerate(args) if _inexact(a)]
    sparams = {k: _strict_tree(v) for k, v in params.items()}
    if name == "to_device":  # its cases move to the CPU; here the move stays on the strict device
        sparams["device"] = ON_DEVICE["device"]

    def full(xs):
        out = [_strict_tree(a) for a in args]
        for i, x in zip(diff, xs):
            out[i] = x
        return out

    def f(*xs):  # xs: Tensors on the strict device
        return OPS[name](*full(xs), **sparams)

    return f, [args[i] for i in diff]


def _strict_tensor(a):
    return cr.tensor(ON_DEVICE["wrap"](a))


def _real_case(args, params):
    return all(not (isinstance(a, np.ndarray) and a.dtype.kind == "c") for a in args)


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_value_on_strict_arrays(name, k):
    args, params = CASES[name][k]
    f, inputs = _on_strict(name, args, params)
    out = f(*[_strict_tensor(x) for x in inputs])
    expected = REFERENCE[name](*args, **params)
    np.testing.assert_allclose(_host(out), expected, rtol=1e-12, atol=1e-12)


def _directions(inputs, out_shape, seed):
    rng = np.random.default_rng(seed)
    vs = [rng.normal(size=x.shape) + (1j * rng.normal(size=x.shape) if x.dtype.kind == "c" else 0) for x in inputs]
    return vs, rng.normal(size=out_shape)


def _fd(f, inputs, vs):
    plus = f(*[_strict_tensor(x + EPS * v) for x, v in zip(inputs, vs)])
    minus = f(*[_strict_tensor(x - EPS * v) for x, v in zip(inputs, vs)])
    return (_host(plus) - _host(minus)) / (2 * EPS)


@pytest.mark.parametrize("name,k", [c for c in ALL_CASES if c[0] in DIFF])
def test_jvp_and_vjp_on_strict_arrays_match_finite_differences(name, k):
    args, params = CASES[name][k]
    if not _real_case(args, params):
        pytest.skip("complex inputs: the host suite checks the complex convention; here the real cases")
    f, inputs = _on_strict(name, args, params)
    primals = [_strict_tensor(x) for x in inputs]
    out = f(*primals)
    if out.dtype.kind == "c":
        pytest.skip("complex output: checked on the host")
    vs, u = _directions(inputs, out.shape, seed=k)
    expected = _fd(f, inputs, vs)
    finite = np.isfinite(expected)  # where the op is infinite (logsumexp of -inf), differences say nothing
    _, tangent = cr.jvp(f, primals, [_strict_tensor(v) for v in vs])
    np.testing.assert_allclose(_host(tangent)[finite], expected[finite], rtol=1e-5, atol=1e-6)
    _, vjp_fn = cr.vjp(f, *primals)
    adjoints = vjp_fn(_strict_tensor(u.astype(out.dtype)))
    adjoints = adjoints if isinstance(adjoints, tuple | list) else (adjoints,)
    for x, a in zip(inputs, adjoints):
        assert _host(a).shape == x.shape and a.dtype == x.dtype
    projected = sum(float(np.sum(_host(a) * v)) for a, v in zip(adjoints, vs))  # <vjp(u), v> = <u, J v>
    if finite.all():
        np.testing.assert_allclose(projected, float(np.sum(u * expected)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", DIFF)
def test_second_order_on_strict_arrays(name):
    # forward over reverse: the VJP rules, run on Tensors of StrictArrays, are differentiated themselves
    args, params = next((a, p) for a, p in CASES[name] if all(np.size(x) > 0 for x in a))
    if not _real_case(args, params):
        pytest.skip("complex inputs: checked on the host")
    f, inputs = _on_strict(name, args, params)
    out = f(*[_strict_tensor(x) for x in inputs])
    if out.dtype.kind == "c":
        pytest.skip("complex output: checked on the host")
    vs, u = _directions(inputs, out.shape, seed=7)
    weights = _strict_tensor(u.astype(out.dtype))

    def gradient(*xs):  # ∇_x <u, f(x)>, recorded so that it can be differentiated again
        return cr.grad(lambda *ys: (f(*ys) * weights).sum(), argnums=tuple(range(len(xs))))(*xs)

    def first_gradient(*xs):
        return gradient(*xs)[0]

    _, tangent = cr.jvp(first_gradient, [_strict_tensor(x) for x in inputs], [_strict_tensor(v) for v in vs])
    expected = _fd(first_gradient, inputs, vs)
    np.testing.assert_allclose(_host(tangent), expected, rtol=1e-4, atol=1e-5)


def test_every_registered_array_has_its_device():
    x = _strict_tensor([1.0, 2.0])
    assert x.device == "strict" and backend.device_of(x._data) == "strict"
    assert (x * 2).device == "strict" and cr.sin(x).sum().device == "strict"
