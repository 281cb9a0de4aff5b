"""The declared conventions of the NumPy surface (each against a value written out here),
its errors, the Tensor methods, the complex parts, and the composites' edge behaviour."""

import numpy as np
import pytest

import chainrule as cr
from arrays_util import check, distinct, r, rng


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
