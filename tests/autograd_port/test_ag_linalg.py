"""Port of autograd's tests/test_linalg.py (reverse mode, order 2, as autograd checks them).

Left aside: every *_complex test and test_eig_complex / test_eig_batched
(complex matrices), test_pinv's low-rank half (it calls autograd-internal
helpers np.linalg._dot / np.linalg.T). test_eig_real's eigenvalues of a real
matrix are complex in general, so it checks their absolute values, as
autograd does.
"""

from __future__ import annotations

from functools import partial

import numpy as onp
import pytest
from check_grads import check_grads as _check_grads
from port_utils import fn

import chainrule as cr
import chainrule.numpy as np

R = onp.random.randn
check_grads = partial(_check_grads, modes=["rev"])


def T(a):
    return np.swapaxes(a, -1, -2)


def rand_psd(d):
    m = R(d, d)
    return m @ m.T


def check_symmetric_matrix_grads(fun, **kwargs):
    def check(*args):
        def symmetrize(a):
            lower = np.tril(a)
            return (lower + T(lower)) / 2.0
        check_grads(lambda *a: fun(symmetrize(a[0]), *a[1:]), **kwargs)(*args)
    return check


def test_inv():
    inv = fn("linalg.inv")
    m = R(8, 8)
    check_grads(inv)(m @ m + np.eye(8))


def test_pinv():
    pinv = fn("linalg.pinv")
    for m in range(2, 8):
        check_grads(pinv)(R(5, m))
        check_grads(pinv)(R(2, 5, m))


def test_inv_3d():
    inv = fn("linalg.inv")
    check_grads(inv)(R(4, 4, 4) + 5 * onp.eye(4))
    check_grads(inv)(R(4, 4, 4, 4) + 5 * onp.eye(4))


@pytest.mark.parametrize("case", ["arg1", "arg1_1d", "arg2", "arg1_3d", "arg1_3d_3d"])
def test_solve(case):
    solve = fn("linalg.solve")
    if case == "arg1":
        b = R(8, 7)
        check_grads(lambda a: solve(a, b))(R(8, 8) + 10.0 * onp.eye(8))
    elif case == "arg1_1d":
        b = R(8)
        check_grads(lambda a: solve(a, b))(R(8, 8) + 10.0 * onp.eye(8))
    elif case == "arg2":
        a = R(6, 6) + 1.0 * onp.eye(6)
        check_grads(lambda b: solve(a, b))(R(6, 5))
    elif case == "arg1_3d":
        b = R(5, 4)
        check_grads(lambda a: solve(a, b[..., None])[..., 0])(R(5, 4, 4) + 5 * onp.eye(4))
    else:
        b = R(5, 4, 6)
        check_grads(lambda a: solve(a, b))(R(5, 4, 4) + 5 * onp.eye(4))


def test_det():
    check_grads(fn("linalg.det"))(R(6, 6))


def test_det_3d():
    check_grads(fn("linalg.det"))(R(3, 3, 3))


def test_slogdet():
    slogdet = fn("linalg.slogdet")
    m = R(6, 6)
    check_grads(lambda x: slogdet(x)[1])(m)
    check_grads(lambda x: slogdet(x)[1])(-m)


def test_slogdet_3d():
    slogdet = fn("linalg.slogdet")
    m = onp.concatenate([(rand_psd(5) + 5 * onp.eye(5))[None, ...] for _ in range(3)])
    check_grads(lambda x: np.sum(slogdet(x)[1]))(m)


def test_vector_2norm():
    check_grads(np.linalg.norm, modes=["fwd", "rev"])(R(6))


def test_norm_list_of_tensors():
    assert cr.grad(lambda x: np.linalg.norm([x, x + 2]))(0.0) == 1.0
    assert cr.grad(lambda x: np.linalg.norm((x, x + 2)))(0.0) == 1.0


def test_frobenius_norm():
    check_grads(np.linalg.norm, modes=["fwd", "rev"])(R(6, 5))


def test_frobenius_norm_axis():
    check_grads(lambda x: np.linalg.norm(x, axis=(0, 1)), modes=["fwd", "rev"])(R(6, 5, 4))


@pytest.mark.parametrize("ord", range(2, 5))
def test_vector_norm_ord(ord):
    check_grads(lambda x: np.linalg.norm(x, ord=ord), modes=["fwd", "rev"])(R(6))


@pytest.mark.parametrize("axis", range(3))
def test_norm_axis(axis):
    check_grads(lambda x: np.linalg.norm(x, axis=axis), modes=["fwd", "rev"])(R(6, 5, 4))


def _needs_svd():
    fn("linalg.svd")


def test_norm_nuclear():
    _needs_svd()
    check_grads(lambda x: np.linalg.norm(x, ord="nuc"), modes=["fwd", "rev"], order=1)(R(6, 5))


def test_norm_nuclear_axis():
    _needs_svd()
    check_grads(lambda x: np.linalg.norm(x, ord="nuc", axis=(0, 1)), modes=["fwd", "rev"], order=1)(R(6, 5, 4))


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(uplo):
    eigh = fn("linalg.eigh")
    check_grads(lambda x: tuple(eigh(x, uplo)))(R(6, 6))


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_broadcasting(uplo):
    eigh = fn("linalg.eigh")
    m = R(2, 3, 6, 6) + 10 * onp.eye(6)[None, None, ...]
    check_grads(lambda x: tuple(eigh(x, uplo)))(onp.einsum("...ij,...kj->...ik", m, m))


def test_eig_real():
    eig = fn("linalg.eig")
    check_grads(lambda x: tuple(np.abs(part) for part in eig(x)))(R(8, 8))


def test_cholesky():
    check_symmetric_matrix_grads(fn("linalg.cholesky"))(rand_psd(6))


def test_cholesky_broadcast():
    a = onp.concatenate([rand_psd(6)[None, :, :] for _ in range(3)], axis=0)
    check_symmetric_matrix_grads(fn("linalg.cholesky"))(a)


def test_cholesky_reparameterization_trick():
    cholesky = fn("linalg.cholesky")

    def fun(a):
        z = np.dot(cholesky(a), onp.random.RandomState(0).randn(a.shape[0]))
        return np.linalg.norm(z)

    check_symmetric_matrix_grads(fun)(rand_psd(6))


@pytest.mark.parametrize("shape", [(3, 5), (4, 3, 5), (4, 4), (3, 4, 4), (5, 3), (4, 5, 3)],
                         ids=["wide_2d", "wide_3d", "square_2d", "square_3d", "tall_2d", "tall_3d"])
def test_svd(shape):
    svd = fn("linalg.svd")
    check_grads(lambda x: tuple(svd(x, full_matrices=False)))(R(*shape))


@pytest.mark.parametrize("shape", [(5, 3), (4, 5, 3)], ids=["2d", "3d"])
def test_svd_only_s(shape):
    svd = fn("linalg.svd")
    check_grads(lambda x: svd(x, full_matrices=False, compute_uv=False))(R(*shape))
