"""Port of autograd's tests/test_systematic.py: every function over its input shapes, both modes, order 2.

Complex inputs (autograd's `test_complex` halves and the C(...) cases) are
left out: chainrule.numpy is real-only so far.
"""

from __future__ import annotations

import operator

import numpy as onp
import pytest
from check_grads import combo_check
from port_utils import binary_ufunc_check, fn, stat_check, unary_ufunc_check

R = onp.random.randn

STATS = ["max", "mean", "min", "sum", "prod", "var", "std"]

UNARY = {  # name: input limits (autograd's)
    "sin": (-2, 2), "abs": (0.1, 4.0), "absolute": (0.1, 4.0), "arccosh": (1.1, 4.0), "arcsinh": (-0.9, 0.9),
    "arctanh": (-0.9, 0.9), "ceil": (-1.5, 1.5), "cos": (-2, 2), "cosh": (-2, 2), "deg2rad": (-2, 2),
    "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "fabs": (-2, 2), "floor": (-1.5, 1.5),
    "log": (0.2, 2.0), "log10": (0.2, 2.0), "log1p": (0.2, 2.0), "log2": (0.2, 2.0), "radians": (-2, 2),
    "sign": (-2, 2), "sinh": (-2, 2), "sqrt": (1.0, 3.0), "square": (-2, 2), "tan": (-1.1, 1.1),
    "tanh": (-2, 2), "real": (-2, 2), "real_if_close": (-2, 2), "imag": (-2, 2), "conj": (-2, 2),
    "conjugate": (-2, 2), "angle": (-2, 2),
}


@pytest.mark.parametrize("name", STATS)
def test_stat(name):
    stat_check(fn(name))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    unary_ufunc_check(fn(name), lims=UNARY[name])


def test_degrees():
    degrees = fn("degrees")
    unary_ufunc_check(lambda x: degrees(x) / 50.0)


def test_rad2deg():
    rad2deg = fn("rad2deg")
    unary_ufunc_check(lambda x: rad2deg(x) / 50.0)


BINARY = {  # name: (limits of a, limits of b, same arguments allowed)
    "add": ((-2, 2), (-2, 2), True), "logaddexp": ((-2, 2), (-2, 2), True),
    "logaddexp2": ((-2, 2), (-2, 2), True), "remainder": ((-0.9, 0.9), (0.7, 1.9), False),
    "true_divide": ((-2, 2), (0.8, 1.2), True), "mod": ((-2, 2), (0.8, 2.1), False),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name):
    lims_a, lims_b, same = BINARY[name]
    binary_ufunc_check(fn(name), lims_a, lims_b, same_args=same)


def test_true_divide_neg():
    binary_ufunc_check(fn("true_divide"), lims_b=(-0.3, -2.0))


def test_mod_neg():
    binary_ufunc_check(fn("mod"), lims_b=(-0.3, -2.0), same_args=False)


@pytest.mark.parametrize("op", [operator.mul, operator.add, operator.sub], ids=["mul", "add", "sub"])
def test_operator(op):
    binary_ufunc_check(op)


def test_op_mod():
    binary_ufunc_check(operator.mod, lims_b=(0.3, 2.0), same_args=False)


def test_op_mod_neg():
    binary_ufunc_check(operator.mod, lims_b=(-0.3, -2.0), same_args=False)


# ---- the rest of autograd's "misc" cases, as (function name, argnums, arg lists, kwarg lists, order) ----
def _cases():
    return {
        "transpose": ("transpose", [0], [[R(2, 3, 4)]],
                      {"axes": [None, [0, 1, 2], [0, 2, 1], [2, 0, 1], [2, 1, 0], [1, 0, 2], [1, 2, 0]]}),
        "moveaxis": ("moveaxis", [0], [[R(2, 3, 4)]], {"source": [0, 1, 2], "destination": [0, 1, 2]}),
        "repeat": ("repeat", [0], [[R(2, 3, 4), R(3, 1)]], {"repeats": [0, 1, 2], "axis": [None, 0, 1]}),
        "diff": ("diff", [0], [[R(5, 5), R(5, 5, 5)]], {"n": [1, 2], "axis": [0, 1]}),
        "diff_single": ("diff", [0], [[R(1), R(1, 1)]], {"axis": [0]}),
        "diff_column": ("diff", [0], [[R(1, 1), R(3, 1)]], {"axis": [1]}),
        "gradient": ("gradient", [0], [[R(5, 5), R(5, 5, 5)]], {"axis": [None, 0, 1, -1]}),
        "gradient_axes": ("gradient", [0], [[R(5, 5, 5)]], {"axis": [(0, 1), (0, -1)]}),
        "tile": ("tile", [0], [[R(2, 1, 3, 1)]], {"reps": [(1, 4, 1, 2)]}),
        "tile_2d": ("tile", [0], [[R(1, 2)]], {"reps": [(1, 2), (2, 3), (3, 2, 1)]}),
        "tile_1d": ("tile", [0], [[R(1)]], {"reps": [(2,), 2]}),
        "kron": ("kron", [0, 1], [[R(5, 5), R(4, 4), R(5), R(5, 1), R(1, 5), R()],
                                  [R(3, 3), R(2, 2), R(3), R(1, 3), R(3, 1), R()]], {}),
        "inner": ("inner", [0, 1], [[1.5, R(3), R(2, 3)], [0.3, R(3), R(4, 3)]], {}),
        "dot": ("dot", [0, 1], [[1.5, R(3), R(2, 3), R(2, 2, 3)], [0.3, R(3), R(3, 4), R(2, 3, 4)]], {}, 3),
        "outer": ("outer", [0, 1], [[R(3)], [R(3)]], {}, 3),
        "matmul": ("matmul", [0, 1], [[R(3), R(2, 3), R(2, 2, 3)], [R(3), R(3, 4), R(2, 3, 4)]], {}),
        "matmul_broadcast": ("matmul", [0, 1], [[R(1, 2, 2)], [R(3, 2, 1)]], {}),
        "tensordot_1": ("tensordot", [0, 1], [[R(1, 3), R(2, 3, 2)], [R(3), R(3, 1), R(3, 4, 2)]],
                        {"axes": [[(1,), (0,)]]}, 3),
        "tensordot_2": ("tensordot", [0, 1], [[R(3), R(3, 1), R(3, 4, 2)], [R(1, 3), R(2, 3, 2)]],
                        {"axes": [[(0,), (1,)]]}, 3),
        "tensordot_3": ("tensordot", [0, 1], [[R(2, 3), R(2, 3, 4)], [R(1, 2, 3), R(2, 2, 3, 4)]],
                        {"axes": [[(0, 1), (1, 2)], [(1, 0), (2, 1)]]}, 3),
        "tensordot_4": ("tensordot", [0, 1], [[R(2, 2), R(4, 2, 2)], [R(2, 2), R(2, 2, 4)]], {"axes": [1, 2]}, 3),
        "tensordot_5": ("tensordot", [0, 1], [[R(4)], [R()]], {"axes": [0]}, 3),
        "tensordot_6": ("tensordot", [0, 1], [[R(2, 6)], [R(6, 3)]], {"axes": [[[-1], [0]]]}, 3),
        "tensordot_7": ("tensordot", [0, 1], [[R(2, 6)], [R(6, 3)]], {"axes": [[-1, 0]]}, 3),
        "tensordot_8": ("tensordot", [0, 1], [[R(2)], [R(2, 2)]], {"axes": [[0, 1]]}, 3),
        "maximum": ("maximum", [0, 1], [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]], {}),
        "fmax": ("fmax", [0, 1], [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]], {}),
        "minimum": ("minimum", [0, 1], [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]], {}),
        "fmin": ("fmin", [0, 1], [[R(1), R(1, 4), R(3, 4)], [R(1), R(1, 4), R(3, 4)]], {}),
        "sort": ("sort", [0], [[R(1), R(7)]], {}),
        "partition": ("partition", [0], [[R(7), R(14)]], {"kth": [0, 3, 6]}),
        "atleast_1d": ("atleast_1d", [0], [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5)]], {}),
        "atleast_2d": ("atleast_2d", [0], [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5)]], {}),
        "atleast_3d": ("atleast_3d", [0], [[1.2, R(1), R(7), R(1, 4), R(2, 4), R(2, 4, 5), R(2, 4, 3, 5)]], {}),
        "einsum_transpose": ("einsum", [1], [["ij->ji"], [R(1, 1), R(4, 4), R(3, 4)]], {}),
        "einsum_matmult": ("einsum", [1, 2], [["ij,jk->ik"], [R(2, 3)], [R(3, 4)]], {}),
        "einsum_matmult_broadcast": ("einsum", [1, 2], [["...ij,...jk->...ik"], [R(2, 3), R(2, 2, 3)],
                                                        [R(3, 4), R(2, 3, 4)]], {}),
        "einsum_matmult_broadcast_leadzero": ("einsum", [1, 2], [["...ij,...jk->...ik"], [R(0, 2, 3)],
                                                                 [R(0, 3, 4)]], {}),
        "einsum_covsum": ("einsum", [1, 2], [["ijk,lji->lki"], [R(3, 4, 4)], [R(4, 4, 3)]], {}),
        "einsum_ellipses": ("einsum", [1, 2], [["...jk,...lj->...lk", "...,...->..."], [R(4, 4), R(3, 4, 4)],
                                               [R(4, 4), R(3, 4, 4)]], {}),
        "einsum_ellipses_tail": ("einsum", [1, 2], [["jk...,lj...->lk..."], [R(3, 2), R(3, 2, 4)],
                                                    [R(2, 3), R(2, 3, 4)]], {}),
        "einsum_ellipses_center": ("einsum", [1, 2], [["j...k,lj...->lk..."], [R(2, 2), R(2, 2, 2)],
                                                      [R(2, 2), R(2, 2, 2)]], {}),
        "einsum_three_args": ("einsum", [1, 2], [["ijk,lji,lli->lki"], [R(3, 4, 4)], [R(4, 4, 3)],
                                                 [R(4, 4, 3)]], {}),
        "einsum2_transpose": ("einsum", [0], [[R(1, 1), R(4, 4), R(3, 4)], [(0, 1)], [(1, 0)]], {}),
        "einsum2_matmult": ("einsum", [0, 2], [[R(2, 3)], [(0, 1)], [R(3, 4)], [(1, 2)], [(0, 2)]], {}),
        "einsum2_matmult_broadcast": ("einsum", [0, 2], [[R(2, 3), R(2, 2, 3)], [(Ellipsis, 0, 1)],
                                                         [R(3, 4), R(2, 3, 4)], [(Ellipsis, 1, 2)],
                                                         [(Ellipsis, 0, 2)]], {}),
        "einsum2_covsum": ("einsum", [0, 2], [[R(3, 4, 4)], [(0, 1, 2)], [R(4, 4, 3)], [(3, 1, 0)],
                                              [(3, 2, 0)]], {}),
        "einsum2_three_args": ("einsum", [0, 2], [[R(3, 4, 4)], [(0, 1, 2)], [R(4, 4, 3)], [(3, 1, 0)],
                                                  [R(4, 4, 3)], [(3, 3, 0)], [(3, 2, 0)]], {}),
        "einsum_naked_sum": ("einsum", [1, 2], [["k,nk->"], [R(5)], [R(10, 5)]], {}),
        "einsum_naked_sum2": ("einsum", [1], [["abcd->bd"], [R(3, 2, 3, 2)]], {}),
        "einsum_naked_sum_ellipsis": ("einsum", [1, 2], [["...k,...nk->..."], [R(3, 5)], [R(3, 10, 5)]], {}),
        "einsum_no_output_indices": ("einsum", [1, 2], [["ij,k"], [R(3, 4)], [R(3)]], {}),
        "trace": ("trace", [0], [[R(5, 5), R(4, 5), R(5, 4), R(3, 4, 5)]], {"offset": [-1, 0, 1]}),
        "diag": ("diag", [0], [[R(5, 5)]], {"k": [-1, 0, 1]}),
        "diag_flat": ("diag", [0], [[R(5)]], {"k": [-1, 0, 1]}),
        "tril": ("tril", [0], [[R(5, 5)]], {"k": [-1, 0, 1]}),
        "triu": ("triu", [0], [[R(5, 5)]], {"k": [-1, 0, 1]}),
        "tril_3d": ("tril", [0], [[R(5, 5, 4)]], {"k": [-1, 0, 1]}),
        "triu_3d": ("triu", [0], [[R(5, 5, 4)]], {"k": [-1, 0, 1]}),
        "swapaxes": ("swapaxes", [0], [[R(3, 4, 5)]], {"axis1": [0, 1, 2], "axis2": [0, 1, 2]}),
        "rollaxis": ("rollaxis", [0], [[R(2, 3, 4)]], {"axis": [0, 1, 2], "start": [0, 1, 2]}),
        "cross": ("cross", [0, 1], [[R(3, 3)], [R(3, 3)]],
                  {"axisa": [-1, 0, 1], "axisb": [-1, 0, 1], "axisc": [-1, 0, 1], "axis": [None, -1, 0, 1]}),
        "vsplit_2d": ("vsplit", [0], [[R(4, 8)], [4, [1, 2]]], {}),
        "vsplit_3d": ("vsplit", [0], [[R(4, 4, 4)], [2, [1, 2]]], {}),
        "hsplit_2d": ("hsplit", [0], [[R(4, 8)], [4, [1, 2]]], {}),
        "hsplit_3d": ("hsplit", [0], [[R(4, 4, 4)], [2, [1, 2]]], {}),
        "dsplit_3d": ("dsplit", [0], [[R(4, 4, 4)], [2, [1, 2]]], {}),
        "split_1d": ("split", [0], [[R(1), R(7)], [1]], {"axis": [0]}),
        "split_2d": ("split", [0], [[R(4, 8)], [4, [1, 2]]], {"axis": [0, 1]}),
        "split_3d": ("split", [0], [[R(4, 4, 4)], [2, [1, 2]]], {"axis": [0, 1, 2]}),
        "array_split_1d": ("array_split", [0], [[R(1), R(7)], [1, 3]], {"axis": [0]}),
        "array_split_2d": ("array_split", [0], [[R(7, 7)], [4, [3, 5]]], {"axis": [0, 1]}),
        "array_split_3d": ("array_split", [0], [[R(7, 7, 7)], [4, [3, 5]]], {"axis": [0, 1, 2]}),
        "concatenate_list": ("concatenate", [0], [[(R(1), R(3))]], {"axis": [0]}),
        "concatenate_tuple": ("concatenate", [0], [[[R(1), R(3)]]], {"axis": [0]}),
        "concatenate_2d": ("concatenate", [0], [[(R(2, 2), R(2, 2))]], {"axis": [0, 1]}),
        "concatenate_3d": ("concatenate", [0], [[(R(2, 2, 2), R(2, 2, 2))]], {"axis": [0, 1, 2]}),
        "vstack_1d": ("vstack", [0], [[R(2), (R(2), R(2))]], {}),
        "vstack_2d": ("vstack", [0], [[R(2, 3), (R(2, 4), R(1, 4))]], {}),
        "vstack_3d": ("vstack", [0], [[R(2, 3, 4), (R(2, 3, 4), R(5, 3, 4))]], {}),
        "hstack_1d": ("hstack", [0], [[R(2), (R(2), R(2))]], {}),
        "hstack_2d": ("hstack", [0], [[R(3, 2), (R(3, 4), R(3, 5))]], {}),
        "hstack_3d": ("hstack", [0], [[R(2, 3, 4), (R(2, 1, 4), R(2, 5, 4))]], {}),
        "stack_1d": ("stack", [0], [[(R(2),), (R(2), R(2))]], {"axis": [0, 1]}),
        "row_stack_1d": ("row_stack", [0], [[R(2), (R(2), R(2))]], {}),
        "row_stack_2d": ("row_stack", [0], [[R(2, 3), (R(2, 4), R(1, 4))]], {}),
        "column_stack_1d": ("column_stack", [0], [[R(2), (R(2), R(2))]], {}),
        "column_stack_2d": ("column_stack", [0], [[R(2, 2), (R(2, 2), R(2, 2))]], {}),
        "select": ("select", [1], [[[R(3, 4, 5) > 0, R(3, 4, 5) > 0, R(3, 4, 5) > 0]],
                                   [[R(3, 4, 5), R(3, 4, 5), R(3, 4, 5)]]], {"default": [0.0, 1.1]}),
        "pad": ("pad", [0], [[R(2, 2)], [0, 3, (3,), (3, 2), ((3, 2),), ((1, 2), (3, 4)), ((0, 0), (0, 0))],
                             ["constant"]], {}),
    }


CASE_NAMES = sorted(_cases())


@pytest.mark.parametrize("case", CASE_NAMES)
def test_misc(case):
    onp.random.seed(0)
    name, argnums, arg_lists, kwarg_lists, *order = _cases()[case]
    combo_check(fn(name), argnums, order=order[0] if order else 2)(*arg_lists, **kwarg_lists)
