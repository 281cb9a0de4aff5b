"""Port of autograd's tests/test_numpy.py: chainrule.numpy functions under check_grads.

Left aside: test_numpy_version (autograd re-exports numpy's version),
test_make_diagonal and the make_diagonal half of test_diagonal (an
autograd-only function), test_plain_numpy_reductions_on_box's internal
regression (the rest of it is kept as test_plain_numpy_reductions).
"""

from __future__ import annotations

import numpy as onp
import pytest
from check_grads import check_grads, combo_check

import chainrule as cr
import chainrule.numpy as np

R = onp.random.randn


def test_dot():
    mat1, mat2, vect1, vect2, vect3 = R(10, 11), R(10, 11), R(10), R(11), R(11)
    for a, b in [(mat1, vect2), (mat1, mat2.T), (vect1, mat1), (vect2, vect3)]:
        check_grads(np.dot)(a, b)


def test_dot_with_floats():
    mat1, vect1, float1 = R(10, 11), R(10), R()
    for a, b in [(mat1, float1), (float1, mat1), (vect1, float1), (float1, vect1)]:
        check_grads(np.dot)(a, b)


def test_outer():
    v2, v3 = R(11), R(11)
    for a, b in [(v2, v3), (v2.T, v3), (v2.T, v3.T)]:
        check_grads(np.outer)(a, b)


REDUCTIONS = {  # name: (function of x, input)
    "max": (lambda x: np.max(x), (10, 11)), "max_axis": (lambda x: np.max(x, axis=1), (3, 4, 5)),
    "max_axis_keepdims": (lambda x: np.max(x, axis=1, keepdims=True), (3, 4, 5)),
    "min": (lambda x: np.min(x), (10, 11)), "min_axis": (lambda x: np.min(x, axis=1), (3, 4, 5)),
    "min_axis_keepdims": (lambda x: np.min(x, axis=1, keepdims=True), (3, 4, 5)),
    "sum_1": (lambda x: np.sum(x), (10, 11)), "sum_2": (lambda x: np.sum(x, axis=0), (10, 11)),
    "sum_3": (lambda x: np.sum(x, axis=0, keepdims=True), (10, 11)),
    "sum_with_axis_tuple": (lambda x: np.sum(x, axis=(1, 2)), (10, 11, 7)),
    "flipud": (lambda x: np.flipud(x), (10, 11)), "fliplr": (lambda x: np.fliplr(x), (10, 11)),
    "rot90": (lambda x: np.rot90(x), (10, 11)),
    "cumsum_axis0": (lambda x: np.cumsum(x, axis=0), (10, 11)),
    "cumsum_axis1": (lambda x: np.cumsum(x, axis=1), (10, 11)),
    "cumsum_1d": (lambda x: np.cumsum(x), (10,)), "cumsum_no_axis": (lambda x: np.cumsum(x), (10, 11)),
    "mean_1": (lambda x: np.mean(x), (10, 11)), "mean_2": (lambda x: np.mean(x, axis=0), (10, 11)),
    "mean_3": (lambda x: np.mean(x, axis=0, keepdims=True), (10, 11)),
    "index_ints": (lambda x: x[3, 0, 1], (5, 6, 4)), "index_slice": (lambda x: x[::-1, 2:4, :], (5, 6, 4)),
    "index_lists": (lambda x: x[[0, 1, 2], :, :], (5, 6, 4)),
    "index_mixed": (lambda x: x[3, 2:, [1, 3]], (5, 6, 4)), "vector_slice": (lambda x: x[2:4], (5,)),
    "index_slice_fanout": (lambda x: x[::-1, 2:4, :] + x[::-1, 3:5, :], (5, 6, 4)),
    "index_multiple_slices": (lambda x: x[2:6][1:3], (7,)),
    "reshape_method": (lambda x: x.reshape((5 * 4, 6)), (5, 6, 4)),
    "reshape_call": (lambda x: np.reshape(x, (5 * 4, 6)), (5, 6, 4)),
    "reshape_method_nolist": (lambda x: x.reshape(5 * 4, 6), (5, 6, 4)),
    "ravel_method": (lambda x: x.ravel(), (5, 6, 4)), "ravel_call": (lambda x: np.ravel(x), (5, 6, 4)),
    "flatten_method": (lambda x: x.flatten(), (5, 6, 4)),
    "diag": (lambda x: np.diag(x), (10, 10)), "transpose": (lambda x: x.T, (8, 8)),
    "roll": (lambda x: np.roll(x, 2, axis=1), (4, 5)), "roll_no_axis": (lambda x: np.roll(x, 2), (4, 5)),
    "triu": (lambda x: np.triu(x, k=2), (5, 5)), "tril": (lambda x: np.tril(x, k=2), (5, 5)),
    "clip": (lambda x: np.clip(x, a_min=0.1, a_max=1.1), (5, 5)),
    "squeeze_func": (lambda x: np.squeeze(x), (5, 1, 4)), "squeeze_method": (lambda x: x.squeeze(), (5, 1, 4)),
    "repeat": (lambda x: np.repeat(x, 2, axis=1), (5, 3, 4)),
    "repeat_axis1_rep1": (lambda x: np.repeat(x, 1, axis=1), (5, 3, 4)),
    "repeat_axis0": (lambda x: np.repeat(x, 2, axis=0), (5, 3)),
    "repeat_1d_axis0": (lambda x: np.repeat(x, 2, axis=0), (5,)),
    "repeat_axis0_rep1": (lambda x: np.repeat(x, 1, axis=0), (5, 1)),
    "expand_dims": (lambda x: np.expand_dims(x, 2), (5, 1, 4)),
    "multi_index": (lambda x: np.sum(x[[0, 0]]), (3,)), "multi_index2": (lambda x: np.sum(x[[0, 1, 0]]), (3,)),
    "index_dot_slices": (lambda x: np.dot(x[:2], x[2:]), (4,)),
    "len": (lambda x: x if len(x) == 3 else None, (3, 2)),
    "r_basic": (lambda x: np.r_[x], (3, 2)), "r_double": (lambda x: np.r_[x, x], (3, 2)),
    "diagonal": (lambda x: np.diagonal(x, axis1=-1, axis2=-2), (4, 4)),
    "diagonal_3d": (lambda x: np.diagonal(x, axis1=-1, axis2=-2), (3, 4, 4)),
}


@pytest.mark.parametrize("case", sorted(REDUCTIONS))
def test_function(case):
    fun, shape = REDUCTIONS[case]
    check_grads(fun)(R(*shape))


@pytest.mark.parametrize("shape", [(2, 3), (2, 3), (2, 3), (7,)], ids=["prod_1", "prod_2", "prod_3", "prod_4"])
def test_prod(shape, request):
    kwargs = {"prod_1": {}, "prod_2": {"axis": 0}, "prod_3": {"axis": 0, "keepdims": True}, "prod_4": {}}
    check_grads(lambda x: np.prod(x, **kwargs[request.node.callspec.id]))(R(*shape) ** 2 + 0.1)


def test_plain_numpy_reductions():
    base = onp.abs(R(5)) + 0.5
    for plain, ours in [(onp.sum, np.sum), (onp.prod, np.prod), (onp.max, np.max), (onp.min, np.min)]:
        check_grads(lambda a, r=plain: r(np.exp(a) * base))(0.7)
        assert onp.isclose(cr.grad(lambda a, r=plain: r(np.exp(a) * base))(0.7),
                           cr.grad(lambda a, r=ours: r(np.exp(a) * base))(0.7))


def test_non_numpy_sum():
    check_grads(lambda x, y: sum([x, y]))(R(10, 11), R(10, 11))


@pytest.mark.parametrize("reduction, expected", [("mean", 1.0), ("std", 0.0), ("var", 0.0)])
def test_list_of_tensors(reduction, expected):
    f = getattr(np, reduction)
    assert cr.grad(lambda x: f([x, x + 2]))(0.0) == expected
    assert cr.grad(lambda x: f((x, x + 2)))(0.0) == expected


def test_simple_append_list():
    check_grads(np.append, argnum=(0, 1))([1.0, 2.0, 3.0], 4.0)


def test_simple_append_arr():
    check_grads(np.append, argnum=(0, 1))(np.array([1.0, 2.0, 3.0]), 4.0)


def test_simple_append_list_2d():
    check_grads(np.append, argnum=(0, 1))([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[7.0, 8.0, 9.0]], axis=0)


def test_simple_concatenate():
    a = R(5, 6, 4)
    check_grads(lambda x: np.concatenate((a, x)))(R(4, 6, 4))


@pytest.mark.parametrize("axis", [None, 1, "positional"])
def test_concatenate_axis(axis):
    b = R(5, 6, 4)
    if axis == "positional":
        check_grads(lambda x: np.concatenate((b, x, b), 1))(R(5, 6, 4))
    else:
        check_grads(lambda x: np.concatenate((b, x, b), axis=0 if axis is None else axis))(R(5, 6, 4))


@pytest.mark.parametrize("shape, lo, hi", [((10, 11), -9, 11), ((11, 10), -9, 11), ((5, 6, 4, 3), -5, 6)])
def test_trace(shape, lo, hi):
    offset = onp.random.randint(lo, hi)
    check_grads(lambda x: np.trace(x, offset=offset))(R(*shape))


@pytest.mark.parametrize("build", [
    lambda x: np.array([x, x * 1.0, x + 2.5]),
    lambda x: np.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]]),
    lambda x: np.array([x, x * 1.0, x + 2.5]) * 2,
    lambda x: np.array([[x, x * 1.0, x + 2.5], [x ** 2, x, x / 2.0]]) * 2,
    lambda x: np.array(x),
], ids=["1d_array", "2d_array", "1d_array_fanout", "2d_array_fanout", "array_from_scalar"])
def test_array_from_scalars(build):
    check_grads(build)(3.0)


def test_scalar_array_attributes():
    def fun(x):
        assert x.shape == () and x.ndim == 0 and x.size == 1 and x.dtype == np.float64
        return x ** 2
    assert cr.grad(fun)(3.0) == 6.0


@pytest.mark.parametrize("build", [lambda x: np.array([x, x]), lambda x: np.array([[2 * x, x + 1], [x, x]])],
                         ids=["array_from_arrays", "array_from_arrays_2"])
def test_array_from_arrays(build):
    check_grads(build)(R(3, 2))


@pytest.mark.parametrize("case", ["no_relation", "r_no_relation", "r_node_and_const", "r_mixed", "r_slicing",
                                  "c_", "c_mixed"])
def test_index_tricks(case):
    c = R(10) if case == "r_slicing" else R(3, 2)
    funs = {"no_relation": lambda x: c, "r_no_relation": lambda x: np.r_[c], "r_node_and_const": lambda x: np.r_[x, c],
            "r_mixed": lambda x: np.r_[x, c, x], "r_slicing": lambda x: np.r_[x, c, 1:10],
            "c_": lambda x: np.c_[x, c, x], "c_mixed": lambda x: np.c_[x, c, x]}
    check_grads(funs[case])(R(10) if case == "r_slicing" else R(3, 2))


def test_var_ddof():
    b, c, d = R(3), R(3, 4), R(1, 3)
    combo_check(np.var, (0,))([b, c, d], axis=[None], keepdims=[True, False], ddof=[0, 1])
    combo_check(np.var, (0,))([c, d], axis=[None, 1], keepdims=[True, False], ddof=[2])


def test_std_ddof():
    b, c, d = R(3), R(3, 4), R(1, 3)
    combo_check(np.std, (0,))([b, c, d], axis=[None], keepdims=[True, False], ddof=[0, 1])
    combo_check(np.std, (0,))([c, d], axis=[None, 1], keepdims=[True, False], ddof=[2])


def test_where():
    c = R(4, 5) > 0
    check_grads(lambda x, y: np.where(c, x, y))(R(4, 5), R(4, 5))


def test_tensordot_kwargs_by_position():
    cr.grad(lambda x: np.tensordot(x * np.ones((2, 2)), x * np.ones((2, 2)), 2))(1.0)


def test_cast_to_int():
    inds = np.ones(5)[:, None]

    def fun(w):
        np.concatenate((w, inds), axis=1)
        new_w, new_inds = w[:, :-1], np.int64(w[:, -1])
        assert new_inds.dtype == np.int64
        return new_w[new_inds].sum()

    w = onp.random.randn(5, 10)
    check_grads(fun)(w)


def test_nan_to_num():
    y = np.array([0.0, np.nan, np.inf, -np.inf])
    check_grads(lambda x: np.sum(np.sin(np.nan_to_num(x + y))))(R(4))


@pytest.mark.parametrize("case", ["max_equal_values", "max_equal_values_2d", "min_3_way_equality",
                                  "maximum_equal_values", "maximum_equal_values_2d"])
def test_equal_values(case):
    funs = {
        "max_equal_values": (lambda x: np.max(np.array([x, x])), [1.0]),
        "max_equal_values_2d": (lambda x: np.max(np.array([[x, x], [x, 0.5]]), axis=1), [1.0, -1.0]),
        "min_3_way_equality": (lambda x: np.min(np.array([[x, x, x], [x, 0.5, 0.5], [0.5, 0.5, 0.5],
                                                           [x, x, 0.5]]), axis=0), [1.0, -1.0]),
        "maximum_equal_values": (lambda x: np.maximum(x, x), [1.0]),
        "maximum_equal_values_2d": (lambda x: np.maximum(np.array([x, x, 0.5]),
                                                         np.array([[x, 0.5, x], [x, x, 0.5]])), [1.0, -1.0, 2.0]),
    }
    fun, points = funs[case]
    for p in points:
        check_grads(fun)(p)


def test_linspace():
    for num in [0, 1, 5]:
        def fun(x, y, num=num):
            return np.linspace(x, y, num)
        for a, b in [(1.2, 3.4), (1.2, -3.4), (1.2, 1.2)]:
            check_grads(fun)(a, b)


def test_astype():
    x = np.arange(3, dtype="float32")
    assert cr.grad(lambda x: np.sum(np.sin(x.astype("float64"))))(x).dtype == np.dtype("float32")


def test_gradient():
    for shape in [(10,), (10, 10), (10, 10, 10)]:
        check_grads(np.gradient, 0)(R(*shape))
    for a in [None, 0, 1, -1, (0, 1), (0, -1)]:
        check_grads(np.gradient, 0)(R(10, 10, 10), axis=a)
