"""The NumPy surface (issue 12) and the rule fixes of issue 18 in reduce/shape.

Rows of the op table are tested from the registry (tests/op_specs_arrays.py); this file
tests the composites (against NumPy and finite differences, both modes, order 2), the
declared conventions, and the issue-18 regressions, each against a formula written out here.
"""

import itertools
import time

import numpy as np
import pytest

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
