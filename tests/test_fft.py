"""cr.fft: values vs numpy.fft, gradients of complex and real inputs vs finite differences on real and
imaginary parts (PyTorch's convention for .grad), and real pipelines through complex values, order 2."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import fft as rows

real = cr.real

rng = np.random.default_rng(5)


def complex_sample(shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def _loss(op, g, params):
    # L(z) = Re Σ conj(g)·F(z) = Σ Re g·Re F + Im g·Im F: g is ∂L/∂Re F + i ∂L/∂Im F
    return lambda z: float(np.sum(np.real(np.conj(g) * op.forward(z, **params))))


def _numeric_gradient(loss, z, eps=1e-6):
    """∂L/∂Re z + i·∂L/∂Im z by central differences (the real part only for a real z)."""
    grad = np.zeros(z.shape, dtype=z.dtype)
    directions = [1.0] if z.dtype.kind == "f" else [1.0, 1j]
    for index in np.ndindex(z.shape):
        for d in directions:
            step = np.zeros(z.shape, dtype=z.dtype)
            step[index] = d * eps
            grad[index] += d * (loss(z + step) - loss(z - step)) / (2 * eps)
    return grad


RULE_CASES = [  # (op, input, params)
    ("fftn", complex_sample((5,)), {"axes": (0,)}), ("fftn", complex_sample((3, 4)), {}),
    ("fftn", complex_sample((3, 4)), {"s": (5,), "axes": (0,), "norm": "ortho"}),
    ("fftn", complex_sample((6,)), {"s": (4,), "axes": (0,), "norm": "forward"}),
    ("fftn", rng.normal(size=(4,)), {"axes": (0,)}),
    ("ifftn", complex_sample((2, 3, 4)), {"axes": (0, 2)}), ("ifftn", complex_sample((4,)), {"s": (6,), "axes": (0,)}),
    ("ifftn", complex_sample((3, 3)), {"norm": "ortho"}),
    ("rfftn", rng.normal(size=(6,)), {"axes": (0,)}), ("rfftn", rng.normal(size=(5,)), {"axes": (0,)}),
    ("rfftn", rng.normal(size=(3, 4)), {"norm": "ortho"}),
    ("rfftn", rng.normal(size=(3, 5)), {"s": (4, 6), "axes": (0, 1)}),
    ("rfftn", rng.normal(size=(7,)), {"s": (4,), "axes": (0,), "norm": "forward"}),
    ("irfftn", complex_sample((4,)), {"axes": (0,)}), ("irfftn", complex_sample((4,)), {"s": (7,), "axes": (0,)}),
    ("irfftn", complex_sample((3, 3)), {"norm": "ortho"}),
    ("irfftn", complex_sample((2, 5)), {"s": (3, 4), "axes": (0, 1), "norm": "forward"}),
    ("hfft", complex_sample((4,)), {}), ("hfft", complex_sample((4,)), {"n": 7, "norm": "ortho"}),
    ("hfft", complex_sample((3, 4)), {"axis": 0}),
    ("ihfft", rng.normal(size=(6,)), {}), ("ihfft", rng.normal(size=(5,)), {"n": 8, "norm": "forward"}),
    ("ihfft", rng.normal(size=(3, 4)), {"axis": 0, "norm": "ortho"}),
]


@pytest.mark.parametrize("name,z,params", RULE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RULE_CASES)])
def test_gradient_matches_finite_differences(name, z, params):
    op = getattr(rows, name)
    ans = op.forward(z, **params)
    np.testing.assert_allclose(ans, getattr(np.fft, name)(z, **params), rtol=1e-12)
    g = complex_sample(ans.shape) if np.iscomplexobj(ans) else rng.normal(size=ans.shape)
    leaf = cr.tensor(z, requires_grad=True)
    cr.sum(real(np.conj(g) * op(leaf, **params))).backward()
    assert leaf.grad.dtype == z.dtype and leaf.grad.shape == z.shape
    np.testing.assert_allclose(leaf.grad.numpy(), _numeric_gradient(_loss(op, g, params), z), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name,kwargs", [
    ("fft", {}), ("fft", {"n": 6, "axis": 0}), ("ifft", {"norm": "ortho"}), ("fft2", {}), ("ifft2", {"s": (2, 5)}),
    ("fftn", {"axes": (1,)}), ("ifftn", {}), ("rfft", {"n": 5}), ("rfft2", {}),
    ("rfftn", {"s": (4, 4), "axes": (0, 1)}),
    ("irfft", {}), ("irfft", {"n": 5}), ("irfft2", {}), ("irfftn", {"axes": (0,)}), ("hfft", {}),
    ("ihfft", {"axis": 0}), ("fftshift", {}), ("ifftshift", {"axes": 0}), ("fftshift", {"axes": (1,)}),
])
def test_values_match_numpy(name, kwargs):
    x = rng.normal(size=(3, 4))
    ours = getattr(cr.fft, name)(x, **kwargs)
    np.testing.assert_allclose(np.asarray(ours), getattr(np.fft, name)(x, **kwargs), rtol=1e-12, atol=1e-12)


def _check(f, x):
    assert cr.gradcheck(f, x, modes=("rev", "fwd"))
    assert cr.gradcheck(f, x, order=2, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("n", [6, 7])
def test_frequency_filter_differentiates_through_complex_values(n):
    weights = rng.uniform(0.0, 1.0, n // 2 + 1)
    _check(lambda x: cr.fft.irfft(cr.fft.rfft(x) * weights, n=n) ** 2, rng.normal(size=n))


def test_two_dimensional_filter_with_padding_and_norms():
    weights = rng.uniform(0.0, 1.0, (4, 3))
    _check(lambda x: cr.fft.irfft2(cr.fft.rfft2(x, s=(4, 4), norm="ortho") * weights, s=(4, 4), norm="ortho"),
           rng.normal(size=(3, 4)))


def test_hermitian_pair():
    _check(lambda x: cr.fft.hfft(cr.fft.ihfft(x) * np.array([1.0, 0.3, 0.7]), n=5), rng.normal(size=5))


def test_filter_gradient_written_out():
    # y = irfft(w · rfft(x)) with real w is a circular convolution with the kernel h = irfft(w), which is even
    # (a real spectrum): the adjoint, a circular correlation with h, is then the same convolution of g
    n, w = 8, rng.uniform(0.0, 1.0, 5)
    g = rng.normal(size=n)
    _, pullback = cr.vjp(lambda x: cr.fft.irfft(cr.fft.rfft(x) * w, n=n), rng.normal(size=n))
    np.testing.assert_allclose(np.asarray(pullback(g)[0]), np.fft.irfft(np.fft.rfft(g) * w, n=n), rtol=1e-10)


@pytest.mark.parametrize("fn", ["fftshift", "ifftshift"])
def test_shifts_are_differentiable_permutations(fn):
    _check(lambda x: getattr(cr.fft, fn)(x) * np.arange(15.0).reshape(3, 5), rng.normal(size=(3, 5)))
    _check(lambda x: getattr(cr.fft, fn)(x, axes=1), rng.normal(size=(2, 4)))


# The order-2 sweep differentiates the engine's cast of a real adjoint to complex: cast's own VJP takes the
# real part explicitly, so NumPy's "Casting complex values to real" warning is an error here.
@pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning")
def test_complex_filter_and_magnitudes_agree_with_the_engine_convention():
    # a complex frequency response and |·| mix the transforms with the engine's own complex rules (mul, abs)
    response = complex_sample(6)
    _check(lambda x: real(cr.fft.ifft(cr.fft.fft(x) * response)) ** 2, rng.normal(size=6))
    # second order too: abs of a complex value differentiates its own partial z / |z|
    assert cr.gradcheck(lambda x: cr.abs(cr.fft.rfft(x, norm="ortho")) ** 2, rng.normal(size=7), order=2)
    assert cr.gradcheck(lambda x: cr.abs(cr.fft.fft2(x * (1 + 2j), s=(3, 5))), rng.normal(size=(2, 4)), order=2)


def test_complex_leaf_gradient_follows_pytorch():
    # Parseval: Σ|fft z|² = n Σ|z|², whose gradient in PyTorch's convention (∂/∂Re + i ∂/∂Im) is 2n z
    z = complex_sample((5,))
    leaf = cr.tensor(z, requires_grad=True)
    cr.sum(cr.abs(cr.fft.fft(leaf)) ** 2).backward()
    np.testing.assert_allclose(leaf.grad.numpy(), 10 * z, rtol=1e-12)
