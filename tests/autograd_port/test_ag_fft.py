"""Port of autograd's tests/test_fft.py (reverse mode, order 2, as autograd checks them).

FFT outputs are complex; check_grads compares them in autograd's vector
space (inner product Re Σ conj(a)·b). Left aside: none (the inputs are real,
or made Hermitian by an FFT as autograd does for the inverse real transforms).
"""

from __future__ import annotations

from functools import partial

import numpy as onp
import pytest
from check_grads import check_grads as _check_grads
from port_utils import fn

R = onp.random.randn
check_grads = partial(_check_grads, modes=["rev"])


def _hermitian_input(name, mat):
    # the inverse real transforms take the output of the forward one
    return onp.fft.__dict__[name[1:]](mat) if name.startswith("ir") else mat


@pytest.mark.parametrize("case", [
    ("fft", {}, 5), ("fft", {"norm": "ortho"}, 5), ("fft", {"axis": 0}, 5), ("ifft", {}, 5), ("fft2", {}, 5),
    ("ifft2", {}, 5), ("fftn", {}, 5), ("ifftn", {}, 5), ("rfft", {}, 4), ("rfft", {"norm": "ortho"}, 4),
    ("rfft", {"axis": 0}, 4), ("irfft", {}, 4), ("irfft", {"norm": "ortho"}, 4), ("irfft", {"axis": 0}, 4),
    ("rfft2", {}, 4), ("irfft2", {}, 4), ("rfftn", {}, 4), ("irfftn", {}, 4), ("fftshift", {}, 5),
    ("fftshift", {"axes": 1}, 5), ("ifftshift", {}, 5), ("ifftshift", {"axes": 1}, 5),
], ids=lambda c: c[0] + "".join(f"_{k}" for k in c[1]))
def test_transform(case):
    name, kwargs, d = case
    f = fn(f"fft.{name}")
    mat = R(d, d) / 10.0
    if name.startswith("ir"):
        mat = onp.fft.rfftn(mat, axes=(0,) if kwargs.get("axis") == 0 else None) if name == "irfftn" else (
            onp.fft.rfft(mat, axis=kwargs.get("axis", -1)) if name == "irfft" else onp.fft.rfft2(mat))
    check_grads(lambda x: f(x, **kwargs))(mat)


@pytest.mark.parametrize("name, d", [("fft", 5), ("ifft", 5), ("rfft", 4), ("irfft", 4)])
@pytest.mark.parametrize("n", [-2, 2], ids=["smaller", "bigger"])
def test_fft_n(name, d, n):
    f = fn(f"fft.{name}")
    check_grads(lambda x: f(x, d + n))(_hermitian_input(name, R(d, d)))


@pytest.mark.parametrize("name, d", [("fft2", 5), ("ifft2", 5), ("fftn", 5), ("ifftn", 5), ("rfft2", 4),
                                     ("irfft2", 4), ("rfftn", 4), ("irfftn", 4)])
def test_fft_s(name, d):
    f = fn(f"fft.{name}")
    mat = _hermitian_input(name, R(d, d, d) / 10.0)
    check_grads(lambda x: f(x, s=[d + 2, d - 2], axes=[0, 2]))(mat)


def test_rfftn_subset():
    rfftn = fn("fft.rfftn")
    check_grads(lambda x: rfftn(x)[(0, 1, 0), (3, 3, 2)])(R(4, 4, 4) / 10.0)


def test_rfftn_axes():
    rfftn = fn("fft.rfftn")
    check_grads(lambda x: rfftn(x, axes=(0, 2)))(R(4, 4, 4) / 10.0)


def test_irfftn_subset():
    irfftn = fn("fft.irfftn")
    check_grads(lambda x: irfftn(x)[(0, 1, 0), (3, 3, 2)])(onp.fft.rfftn(R(4, 4, 4) / 10.0))


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shift_even(name):
    f = fn(f"fft.{name}")
    check_grads(f)(R(4, 4))
