"""Layers and activations with PyTorch's names: gradchecks, modes, and PyTorch's values where installed."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

rng = np.random.default_rng(11)

ACTIVATIONS = [("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}), ("logsigmoid", {}),
               ("hardtanh", {"min_val": -0.5, "max_val": 0.7}), ("relu6", {}), ("hardsigmoid", {}),
               ("hardswish", {}), ("selu", {}), ("celu", {"alpha": 0.8}), ("softsign", {}), ("tanhshrink", {}),
               ("softmin", {"dim": 1})]
# away from the kinks of the piecewise ones (hardtanh at ±0.5/0.7, relu6 at 0/6, hard* at ±3)
X = rng.uniform(-2.5, 2.5, size=(3, 4))
X = np.where(np.min(np.abs(X[..., None] - np.array([-0.5, 0.0, 0.7])), axis=-1) < 0.05, 1.3, X)


@pytest.mark.parametrize("name,kw", ACTIVATIONS)
def test_activation_gradcheck(name, kw):
    assert cr.gradcheck(lambda x: getattr(F, name)(x, **kw), X, modes=("rev", "fwd"))


@pytest.mark.parametrize("name,kw", ACTIVATIONS)
def test_activation_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = cr.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, expected = getattr(F, name)(ours, **kw), getattr(torch.nn.functional, name)(theirs, **kw)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    out.sum().backward()
    expected.sum().backward()
    rtol = 1e-7 if name in ("hardsigmoid", "celu") else 1e-10  # PyTorch: float32 constants 1/6 and 1/α there
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=rtol, atol=1e-12)


def test_activation_modules():
    x = cr.tensor(X)
    for module, fn in [(cr.nn.GELU(), F.gelu), (cr.nn.SiLU(), F.silu), (cr.nn.Mish(), F.mish),
                       (cr.nn.ReLU6(inplace=True), F.relu6), (cr.nn.Hardtanh(), F.hardtanh)]:
        np.testing.assert_array_equal(module(x).numpy(), fn(x).numpy())


def test_erf_derivative_formula():
    # d/dx erf x = 2/√π·exp(-x²)
    x = cr.tensor(np.linspace(-2, 2, 9), requires_grad=True)
    cr.erf(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 / np.sqrt(np.pi) * np.exp(-np.linspace(-2, 2, 9) ** 2), rtol=1e-14)


def test_batch_norm_gradcheck_train_and_eval():
    x, wt, b = rng.normal(size=(6, 3, 2)), rng.uniform(0.5, 2, 3), rng.normal(size=3)
    assert cr.gradcheck(lambda x, wt, b: F.batch_norm(x, None, None, wt, b, training=True), x, wt, b,
                        modes=("rev", "fwd"))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    assert cr.gradcheck(lambda x: F.batch_norm(x, mean, var, training=False), x)
    assert cr.gradcheck(lambda x, wt, b: F.layer_norm(x, (3, 2), wt, b), x, rng.normal(size=(3, 2)),
                        rng.normal(size=(3, 2)), modes=("rev", "fwd"))


@pytest.mark.parametrize("dims,cls", [((8, 3), "BatchNorm1d"), ((8, 3, 5), "BatchNorm1d"),
                                      ((4, 3, 2, 5), "BatchNorm2d")])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_matches_torch_over_steps(dims, cls, momentum):
    torch = pytest.importorskip("torch")
    ours = getattr(cr.nn, cls)(3, momentum=momentum, dtype=np.float64)
    theirs = getattr(torch.nn, cls)(3, momentum=momentum, dtype=torch.float64)
    for _ in range(3):
        x = rng.normal(size=dims) * 2 + 1
        a, b = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = ours(a), theirs(b)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        seed = rng.normal(size=dims)
        out.backward(seed)
        expected.backward(torch.tensor(seed))
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == 3
    ours.eval()
    theirs.eval()
    x = rng.normal(size=dims)
    np.testing.assert_allclose(ours(cr.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_batch_norm_eval_uses_running_statistics_by_hand():
    bn = cr.nn.BatchNorm1d(2, momentum=0.5, dtype=np.float64)
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    bn(cr.tensor(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var.numpy(), 0.5 * 1 + 0.5 * x.var(axis=0, ddof=1))
    bn.eval()
    out = bn(cr.tensor(x)).numpy()
    np.testing.assert_allclose(out, (x - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + 1e-5))
    with pytest.raises(ValueError, match="2D or 3D"):
        bn(cr.ones((2, 2, 2, 2)))


def test_layer_norm_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = cr.nn.LayerNorm((3, 4), dtype=np.float64), torch.nn.LayerNorm((3, 4), dtype=torch.float64)
    ours.weight.data = rng.normal(size=(3, 4))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
    x = rng.normal(size=(2, 3, 4))
    a, b = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(a), theirs(b)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_dropout_train_and_eval():
    drop = cr.nn.Dropout(0.25)
    x = cr.ones((200, 50), requires_grad=True)
    y = drop(x)
    kept = y.numpy() != 0
    assert 0.7 < kept.mean() < 0.8 and np.allclose(y.numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.75)  # the gradient goes through the same mask
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        cr.nn.Dropout(1.5)


def test_embedding_rows_and_padding_gradient():
    emb = cr.nn.Embedding(5, 3, padding_idx=1)
    idx = np.array([[1, 2], [2, 4]])
    out = emb(idx)
    np.testing.assert_array_equal(out.numpy(), emb.weight.numpy()[idx])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0, 0, 2, 0, 1])  # row 1 is padding: no gradient
    with pytest.raises(IndexError, match="out of range"):
        emb(np.array([5]))
    assert cr.gradcheck(lambda w: F.embedding(idx, w), rng.normal(size=(5, 3)))


def test_containers_flatten_and_one_hot():
    layers = cr.nn.ModuleList([cr.nn.Linear(2, 2), cr.nn.Tanh()])
    layers.append(cr.nn.Linear(2, 1))
    layers.insert(0, cr.nn.Identity())
    assert len(layers) == 4 and type(layers[0]).__name__ == "Identity"
    assert [n for n, _ in layers.named_parameters()] == ["1.weight", "1.bias", "3.weight", "3.bias"]
    assert len(layers[1:]) == 3
    heads = cr.nn.ModuleDict({"a": cr.nn.Linear(2, 1)})
    heads["b"] = cr.nn.Linear(2, 3)
    assert list(heads) == ["a", "b"] and len(list(heads.parameters())) == 4
    with pytest.raises(cr.ChainruleError, match="holds Modules"):
        layers.append(3)
    assert cr.nn.Flatten(0, 1)(cr.ones((2, 3, 4))).shape == (6, 4)
    assert cr.nn.Unflatten(-1, (2, 2))(cr.ones((3, 4))).shape == (3, 2, 2)
    assert F.one_hot(np.array([[1], [0]]), 3).tolist() == [[[0, 1, 0]], [[1, 0, 0]]]


def test_pad_normalize_linear_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = rng.normal(size=(2, 3, 4))
    np.testing.assert_allclose(F.pad(cr.tensor(x), (1, 2, 0, 1), value=0.5).numpy(),
                               tf.pad(torch.tensor(x), (1, 2, 0, 1), value=0.5).numpy())
    np.testing.assert_allclose(F.normalize(cr.tensor(x), dim=2).numpy(), tf.normalize(torch.tensor(x), dim=2).numpy(),
                               rtol=1e-12)
    w, b = rng.normal(size=(5, 4)), rng.normal(size=5)
    np.testing.assert_allclose(F.linear(cr.tensor(x), w, b).numpy(),
                               tf.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy(), rtol=1e-12)
    assert cr.gradcheck(lambda x: F.pad(x, (1, 2, 0, 1)), x, modes=("rev", "fwd"))


def test_embedding_and_one_hot_match_torch():
    torch = pytest.importorskip("torch")
    weight = rng.normal(size=(6, 3))
    idx = np.array([[0, 2, 2], [5, 1, 0]])
    ours, theirs = cr.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    out, expected = F.embedding(idx, ours, padding_idx=2), torch.nn.functional.embedding(torch.tensor(idx), theirs,
                                                                                         padding_idx=2)
    np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), atol=1e-15)
    np.testing.assert_array_equal(F.one_hot(idx, 7).numpy(), torch.nn.functional.one_hot(torch.tensor(idx), 7).numpy())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_and_value_match_torch(norm_type):
    torch = pytest.importorskip("torch")
    grads = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    ours = [cr.nn.Parameter(np.zeros(g.shape)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = cr.tensor(g.copy()), torch.tensor(g.copy())
    total = cr.nn.utils.clip_grad_norm_(ours, 0.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    cr.nn.utils.clip_grad_value_(ours, 0.01)
    torch.nn.utils.clip_grad_value_(theirs, 0.01)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)


def test_parameters_to_vector_round_trip():
    net = cr.nn.Sequential(cr.nn.Linear(3, 2), cr.nn.Linear(2, 1))
    vec = cr.nn.utils.parameters_to_vector(net.parameters())
    assert vec.shape == (11,)
    cr.nn.utils.vector_to_parameters(cr.tensor(np.arange(11.0)), net.parameters())
    assert net[0].weight.numpy().ravel().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert cr.nn.utils.parameters_to_vector(net.parameters()).tolist() == list(np.arange(11.0))
    with pytest.raises(cr.ChainruleError, match="hold 11 values"):
        cr.nn.utils.vector_to_parameters(cr.zeros(3), net.parameters())
    w = cr.nn.Parameter([1.0])
    w.grad = cr.tensor([float("nan")])
    with pytest.raises(cr.ChainruleError, match="non-finite"):
        cr.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


def test_batch_norm_keeps_its_statistics_as_buffers():
    bn = cr.nn.BatchNorm1d(3)
    assert list(bn._buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]  # buffers are not parameters


def test_batch_norm_statistics_round_trip_through_state_dict():
    net = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.BatchNorm1d(3))
    net(cr.randn(8, 2))
    state = net.state_dict()
    assert "1.running_mean" in state and "1.num_batches_tracked" in state
    fresh = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.BatchNorm1d(3))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[1].running_var.numpy(), net[1].running_var.numpy())


def test_functional_activations_take_torch_keywords():
    torch = pytest.importorskip("torch")
    x = rng.normal(size=(3, 4))
    for name, kw in [("relu", {"inplace": False}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5}),
                     ("hardtanh", {"inplace": False}), ("silu", {"inplace": False})]:
        np.testing.assert_allclose(getattr(F, name)(cr.tensor(x), **kw).numpy(),
                                   getattr(torch.nn.functional, name)(torch.tensor(x), **kw).numpy(), rtol=1e-12)
