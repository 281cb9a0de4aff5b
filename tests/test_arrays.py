"""The NumPy surface (issue 12) and the rule fixes of issue 18 in reduce/shape.

Rows of the op table are tested from the registry (tests/op_specs_arrays.py); this file
tests the composites (against NumPy and finite differences, both modes, order 2), the
declared conventions, and the issue-18 regressions, each against a formula written out here.
"""

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import chainrule as cr

rng = np.random.default_rng(7)


def check(f, *xs, order=2):
    """f's first derivatives in both modes, and (order=2) second derivatives, vs finite differences."""
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    if order >= 2:
        assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


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
    np.testing.assert_array_equal(cr.grad(cr.std)(np.array([1.0])).numpy(), [0.0])
    np.testing.assert_array_equal(cr.grad(cr.std)(np.array([2.0, 2.0, 2.0])).numpy(), [0.0, 0.0, 0.0])
    rows = cr.grad(lambda x: cr.std(x, axis=1).sum())(np.array([[1.0, 1.0], [1.0, 3.0]])).numpy()
    np.testing.assert_allclose(rows, [[0.0, 0.0], [-0.5, 0.5]])  # d std / dx_i = (x_i - mean) / (n std)
    assert cr.jacfwd(cr.std)(np.array([4.0])).numpy().tolist() == [0.0]


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
def r(*shape):
    return rng.normal(size=shape)


def distinct(*shape):
    # well-separated values: sorting and order statistics are smooth away from ties
    ranks = rng.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape)
    return ranks * 0.5 + rng.uniform(0, 0.1, shape)


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


# ---- declared conventions, each against a value written out here ------------------------
def test_sort_ties_give_the_gradient_to_the_first_in_stable_order():
    x = cr.tensor([2.0, 1.0, 2.0], requires_grad=True)
    (cr.sort(x) * cr.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 1.0, 100.0])  # the first 2.0 comes first


def test_median_of_even_count_splits_between_the_two_middle_elements():
    g = cr.grad(cr.median)(np.array([4.0, 1.0, 3.0, 2.0])).numpy()
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.5, 0.5])


def test_median_of_a_slice_with_nan_is_nan_as_numpy():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(cr.median(cr.tensor(x), axis=1).numpy(), np.median(x, axis=1))
        assert np.isnan(cr.quantile(cr.tensor(x), [0.2, 0.9]).numpy()).all()
        g = cr.grad(lambda x: cr.median(x, axis=1).sum())(x).numpy()
    np.testing.assert_array_equal(g, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_average_returned_gives_the_sum_of_weights():
    avg, total = cr.average(cr.tensor([[1.0, 3.0], [5.0, 7.0]]), axis=1, weights=cr.tensor([1.0, 3.0]), returned=True)
    np.testing.assert_array_equal(avg.numpy(), [2.5, 6.5])
    np.testing.assert_array_equal(total.numpy(), [4.0, 4.0])
    avg, count = cr.average(cr.tensor([[1.0, 3.0], [5.0, 7.0]]), axis=0, returned=True)
    np.testing.assert_array_equal(count.numpy(), [2.0, 2.0])


def test_rounding_has_derivative_zero_and_still_records():
    for fn in (cr.floor, cr.ceil, cr.rint, cr.trunc, cr.fix, cr.round):
        x = cr.tensor([0.4, 1.5, -2.5], requires_grad=True)
        y = fn(x)
        assert y.requires_grad
        (y * 3).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_mod_derivatives_are_one_and_minus_the_quotient():
    x, y = np.array([5.5, -5.5, 7.0]), np.array([2.0, 2.0, -3.0])
    gx, gy = cr.grad(lambda x, y: cr.mod(x, y).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx.numpy(), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(gy.numpy(), -np.floor(x / y))  # floor: 2, -3, -3
    gy = cr.grad(lambda y: cr.fmod(x, y).sum())(y)
    np.testing.assert_array_equal(gy.numpy(), -np.trunc(x / y))  # trunc: 2, -2, -2


def test_sinc_derivatives_at_and_near_zero():
    d1 = cr.grad(cr.sinc)
    d2 = cr.grad(cr.grad(cr.sinc))
    assert d1(0.0).item() == 0.0
    assert d2(0.0).item() == pytest.approx(-np.pi ** 2 / 3, rel=1e-12)  # sinc x = 1 - (πx)²/6 + ...
    for x in (0.009, 0.011, 0.5):  # the series and the closed form agree across the switch
        closed = (np.cos(np.pi * x) - np.sinc(x)) / x
        assert d1(x).item() == pytest.approx(closed, rel=1e-10)
    assert cr.jacfwd(cr.jacfwd(cr.sinc))(np.array(0.0)).item() == pytest.approx(-np.pi ** 2 / 3, rel=1e-12)


def test_fmax_and_fmin_give_the_gradient_to_the_operand_that_is_not_nan():
    x, y = np.array([1.0, np.nan, 2.0, np.nan]), np.array([np.nan, 3.0, 2.0, np.nan])
    for fn in (cr.fmax, cr.fmin):
        gx, gy = cr.grad(lambda x, y: fn(x, y).sum(), argnums=(0, 1))(x, y)
        np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0, 0.5, 0.0])
        np.testing.assert_array_equal(gy.numpy(), [0.0, 1.0, 0.5, 0.0])


def test_nanmax_of_an_all_nan_slice_is_nan():
    with np.errstate(invalid="ignore"):
        out = cr.nanmax(cr.tensor([[np.nan, np.nan], [1.0, np.nan]]), axis=1).numpy()
    assert np.isnan(out[0]) and out[1] == 1.0


def test_nan_to_num_passes_the_gradient_only_where_finite():
    g = cr.grad(lambda x: (cr.nan_to_num(x, posinf=7.0) * 3).sum())(np.array([1.0, np.nan, np.inf])).numpy()
    np.testing.assert_array_equal(g, [3.0, 0.0, 0.0])


def test_logaddexp_gradient_stays_finite_for_large_inputs():
    g = cr.grad(lambda x: cr.logaddexp(x, 1000.0))(np.array(1000.0)).item()
    assert g == pytest.approx(0.5)


def test_interp_derivative_in_x_takes_the_segment_to_the_right_of_a_knot():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    g = cr.grad(lambda x: cr.interp(x, xp, fp).sum())(np.array([1.0, 3.0, 0.0, -1.0, 4.0])).numpy()
    np.testing.assert_array_equal(g, [0.5, 0.5, 2.0, 0.0, 0.0])  # slopes 2 then 0.5; flat outside


def test_cumprod_gradient_with_zeros_matches_the_formula():
    # d/dx_i Σ_j cumprod(x)_j = Σ_(j>=i) Π_(k<=j, k≠i) x_k
    x = np.array([2.0, 0.0, 3.0, 0.5])
    expected = [sum(np.prod([x[k] for k in range(j + 1) if k != i]) for j in range(i, 4)) for i in range(4)]
    np.testing.assert_allclose(cr.grad(lambda x: cr.cumprod(x).sum())(x).numpy(), expected, rtol=1e-14)
    check(cr.cumprod, x)


def test_cumsum_gradient_is_the_reversed_running_sum():
    w = np.array([1.0, 10.0, 100.0])
    g = cr.grad(lambda x: (cr.cumsum(x) * w).sum())(np.zeros(3)).numpy()
    np.testing.assert_array_equal(g, [111.0, 110.0, 100.0])


@pytest.mark.parametrize("call,match", [
    (lambda: cr.pad(cr.ones(2), 1, mode="mean"), "not supported"),
    (lambda: cr.pad(cr.ones(2), -1), "non-negative"),
    (lambda: cr.quantile(cr.ones(3), 1.5), r"\[0, 1\]"),
    (lambda: cr.quantile(cr.ones(3), 0.5, method="nearest"), "linear"),
    (lambda: cr.convolve(cr.ones(0), cr.ones(2)), "non-empty"),
    (lambda: cr.convolve(cr.ones(2), cr.ones(2), mode="circular"), "mode"),
    (lambda: cr.diag(cr.ones((2, 2, 2))), "1-d or 2-d"),
    (lambda: cr.tril(cr.ones(3)), "2 dimensions"),
    (lambda: cr.diff(cr.tensor(1.0)), "1-d"),
    (lambda: cr.average(cr.ones((2, 3)), weights=cr.ones(2)), "weights"),
    (lambda: cr.average(cr.ones(2), weights=cr.tensor([1.0, -1.0])), "sum to zero"),
    (lambda: cr.interp(cr.ones(2), [0.0], [1.0]), "at least 2"),
    (lambda: cr.select([np.array([True])], []), "same length"),
    (lambda: cr.moveaxis(cr.ones((2, 3)), (0, 1), 0), "same number"),
    (lambda: cr.take_along_axis(cr.ones((2, 3)), np.array([0]), 1), "dimensions"),
    (lambda: cr.array_split(cr.ones(3), 0), "positive"),
    (lambda: cr.gradient(cr.ones(2), edge_order=2), "needs 3"),
    (lambda: cr.gradient(cr.ones(3), np.arange(3.0)), "coordinates"),
    (lambda: cr.take(cr.ones(3), np.array([0]), mode="nearest"), "mode"),
    (lambda: cr.vsplit(cr.ones(3), 1), "2 dimensions"),
    (lambda: cr.dsplit(cr.ones((2, 2)), 1), "3 dimensions"),
])
def test_bad_arguments_raise_a_clear_error(call, match):
    with pytest.raises((ValueError, ZeroDivisionError), match=match):
        call()


# ---- Tensor methods -----------------------------------------------------------------
def test_tensor_methods_mirror_the_functions():
    x = cr.tensor(distinct(3, 3))
    v = x.numpy()
    pairs = [(x.cumsum(1), np.cumsum(v, 1)), (x.cumprod(), np.cumprod(v)), (x.ravel(), v.ravel()),
             (x.diagonal(1), v.diagonal(1)), (x.roll(1, 0), np.roll(v, 1, 0)), (x.flip(0), np.flip(v, 0)),
             (x.flip(), np.flip(v)), (x.tril(), np.tril(v)), (x.triu(1), np.triu(v, 1)),
             (x.clamp(0.5, 2.0), np.clip(v, 0.5, 2.0)), (x.square(), v ** 2), (x.sinh(), np.sinh(v)),
             (x.round(1), np.round(v, 1)), (x.floor(), np.floor(v)), (x.argsort(0), np.argsort(v, 0)),
             (x.tile(2, 1), np.tile(v, (2, 1))), (x.repeat_interleave(2, 0), np.repeat(v, 2, 0)),
             ((x / 10).asin(), np.arcsin(v / 10)), (x.sinc(), np.sinc(v)),
             (x.deg2rad(), np.deg2rad(v)), (x.fliplr(), np.fliplr(v)), (x.flipud(), np.flipud(v)),
             (x.logaddexp(x * 2), np.logaddexp(v, v * 2)), (x.hypot(x), np.hypot(v, v)),
             (x.atan2(x + 1), np.arctan2(v, v + 1)), (x.fmax(x.T), np.fmax(v, v.T)), (x.fmod(0.7), np.fmod(v, 0.7)),
             (x.remainder(0.7), np.remainder(v, 0.7)), (x.nansum(0), np.nansum(v, 0)), (x.nanmean(), np.nanmean(v)),
             (x.nan_to_num(), v), (x.quantile(0.3, 1), np.quantile(v, 0.3, 1)), (x.diff(), np.diff(v)),
             (x.rot90(), np.rot90(v)), (x.take(np.array([4, 0])), np.take(v, [4, 0])), (x.diag(1), np.diag(v, 1))]
    for got, expected in pairs:
        np.testing.assert_allclose(np.asarray(got.numpy()), expected, rtol=1e-12)


def test_tensor_sort_returns_values_and_indices_as_pytorch():
    x = cr.tensor([3.0, 1.0, 2.0, 1.0], requires_grad=True)
    values, indices = x.sort()
    np.testing.assert_array_equal(values.numpy(), [1.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 3, 2, 0])
    down = x.sort(descending=True)
    np.testing.assert_array_equal(down.values.numpy(), [3.0, 2.0, 1.0, 1.0])
    np.testing.assert_array_equal(down.indices.numpy(), [0, 2, 1, 3])  # ties keep their order
    (values * cr.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 1.0, 3.0, 2.0])


def test_tensor_repeat_is_refused_with_both_meanings_named():
    with pytest.raises(AttributeError, match="tile.*repeat_interleave"):
        cr.ones(2).repeat(2)


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


def test_concatenate_offsets_belong_to_their_own_output():
    # the backward rule remembers the last output's offsets: other outputs must not reuse them
    a, b, c = (cr.tensor(rng.normal(size=n), requires_grad=True) for n in (1, 3, 2))
    first, second = cr.concatenate([a, b, c]), cr.concatenate([c, a, b])
    w1, w2 = np.arange(6.0), np.arange(6.0) * 10
    ((first * w1).sum() + (second * w2).sum()).backward(retain_graph=True)
    np.testing.assert_array_equal(a.grad.numpy(), [0.0 + 20.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0 + 30.0, 2.0 + 40.0, 3.0 + 50.0])
    np.testing.assert_array_equal(c.grad.numpy(), [4.0 + 0.0, 5.0 + 10.0])


def test_composites_take_python_lists_as_numpy_does():
    calls = [(cr.sort, np.sort, [3.0, 1.0, 2.0]), (cr.flip, np.flip, [1.0, 2.0]), (cr.diff, np.diff, [1.0, 4.0, 2.0]),
             (lambda x: cr.take(x, [1], axis=1), lambda x: np.take(x, [1], axis=1), [[1.0, 2.0]]),
             (lambda x: cr.partition(x, 1), lambda x: np.partition(x, 1), [3.0, 1.0, 2.0]),
             (lambda x: cr.average(x, weights=[1.0, 3.0]), lambda x: np.average(x, weights=[1.0, 3.0]), [1.0, 2.0]),
             (lambda fp: cr.interp([0.5, 1.5], [0.0, 1.0, 2.0], fp),
              lambda fp: np.interp([0.5, 1.5], [0.0, 1.0, 2.0], fp), [0.0, 2.0, 1.0])]
    for fn, ref, x in calls:
        np.testing.assert_allclose(np.asarray(fn(x)), ref(x), rtol=1e-12)


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


def test_convolve_of_long_sequences_sums_shifted_copies(monkeypatch):
    from chainrule.ops import statistics

    monkeypatch.setattr(statistics, "_TOEPLITZ_LIMIT", 10)  # force the shift-and-add form
    a, v = r(7), r(4)
    for mode in ("full", "same", "valid"):
        np.testing.assert_allclose(cr.convolve(cr.tensor(a), cr.tensor(v), mode).numpy(), np.convolve(a, v, mode),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cr.convolve(cr.tensor(v), cr.tensor(a), mode).numpy(), np.convolve(v, a, mode),
                                   rtol=1e-12, atol=1e-12)
    check(lambda a, v: cr.convolve(a, v, "same"), a, v)


# ---- complex parts: real, imag, conj, angle (PyTorch's .grad = ∂L/∂x + i ∂L/∂y) ----------
def _complex_grad_by_differences(f, z, h=1e-6):
    """∂f/∂x + i ∂f/∂y for a real-valued f of a complex array, by central differences."""
    out = np.zeros_like(z)
    for k in np.ndindex(z.shape):
        for step, unit in ((h, 1.0), (h * 1j, 1j)):
            plus, minus = z.copy(), z.copy()
            plus[k] += step
            minus[k] -= step
            out[k] += unit * (f(plus) - f(minus)) / (2 * h)
    return out


COMPLEX_PARTS = {"real": cr.real, "imag": cr.imag, "conj": cr.conj, "angle": cr.angle,
                 "abs": cr.abs, "sinh-then-real": lambda z: cr.real(cr.sinh(z)),
                 "square-then-imag": lambda z: cr.imag(cr.square(z)), "log2-then-angle": lambda z: cr.angle(cr.log2(z))}


@pytest.mark.parametrize("name", sorted(COMPLEX_PARTS))
def test_complex_parts_gradients_match_finite_differences(name):
    z = rng.normal(size=4) + 1j * rng.normal(size=4)
    w1, w2 = rng.normal(size=4), rng.normal(size=4)
    fn = COMPLEX_PARTS[name]

    def loss(z):  # real-valued: a weighting of the output's real and imaginary parts
        out = fn(z)
        return (cr.real(out) * w1 + cr.imag(out) * w2).sum()

    zt = cr.tensor(z, requires_grad=True)
    loss(zt).backward()
    expected = _complex_grad_by_differences(lambda v: loss(cr.tensor(v)).item(), z)
    np.testing.assert_allclose(zt.grad.numpy(), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["imag", "angle"])
def test_complex_parts_jvp_rules_are_directional_derivatives(name):
    # cr.jvp takes real inputs only; the rows' JVP rules are checked on complex arrays directly
    op = getattr(cr, name)
    z, t = rng.normal(size=4) + 1j * rng.normal(size=4), rng.normal(size=4) + 1j * rng.normal(size=4)
    h = 1e-6
    numeric = (op(z + h * t) - op(z - h * t)) / (2 * h)
    tangent = op.jvp_rule(0)
    got = op(t) if tangent == "linear" else tangent(t, op(z), z)
    np.testing.assert_allclose(np.asarray(got), numeric, rtol=1e-6, atol=1e-8)


def test_complex_parts_values_and_tensor_attributes():
    z = np.array([1 + 2j, -3 - 0.5j])
    t = cr.tensor(z)
    np.testing.assert_array_equal(t.real.numpy(), z.real)
    np.testing.assert_array_equal(t.imag.numpy(), z.imag)
    np.testing.assert_array_equal(t.conj().numpy(), z.conj())
    np.testing.assert_array_equal(cr.conjugate(t).numpy(), z.conj())
    np.testing.assert_array_equal(t.angle().numpy(), np.angle(z))
    np.testing.assert_array_equal(cr.imag(cr.tensor([1.0, 2.0])).numpy(), [0.0, 0.0])


def test_angle_has_derivative_zero_at_zero_and_on_real_inputs():
    z = cr.tensor(np.array([0j, 1 + 1j]), requires_grad=True)
    cr.angle(z).sum().backward()
    assert z.grad.numpy()[0] == 0 and np.isfinite(z.grad.numpy()).all()
    x = cr.tensor([-2.0, 3.0], requires_grad=True)
    cr.angle(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
