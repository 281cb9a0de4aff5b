"""cr.func.functional_call and stack_module_state: a module as a function of its parameters.

The cases follow PyTorch's tutorials: per-sample gradients (vmap of grad of a loss that calls the model
with given parameters, checked against one backward per sample) and model ensembling (stacked parameters).
"""

import copy

import numpy as np
import pytest

import chainrule as cr
from chainrule.func import functional_call, grad, stack_module_state, vmap

F = cr.nn.functional


def _model(seed=0):
    cr.manual_seed(seed)
    return cr.nn.Sequential(cr.nn.Linear(6, 8), cr.nn.ReLU(), cr.nn.Linear(8, 3)).double()


def _data(seed=1, n=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)), rng.integers(0, 3, size=n)


def test_per_sample_gradients_equal_one_backward_per_sample():
    model = _model()
    x, y = _data()
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def loss(p, b, sample, target):
        out = functional_call(model, (p, b), (sample[None],))
        return F.cross_entropy(out, target[None])

    per_sample = vmap(grad(loss), in_dims=(None, None, 0, 0))(params, buffers, x, y)
    for i in range(len(y)):  # the reference: the module's own backward, one sample at a time
        model.zero_grad()
        F.cross_entropy(model(cr.tensor(x[i:i + 1])), y[i:i + 1]).backward()
        for name, p in model.named_parameters():
            np.testing.assert_allclose(np.asarray(per_sample[name])[i], p.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert per_sample["0.weight"].shape == (5, 8, 6)


def test_the_output_uses_the_given_tensors_and_the_module_is_left_as_it_was():
    model = _model()
    before = {k: v.numpy().copy() for k, v in model.named_parameters()}
    originals = {k: v for k, v in model.named_parameters()}
    x, _ = _data()
    zeros = {k: np.zeros(v.shape) for k, v in model.named_parameters()}
    np.testing.assert_array_equal(functional_call(model, zeros, (x,)).numpy(), np.zeros((5, 3)))
    # only some names: the others are the module's own (here the last layer's bias alone is changed)
    out = functional_call(model, {"2.bias": np.full(3, 10.0)}, x)  # args that is not a tuple: one argument
    np.testing.assert_allclose(out.numpy(), model(cr.tensor(x)).numpy() - model[2].bias.numpy() + 10.0)
    for name, p in model.named_parameters():  # the very same Parameters, with their old values
        assert p is originals[name] and isinstance(p, cr.nn.Parameter)
        np.testing.assert_array_equal(p.numpy(), before[name])
        assert getattr(model[int(name[0])], name.split(".")[1]) is p


def test_the_module_is_restored_when_the_call_raises():
    model = _model()
    weight = model[0].weight
    with pytest.raises(cr.ChainruleError):
        functional_call(model, {"0.weight": np.zeros((8, 6))}, (np.zeros((2, 5)),))  # wrong input width
    assert model[0].weight is weight and model[0]._parameters["weight"] is weight


def test_buffers_are_replaced_too():
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(4, 3), cr.nn.BatchNorm1d(3)).double().eval()
    x = np.random.default_rng(2).normal(size=(6, 4))
    mean, var = np.array([1.0, -1.0, 0.5]), np.array([4.0, 0.25, 1.0])
    out = functional_call(model, {"1.running_mean": mean, "1.running_var": var}, (x,))
    h = model[0](cr.tensor(x)).numpy()
    bn = model[1]
    expected = (h - mean) / np.sqrt(var + bn.eps) * bn.weight.numpy() + bn.bias.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3))  # its own buffers untouched


def test_tied_weights_follow_the_one_given_unless_untied():
    class Tied(cr.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = cr.nn.Linear(3, 3, bias=False)
            self.b = cr.nn.Linear(3, 3, bias=False)
            self.b.weight = self.a.weight  # one Parameter under two names

        def forward(self, x):
            return self.b(self.a(x))

    model = Tied().double()
    x, w = np.eye(3), 2 * np.eye(3)
    np.testing.assert_allclose(functional_call(model, {"a.weight": w}, (x,)).numpy(), 4 * np.eye(3))
    own = model.a.weight.numpy()
    untied = functional_call(model, {"a.weight": w}, (x,), tie_weights=False).numpy()
    np.testing.assert_allclose(untied, (x @ w.T) @ own.T)
    with pytest.raises(cr.ChainruleError, match="tied"):
        functional_call(model, {"a.weight": w, "b.weight": 3 * np.eye(3)}, (x,))


def test_names_are_checked():
    model = _model()
    x, _ = _data()
    with pytest.raises(cr.ChainruleError, match="no parameter or buffer named"):
        functional_call(model, {"0.wieght": np.zeros((8, 6))}, (x,))  # a typo would differentiate nothing
    with pytest.raises(cr.ChainruleError, match="strict=True"):
        functional_call(model, {"0.weight": np.zeros((8, 6))}, (x,), strict=True)
    with pytest.raises(cr.ChainruleError, match="more than one"):
        functional_call(model, ({"0.bias": np.zeros(8)}, {"0.bias": np.ones(8)}), (x,))
    with pytest.raises(cr.ChainruleError, match="nn.Module"):
        functional_call(lambda x: x, {}, (x,))
    full = {k: v.detach() for k, v in model.named_parameters()}
    np.testing.assert_allclose(functional_call(model, full, (x,), strict=True).numpy(), model(cr.tensor(x)).numpy())


def test_kwargs_reach_forward():
    class Scaled(cr.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = cr.nn.Linear(2, 2)

        def forward(self, x, scale=1.0):
            return self.lin(x) * scale

    model = Scaled().double()
    p = {"lin.weight": np.eye(2), "lin.bias": np.zeros(2)}
    out = functional_call(model, p, (np.ones((1, 2)),), {"scale": 3.0})
    np.testing.assert_allclose(out.numpy(), [[3.0, 3.0]])


def test_jitted_per_sample_gradients_with_new_parameters_each_call():
    model = _model()
    x, y = _data()

    def loss(p, sample, target):
        return F.cross_entropy(functional_call(model, p, (sample[None],)), target[None])

    eager = vmap(grad(loss), in_dims=(None, 0, 0))
    jitted = cr.jit(eager)
    rng = np.random.default_rng(3)
    for _ in range(3):
        params = {k: rng.normal(size=v.shape) for k, v in model.named_parameters()}
        got, want = jitted(params, x, y), eager(params, x, y)
        for k in params:
            np.testing.assert_allclose(np.asarray(got[k]), np.asarray(want[k]), rtol=1e-12, atol=1e-14)
    assert jitted.traces == 1


def test_an_ensemble_by_stacked_parameters_equals_each_model():
    models = [_model(seed) for seed in range(4)]
    params, buffers = stack_module_state(models)
    assert params["0.weight"].shape == (4, 8, 6) and params["0.weight"].requires_grad and buffers == {}
    base = copy.deepcopy(models[0])
    x, _ = _data()

    def fmodel(p, b, inputs):
        return functional_call(base, (p, b), (inputs,))

    out = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)  # every model on the same minibatch
    for i, m in enumerate(models):
        np.testing.assert_allclose(out[i].numpy(), m(cr.tensor(x)).numpy(), rtol=1e-12)
    # and each model on its own minibatch
    xs = np.stack([_data(seed=10 + i)[0] for i in range(4)])
    out = vmap(fmodel, in_dims=(0, 0, 0))(params, buffers, xs)
    for i, m in enumerate(models):
        np.testing.assert_allclose(out[i].numpy(), m(cr.tensor(xs[i])).numpy(), rtol=1e-12)


def test_stack_module_state_refuses_what_cannot_stack():
    with pytest.raises(cr.ChainruleError, match="at least one"):
        stack_module_state([])
    with pytest.raises(cr.ChainruleError, match="different parameters"):
        stack_module_state([cr.nn.Linear(2, 2), cr.nn.Linear(2, 2, bias=False)])
    with pytest.raises(cr.ChainruleError, match="shapes"):
        stack_module_state([cr.nn.Linear(2, 2), cr.nn.Linear(3, 2)])
    with pytest.raises(cr.ChainruleError, match="training and eval"):
        stack_module_state([cr.nn.Linear(2, 2), cr.nn.Linear(2, 2).eval()])
