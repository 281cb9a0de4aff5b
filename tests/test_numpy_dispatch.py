"""NumPy's own functions on Tensors: __array_ufunc__ / __array_function__, formats, ndarray interop."""

from __future__ import annotations

import numpy as onp
import pytest

import chainrule as cr
from chainrule.ops.numpy_dispatch import NoDerivativeError


def leaf(values):
    return cr.tensor(onp.asarray(values, dtype=float), requires_grad=True)


def test_ufunc_on_tensor_records_and_matches_the_formula():
    x = leaf([0.3, -1.2])
    y = onp.sum(onp.sin(x) * onp.exp(x))
    assert isinstance(y, cr.Tensor)
    y.backward()
    v = x.numpy()
    assert onp.allclose(x.grad.numpy(), onp.cos(v) * onp.exp(v) + onp.sin(v) * onp.exp(v))


@pytest.mark.parametrize("f", [
    lambda x: onp.sin(x) * onp.tanh(x),
    lambda x: onp.sum(x ** 2, axis=0),
    lambda x: onp.mean(onp.exp(x), axis=1, keepdims=True),
    lambda x: onp.concatenate([x, onp.log1p(x * x)], axis=0),
    lambda x: onp.maximum(x, 0.1) + onp.matmul(x, x.T).sum(),
    lambda x: onp.add.reduce(x * x, axis=1),
    lambda x: onp.multiply.outer(x[0], x[1]),
    lambda x: onp.linalg.norm(x),
    lambda x: onp.tensordot(x, x, axes=([1], [1])),
], ids=["sin_tanh", "sum_axis", "mean_keepdims", "concatenate", "maximum_matmul", "add_reduce", "outer",
        "linalg_norm", "tensordot"])
def test_numpy_functions_differentiate_both_modes_second_order(f):
    x = onp.array([[0.3, -0.7, 1.1], [0.5, 0.9, -0.4]])
    cr.gradcheck(f, x, modes=("rev", "fwd"))
    cr.gradcheck(lambda t: onp.sum(f(t)), x, modes=("rev",), order=2)


def test_ndarray_on_the_left_gives_a_tensor_and_a_gradient():
    x = leaf([1.0, 2.0])
    y = onp.array([3.0, 4.0]) * x
    assert isinstance(y, cr.Tensor)
    y.sum().backward()
    assert onp.allclose(x.grad.numpy(), [3.0, 4.0])


def test_uncovered_function_on_a_differentiated_tensor_raises_naming_it():
    with pytest.raises(NoDerivativeError, match=r"numpy\.linalg\.eigvals has no derivative rule"):
        onp.linalg.eigvals(leaf([[1.0, 0.0], [0.0, 2.0]]))
    with pytest.raises(NoDerivativeError, match="numpy.spacing"):
        onp.spacing(leaf([1.0]))


def test_uncovered_function_on_a_plain_tensor_falls_back_to_numpy():
    result = onp.linalg.eigvals(cr.tensor([[1.0, 0.0], [0.0, 2.0]]))
    assert type(result) is onp.ndarray and onp.allclose(onp.sort(result), [1.0, 2.0])


def test_nondifferentiable_functions_return_plain_results():
    x = leaf([3.0, 1.0, 2.0])
    assert type(onp.argsort(x)) is onp.ndarray and list(onp.argsort(x)) == [1, 2, 0]
    assert onp.shape(x) == (3,) and onp.ndim(x) == 1
    assert type(onp.isnan(x)) is onp.ndarray and not onp.isnan(x).any()
    assert type(onp.floor(x)) is onp.ndarray


def test_ndarray_in_place_minus_tensor():
    a = onp.ones(2)
    a -= cr.tensor([0.25, 0.5])  # no derivative to lose: written in place, as NumPy does
    assert type(a) is onp.ndarray and onp.allclose(a, [0.75, 0.5])
    with pytest.raises(cr.ChainruleError, match=r"a = a - t"):
        a -= leaf([1.0, 1.0])
    with pytest.raises(cr.ChainruleError, match="out="):
        onp.add(cr.tensor([1.0]), 1.0, out=cr.tensor([0.0]))


def test_asarray_gives_the_host_array_and_0d_stays_0d():
    x = leaf([[1.0, 2.0]])
    assert type(onp.asarray(x)) is onp.ndarray and onp.asarray(x).shape == (1, 2)
    s = x.sum()
    assert type(onp.asarray(s)) is onp.ndarray and onp.asarray(s).shape == ()
    assert type(s.__array__()) is onp.ndarray and s.numpy().shape == ()
    assert onp.asarray(x, dtype=onp.float32).dtype == onp.float32
    assert type((x * 2).numpy()) is onp.ndarray


def test_format_spec():
    loss = cr.tensor(2.0) / 3
    assert f"{loss:.3f}" == "0.667" and f"{cr.tensor([0.5]):.0%}" == "50%"
    assert f"{loss}" == repr(loss)
    with pytest.raises(TypeError, match="single-element"):
        f"{cr.tensor([1.0, 2.0]):.2f}"


def test_ravel_flatten_tolist():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    assert x.ravel().shape == (4,) and x.flatten().shape == (4,)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    cr.gradcheck(lambda t: t.ravel() * onp.arange(4.0), x.numpy())


def test_forward_mode_through_numpy_functions():
    _, t = cr.jvp(lambda x: onp.sum(onp.sin(x)), (onp.array([0.1, 0.2]),), (onp.array([1.0, 1.0]),))
    assert onp.isclose(float(t), onp.cos(0.1) + onp.cos(0.2))


def test_modulo_operator():
    x, y = 5.3, 2.0
    gx, gy = cr.grad(lambda a, b: a % b, argnums=(0, 1))(x, y)
    assert float(gx) == 1.0 and float(gy) == -onp.floor(x / y)
    assert float(cr.tensor(7.0) // 2.0) == 3.0


def test_setitem_refused_where_a_gradient_would_be_lost():
    plain = cr.zeros(2)
    with pytest.raises(cr.ChainruleError, match="lose the gradient"):
        plain[0] = leaf(1.0)
    plain[0] = 3.0
    assert plain.tolist() == [3.0, 0.0]


def test_matplotlib_plots_tensors():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = leaf([0.0, 1.0, 2.0])
    (line,) = plt.plot(x, onp.sin(x))
    assert onp.allclose(line.get_ydata(), onp.sin([0.0, 1.0, 2.0]))
    plt.close("all")


def test_results_of_transforms_hand_out_0d_arrays_not_numpy_scalars():
    g = cr.grad(lambda x: x * x)(3.0)
    assert type(g.numpy()) is onp.ndarray and type(g.data) is onp.ndarray and g.numpy().shape == ()
    assert type(onp.asarray(g)) is onp.ndarray and float(g) == 6.0
