"""Names decide semantics (issue 13): PyTorch's names with PyTorch's defaults, NumPy's with NumPy's.

This module runs with chainrule's own default dtype (float32), not the float64 the derivative-check
suites set (tests/conftest.py): it is what a user gets.
"""

import inspect
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
import chainrule.numpy as cnp
from chainrule.core.keywords import op_keywords
from chainrule.core.registry import OPS, builtin_ops

pytestmark = pytest.mark.library_defaults


# ---- float32 from Python floats, int64 from ints; arrays keep their dtype --------------------------
def test_the_default_float_dtype_is_float32_as_pytorch():
    assert cr.get_default_dtype() == np.float32
    assert cr.tensor([1.5]).dtype == cr.tensor(2.0).dtype == np.float32
    assert cr.tensor([1, 2]).dtype == np.int64 and cr.tensor(True).dtype == np.bool_
    assert cr.tensor([1j]).dtype == np.complex64
    assert cr.tensor([]).dtype == np.float32


def test_arrays_and_numpy_scalars_keep_their_dtype():
    for dtype in (np.float16, np.float32, np.float64, np.int32, np.int64):
        assert cr.tensor(np.zeros(2, dtype)).dtype == dtype
    assert cr.tensor(np.float64(1.0)).dtype == np.float64
    assert cr.tensor(cr.tensor(np.ones(1))).dtype == np.float64
    assert cr.tensor([1, 2], dtype=cr.float64).dtype == np.float64


def test_creation_functions_follow_torch():
    for made in (cr.zeros(2), cr.ones((2, 3)), cr.empty(2, 3), cr.eye(2), cr.linspace(0, 1, 3), cr.rand(2),
                 cr.randn(2, 2), cr.normal(0.0, 1.0, size=(2,)), cr.uniform(size=3), cr.arange(3.0),
                 cr.arange(0, 1, 0.5), cr.full((2,), 1.5)):
        assert made.dtype == np.float32
    assert cr.arange(3).dtype == cr.full((2,), 7).dtype == cr.randint(0, 3, (2,)).dtype == np.int64
    assert cr.full((2,), True).dtype == np.bool_
    assert cr.zeros_like(np.zeros(2)).dtype == np.float64  # *_like: the dtype of what it is like
    assert cr.zeros(2, 3).shape == cr.ones((2, 3)).shape == cr.zeros([2, 3]).shape == (2, 3)  # torch's *size
    assert cr.zeros((2,), cr.float64).dtype == np.float64  # NumPy's zeros(shape, dtype) too


def test_the_exercises_solve_in_float64():
    from chainrule.tools.exercise_book import EXERCISES, _solved

    for key in EXERCISES:
        for entry, value in _solved(key).items():  # what `chainrule exercise check` compares with
            array = np.asarray(value)
            assert array.dtype.kind != "f" or array.dtype == np.float64, (key, entry)


def test_layer_parameters_are_float32_unless_asked():
    layers = [cr.nn.Linear(3, 2), cr.nn.Conv1d(1, 2, 3), cr.nn.Conv2d(1, 2, 3), cr.nn.Embedding(4, 3),
              cr.nn.BatchNorm1d(3), cr.nn.LayerNorm(3), cr.nn.RNN(2, 3), cr.nn.LSTM(2, 3), cr.nn.GRU(2, 3),
              cr.nn.MLP([2, 4, 1])]
    for layer in layers:
        for name, p in layer.named_parameters():
            assert p.dtype == np.float32, (type(layer).__name__, name)
    assert cr.nn.Linear(3, 2, dtype=cr.float64).weight.dtype == np.float64
    assert cr.nn.Parameter(2.0).dtype == cr.nn.Parameter([1, 2]).dtype == np.float32
    assert cr.nn.Parameter(np.ones(2)).dtype == np.float64


def test_set_default_dtype_changes_tensors_creation_and_layers():
    cr.set_default_dtype(cr.float64)
    try:
        assert cr.tensor([1.5]).dtype == cr.zeros(1).dtype == cr.nn.Linear(1, 1).weight.dtype == np.float64
        assert cr.tensor([1, 2]).dtype == np.int64  # ints stay int64
        assert repr(cr.tensor([1.5])) == "tensor([1.5])"
    finally:
        cr.set_default_dtype(cr.float32)
    with pytest.raises(ValueError, match="floating dtype"):
        cr.set_default_dtype(cr.int64)


def test_repr_names_the_dtype_only_when_it_is_not_the_default():
    assert repr(cr.tensor([1.5])) == "tensor([1.5])"
    assert repr(cr.tensor(np.array([1.5]))) == "tensor([1.5], dtype=float64)"


def test_nep50_python_numbers_do_not_promote_float32():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (2.5 * x + 1).sum()
    y.backward()
    assert y.dtype == x.grad.dtype == np.float32


# ---- NumPy's names keep NumPy's meaning --------------------------------------------------------------
def test_chainrule_numpy_keeps_float64_and_biased_variance():
    assert cnp.array([1.5]).dtype == cnp.zeros(2).dtype == cnp.linspace(0, 1, 3).dtype == np.float64
    data = np.array([1.0, 2.0, 3.0, 4.0])
    assert cnp.var(data) == pytest.approx(1.25) and cnp.std(data) == pytest.approx(np.std(data))
    x = cr.tensor(data, requires_grad=True)
    assert float(cnp.var(x)) == pytest.approx(1.25)  # on a tensor too: the name is NumPy's
    assert float(cnp.var(x, ddof=1)) == pytest.approx(np.var(data, ddof=1))
    assert float(cr.var(x)) == pytest.approx(np.var(data, ddof=1))  # PyTorch's name: unbiased


# ---- the teaching tools compute in float64 --------------------------------------------------------------
def test_grad_jvp_trace_and_gradcheck_on_python_floats_compute_in_float64():
    assert cr.grad(lambda x: x * cr.sin(x))(0.5).dtype == np.float64
    assert cr.jvp(lambda a, b: a * b, (3.0, 4.0), (1.0, 0.0))[1].dtype == np.float64
    assert cr.jacrev(lambda x: x ** 2)(1.5).dtype == cr.hessian(lambda x: x ** 3)(1.5).dtype == np.float64
    trace = cr.trace(lambda x1, x2: cr.log(x1) + x1 * x2 - cr.sin(x2), x1=2.0, x2=5.0)
    assert trace.primal[-1]["value"].dtype == np.float64
    assert cr.gradcheck(lambda x: cr.tanh(x) * x, 0.3)
    with pytest.warns(UserWarning, match="not all float64"):  # float32 inputs: checked in float64, with a warning
        assert cr.gradcheck(lambda x: cr.tanh(x) * x, cr.tensor([0.3, -1.2]))


@pytest.mark.slow
def test_the_grad_command_computes_in_float64():
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(__file__), "..", "src"))
    out = subprocess.run([sys.executable, "-m", "chainrule", "grad", "x1*x2 + sin(x1)", "--at", "x1=0.1,x2=0.3"],
                         capture_output=True, text=True, env=env, check=True).stdout
    row = next(line for line in out.splitlines() if line.startswith("∂/∂x1"))
    assert float(row.split()[1]) == pytest.approx(0.3 + np.cos(0.1), abs=1e-9)  # float32 would miss at 1e-8
    assert float(row.split()[-1]) < 1e-8  # |rev - fd|: central differences in float64 agree


def test_fit_trains_a_float32_model_on_float64_data_in_float32():
    X, y = cr.data.blobs(40, centers=2, seed=0)
    assert X.dtype == np.float64
    model = cr.nn.MLP([2, 8, 2], rng=np.random.default_rng(0))
    history = cr.train.fit(model, cr.nn.functional.cross_entropy, cr.optim.Adam(model.parameters(), lr=0.05),
                           (X, y), epochs=3, progress=False, val_data=(X, y))
    assert history["loss"][-1] < history["loss"][0]
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())


# ---- unbiased var / std, with correction= and unbiased= -------------------------------------------------
def test_var_and_std_are_unbiased_by_default_with_correction_and_unbiased():
    data = np.array([[1.0, 2.0, 4.0], [0.5, 0.5, 3.0]])
    x = cr.tensor(data)
    np.testing.assert_allclose(cr.var(x, dim=1).numpy(), np.var(data, axis=1, ddof=1))
    np.testing.assert_allclose(x.var(1).numpy(), np.var(data, axis=1, ddof=1))
    np.testing.assert_allclose(x.std(dim=0, keepdim=True).numpy(), np.std(data, axis=0, ddof=1, keepdims=True))
    np.testing.assert_allclose(cr.var(x, correction=0).numpy(), np.var(data))
    np.testing.assert_allclose(x.var(unbiased=False).numpy(), np.var(data))
    np.testing.assert_allclose(cr.std(x, False).numpy(), np.std(data))  # torch.std(x, unbiased) positionally
    np.testing.assert_allclose(cr.var(x, correction=2).numpy(), np.var(data, ddof=2))
    with pytest.raises(TypeError, match="give one of them"):
        cr.var(x, correction=1, unbiased=True)


def test_var_and_std_match_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).normal(size=(4, 5))
    for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"correction": 0}, {"unbiased": False},
               {"dim": (0, 1), "correction": 2}):
        for name in ("var", "std"):
            ours = getattr(cr.tensor(data), name)(**kw).numpy()
            theirs = getattr(torch.tensor(data), name)(**kw).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, err_msg=f"{name}({kw})")


def test_var_gradients_in_float64():
    x = np.random.default_rng(1).normal(size=(3, 4))
    for kw in ({}, {"dim": 1}, {"correction": 0}, {"dim": 0, "keepdim": True, "unbiased": True}):
        assert cr.gradcheck(lambda t: cr.var(t, **kw), x, modes=("rev", "fwd"))
        assert cr.gradcheck(lambda t: cr.std(t, **kw), x, modes=("rev", "fwd"), order=2)


def test_batch_norm_normalises_by_the_biased_variance_and_tracks_the_unbiased_one():
    data = np.random.default_rng(2).normal(size=(6, 3))
    bn = cr.nn.BatchNorm1d(3, momentum=1.0).double()
    out = bn(cr.tensor(data)).numpy()
    np.testing.assert_allclose(out, (data - data.mean(0)) / np.sqrt(data.var(0) + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(bn.running_var.numpy(), data.var(0, ddof=1), rtol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm1d(3, momentum=1.0).double()
    np.testing.assert_allclose(out, theirs(torch.tensor(data)).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(bn.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)


# ---- dim= / keepdim= everywhere; unknown keywords explained ------------------------------------------
def _registry_cases():
    sys.path.insert(0, os.path.dirname(__file__))
    from op_specs import CASES

    return CASES


def test_every_op_with_axis_takes_dim_and_keepdim_alike():
    checked = 0
    for name, op in builtin_ops().items():
        keywords = op_keywords(op) or ()
        if "axis" not in keywords:
            continue
        for args, params in _registry_cases().get(name, []):
            if "axis" not in params:
                continue
            spelled = {{"axis": "dim", "keepdims": "keepdim"}.get(k, k): v for k, v in params.items()}
            np.testing.assert_array_equal(np.asarray(op(*args, **spelled)), np.asarray(op(*args, **params)),
                                          err_msg=name)
            tensors = [cr.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
            np.testing.assert_array_equal(op(*tensors, **spelled).numpy(), op(*tensors, **params).numpy())
            checked += 1
    assert checked > 20


def test_every_op_names_itself_and_its_keywords_for_an_unknown_keyword():
    for name, op in OPS.items():
        args = next(iter(_registry_cases().get(name, [])), None)
        if args is None or op_keywords(op) is None:
            continue
        for inputs in (args[0], tuple(cr.tensor(a) if isinstance(a, np.ndarray) else a for a in args[0])):
            with pytest.raises(TypeError, match=rf"^{name}\(\) got an unexpected keyword argument 'keepdimz'; "
                                                r"it takes "):
                op(*inputs, **args[1], keepdimz=True)


def test_every_public_function_explains_an_unknown_keyword():
    from chainrule import ops

    for name in ops.__all__:
        fn = getattr(ops, name)
        if not inspect.isfunction(fn):
            continue
        try:
            fn(np.ones(3), keepdimz=True)
        except TypeError as exc:
            expected = rf"(cr\.)?{name}\(\) got an unexpected keyword argument 'keepdimz'; it takes"
            assert re.match(expected, str(exc)), name
        else:
            pytest.fail(f"{name} took keepdimz=")


def test_composites_take_dim_and_keepdim():
    data = np.random.default_rng(3).normal(size=(3, 4))
    x = cr.tensor(data)
    for name in ("mean", "var", "std", "softmax", "log_softmax", "cumsum", "median", "nansum", "amax", "argsort"):
        fn = getattr(cr, name)
        params = inspect.signature(fn).parameters
        kw = {"axis": 1, **({"keepdims": True} if "keepdims" in params else {})}
        spelled = {"dim": 1, **({"keepdim": True} if "keepdims" in params else {})}
        np.testing.assert_array_equal(np.asarray(fn(x, **spelled)), np.asarray(fn(x, **kw)), err_msg=name)
    assert cr.cat([x, x], axis=1).shape == (3, 8) and cr.stack([x, x], dim=1).shape == (3, 2, 4)
    assert cr.sum(x, dim=1, keepdim=True).shape == (3, 1) and x.max(dim=0).values.shape == (4,)
    assert cr.argmax(x, dim=1).tolist() == np.argmax(data, axis=1).tolist()
    with pytest.raises(TypeError, match="both dim= and axis="):
        cr.sum(x, dim=0, axis=1)


def test_a_keyword_mistake_inside_vmap_is_explained_and_dim_is_read():
    f = cr.vmap(lambda row: cr.sum(row * row, dim=0))
    np.testing.assert_allclose(f(np.ones((2, 3))).numpy(), [3.0, 3.0])
    with pytest.raises(TypeError, match="sum\\(\\) got an unexpected keyword argument 'keepdimz'"):
        cr.vmap(lambda row: cr.sum(row, keepdimz=True))(np.ones((2, 3)))


# ---- size(), to(), modules ---------------------------------------------------------------------------------
def test_size_is_torch_size_when_called_and_numpy_size_as_a_number():
    x = cr.zeros((2, 3))
    assert x.size() == (2, 3) and x.size(0) == 2 and x.size(-1) == 3 and x.numel() == 6
    assert x.size == 6 and x.size * 2 == 12 and int(x.size) == 6  # NumPy code reading ndarray.size
    with pytest.raises(IndexError, match="out of range"):
        x.size(2)
    assert cr.grad(lambda t: cnp.sum(t) / t.size)(np.ones(4)).tolist() == [0.25] * 4


def test_to_takes_devices_dtypes_and_tensors():  # (other devices: tests/test_devices.py)
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.to(cr.device("cpu")) is x and x.to(x.dtype) is x and x.cpu() is x
    assert x.to(cr.float64).dtype == x.to("cpu", cr.float64).dtype == x.to(dtype=cr.float64).dtype == np.float64
    assert x.to(cr.zeros(1, dtype=cr.int64)).dtype == np.int64
    assert x.to(copy=True) is not x and str(x.device) == "cpu"
    x.to(cr.float64).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 1.0]


def test_module_to_float_double_apply_and_requires_grad():
    model = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.BatchNorm1d(3), cr.nn.ReLU(inplace=True), cr.nn.Identity(7))
    assert model.to("cpu") is model and model.double() is model
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model[1].running_var.dtype == np.float64 and model[1].num_batches_tracked.dtype == np.int64
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())
    model.apply(lambda m: cr.nn.init.zeros_(m.weight) if isinstance(m, cr.nn.Linear) else None)
    assert not model[0].weight.numpy().any()
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    model.requires_grad_(True)
    model.to(cr.zeros(1, dtype=cr.float64))  # another tensor's dtype (and device), as torch's Module.to(tensor)
    assert all(p.dtype == np.float64 for p in model.parameters())
    with pytest.raises(TypeError, match="floating point"):
        model.to(cr.int64)


def test_activation_modules_take_inplace_as_torch():
    x = cr.tensor([-1.0, 2.0])
    for make in (cr.nn.ReLU, cr.nn.LeakyReLU, cr.nn.ELU, cr.nn.ReLU6, cr.nn.Hardtanh, cr.nn.SiLU, cr.nn.SELU,
                 cr.nn.Hardswish, cr.nn.Hardsigmoid, cr.nn.Mish, cr.nn.CELU, cr.nn.Dropout):
        out = make(inplace=True)(x)
        assert out.shape == x.shape and x.tolist() == [-1.0, 2.0]  # a new tensor; x itself unchanged


def test_load_takes_weights_only(tmp_path):
    path = str(tmp_path / "w.npz")
    cr.save(cr.nn.Linear(2, 1).state_dict(), path)
    assert sorted(cr.load(path, weights_only=True)) == ["bias", "weight"]
    assert sorted(cr.load(path, weights_only=False, map_location="cpu")) == ["bias", "weight"]


def test_float32_models_and_losses_stay_float32():
    F = cr.nn.functional
    x = cr.randn(4, 3, requires_grad=True)
    y, t = np.array([0, 1, 2, 1]), cr.rand(4, 3)
    logp = F.log_softmax(x, dim=1)
    losses = [F.cross_entropy(x, y), F.cross_entropy(x, y, weight=cr.ones(3), label_smoothing=0.1),
              F.cross_entropy(x, cr.softmax(t, dim=1)), F.cross_entropy(x, np.array([0, -100, 2, 1])),
              F.nll_loss(logp, y), F.mse_loss(x, t), F.l1_loss(x, t), F.smooth_l1_loss(x, t), F.huber_loss(x, t),
              F.binary_cross_entropy(cr.sigmoid(x), t), F.binary_cross_entropy_with_logits(x, t, pos_weight=cr.ones(3)),
              F.kl_div(logp, t, reduction="batchmean")]
    for i, loss in enumerate(losses):
        assert loss.dtype == np.float32, i
    model = cr.nn.Sequential(cr.nn.Conv2d(1, 2, 3), cr.nn.MaxPool2d(2), cr.nn.Flatten(), cr.nn.Linear(2, 2),
                             cr.nn.BatchNorm1d(2), cr.nn.Dropout(), cr.nn.GELU(), cr.nn.LayerNorm(2))
    out = model(cr.randn(3, 1, 4, 4))
    out.sum().backward()
    assert out.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in model.parameters())
    assert cr.nn.LSTM(2, 3)(cr.randn(4, 2, 2))[0].dtype == cr.nn.Embedding(4, 3)(cr.tensor([1, 2])).dtype == np.float32


def test_a_user_op_takes_dim_too():
    total = cr.defop("total_example_keywords", lambda x, axis=None: np.sum(x, axis=axis),
                     vjp=lambda g, ans, x, axis=None: cr.broadcast_to(cr.expand_dims(g, axis), x.shape),
                     jvp="linear")
    x = cr.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    total(x, dim=1).sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2
    with pytest.raises(TypeError, match=r"total_example_keywords\(\) got an unexpected keyword argument 'keepdim'; "
                                        r"it takes axis \(or dim\)"):
        total(x, keepdim=True)


def test_linalg_and_fft_take_torch_spellings():
    data = np.random.default_rng(4).normal(size=(3, 4))
    x = cr.tensor(data)
    np.testing.assert_allclose(cr.linalg.norm(x, dim=1, keepdim=True).numpy(),
                               np.linalg.norm(data, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(cr.linalg.vector_norm(x, dim=0).numpy(), np.linalg.norm(data, axis=0), rtol=1e-12)
    np.testing.assert_allclose(cr.fft.fft(x, dim=0).numpy(), np.fft.fft(data, axis=0), rtol=1e-12)
    with pytest.raises(TypeError, match=r"cr\.linalg\.norm\(\) got an unexpected keyword argument 'dims'"):
        cr.linalg.norm(x, dims=1)


# ---- max / min: PyTorch's three meanings, NumPy's axis= -----------------------------------------------
def test_max_and_min_along_dim_give_values_and_indices_as_torch():
    data = np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 4.0]])
    for lib_call in (lambda lib, t: lib.max(t, 1), lambda lib, t: t.max(dim=0, keepdim=True),
                     lambda lib, t: lib.min(t, dim=1), lambda lib, t: t.min(0)):
        values, indices = lib_call(cr, cr.tensor(data))
        torch = pytest.importorskip("torch")
        theirs = lib_call(torch, torch.tensor(data))
        np.testing.assert_array_equal(values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(indices.numpy(), theirs.indices.numpy())
        assert indices.dtype == np.int64


def test_max_along_dim_sends_the_gradient_to_the_index_it_returns():
    x = cr.tensor(np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 4.0]]), requires_grad=True)
    x.max(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]  # the first of tied entries, as torch.max(dim)
    x.grad = None
    cr.max(x, axis=1).sum().backward()  # NumPy's amax: ties split evenly
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]]
    data = np.random.default_rng(5).normal(size=(3, 4))
    assert cr.gradcheck(lambda t: cr.max(t, 1).values, data, modes=("rev", "fwd"), order=2)
    assert cr.gradcheck(lambda t: t.min(dim=0, keepdim=True).values, data, modes=("rev", "fwd"))
    torch = pytest.importorskip("torch")
    t = torch.tensor(np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 4.0]]), requires_grad=True)
    t.max(1).values.sum().backward()
    assert t.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_max_of_two_tensors_and_of_everything():
    a, b = cr.tensor([1.0, 5.0]), cr.tensor([3.0, 2.0])
    assert cr.max(a, b).tolist() == a.max(b).tolist() == [3.0, 5.0] and cr.min(a, other=b).tolist() == [1.0, 2.0]
    assert cr.max(a).item() == 5.0 and a.min().item() == 1.0
    assert cr.max(cr.tensor(2.0), 0).indices.item() == 0
    _, predicted = cr.max(cr.tensor([[0.1, 0.9], [0.8, 0.2]]), 1)  # the tutorials' idiom
    assert predicted.tolist() == [1, 0]
    assert cnp.max(np.array([[1.0, 2.0]]), 1).tolist() == [2.0]  # NumPy's names: NumPy's max


def test_max_along_dim_under_vmap_and_jit():
    rows = np.array([[1.0, 3.0, 3.0], [4.0, 2.0, 0.0]])
    np.testing.assert_array_equal(cr.vmap(lambda r: r.max(0).values)(rows).numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(cr.vmap(lambda r: cr.min(r, 0).indices)(rows).numpy(), [0, 2])
    per_row = cr.vmap(cr.grad(lambda r: cr.max(r, 0).values))(rows).numpy()
    np.testing.assert_array_equal(per_row, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    step = cr.jit(cr.grad(lambda x: x.max(1).values.sum()))
    np.testing.assert_array_equal(step(rows).numpy(), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])  # traced
    np.testing.assert_array_equal(step(-rows).numpy(), [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # replayed
