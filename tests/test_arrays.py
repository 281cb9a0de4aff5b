"""The NumPy surface (issue 12) and the rule fixes of issue 18 in reduce/shape.

Rows of the op table are tested from the registry (tests/op_specs_arrays.py); this file tests
the issue-18 regressions, each against a formula written out here, and the composites: values
against NumPy, derivatives against finite differences in both modes and at order 2, float32,
random shapes. Their declared conventions, errors, methods and complex parts:
tests/test_arrays_conventions.py.
"""

import functools
import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import chainrule as cr
from arrays_util import check, distinct, r, rng


# ---- issue 18: prod's second derivatives at zeros ------------------------------
def _prod_hessian_formula(x):
    # ∂² prod / ∂x_i ∂x_j = product of the elements other than i and j (i ≠ j); 0 on the diagonal
    n = len(x)
    return np.array([[0.0 if i == j else np.prod([x[k] for k in range(n) if k not in (i, j)])
                      for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("point", [[0.0, 2.0, 3.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0], [1.5, -2.0, 3.0, 0.5]])
@pytest.mark.parametrize("mode", ["fwd-rev", "rev-rev", "fwd-fwd"])
def test_prod_hessian_is_exact_at_zeros(point, mode):
    x = np.array(point)
    outer_t, inner_t = {"fwd-rev": (cr.jacfwd, cr.jacrev), "rev-rev": (cr.jacrev, cr.jacrev),
                        "fwd-fwd": (cr.jacfwd, cr.jacfwd)}[mode]
    h = outer_t(inner_t(cr.prod))(x)
    np.testing.assert_allclose(h.numpy(), _prod_hessian_formula(x), rtol=1e-12, atol=0)


def test_prod_third_derivative_at_zeros():
    # ∂³ (x0 x1 x2) / ∂x0 ∂x1 ∂x2 = 1 at every point, zeros included
    third = cr.jacrev(cr.jacrev(cr.jacrev(cr.prod)))(np.zeros(3)).numpy()
    expected = np.zeros((3, 3, 3))
    for i, j, k in itertools.permutations(range(3)):
        expected[i, j, k] = 1.0
    np.testing.assert_array_equal(third, expected)


def test_prod_over_axes_with_zeros_second_order():
    x = rng.normal(size=(3, 4))
    x[0, 1] = x[2, 2] = x[2, 3] = 0.0
    check(lambda x: cr.prod(x, axis=1), x)
    check(lambda x: cr.prod(x, axis=(0, 1)), x)


# ---- issue 18: flatten, logsumexp, std ----------------------------------------
def test_flatten_start_after_end_raises():
    with pytest.raises(ValueError, match="start_dim"):
        cr.flatten(cr.zeros((2, 3, 4)), 1, 0)
    with pytest.raises(ValueError, match="out of range"):
        cr.flatten(cr.zeros((2, 3)), 0, 5)
    assert cr.flatten(cr.zeros((2, 3, 4)), 1, 1).shape == (2, 3, 4)


def test_logsumexp_gradient_with_plus_inf_splits_among_the_infinities():
    g = cr.grad(cr.logsumexp)(np.array([np.inf, 1.0, np.inf, 2.0])).numpy()
    np.testing.assert_array_equal(g, [0.5, 0.0, 0.5, 0.0])
    rows = cr.grad(lambda x: cr.logsumexp(x, axis=1).sum())(np.array([[np.inf, 1.0], [0.0, 0.0]])).numpy()
    np.testing.assert_allclose(rows, [[1.0, 0.0], [0.5, 0.5]])


def test_logsumexp_gradient_with_nan_is_nan_never_above_one():
    g = cr.grad(cr.logsumexp)(np.array([np.nan, 1.0, 2.0])).numpy()
    assert np.isnan(g).all()
    x = np.array([[np.nan, 1.0], [-np.inf, 3.0]])
    g = cr.grad(lambda x: cr.logsumexp(x, axis=1).sum())(x).numpy()
    assert np.isnan(g[0]).all() and np.array_equal(g[1], [0.0, 1.0])


def test_std_of_one_element_and_of_a_constant_has_zero_gradient():
    biased = functools.partial(cr.std, correction=0)  # cr.std is PyTorch's (unbiased): one element has no spread
    np.testing.assert_array_equal(cr.grad(biased)(np.array([1.0])).numpy(), [0.0])
    np.testing.assert_array_equal(cr.grad(cr.std)(np.array([2.0, 2.0, 2.0])).numpy(), [0.0, 0.0, 0.0])
    rows = cr.grad(lambda x: cr.std(x, axis=1, correction=0).sum())(np.array([[1.0, 1.0], [1.0, 3.0]])).numpy()
    np.testing.assert_allclose(rows, [[0.0, 0.0], [-0.5, 0.5]])  # d std / dx_i = (x_i - mean) / (n std)
    rows = cr.grad(lambda x: cr.std(x, axis=1).sum())(np.array([[1.0, 1.0], [1.0, 3.0]])).numpy()
    np.testing.assert_allclose(rows, np.array([[0.0, 0.0], [-1.0, 1.0]]) / np.sqrt(2))  # (x_i - mean) / ((n - 1) std)
    assert cr.jacfwd(biased)(np.array([4.0])).numpy().tolist() == [0.0]


def test_std_keeps_nan_where_the_variance_is_undefined():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(cr.std(cr.tensor([1.0]), ddof=1).item())


# ---- issue 18: fan-in of stack / concatenate is linear ---------------------------
@pytest.mark.parametrize("join", ["stack", "concatenate"])
def test_fan_in_of_ten_thousand_inputs_is_fast(join):
    xs = [cr.tensor(float(i), requires_grad=True) for i in range(10_000)]
    start = time.perf_counter()
    parts = xs if join == "stack" else [cr.reshape(x, (1,)) for x in xs]
    y = getattr(cr, join)(parts)
    (y * cr.arange(10_000.0)).sum().backward()
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"{join} of 10,000 inputs: forward + backward took {elapsed:.2f} s"
    assert [x.grad.item() for x in xs[:3]] == [0.0, 1.0, 2.0] and xs[-1].grad.item() == 9999.0


def test_concatenate_of_many_inputs_differentiates_at_second_order():
    xs = [rng.normal(size=(2,)) for _ in range(70)]  # more than one node's fan-in: a tree of joins
    np.testing.assert_array_equal(cr.concatenate([cr.tensor(x) for x in xs]).numpy(), np.concatenate(xs))
    assert cr.gradcheck(lambda *xs: cr.concatenate(xs) ** 2, *xs[:3], modes=("rev", "fwd"), order=2)
    w = rng.normal(size=140)
    g = cr.grad(lambda *xs: (cr.concatenate(xs) * w).sum(), argnums=tuple(range(70)))(*xs)
    np.testing.assert_array_equal(np.concatenate([gi.numpy() for gi in g]), w)


# ---- composites: values against NumPy, derivatives against finite differences ---------
# (label, chainrule function, NumPy function, inputs); the function is of every input
COMPOSITES = [
    ("cumprod", lambda x: cr.cumprod(x, axis=1), lambda x: np.cumprod(x, axis=1), [r(3, 5)]),
    ("cumprod-flat", cr.cumprod, np.cumprod, [r(2, 3)]),
    ("cumprod-zeros", lambda x: cr.cumprod(x, 0), lambda x: np.cumprod(x, 0), [np.array([2.0, 0.0, 3.0, 0.0, 1.5])]),
    ("cumprod-0d", cr.cumprod, np.cumprod, [np.array(1.5)]),
    ("cumprod-empty", lambda x: cr.cumprod(x, 0), lambda x: np.cumprod(x, 0), [r(0, 2)]),
    ("diff", cr.diff, np.diff, [r(6)]),
    ("diff-2-axis0", lambda x: cr.diff(x, 2, axis=0), lambda x: np.diff(x, 2, axis=0), [r(5, 3)]),
    ("diff-prepend-append", lambda x, a: cr.diff(x, prepend=0.5, append=a),
     lambda x, a: np.diff(x, prepend=0.5, append=a), [r(2, 3), r(2, 2)]),
    ("gradient", cr.gradient, np.gradient, [r(5)]),
    ("gradient-spacing-edge2", lambda f: cr.gradient(f, 0.5, edge_order=2), lambda f: np.gradient(f, 0.5, edge_order=2),
     [r(5)]),
    ("gradient-axis", lambda f: cr.gradient(f, 2.0, axis=0), lambda f: np.gradient(f, 2.0, axis=0), [r(3, 4)]),
    ("gradient-all-axes", lambda f: cr.stack(cr.gradient(f, 1.0, 0.5)), lambda f: np.stack(np.gradient(f, 1.0, 0.5)),
     [r(3, 4)]),
    ("ravel", cr.ravel, np.ravel, [r(2, 3)]),
    ("moveaxis", lambda x: cr.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [r(2, 3, 4)]),
    ("moveaxis-many", lambda x: cr.moveaxis(x, (0, 2), (2, 0)), lambda x: np.moveaxis(x, (0, 2), (2, 0)), [r(2, 3, 4)]),
    ("rollaxis", lambda x: cr.rollaxis(x, 2, 1), lambda x: np.rollaxis(x, 2, 1), [r(2, 3, 4)]),
    ("rollaxis-end", lambda x: cr.rollaxis(x, 0, 3), lambda x: np.rollaxis(x, 0, 3), [r(2, 3, 4)]),
    ("swapaxes", lambda x: cr.swapaxes(x, 0, 1), lambda x: np.swapaxes(x, 0, 1), [r(2, 3)]),
    ("flip", cr.flip, np.flip, [r(2, 3)]),
    ("flip-axis", lambda x: cr.flip(x, 1), lambda x: np.flip(x, 1), [r(2, 3)]),
    ("fliplr", cr.fliplr, np.fliplr, [r(2, 3)]),
    ("flipud", cr.flipud, np.flipud, [r(2, 3)]),
    *[(f"rot90-{k}", (lambda k: lambda x: cr.rot90(x, k))(k), (lambda k: lambda x: np.rot90(x, k))(k), [r(2, 3)])
      for k in (0, 1, 2, 3, -1)],
    ("rot90-axes", lambda x: cr.rot90(x, 1, (2, 0)), lambda x: np.rot90(x, 1, (2, 0)), [r(2, 3, 4)]),
    ("take", lambda x: cr.take(x, np.array([2, 0, 2, -1])), lambda x: np.take(x, np.array([2, 0, 2, -1])), [r(2, 3)]),
    ("take-axis", lambda x: cr.take(x, np.array([[1, 1], [0, 2]]), axis=1),
     lambda x: np.take(x, np.array([[1, 1], [0, 2]]), axis=1), [r(2, 3)]),
    ("take-wrap", lambda x: cr.take(x, np.array([4, -5, 1]), axis=0, mode="wrap"),
     lambda x: np.take(x, np.array([4, -5, 1]), axis=0, mode="wrap"), [r(3, 2)]),
    ("take-clip", lambda x: cr.take(x, np.array([4, -5, 1]), mode="clip"),
     lambda x: np.take(x, np.array([4, -5, 1]), mode="clip"), [r(3)]),
    ("take_along_axis", lambda x: cr.take_along_axis(x, np.array([[0, 0], [2, 1]]), 1),
     lambda x: np.take_along_axis(x, np.array([[0, 0], [2, 1]]), 1), [r(2, 3)]),
    ("roll", lambda x: cr.roll(x, 2), lambda x: np.roll(x, 2), [r(2, 3)]),
    ("roll-axis", lambda x: cr.roll(x, -1, axis=1), lambda x: np.roll(x, -1, axis=1), [r(2, 3)]),
    ("roll-axes", lambda x: cr.roll(x, (1, 2), axis=(0, 1)), lambda x: np.roll(x, (1, 2), axis=(0, 1)), [r(2, 3)]),
    ("roll-empty", lambda x: cr.roll(x, 1, axis=0), lambda x: np.roll(x, 1, axis=0), [r(0, 2)]),
    ("tril", cr.tril, np.tril, [r(3, 4)]),
    ("tril-k", lambda x: cr.tril(x, -1), lambda x: np.tril(x, -1), [r(2, 3, 3)]),
    ("triu", cr.triu, np.triu, [r(4, 3)]),
    ("triu-k", lambda x: cr.triu(x, 1), lambda x: np.triu(x, 1), [r(3, 3)]),
    ("repeat", lambda x: cr.repeat(x, 2), lambda x: np.repeat(x, 2), [r(2, 2)]),
    ("repeat-axis", lambda x: cr.repeat(x, [1, 0, 2], axis=1), lambda x: np.repeat(x, [1, 0, 2], axis=1), [r(2, 3)]),
    ("tile", lambda x: cr.tile(x, 2), lambda x: np.tile(x, 2), [r(3)]),
    ("tile-2d", lambda x: cr.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2)), [r(2, 3)]),
    ("tile-0d", lambda x: cr.tile(x, 3), lambda x: np.tile(x, 3), [np.array(2.0)]),
    ("diagonal", cr.diagonal, np.diagonal, [r(3, 4)]),
    ("diagonal-offset", lambda x: cr.diagonal(x, 1), lambda x: np.diagonal(x, 1), [r(3, 4)]),
    ("diagonal-neg", lambda x: cr.diagonal(x, -2, 2, 0), lambda x: np.diagonal(x, -2, 2, 0), [r(3, 2, 4)]),
    ("diagonal-far", lambda x: cr.diagonal(x, 5), lambda x: np.diagonal(x, 5), [r(3, 4)]),
    ("diag-vector", cr.diag, np.diag, [r(3)]),
    ("diag-vector-k", lambda v: cr.diag(v, -1), lambda v: np.diag(v, -1), [r(3)]),
    ("diag-matrix", lambda x: cr.diag(x, 1), lambda x: np.diag(x, 1), [r(3, 3)]),
    ("pad", lambda x: cr.pad(x, 1), lambda x: np.pad(x, 1), [r(2, 3)]),
    ("pad-value", lambda x: cr.pad(x, ((1, 0), (0, 2)), constant_values=1.5),
     lambda x: np.pad(x, ((1, 0), (0, 2)), constant_values=1.5), [r(2, 3)]),
    ("pad-values-per-axis", lambda x: cr.pad(x, 1, constant_values=((1.0, 2.0), (3.0, 4.0))),
     lambda x: np.pad(x, 1, constant_values=((1.0, 2.0), (3.0, 4.0))), [r(2, 3)]),
    ("pad-0d", lambda x: cr.pad(x, 0), lambda x: np.pad(x, 0), [np.array(2.0)]),
    *[(f"pad-{mode}", (lambda m: lambda x: cr.pad(x, (2, 3), mode=m))(mode),
       (lambda m: lambda x: np.pad(x, (2, 3), mode=m))(mode), [r(4, 3)])
      for mode in ("edge", "reflect", "symmetric", "wrap")],
    ("atleast_1d", cr.atleast_1d, np.atleast_1d, [np.array(2.0)]),
    ("atleast_2d", cr.atleast_2d, np.atleast_2d, [r(3)]),
    ("atleast_2d-0d", cr.atleast_2d, np.atleast_2d, [np.array(2.0)]),
    ("atleast_3d-1d", cr.atleast_3d, np.atleast_3d, [r(3)]),
    ("atleast_3d-2d", cr.atleast_3d, np.atleast_3d, [r(2, 3)]),
    ("atleast_3d-0d", cr.atleast_3d, np.atleast_3d, [np.array(2.0)]),
    ("hstack", lambda a, b: cr.hstack([a, b]), lambda a, b: np.hstack([a, b]), [r(2), r(3)]),
    ("hstack-2d", lambda a, b: cr.hstack([a, b]), lambda a, b: np.hstack([a, b]), [r(2, 1), r(2, 3)]),
    ("vstack", lambda a, b: cr.vstack([a, b]), lambda a, b: np.vstack([a, b]), [r(3), r(2, 3)]),
    ("row_stack", lambda a, b: cr.row_stack([a, b]), lambda a, b: np.vstack([a, b]), [r(3), r(3)]),
    ("dstack", lambda a, b: cr.dstack([a, b]), lambda a, b: np.dstack([a, b]), [r(2, 3), r(2, 3)]),
    ("column_stack", lambda a, b: cr.column_stack([a, b]), lambda a, b: np.column_stack([a, b]), [r(3), r(3, 2)]),
    ("append", lambda a, b: cr.append(a, b), lambda a, b: np.append(a, b), [r(2, 2), r(3)]),
    ("concatenate-none", lambda a, b: cr.concatenate([a, b], axis=None),
     lambda a, b: np.concatenate([a, b], axis=None), [r(2, 2), r(1, 2)]),
    ("append-axis", lambda a, b: cr.append(a, b, axis=0), lambda a, b: np.append(a, b, axis=0), [r(2, 2), r(1, 2)]),
    ("sort", cr.sort, np.sort, [distinct(3, 4)]),
    ("sort-axis0", lambda x: cr.sort(x, axis=0), lambda x: np.sort(x, axis=0), [distinct(3, 4)]),
    ("sort-flat", lambda x: cr.sort(x, axis=None), lambda x: np.sort(x, axis=None), [distinct(2, 3)]),
    ("sort-0d-and-empty", lambda x: cr.sort(x), np.sort, [r(0)]),
    ("partition", lambda x: cr.partition(x, 2), lambda x: np.partition(x, 2), [distinct(6)]),
    ("median-odd", cr.median, np.median, [distinct(5)]),
    ("median-even", cr.median, np.median, [distinct(6)]),
    ("median-axis", lambda x: cr.median(x, axis=1), lambda x: np.median(x, axis=1), [distinct(3, 4)]),
    ("median-keepdims", lambda x: cr.median(x, axis=0, keepdims=True),
     lambda x: np.median(x, axis=0, keepdims=True), [distinct(3, 4)]),
    ("median-flat-keepdims", lambda x: cr.median(x, keepdims=True), lambda x: np.median(x, keepdims=True),
     [distinct(3, 4)]),
    ("median-size1", cr.median, np.median, [r(1)]),
    ("quantile", lambda x: cr.quantile(x, 0.3), lambda x: np.quantile(x, 0.3), [distinct(7)]),
    ("quantile-many", lambda x: cr.quantile(x, [0.0, 0.25, 1.0], axis=0),
     lambda x: np.quantile(x, [0.0, 0.25, 1.0], axis=0), [distinct(5, 2)]),
    ("percentile", lambda x: cr.percentile(x, 90, axis=-1), lambda x: np.percentile(x, 90, axis=-1), [distinct(2, 5)]),
    ("nansum", lambda x: cr.nansum(x, axis=0), lambda x: np.nansum(x, axis=0), [np.array([[1.0, np.nan], [2.0, 3.0]])]),
    ("nanmean", lambda x: cr.nanmean(x, axis=1), lambda x: np.nanmean(x, axis=1),
     [np.array([[1.0, np.nan, 0.5], [2.0, 3.0, -1.0]])]),
    ("nanvar", lambda x: cr.nanvar(x, ddof=1), lambda x: np.nanvar(x, ddof=1), [np.array([1.0, np.nan, 0.5, 2.0])]),
    ("nanstd", lambda x: cr.nanstd(x, axis=0), lambda x: np.nanstd(x, axis=0),
     [np.array([[1.0, np.nan], [2.0, 3.0], [0.1, 1.0]])]),
    ("nanmax", lambda x: cr.nanmax(x, axis=1), lambda x: np.nanmax(x, axis=1),
     [np.array([[1.0, np.nan, 0.5], [2.0, 3.0, -1.0]])]),
    ("nanmin", cr.nanmin, np.nanmin, [np.array([[1.0, np.nan, 0.5], [2.0, 3.0, -1.0]])]),
    ("nanprod", lambda x: cr.nanprod(x, axis=0), lambda x: np.nanprod(x, axis=0),
     [np.array([[1.5, np.nan], [2.0, 3.0], [0.5, -1.0]])]),
    ("nancumsum", lambda x: cr.nancumsum(x, axis=1), lambda x: np.nancumsum(x, axis=1),
     [np.array([[1.5, np.nan, 1.0], [2.0, 3.0, -1.0]])]),
    ("nancumprod", cr.nancumprod, np.nancumprod, [np.array([[1.5, np.nan, 1.0], [2.0, 3.0, -1.0]])]),
    ("trapezoid", cr.trapezoid, np.trapezoid, [r(5)]),
    ("trapezoid-x", lambda y, x: cr.trapezoid(y, x), lambda y, x: np.trapezoid(y, x), [r(5), np.cumsum(
        rng.uniform(0.5, 1.0, 5))]),
    ("trapezoid-2d-1d-x", lambda y, x: cr.trapezoid(y, x, axis=0), lambda y, x: np.trapezoid(y, x, axis=0),
     [r(4, 3), np.cumsum(rng.uniform(0.5, 1.0, 4))]),
    ("trapezoid-dx", lambda y: cr.trapezoid(y, dx=0.5, axis=0), lambda y: np.trapezoid(y, dx=0.5, axis=0), [r(3, 2)]),
    ("broadcast_arrays", lambda a, b: cr.broadcast_arrays(a, b)[0] * cr.broadcast_arrays(a, b)[1],
     lambda a, b: np.broadcast_arrays(a, b)[0] * np.broadcast_arrays(a, b)[1], [r(3), r(2, 1)]),
    ("average", lambda x, w: cr.average(x, weights=w), lambda x, w: np.average(x, weights=w),
     [r(3, 2), rng.uniform(0.5, 1.5, (3, 2))]),
    ("average-axis", lambda x, w: cr.average(x, axis=0, weights=w), lambda x, w: np.average(x, axis=0, weights=w),
     [r(3, 2), rng.uniform(0.5, 1.5, 3)]),
    ("average-plain", lambda x: cr.average(x, axis=1), lambda x: np.average(x, axis=1), [r(3, 2)]),
    ("ptp", lambda x: cr.ptp(x, axis=1), lambda x: np.ptp(x, axis=1), [distinct(3, 4)]),
    ("amax", lambda x: cr.amax(x, axis=0), lambda x: np.amax(x, axis=0), [distinct(3, 4)]),
    ("amin", cr.amin, np.amin, [distinct(3, 4)]),
    ("cov", cr.cov, np.cov, [r(3, 5)]),
    ("cov-cols-bias", lambda x: cr.cov(x, rowvar=False, bias=True), lambda x: np.cov(x, rowvar=False, bias=True),
     [r(5, 2)]),
    ("cov-xy", lambda x, y: cr.cov(x, y), lambda x, y: np.cov(x, y), [r(4), r(4)]),
    ("cov-1d", cr.cov, np.cov, [r(4)]),
    ("corrcoef", cr.corrcoef, np.corrcoef, [r(3, 6)]),
    ("corrcoef-xy", lambda x, y: cr.corrcoef(x, y), lambda x, y: np.corrcoef(x, y), [r(5), r(5)]),
    ("select", lambda x: cr.select([x < -0.5, x > 0.5], [x * x, -x], default=x * 3),
     lambda x: np.select([x < -0.5, x > 0.5], [x * x, -x], default=x * 3), [r(3, 4)]),
    ("interp-fp", lambda fp: cr.interp(np.array([-1.0, 0.3, 1.5, 2.0, 5.0]), np.array([0.0, 1.0, 2.0, 4.0]), fp),
     lambda fp: np.interp(np.array([-1.0, 0.3, 1.5, 2.0, 5.0]), np.array([0.0, 1.0, 2.0, 4.0]), fp), [r(4)]),
    ("interp-x", lambda x: cr.interp(x, np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, -1.0, 0.5, 2.0])),
     lambda x: np.interp(x, np.array([0.0, 1.0, 2.0, 4.0]), np.array([1.0, -1.0, 0.5, 2.0])),
     [np.array([-0.5, 0.3, 1.5, 3.1, 4.5])]),
    ("interp-left-right", lambda fp: cr.interp(np.array([-1.0, 9.0]), np.array([0.0, 1.0]), fp, left=-2.0, right=7.0),
     lambda fp: np.interp(np.array([-1.0, 9.0]), np.array([0.0, 1.0]), fp, left=-2.0, right=7.0), [r(2)]),
    *[(f"convolve-{mode}-{n}-{m}", (lambda mode: lambda a, v: cr.convolve(a, v, mode))(mode),
       (lambda mode: lambda a, v: np.convolve(a, v, mode))(mode), [r(n), r(m)])
      for mode in ("full", "same", "valid") for n, m in ((5, 3), (3, 5), (4, 4), (1, 1), (6, 1))],
    ("nan_to_num", lambda x: cr.nan_to_num(x, posinf=5.0), lambda x: np.nan_to_num(x, posinf=5.0),
     [np.array([1.0, np.nan, np.inf, -np.inf, -2.0])]),
    ("array_split", lambda x: cr.array_split(x, 3)[0] * cr.array_split(x, 3)[2][0],
     lambda x: np.array_split(x, 3)[0] * np.array_split(x, 3)[2][0], [r(8)]),
    ("array_split-indices", lambda x: cr.array_split(x, [1, 3], axis=1)[1],
     lambda x: np.array_split(x, [1, 3], axis=1)[1], [r(2, 4)]),
    ("hsplit", lambda x: cr.hsplit(x, 2)[1], lambda x: np.hsplit(x, 2)[1], [r(3, 4)]),
    ("hsplit-1d", lambda x: cr.hsplit(x, [1])[0], lambda x: np.hsplit(x, [1])[0], [r(3)]),
    ("vsplit", lambda x: cr.vsplit(x, 2)[0], lambda x: np.vsplit(x, 2)[0], [r(4, 3)]),
    ("dsplit", lambda x: cr.dsplit(x, [1])[1], lambda x: np.dsplit(x, [1])[1], [r(2, 2, 3)]),
    ("absolute", cr.absolute, np.absolute, [np.array([-1.5, 2.0])]),
    *[(name, getattr(cr, name), getattr(np, name), [rng.uniform(1.1, 1.9, 3) if name == "acosh" else r(3) * 0.3])
      for name in ("asin", "acos", "atan", "asinh", "acosh", "atanh")],
    ("atan2", cr.atan2, np.atan2, [r(3), r(3)]),
    ("fabs", cr.fabs, np.fabs, [np.array([-1.5, 2.0])]),
    # empty, size-1 and broadcast shapes
    ("flip-empty", cr.flip, np.flip, [r(0, 3)]),
    ("tril-empty", cr.tril, np.tril, [r(0, 0)]),
    ("diff-size1", cr.diff, np.diff, [r(1)]),
    ("diff-empty", lambda x: cr.diff(x, axis=0), lambda x: np.diff(x, axis=0), [r(0, 2)]),
    ("repeat-empty", lambda x: cr.repeat(x, 3), lambda x: np.repeat(x, 3), [r(0)]),
    ("take-empty", lambda x: cr.take(x, np.array([], dtype=int)), lambda x: np.take(x, np.array([], dtype=int)),
     [r(3)]),
    ("diagonal-empty", cr.diagonal, np.diagonal, [r(0, 3)]),
    ("cumprod-size1", lambda x: cr.cumprod(x, 1), lambda x: np.cumprod(x, 1), [r(3, 1)]),
    ("sort-size1", cr.sort, np.sort, [r(1)]),
    ("nansum-0d", cr.nansum, np.nansum, [np.array(1.5)]),
    ("ptp-0d", cr.ptp, np.ptp, [np.array(1.5)]),
    ("select-broadcast", lambda a, b: cr.select([np.array([True, False, False, True])], [a], default=b),
     lambda a, b: np.select([np.array([True, False, False, True])], [a], default=b), [r(3, 4), r(4)]),
    ("hypot-broadcast-0d", lambda x: cr.hypot(x, 2.0), lambda x: np.hypot(x, 2.0), [r(3)]),
    ("deg2rad", cr.deg2rad, np.deg2rad, [r(3)]),
    ("radians", cr.radians, np.radians, [r(3)]),
    ("rad2deg", cr.rad2deg, np.rad2deg, [r(3)]),
    ("degrees", cr.degrees, np.degrees, [np.array(1.0)]),
    ("true_divide", cr.true_divide, np.true_divide, [r(3), rng.uniform(0.5, 2, 3)]),
    ("remainder", cr.remainder, np.remainder, [np.array([5.3, -2.7, 1.1]), np.array([2.0, 1.5, -0.7])]),
    ("around", lambda x: cr.around(x, 1), lambda x: np.around(x, 1), [np.array([0.12, 3.36, -1.71])]),
]


@pytest.mark.parametrize("label,fn,ref,xs", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_value_matches_numpy(label, fn, ref, xs):
    out = fn(*[cr.tensor(x) for x in xs])
    expected = ref(*xs)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("label,fn,ref,xs", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_derivatives_match_finite_differences(label, fn, ref, xs):
    check(fn, *xs, order=1 if any(np.size(x) == 0 for x in xs) else 2)


@pytest.mark.parametrize("label,fn,ref,xs", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_float32_stays_float32(label, fn, ref, xs):
    if label.startswith("interp"):
        pytest.skip("its other arguments are float64 constants, so the result is float64 by promotion")
    xs32 = [cr.tensor(x.astype(np.float32), requires_grad=True) for x in xs]
    out = fn(*xs32)
    assert out.dtype == np.float32, f"{label}: a float32 input gave a {out.dtype} result"
    out.backward(np.ones(out.shape, np.float32))
    assert all(x.grad is None or x.grad.dtype == np.float32 for x in xs32)


def test_interp_of_float32_stays_float32():
    x, fp = cr.tensor(np.float32([0.5, 2.5])), cr.tensor(np.float32([0.0, 1.0, 4.0]), requires_grad=True)
    out = cr.interp(x, [0.0, 1.0, 3.0], fp)
    assert out.dtype == np.float32
    out.sum().backward()
    assert fp.grad.dtype == np.float32


# ---- random shapes and axes (hypothesis) ------------------------------------------------
AXIS_FUNCTIONS = {
    "cumsum": (cr.cumsum, np.cumsum), "cumprod": (cr.cumprod, np.cumprod), "flip": (cr.flip, np.flip),
    "roll": (lambda x, axis: cr.roll(x, 2, axis), lambda x, axis: np.roll(x, 2, axis)),
    "sort": (cr.sort, np.sort), "diff": (lambda x, axis: cr.diff(x, axis=axis), lambda x, axis: np.diff(x, axis=axis)),
    "repeat": (lambda x, axis: cr.repeat(x, 2, axis), lambda x, axis: np.repeat(x, 2, axis)),
}


@pytest.mark.parametrize("name", sorted(AXIS_FUNCTIONS))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_axis_functions_on_random_shapes(name, data):
    x = data.draw(arrays(np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
                         elements=st.integers(-40, 40).map(lambda k: k / 8), unique=True))  # no near-ties
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    fn, ref = AXIS_FUNCTIONS[name]
    np.testing.assert_allclose(fn(cr.tensor(x), axis).numpy(), ref(x, axis), rtol=1e-12, atol=1e-12)
    assert cr.gradcheck(lambda x: fn(x, axis), x, modes=("rev", "fwd"))


@pytest.mark.parametrize("label", ["cumprod-zeros", "sort", "median-even", "cov", "corrcoef", "convolve-same-5-3",
                                   "interp-x", "nanvar", "gradient-spacing-edge2", "pad-reflect", "rot90-1"])
def test_second_derivatives_agree_in_all_mode_pairs(label):
    fn, xs = next((c[1], c[3]) for c in COMPOSITES if c[0] == label)

    def scalar(x):  # a fixed random weighting makes every second derivative of the output count
        out = fn(x, *xs[1:])
        return (out * np.random.default_rng(3).normal(size=out.shape)).sum()

    x = xs[0]
    rev_rev = cr.jacrev(cr.jacrev(scalar))(x).numpy()
    np.testing.assert_allclose(cr.jacfwd(cr.jacfwd(scalar))(x).numpy(), rev_rev, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cr.jacfwd(cr.jacrev(scalar))(x).numpy(), rev_rev, rtol=1e-9, atol=1e-12)
