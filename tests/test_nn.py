"""nn: modules, layers, activations, losses and initialisation, gradchecked in float64."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

rng = np.random.default_rng(0)


def test_linear_layout_and_default_init_bound():
    layer = cr.nn.Linear(16, 4, rng=np.random.default_rng(1))
    assert layer.weight.shape == (4, 16) and layer.bias.shape == (4,)
    bound = 1 / np.sqrt(16)
    assert np.abs(layer.weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    x = rng.normal(size=(3, 16))
    np.testing.assert_allclose(layer(cr.tensor(x)).numpy(), x @ layer.weight.numpy().T + layer.bias.numpy())
    assert cr.nn.Linear(3, 2, bias=False).bias is None


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(bias):
    layer = cr.nn.Linear(3, 2, bias=bias)

    def f(x, w, *b):
        return cr.linear(x, w, *b)

    args = [rng.normal(size=(4, 3)), layer.weight.numpy()] + ([layer.bias.numpy()] if bias else [])
    assert cr.gradcheck(f, *args, order=2)


@pytest.mark.parametrize("name", sorted(cr.nn.ACTIVATIONS))
def test_activation_modules_gradcheck(name):
    module = cr.nn.ACTIVATIONS[name]()
    x = rng.normal(size=(3, 4))
    x = np.where(np.abs(x) < 0.05, 0.3, x)  # away from kinks
    assert cr.gradcheck(module, x)


def test_activation_module_parameters_and_softmax_modules():
    assert cr.nn.LeakyReLU(negative_slope=0.2)(cr.tensor([-1.0])).item() == pytest.approx(-0.2)
    assert cr.nn.ELU(alpha=2.0)(cr.tensor([-1.0])).item() == pytest.approx(2 * (np.exp(-1) - 1))
    assert cr.nn.Step()(cr.tensor([0.0, -0.5])).tolist() == [1.0, 0.0]
    x = rng.normal(size=(2, 3))
    np.testing.assert_allclose(cr.nn.Softmax(dim=0)(cr.tensor(x)).numpy().sum(0), 1.0)
    np.testing.assert_allclose(np.exp(cr.nn.LogSoftmax()(cr.tensor(x)).numpy()).sum(1), 1.0)
    with pytest.raises(TypeError, match="slope"):
        cr.nn.ReLU(slope=1)


LOSS_CASES = {
    "mse_loss": lambda: (F.mse_loss, rng.normal(size=(5, 2)), rng.normal(size=(5, 2))),
    "cross_entropy": lambda: (F.cross_entropy, rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])),
    "binary_cross_entropy": lambda: (F.binary_cross_entropy, rng.uniform(0.1, 0.9, 6), rng.integers(0, 2, 6) * 1.0),
    "binary_cross_entropy_with_logits": lambda: (F.binary_cross_entropy_with_logits, rng.normal(size=6),
                                                 rng.integers(0, 2, 6) * 1.0),
    "hinge_loss": lambda: (F.hinge_loss, np.array([0.3, -2.0, 1.7, 0.2]), np.array([1.0, -1.0, -1.0, 1.0])),
    "multi_margin_loss": lambda: (F.multi_margin_loss, np.array([[0.3, 0.1, 2.0], [1.0, -0.5, 0.4]]),
                                  np.array([0, 2])),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_losses_gradcheck(name, reduction):
    loss, x, target = LOSS_CASES[name]()
    assert cr.gradcheck(lambda v: loss(v, target, reduction=reduction), x)


def test_loss_values_against_formulas():
    z, y = rng.normal(size=(4, 3)), np.array([2, 0, 1, 1])
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    assert F.cross_entropy(cr.tensor(z), y).item() == pytest.approx(-logp[np.arange(4), y].mean())
    p, t = np.array([0.2, 0.9]), np.array([0.0, 1.0])
    assert F.binary_cross_entropy(cr.tensor(p), t).item() == pytest.approx(-np.mean(np.log([0.8, 0.9])))
    s = np.array([-1.5, 0.3])
    expected = -np.mean(t * np.log(1 / (1 + np.exp(-s))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-s))))
    assert F.binary_cross_entropy_with_logits(cr.tensor(s), t).item() == pytest.approx(expected)
    hinge = F.hinge_loss(cr.tensor([0.5, -0.2]), np.array([1.0, -1.0]), reduction="sum")
    assert hinge.item() == pytest.approx(0.5 + 0.8)
    scores = np.array([[0.3, 0.1, 2.0]])
    expected = (max(0, 1 - 0.3 + 0.1) + max(0, 1 - 0.3 + 2.0)) / 3
    assert F.multi_margin_loss(cr.tensor(scores), np.array([0])).item() == pytest.approx(expected)
    assert F.cross_entropy(cr.tensor(z), y, reduction="none").shape == (4,)


def test_losses_stable_at_extremes():
    big = cr.tensor([[1e4, -1e4]], requires_grad=True)
    loss = F.cross_entropy(big, np.array([1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(big.grad.numpy()))
    logits = cr.tensor([1e4, -1e4], requires_grad=True)
    bce = F.binary_cross_entropy_with_logits(logits, np.array([0.0, 1.0]))
    bce.backward()
    assert bce.item() == pytest.approx(1e4) and np.all(np.isfinite(logits.grad.numpy()))


def test_loss_errors_are_clear():
    with pytest.raises(cr.ChainruleError, match="reduction"):
        F.mse_loss(cr.zeros(2), np.zeros(2), reduction="avg")
    with pytest.raises(cr.ChainruleError, match="shape"):
        F.mse_loss(cr.zeros((3, 1)), np.zeros(3))
    with pytest.raises(cr.OpError, match="targets"):
        F.cross_entropy(cr.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(cr.OpError, match=r"targets must lie in \[0, 3\), got -1..0"):  # would wrap silently
        F.cross_entropy(cr.zeros((2, 3)), np.array([0, -1]))
    with pytest.raises(cr.OpError, match="integer class targets"):
        F.cross_entropy(cr.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(cr.ChainruleError, match="reduction"):
        F.cross_entropy(cr.zeros((2, 3)), np.array([0, 1]), reduction="avg")
    with pytest.raises(cr.ChainruleError, match="-1 and \\+1"):
        F.hinge_loss(cr.zeros(2), np.array([0.0, 1.0]))
    with pytest.raises(cr.ChainruleError, match="probabilities"):
        F.binary_cross_entropy(cr.tensor([1.5]), np.array([1.0]))


def test_metrics():
    out = cr.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert F.accuracy(out, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert F.zero_one_loss(out, np.array([1, 0, 0])) == pytest.approx(1 / 3)
    assert F.accuracy(cr.tensor([0.9, 0.1]), np.array([1, 0])) == 1.0


def test_module_bookkeeping():
    net = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.Tanh(), cr.nn.Linear(3, 1))
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(net.children())) == 3 and len(net) == 3
    assert "(1): Tanh()" in repr(net) and "in_features=2" in repr(net)
    assert not net.eval().training and not net[0].training and net.train().training
    net(cr.ones((1, 2))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_and_errors(tmp_path):
    a, b = cr.nn.MLP([2, 3, 1], rng=np.random.default_rng(1)), cr.nn.MLP([2, 3, 1], rng=np.random.default_rng(2))
    b.load_state_dict(a.state_dict())
    x = cr.tensor(rng.normal(size=(4, 2)))
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    path = tmp_path / "m.npz"
    cr.save(a.state_dict(), path)
    c = cr.nn.MLP([2, 3, 1])
    assert c.load_state_dict(cr.load(path)) == ([], [])
    np.testing.assert_array_equal(a(x).numpy(), c(x).numpy())
    with pytest.raises(cr.ChainruleError, match="shape"):
        cr.nn.MLP([2, 4, 1]).load_state_dict(a.state_dict())
    with pytest.raises(cr.ChainruleError, match="missing"):
        cr.nn.MLP([2, 3, 3, 1]).load_state_dict(a.state_dict())


def test_load_state_dict_checks_everything_then_changes_everything_or_nothing():
    net = cr.nn.MLP([2, 3, 1], rng=np.random.default_rng(1))
    before = {k: v.copy() for k, v in net.state_dict().items()}
    state = {k: v + 1 for k, v in before.items()}
    state["2.weight"] = np.zeros((2, 3))  # the last parameter is wrong: the first ones must not change either
    state["extra"], state[1.5] = np.zeros(1), np.zeros(1)
    del state["2.bias"]
    with pytest.raises(cr.ChainruleError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert "changed nothing" in message and "['2.bias']" in message and "'extra'" in message and "1.5" in message
    assert "2.weight has shape (2, 3), the model's is (1, 3)" in message
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    complex_state = {**before, "0.bias": before["0.bias"] + 1j}
    with pytest.raises(cr.ChainruleError, match="0.bias has dtype complex128"):
        net.load_state_dict(complex_state)
    with pytest.raises(cr.ChainruleError, match="not an array"):
        net.load_state_dict({**before, "0.bias": [[1.0], [2.0, 3.0]]})
    # strict=False forgives missing and unexpected keys (as PyTorch), never a wrong shape
    partial = {"0.weight": before["0.weight"] * 2, "junk": np.ones(2)}
    assert net.load_state_dict(partial, strict=False) == (["0.bias", "2.weight", "2.bias"], ["junk"])
    np.testing.assert_array_equal(net[0].weight.numpy(), before["0.weight"] * 2)
    with pytest.raises(cr.ChainruleError, match="shape"):
        net.load_state_dict({"0.weight": np.zeros(6)}, strict=False)
    # float32 values into a float64 model are cast, as PyTorch copies them
    net.load_state_dict({k: v.astype(np.float32) for k, v in before.items()})
    assert net[0].weight.dtype == np.float64


def test_mlp_is_a_module_with_explicit_activation_classes():
    net = cr.nn.MLP([2, 4, 1], activation="sigmoid")
    assert isinstance(net, cr.nn.Sequential) and isinstance(net, cr.nn.Module) and type(net) is cr.nn.MLP
    assert net.sizes == (2, 4, 1) and repr(net).startswith("MLP(")
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for name, cls in cr.nn.ACTIVATIONS.items():
        assert cls.__module__ == "chainrule.nn.layers" and cls.__doc__ and ">>>" in cls.__doc__, name
        assert cls.forward is not cr.nn.Module.forward
    assert type(cr.nn.MLP([2, 3, 1], activation=cr.nn.Tanh)[1]) is cr.nn.Tanh
    with pytest.raises(cr.ChainruleError, match="output activation"):
        cr.nn.MLP([2, 3], output_activation="swish")


def test_save_load_nested_and_never_unpickles(tmp_path):
    obj = {"step": 3, "lrs": [0.1, 0.01], "w": np.arange(3.0), "inner": {"flag": True, "name": "x"}}
    cr.save(obj, tmp_path / "s.npz")
    back = cr.load(tmp_path / "s.npz")
    assert back["step"] == 3 and back["lrs"] == [0.1, 0.01] and back["inner"] == {"flag": True, "name": "x"}
    np.testing.assert_array_equal(back["w"], np.arange(3.0))
    np.savez(tmp_path / "evil.npz", a=np.array([object()], dtype=object))
    with pytest.raises(cr.ChainruleError):
        cr.load(tmp_path / "evil.npz")
    with pytest.raises(cr.ChainruleError, match="no file"):
        cr.load(tmp_path / "missing.npz")


def test_init_functions_follow_their_formulas():
    g = np.random.default_rng(0)
    w = cr.zeros((200, 300))
    cr.nn.init.xavier_uniform_(w, rng=g)
    assert np.abs(w.numpy()).max() <= np.sqrt(6 / 500)
    cr.nn.init.xavier_normal_(w, rng=g)
    assert w.numpy().std() == pytest.approx(np.sqrt(2 / 500), rel=0.03)
    cr.nn.init.kaiming_normal_(w, nonlinearity="relu", rng=g)
    assert w.numpy().std() == pytest.approx(np.sqrt(2 / 300), rel=0.03)
    cr.nn.init.kaiming_uniform_(w, nonlinearity="relu", rng=g)
    assert np.abs(w.numpy()).max() <= np.sqrt(6 / 300)
    cr.nn.init.constant_(w, 0.5)
    assert np.all(w.numpy() == 0.5)
    cr.nn.init.normal_(w, 1.0, 0.1, rng=g)
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.01)
    w32 = cr.zeros((3, 3), dtype=np.float32)
    assert cr.nn.init.uniform_(w32, -1, 1, rng=g).dtype == np.float32
    assert cr.nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)


def test_mlp_options_and_errors():
    net = cr.nn.MLP([2, 5, 5, 3], activation="elu", output_activation="sigmoid", init_scheme="xavier_normal")
    assert [type(m).__name__ for m in net] == ["Linear", "ELU", "Linear", "ELU", "Linear", "Sigmoid"]
    assert np.all(net[0].bias.numpy() == 0)
    with pytest.raises(cr.ChainruleError, match="activation"):
        cr.nn.MLP([2, 3], activation="swish")
    with pytest.raises(cr.ChainruleError, match="init"):
        cr.nn.MLP([2, 3], init_scheme="ones")


def test_float32_model_trains_in_float32():
    net = cr.nn.MLP([2, 4, 2], dtype=np.float32)
    opt = cr.optim.Adam(net.parameters(), lr=0.01)
    x = cr.tensor(rng.normal(size=(8, 2)).astype(np.float32))
    loss = F.cross_entropy(net(x), rng.integers(0, 2, 8))
    assert loss.dtype == np.float32
    loss.backward()
    opt.step()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in net.parameters())


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reduced_cross_entropy_with_non_finite_scores_matches_the_per_example_losses(reduction):
    # A reduced loss shifts by the raw row maximum and redoes the work with the guarded shift only when
    # the total is not finite; the per-example losses always take the guarded shift. Both must agree,
    # including on rows with +inf, -inf and nan scores, and on huge finite ones.
    rows = np.array([[1.0, 2.0, 3.0], [np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [1e308, -1e308, 0.0],
                     [np.nan, 0.0, 1.0], [-2.0, 5.0, 0.5]])
    target = np.array([2, 0, 1, 0, 2, 1])
    for keep in ([0, 5], [0, 1, 5], [2, 3], list(range(6))):
        x = rows[keep]
        with np.errstate(all="ignore"):
            total = cr.ops.softmax_cross_entropy(x, target[keep], reduction=reduction)
            each = cr.ops.softmax_cross_entropy(x, target[keep], reduction="none")
        expected = each.sum() / (len(keep) if reduction == "mean" else 1)
        np.testing.assert_array_equal(total, expected)


def test_cross_entropy_direction_is_softmax_minus_onehot_at_every_target():
    # the -1 at each row's target goes through flat positions: check every row and class, 3-D scores too
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 4))
    target = rng.integers(0, 4, size=(2, 5))
    logits = cr.tensor(x, requires_grad=True)
    F.cross_entropy(logits.reshape(10, 4), target.reshape(10), reduction="sum").backward()
    p = np.exp(x - x.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    np.testing.assert_allclose(logits.grad.numpy(), p - np.eye(4)[target], rtol=1e-12, atol=1e-15)
    for dtype in (np.uint8, np.uint64, np.int32):  # every integer dtype of classes gives the same gradient
        other = cr.tensor(x, requires_grad=True)
        F.cross_entropy(other.reshape(10, 4), target.reshape(10).astype(dtype), reduction="sum").backward()
        np.testing.assert_array_equal(other.grad.numpy(), logits.grad.numpy())
    with pytest.raises(cr.OpError, match=r"targets must lie in \[0, 4\)"):  # the last row's class 4 would
        F.cross_entropy(cr.zeros((3, 4)), np.array([0, 4, 0]))  # land in the next row's flat positions


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_cross_entropy_array_rule_scales_by_the_same_quotient_as_numpy(dtype):
    # the mean's adjoint g / n is taken as a Python float for float32 and float64: the very bits of NumPy's
    # 0-d quotient (float16 keeps NumPy's division: its n is rounded, 33195 becomes 33184)
    from chainrule.ops.nn_ops import _xent_array_vjp

    rng = np.random.default_rng(5)
    for n in (1, 3, 7, 100, 2049, 33195, 65000):
        saved = rng.normal(size=(n, 2)).astype(dtype)
        g = np.asarray(rng.normal() * 10.0 ** rng.integers(-3, 4), dtype)
        with np.errstate(all="ignore"):
            got = _xent_array_vjp(g, None, None, np.zeros(n, np.int64), reduction="mean", saved=saved)
            expected = saved * (g / n)
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


def test_parameter_takes_pytorchs_requires_grad_and_says_where_a_dtype_goes():
    frozen = cr.nn.Parameter(np.array([1.0, 2.0]), False)  # nn.Parameter(data, requires_grad), positionally
    assert not frozen.requires_grad and frozen.is_leaf
    assert cr.nn.Parameter([1.0], dtype=np.float64).dtype == np.float64
    empty = cr.nn.Parameter()
    assert empty.shape == (0,) and empty.requires_grad
    with pytest.raises(TypeError, match="dtype="):
        cr.nn.Parameter([1.0], np.float32)
    layer = cr.nn.Linear(3, 2)  # a frozen one among a module's: left out of the gradient, still listed
    layer.bias = cr.nn.Parameter(np.zeros(2), requires_grad=False)
    layer(cr.tensor(np.ones((4, 3)))).sum().backward()
    assert layer.bias.grad is None and layer.weight.grad is not None
    assert any(p is layer.bias for p in layer.parameters())
