"""Port of autograd's test_core, test_binary_ops, test_scalar_ops, test_truediv, test_logic,
test_direct, test_jacobian and test_graphs.

Left aside (autograd internals or complex numbers): test_logic's
no_vjp_def / no_jvp_def / unimplemented_falseyness (autograd's primitive
registry), test_direct's complex-output and holomorphic_grad tests,
test_graphs' two complex tests. test_graphs' assignment test expects
chainrule's own error (ChainruleError) where autograd raises TypeError.
"""

from __future__ import annotations

import itertools
import operator

import numpy as onp
import pytest
from check_grads import check_grads
from port_utils import fn

import chainrule as cr
import chainrule.numpy as np

R = onp.random.randn


# ---- test_core: operators on Python floats, against finite differences ----------------------------------
def _nd(f, x, eps=1e-4):
    return (f(x + eps / 2) - f(x - eps / 2)) / eps


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.truediv, operator.mul, operator.pow,
                                operator.mod, operator.eq, operator.ne, operator.le, operator.ge, operator.lt,
                                operator.gt], ids=lambda op: op.__name__)
def test_core_binary(op):
    x, y = 0.7, 1.8
    for argnum in (0, 1):
        analytic = float(cr.grad(lambda a, b: op(a, b) * 1.0, argnum)(x, y))
        numeric = _nd(lambda t: float(op(t, y) if argnum == 0 else op(x, t)), (x, y)[argnum])
        assert abs(analytic - numeric) < 1e-4 + 1e-4 * abs(numeric)


# ---- test_binary_ops / test_truediv ---------------------------------------------------------------------
def _arg_pairs():
    rs = onp.random.RandomState(0)
    args = [2.0, rs.randn(4), rs.randn(3, 4), rs.randn(1, 4)]
    return list(itertools.product(args, args))


def _gap(x):
    return onp.sqrt(onp.asarray(x) ** 2 + 0.5)


@pytest.mark.parametrize("name", ["mul", "add", "sub", "div", "truediv_file_div", "mod", "pow"])
def test_binary_op(name):
    funs = {"mul": operator.mul, "add": operator.add, "sub": operator.sub, "div": operator.truediv,
            "truediv_file_div": operator.truediv, "mod": operator.mod, "pow": operator.pow}
    for a, b in _arg_pairs():
        if name in ("div", "truediv_file_div", "mod"):
            if name == "mod" and a is b:
                continue  # no derivative where x == y
            a, b = _gap(a), _gap(b)
        if name == "pow":
            a = onp.abs(a) + 1.1
        check_grads(funs[name])(a, b)


def test_arctan2():
    arctan2 = fn("arctan2")
    for a, b in _arg_pairs():
        check_grads(arctan2)(a, b)


def test_hypot():
    for a, b in _arg_pairs():
        check_grads(np.hypot, modes=["rev"])(a, b)


COMPARISONS = [lambda x, y, op=op: np.sum(op(x, y)) + 0.0
               for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne)]


def test_comparison_grads():
    for a, b in _arg_pairs():
        zeros = (a + b) * 0
        for fun in COMPARISONS:
            assert onp.all(np.asarray(cr.grad(fun)(a, b)) == zeros)
            assert onp.all(np.asarray(cr.grad(fun, argnums=1)(a, b)) == zeros)


def test_comparison_values():
    for a, b in _arg_pairs():
        for fun in COMPARISONS:
            value, _ = cr.value_and_grad(fun)(a, b)
            assert fun(a, b) == value


# ---- test_scalar_ops ------------------------------------------------------------------------------------
SCALAR = {  # name: (function, points)
    "abs": (lambda x: 3.0 * np.abs(x), [1.1, -1.1]), "absolute": (lambda x: 3.0 * np.absolute(x), [1.1, -1.1]),
    "sin": (lambda x: 3.0 * np.sin(x), [R()]), "sign": (lambda x: 3.0 * np.sign(x), [1.1, -1.1]),
    "exp": (lambda x: 3.0 * np.exp(x), [R()]), "log": (lambda x: 3.0 * np.log(x), [abs(R())]),
    "log2": (lambda x: 3.0 * np.log2(x), [abs(R())]), "log10": (lambda x: 3.0 * np.log10(x), [abs(R())]),
    "log1p": (lambda x: 3.0 * np.log1p(x), [abs(R())]), "expm1": (lambda x: 3.0 * np.expm1(x), [abs(R())]),
    "exp2": (lambda x: 3.0 * np.exp2(x), [abs(R())]), "neg": (lambda x: -x, [R()]),
    "cos": (lambda x: 3.0 * np.cos(x), [R()]), "tan": (lambda x: 3.0 * np.tan(x), [R()]),
    "cosh": (lambda x: 3.0 * np.cosh(x), [R()]), "sinh": (lambda x: 3.0 * np.sinh(x), [R()]),
    "tanh": (lambda x: 3.0 * np.tanh(x), [R()]), "arccos": ("arccos", [0.1]), "arcsin": ("arcsin", [0.1]),
    "arctan": ("arctan", [0.2]), "arccosh": ("arccosh", [R() ** 2 + 1.2]), "arcsinh": ("arcsinh", [R()]),
    "arctanh": ("arctanh", [0.2]), "sqrt": (lambda x: 3.0 * np.sqrt(x), [10.0 * onp.random.rand()]),
    "reciprocal": (lambda x: np.reciprocal(x), [onp.random.rand()]),
    "negative": (lambda x: np.negative(x), [onp.random.rand()]),
    "rad2deg": (lambda x: np.rad2deg(x), [10.0 * onp.random.rand()]),
    "deg2rad": (lambda x: np.deg2rad(x), [10.0 * onp.random.rand()]),
    "radians": (lambda x: np.radians(x), [10.0 * onp.random.rand()]),
    "degrees": (lambda x: np.degrees(x), [10.0 * onp.random.rand()]),
}


@pytest.mark.parametrize("name", sorted(SCALAR))
def test_scalar(name):
    fun, points = SCALAR[name]
    if isinstance(fun, str):
        f = fn(fun)
        fun = lambda x: 3.0 * f(x)  # noqa: E731
    for p in points:
        check_grads(fun)(p)
    if name in ("abs", "absolute"):
        check_grads(fun, order=1)(0.0)


def test_power_arg0():
    y = R() ** 2 + 1.0
    check_grads(lambda x: np.power(x, y))(onp.random.rand() ** 2 + 1.0)
    zero_power = lambda x: np.power(x, 0.0)  # noqa: E731
    assert cr.grad(zero_power)(0.0) == 0.0
    assert cr.grad(cr.grad(zero_power))(0.0) == 0.0


def test_power_arg1():
    x = R() ** 2
    check_grads(lambda y: np.power(x, y))(onp.random.rand() ** 2)


def test_power_arg1_zero():
    check_grads(lambda y: np.power(0.0, y))(onp.random.rand() ** 2)


@pytest.mark.parametrize("name", ["mod", "divide", "multiply", "true_divide"])
@pytest.mark.parametrize("argnum", [0, 1])
def test_scalar_binary(name, argnum):
    f = getattr(np, name)
    check_grads(lambda x, y: f(x, y), argnum)(onp.random.rand(), onp.random.rand())


# ---- test_logic / test_direct / test_jacobian -----------------------------------------------------------
def test_assert():
    def fun(x):
        assert np.allclose(x, (x * 3.0) / 3.0)
        return np.sum(x)
    check_grads(fun)(np.array([1.0, 2.0, 3.0]))


def test_nograd():
    with pytest.raises((TypeError, cr.ChainruleError)):
        cr.grad(lambda x: np.allclose(x, (x * 3.0) / 3.0))(np.array([1.0, 2.0, 3.0]))


def test_falseyness():
    check_grads(lambda x: np.real(x ** 2 if np.iscomplex(x) else np.sum(x)))(2.0)


def test_direct_grad():
    assert abs(float(cr.grad(lambda x: (x + np.sin(x ** 2)) * x)(1.3)) - 3.190948746871) < 1e-6


def test_direct_deriv():
    _, t = cr.jvp(lambda x: (x + np.sin(x ** 2)) * x, (1.3,), (1.0,))
    assert abs(float(t) - 3.190948746871) < 1e-6


def test_jacobian_against_grad():
    fun = lambda x: np.sum(np.sin(x), axis=1, keepdims=True)  # noqa: E731
    a = R(1, 3)
    assert onp.allclose(np.asarray(cr.grad(fun)(a)), np.asarray(cr.jacobian(fun)(a)).reshape(1, 3))


def test_jacobian_scalar_to_vector():
    val = R()
    jac = cr.jacobian(lambda x: np.array([x, x ** 2, x ** 3]))(val)
    assert onp.allclose(np.asarray(jac), [1.0, 2 * val, 3 * val ** 2])


def test_jacobian_against_stacked_grads():
    scalar_funs = [lambda x: np.sum(x ** 3), lambda x: np.prod(np.sin(x) + np.sin(x)),
                   lambda x: cr.grad(lambda y: np.exp(y) * np.tanh(x[0]))(x[1])]
    x = R(5)
    jac = cr.jacobian(lambda x: np.array([f(x) for f in scalar_funs]))(x)
    assert onp.allclose(np.asarray(jac), onp.vstack([np.asarray(cr.grad(f)(x)) for f in scalar_funs]))


def test_jacobian_higher_order():
    fun = lambda x: np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))  # noqa: E731
    assert cr.jacobian(fun)(R(2)).shape == (2, 2, 2)
    assert cr.jacobian(cr.jacobian(fun))(R(2)).shape == (2, 2, 2, 2)
    check_grads(lambda x: np.sum(np.sin(cr.jacobian(fun)(x))))(R(2))
    check_grads(lambda x: np.sum(np.sin(cr.jacobian(cr.jacobian(fun))(x))))(R(2))


# ---- test_graphs --------------------------------------------------------------------------------------------
def test_grad_fanout():
    fun = lambda x: np.sin(np.sin(x) + np.sin(x))  # noqa: E731
    check_grads(fun)(R())
    check_grads(cr.grad(fun))(onp.random.rand())


def test_grad_const():
    assert onp.allclose(np.asarray(cr.grad(lambda x: 1.0)(2.0)), 0.0)


def test_grad_identity():
    df = cr.grad(lambda x: x)
    assert onp.allclose(np.asarray(df(2.0)), 1.0)
    assert onp.allclose(np.asarray(cr.grad(df)(2.0)), 0.0)


def test_hess_vector_prod():
    randv = R(10)
    fun = lambda x: np.sin(np.dot(x, randv))  # noqa: E731
    df = cr.grad(fun)
    check_grads(fun)(R(10))
    check_grads(lambda x, v: np.sin(np.dot(v, df(x))))(R(10), R(10))


@pytest.mark.parametrize("order", ["x*y", "y*x"])
def test_enclosing_scope_ref(order):
    def fun(x):
        inner = (lambda y: x * y) if order == "x*y" else (lambda y: y * x)
        return x * cr.grad(inner)(2.0)
    check_grads(fun)(1.0)


def test_mutating_outgrad():
    def fun(a):
        b = a + 1.0
        return (a + b) + (b + 1.5)
    check_grads(fun)(R(5))


def test_mutating_outgrad_from_indexing():
    def fun(a):
        b = a + 1.0
        return (a + b) + (b[0] + 1.5)
    check_grads(fun)(R(5))


@pytest.mark.parametrize("argnums", [(0, 0, 0), (0, 1, 0), (1, 0, 1)], ids=["one_arg", "other_args", "other_args2"])
def test_third_derivative(argnums):
    if argnums == (0, 0, 0):
        fun = lambda x: np.sin(np.sin(x) + np.sin(x))  # noqa: E731
        points = [(R(),), (onp.random.rand(),)]
    else:
        fun = lambda x, y: np.sin(np.sin(x) + np.sin(y))  # noqa: E731
        points = [(R(), R())] * 2
    check_grads(fun)(*points[0])
    for argnum in argnums:
        check_grads(cr.grad(fun, argnum))(*points[1])


@pytest.mark.parametrize("shape, axis, keepdims", [((3, 3), None, True), ((3, 1), 0, False), ((1, 3), 1, False),
                                                   ((3, 1), 0, True), ((1, 3), 1, True)])
def test_singleton_array_output(shape, axis, keepdims):
    fun = lambda x: np.sum(np.sin(x), axis=axis, keepdims=keepdims)  # noqa: E731
    check_grads(fun)(R(*shape))
    if fun(R(*shape)).size == 1:
        check_grads(lambda x: np.sum(cr.grad(fun)(x)))(R(*shape))


def test_assignment_raises_error():
    def fun(a, b):
        a[1] = b
        return a
    with pytest.raises(cr.ChainruleError):
        check_grads(fun)(R(5), 3.0)


# ---- test_dict / test_list / test_tuple: structured arguments -------------------------------------------------
def _container(kind):
    items = [R(5, 6), R(4, 3), R(2, 4)]
    if kind == "dict":
        return {"item_1": items[0], "item_2": items[1], "item_X": items[2]}, ["item_1", "item_2", "item_X"]
    return (items if kind == "list" else tuple(items)), [0, 1, 2]


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_container_getter(kind):
    value, keys = _container(kind)
    result = cr.grad(lambda d: np.sum(d[keys[0]]) + np.sum(d[keys[1]]) + np.sum(d[keys[1]]))(value)
    assert onp.allclose(np.asarray(result[keys[0]]), 1.0)
    assert onp.allclose(np.asarray(result[keys[1]]), 2.0)
    assert onp.allclose(np.asarray(result[keys[2]]), 0.0)


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_container_grads(kind):
    value, keys = _container(kind)

    def fun(d):
        return np.sum(np.sin(d[keys[0]])) + np.sum(np.cos(d[keys[1]]))

    def d_fun(d):
        g = cr.grad(fun)(d)
        return np.sum(g[keys[0]]) + np.sum(np.sin(g[keys[0]])) + np.sum(np.sin(g[keys[1]]))

    check_grads(fun)(value)
    check_grads(d_fun)(value)


def test_dict_iter():
    value, _ = _container("dict")

    def fun(d):
        a = b = 0.0
        for i, k in enumerate(sorted(d)):
            a = a + np.sum(np.sin(d[k])) * (i + 1.0)
            b = b + np.sum(np.cos(d[k]))
        return a + b

    check_grads(fun)(value)


def test_list_nested():
    check_grads(lambda x: x[1:][0])([[1.0], 2.0, 1.5])


def test_tuple_nested_higher_order():
    def outer_fun(x):
        return np.sum(np.sin(np.array(cr.grad(lambda y: y[0] * y[1])((x, x)))))
    check_grads(outer_fun)(5.0)
    check_grads(cr.grad(outer_fun))(10.0)
    check_grads(cr.grad(cr.grad(outer_fun)))(10.0)
