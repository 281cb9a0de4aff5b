"""Port of autograd's tests/test_wrappers.py and the regression half of test_ufunc_dispatch.py.

autograd's wrappers map to chainrule's transforms: value_and_grad, grad
with argnums (autograd's argnum) and has_aux (grad_and_aux), hessian, hvp
(make_hvp / hessian_tensor_product), jvp (make_jvp), vjp
(tensor_jacobian_product, elementwise_grad written with it).

Left aside (autograd internals): the deprecated defgrad / defvjp /
defvjp_is_zero / quick_grad_check wrappers, checkpoint_memory (manual, needs
memory_profiler), and test_dtypes' longdouble / clongdouble halves. The
xarray half of test_ufunc_dispatch needs xarray (not installed here).
test_custom_where_dtypes checks NumPy's own result dtypes (autograd returns
Python scalars for scalar inputs; chainrule.numpy keeps NumPy's meaning).
"""

from __future__ import annotations

from functools import partial

import numpy as onp
import pytest
from check_grads import check_equivalent, check_grads

import chainrule as cr
import chainrule.numpy as np

R = onp.random.randn


def _a(x):
    return onp.asarray(x)


def elementwise_grad(f, argnum=0):
    """autograd's elementwise_grad: the VJP with a cotangent of ones."""
    def g(*args):
        def f_of(x):
            return f(*args[:argnum], x, *args[argnum + 1:])
        out, back = cr.vjp(f_of, args[argnum])
        return back(onp.ones(onp.shape(out)))[0]
    return g


def test_return_both():
    fun = lambda x: 3.0 * x ** 3.2  # noqa: E731
    f, d = cr.value_and_grad(fun)(1.7)
    assert f == fun(1.7)
    assert d == cr.grad(fun)(1.7)


def test_value_and_grad():
    fun = lambda x: np.sum(np.sin(x) ** 2)  # noqa: E731
    both = cr.value_and_grad(fun)
    x = R(5)
    check_equivalent(_a(fun(x)), _a(both(x)[0]))
    check_equivalent(_a(cr.grad(fun)(x)), _a(both(x)[1]))
    check_grads(lambda x: both(x)[0])(x)


def test_hessian():
    h = R(5, 5)
    check_equivalent(_a(cr.hessian(lambda x: np.dot(np.dot(x, h), x))(R(5))), h + h.T)


def _complicated(a, b, c, d, e, f=1.1, g=9.0):
    return a + np.sin(b) + np.cosh(c) + np.cos(d) + np.tan(e) + f + g


def test_multigrad():
    args = (0.5, -0.3, 0.2, -1.1, 0.7)
    wrapped = cr.grad(_complicated, argnums=(3, 1))(*args, f=0.6, g=-0.1)
    explicit = cr.grad(lambda db: _complicated(args[0], db[1], args[2], db[0], args[4], f=0.6, g=-0.1))(
        (args[3], args[1]))
    check_equivalent(tuple(_a(w) for w in wrapped), tuple(_a(e) for e in explicit))


def test_value_and_multigrad():
    args = (0.5, -0.3, 0.2, -1.1, 0.7)
    value, grads = cr.value_and_grad(_complicated, argnums=(3, 1))(*args, f=0.6, g=-0.1)
    check_equivalent(_a(_complicated(*args, f=0.6, g=-0.1)), _a(value))
    check_equivalent(tuple(_a(g) for g in cr.grad(_complicated, argnums=(3, 1))(*args, f=0.6, g=-0.1)),
                     tuple(_a(g) for g in grads))


def test_multigrad_onearg():
    a, b = R(3), R(3)
    single = cr.grad(lambda x, y: np.sum(x + np.sin(y)), argnums=(0,))(a, b)
    packed = cr.grad(lambda xy: np.sum(xy[0] + np.sin(xy[1])))((a, b))
    check_equivalent(_a(single[0]), _a(packed[0]))


def test_elementwise_grad():
    f = lambda a: a + np.sin(a) + np.cosh(a)  # noqa: E731
    a = R(10)
    check_equivalent(_a(elementwise_grad(f)(a)), onp.array([float(cr.grad(f)(a[i])) for i in range(10)]))


def test_elementwise_grad_multiple_args():
    f = lambda a, b: a + np.sin(a) + np.cosh(b)  # noqa: E731
    b = R(10)
    check_equivalent(_a(elementwise_grad(f, 1)(0.9, b)),
                     onp.array([float(cr.grad(f, 1)(0.9, b[i])) for i in range(10)]))


@pytest.mark.parametrize("shape", [(5,), (5, 4), (5, 4, 3)], ids=["vector", "matrix", "3d"])
def test_hessian_tensor_product(shape):
    fun = lambda a: np.sum(np.sin(a))  # noqa: E731
    a, v = R(*shape), R(*shape)
    h = _a(cr.hessian(fun)(a))
    check_equivalent(onp.tensordot(h, v, axes=v.ndim), _a(cr.hvp(fun, (a,), (v,))[1]))


@pytest.mark.parametrize("a_shape, v_shape", [((5,), (5,)), ((5, 4), (5, 4)), ((5, 4, 3), (5, 4))],
                         ids=["vector", "matrix", "3d"])
def test_tensor_jacobian_product(a_shape, v_shape):
    fun = lambda a: np.roll(np.sin(a), 1)  # noqa: E731
    a, v = R(*a_shape), R(*v_shape)
    if len(a_shape) == 3:
        fun = lambda a: np.sum(np.roll(np.sin(a), 1), axis=-1)  # noqa: E731  (output (5, 4), as v)
    j = _a(cr.jacobian(fun)(a))
    _, back = cr.vjp(fun, a)
    check_equivalent(onp.tensordot(v, j, axes=v.ndim), _a(back(v)[0]))


def test_partial():
    cr.grad(partial(lambda x, y: x, y=1))


def test_dtypes():
    f = lambda x: np.real(np.sum(x ** 2))  # noqa: E731
    assert cr.grad(f)(R(10, 10).astype(onp.float32)).dtype == onp.float32
    assert cr.grad(f)(R(10, 10).astype(onp.float16)).dtype == onp.float16


@pytest.mark.parametrize("condition, x, y", [
    (True, 1, 2), (True, 3.0, 4.0), (False, 1, 2.0), (True, [1, 2], [3, 4]),
    (True, onp.array([1.0], dtype=onp.float32), onp.array([2.0], dtype=onp.float32)),
    (False, onp.array([1.0]), onp.array([2.0])), (False, onp.array([1.0]), onp.array([2.0], dtype=onp.float32)),
])
def test_custom_where_dtypes(condition, x, y):
    assert onp.asarray(np.where(condition, x, y)).dtype == onp.where(condition, x, y).dtype


def test_custom_where():
    x, y, condition = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), [True, False, True]
    expected = onp.array([1.0, 5.0, 3.0])
    check_equivalent(_a(np.where(condition, x, y)), expected)
    check_equivalent(_a(np.where(condition=condition, x=x, y=y)), expected)
    check_equivalent(_a(np.where(condition, x, y=y)), expected)
    assert onp.all(np.where(condition)[0] == onp.array([0, 2]))


def test_make_jvp():
    a, x, v = R(3, 5), R(5), R(5)
    fun = lambda x: np.tanh(np.dot(a, x))  # noqa: E731
    check_equivalent(_a(cr.jacobian(fun)(x)) @ v, _a(cr.jvp(fun, (x,), (v,))[1]))


def _ggnvp(f, g, x, v):
    """J(x)ᵀ H_g(f(x)) J(x) v by a jvp, a hessian-vector product and a vjp."""
    fx, jv = cr.jvp(f, (x,), (v,))
    _, hjv = cr.hvp(g, (_a(fx),), (_a(jv),))
    return cr.vjp(f, x)[1](_a(hjv))[0]


@pytest.mark.parametrize("nondefault_g", [False, True])
def test_make_ggnvp(nondefault_g):
    a, x, v = R(5, 4), R(4), R(4)
    g = (lambda y: np.sum(2.0 * y ** 2 + y ** 4)) if nondefault_g else (lambda y: 0.5 * np.dot(y, y))
    for fun in (lambda x: np.dot(a, x), lambda x: np.tanh(np.dot(a, x))):
        j, h = _a(cr.jacobian(fun)(x)), _a(cr.hessian(g)(_a(fun(x))))
        check_equivalent(_a(_ggnvp(fun, g, x, v)), j.T @ (h @ (j @ v)))


def test_grad_and_aux():
    a, x = R(5, 4), R(4)
    g, aux = cr.grad(lambda x: (np.sum(np.dot(a, x)), x ** 2), has_aux=True)(x)
    check_equivalent(_a(g), _a(cr.grad(lambda x: np.sum(np.dot(a, x)))(x)))
    check_equivalent(_a(aux), x ** 2)


# ---- test_ufunc_dispatch: NumPy's own ufuncs on tensors (chainrule's __array_ufunc__) ----------------------
def test_ufunc_tensor_scalar_times_plain_ndarray():
    coeffs = onp.array([1.0, 2.0, 3.0])
    f = lambda x: onp.sum(x * coeffs)  # noqa: E731
    assert f(2.0) == onp.sum(2.0 * coeffs)
    assert cr.grad(f)(2.0) == onp.sum(coeffs)
    check_grads(f)(2.0)


def test_ufunc_plain_ndarray_times_tensor_scalar():
    coeffs = onp.array([1.0, 2.0, 3.0])
    f = lambda x: onp.sum(coeffs * x)  # noqa: E731
    assert cr.grad(f)(2.0) == onp.sum(coeffs)
    check_grads(f)(2.0)


def test_ufunc_tensor_array_elementwise_plain_ndarray():
    coeffs = onp.array([2.0, 3.0, 4.0])
    f = lambda x: onp.sum(x * coeffs)  # noqa: E731
    x0 = onp.array([1.0, -1.0, 0.5])
    assert onp.allclose(_a(cr.grad(f)(x0)), coeffs)
    check_grads(f)(x0)


def test_ufunc_between_two_tensors_still_differentiates():
    x = onp.array([1.0, 2.0, 3.0])
    assert onp.allclose(_a(cr.grad(lambda v: onp.sum(onp.multiply(v, v)))(x)), 2.0 * x)


def test_ufunc_tensor_and_scalar_still_differentiates():
    check_grads(lambda v: onp.sum(onp.sin(v) + 2.0 * v))(onp.array([0.1, 0.2, 0.3]))
