"""Losses: gradchecked in float64, matched against PyTorch's values and gradients where it is installed."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

rng = np.random.default_rng(3)
x = rng.normal(size=(5, 4))
y = np.array([0, 3, 1, 1, 2])
y_ignored = np.array([0, -100, 1, 3, -100])
probs = rng.dirichlet(np.ones(4), size=5)
w = rng.uniform(0.5, 2.0, size=4)
x3 = rng.normal(size=(2, 3, 4))  # (N, C, d): classes along axis 1
y3 = np.array([[0, 2, 1, 1], [2, 2, 0, 1]])
r, t = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
p01, t01 = rng.uniform(0.05, 0.95, size=(3, 4)), rng.uniform(0, 1, size=(3, 4))
logq = np.log(rng.dirichlet(np.ones(4), size=3))

# (name, chainrule call, torch call by name, float inputs, fixed keyword arguments)
CASES = [
    ("ce", F.cross_entropy, "cross_entropy", (x,), dict(target=y)),
    ("ce_weight", F.cross_entropy, "cross_entropy", (x,), dict(target=y, weight=w)),
    ("ce_ignore", F.cross_entropy, "cross_entropy", (x,), dict(target=y_ignored)),
    ("ce_ignore_a_class", F.cross_entropy, "cross_entropy", (x,), dict(target=y, ignore_index=1)),
    ("ce_smooth", F.cross_entropy, "cross_entropy", (x,), dict(target=y_ignored, weight=w, label_smoothing=0.2)),
    ("ce_smooth_sum", F.cross_entropy, "cross_entropy", (x,), dict(target=y, label_smoothing=0.1, reduction="sum")),
    ("ce_smooth_none", F.cross_entropy, "cross_entropy", (x,),
     dict(target=y_ignored, weight=w, label_smoothing=0.3, reduction="none")),
    ("ce_probs", F.cross_entropy, "cross_entropy", (x,), dict(target=probs)),
    ("ce_probs_all", F.cross_entropy, "cross_entropy", (x,),
     dict(target=probs, weight=w, label_smoothing=0.1, reduction="none")),
    ("ce_nd", F.cross_entropy, "cross_entropy", (x3,), dict(target=y3)),
    ("ce_1d", F.cross_entropy, "cross_entropy", (x[0],), dict(target=np.array(2))),
    ("nll", F.nll_loss, "nll_loss", (x,), dict(target=y_ignored, weight=w)),
    ("nll_none", F.nll_loss, "nll_loss", (x3,), dict(target=y3, reduction="none")),
    ("mse", F.mse_loss, "mse_loss", (r, t), {}),
    ("l1", F.l1_loss, "l1_loss", (r, t), dict(reduction="sum")),
    ("smooth_l1", F.smooth_l1_loss, "smooth_l1_loss", (r, t), dict(beta=0.7)),
    ("huber", F.huber_loss, "huber_loss", (r, t), dict(delta=0.6, reduction="none")),
    ("bce", F.binary_cross_entropy, "binary_cross_entropy", (p01,), dict(target=t01, weight=w)),
    ("bce_logits", F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", (r,),
     dict(target=t01, pos_weight=w)),
    ("bce_logits_w", F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits", (r,),
     dict(target=t01, weight=w, reduction="sum")),
    ("kl", F.kl_div, "kl_div", (logq,), dict(target=np.where(t01 > 0.3, t01, 0.0), reduction="batchmean")),
    ("kl_log", F.kl_div, "kl_div", (logq,), dict(target=np.log(t01), log_target=True, reduction="sum")),
]


def _call(fn, inputs, kwargs):
    kwargs = dict(kwargs)
    target = kwargs.pop("target", None)
    return fn(*inputs, **kwargs) if target is None else fn(*inputs, target, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_gradcheck(case):
    _, fn, _, inputs, kwargs = case
    assert cr.gradcheck(lambda *xs: _call(fn, xs, kwargs), *inputs, modes=("rev", "fwd"))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_matches_torch(case):
    torch = pytest.importorskip("torch")
    _, fn, torch_name, inputs, kwargs = case
    ours = [cr.tensor(a, requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a, requires_grad=True) for a in inputs]
    torch_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    out = _call(fn, ours, kwargs)
    expected = _call(getattr(torch.nn.functional, torch_name), theirs, torch_kwargs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_cross_entropy_by_hand():
    # -log softmax written out, with label smoothing ε: (1-ε)·nll + ε/C·Σ_c -log p_c
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    eps = 0.2
    expected = np.mean((1 - eps) * -logp[np.arange(5), y] + eps / 4 * -logp.sum(axis=1))
    assert F.cross_entropy(cr.tensor(x), y, label_smoothing=eps).item() == pytest.approx(expected, rel=1e-12)


def test_loss_modules_match_functions():
    assert cr.nn.CrossEntropyLoss(weight=w, ignore_index=1)(cr.tensor(x), y).item() == pytest.approx(
        F.cross_entropy(cr.tensor(x), y, weight=w, ignore_index=1).item())
    assert cr.nn.MSELoss(reduction="sum")(cr.tensor(r), t).item() == pytest.approx(np.sum((r - t) ** 2))
    assert cr.nn.BCEWithLogitsLoss(pos_weight=w)(cr.tensor(r), t01).item() == pytest.approx(
        F.binary_cross_entropy_with_logits(cr.tensor(r), t01, pos_weight=w).item())
    assert cr.nn.SmoothL1Loss(beta=0.5)(cr.tensor(r), t).item() == pytest.approx(
        F.smooth_l1_loss(cr.tensor(r), t, beta=0.5).item())
    assert cr.nn.L1Loss()(cr.tensor(r), t).item() == pytest.approx(np.abs(r - t).mean())
    assert cr.nn.KLDivLoss(reduction="batchmean", log_target=True)(cr.tensor(logq), logq).item() == 0.0
    assert cr.nn.NLLLoss(reduction="none")(cr.tensor(x), y).shape == (5,)
    assert cr.nn.HuberLoss(delta=2.0)(cr.tensor(r), t).item() == pytest.approx(
        F.huber_loss(cr.tensor(r), t, delta=2.0).item())
    assert cr.nn.BCELoss()(cr.tensor(p01), t01).item() == pytest.approx(
        -np.mean(t01 * np.log(p01) + (1 - t01) * np.log(1 - p01)))


def test_loss_errors():
    with pytest.raises(cr.ChainruleError, match="reduction"):
        cr.nn.MSELoss(reduction="avg")
    with pytest.raises(cr.ChainruleError, match="probabilities of the input's shape"):
        F.cross_entropy(cr.tensor(x), probs[:, :3])
    with pytest.raises(cr.ChainruleError, match="targets of shape"):
        F.nll_loss(cr.tensor(x), y[:3])
    with pytest.raises(cr.ChainruleError, match="label_smoothing"):
        F.cross_entropy(cr.tensor(x), y, label_smoothing=1.5)
