"""Differentiable programming: input gradients, attacks, activation maximisation, the CLI."""

import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F


@pytest.fixture(scope="module")
def digits_model():
    from chainrule.cli.digits_model import train_or_load

    return train_or_load(seed=0)


def test_input_gradients_are_right():
    net = cr.nn.MLP([5, 7, 3], activation="tanh", rng=np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(4, 5))
    target = np.array([0, 2, 1, 1])
    assert cr.gradcheck(lambda v: net(v)[np.arange(4), target].sum(), x)
    assert cr.gradcheck(lambda v: F.cross_entropy(net(v), target), x)
    value, g = cr.inputs.input_gradient(lambda v: F.cross_entropy(net(v), target), x)
    _, back = cr.vjp(lambda v: F.cross_entropy(net(v), target), x)
    np.testing.assert_allclose(g, back(1.0)[0].numpy())
    sal = cr.inputs.saliency(net, x, target)
    _, g_score = cr.inputs.input_gradient(lambda v: net(v)[np.arange(4), target].sum(), x)
    np.testing.assert_allclose(sal, np.abs(g_score))


def test_fgsm_cuts_digits_accuracy_by_30_points_and_pgd_does_more(digits_model):
    model, X, y = digits_model
    clean = F.accuracy(model(cr.tensor(X)), y)
    fgsm = cr.inputs.fgsm(model, F.cross_entropy, X, y, eps=0.15)
    pgd = cr.inputs.pgd(model, F.cross_entropy, X, y, eps=0.15, steps=10)
    for adv in (fgsm, pgd):
        assert np.abs(adv - X).max() <= 0.15 + 1e-12 and adv.min() >= 0 and adv.max() <= 1
    acc_fgsm = F.accuracy(model(cr.tensor(fgsm)), y)
    acc_pgd = F.accuracy(model(cr.tensor(pgd)), y)
    assert clean - acc_fgsm >= 0.30
    assert acc_pgd <= acc_fgsm


def test_activation_maximisation_raises_the_score_every_step(digits_model):
    model = digits_model[0]
    for reg in ("l2", "tv", None):
        x, scores = cr.inputs.maximize_activation(lambda v: model(v)[3], np.full(64, 0.5), steps=15, lr=0.01,
                                                  reg=reg, weight=1e-3, shape=(8, 8))
        assert len(scores) == 16 and np.all(np.diff(scores) > 0), scores


def test_optimize_input_with_constraint_and_errors():
    result = cr.inputs.optimize_input(lambda v: ((v - 2.0) ** 2).sum(), np.zeros(3), steps=100, lr=0.1,
                                      constraint=lambda v: np.clip(v, -1, 1))
    np.testing.assert_allclose(result.x, 1.0)
    assert result.costs[-1] < result.costs[0]
    with pytest.raises(cr.ChainruleError, match="single-element"):
        cr.inputs.optimize_input(lambda v: v * 2, np.zeros(3), steps=1)
    with pytest.raises(cr.ChainruleError, match="reg"):
        cr.inputs.maximize_activation(lambda v: v.sum(), np.zeros(2), reg="l1")


def test_regularisers():
    x = cr.tensor(np.array([[0.0, 1.0], [1.0, 1.0]]))
    assert cr.inputs.l2_penalty(x).item() == 3.0
    assert cr.inputs.total_variation(x).item() == 2.0  # one vertical and one horizontal step of 1
    assert cr.inputs.total_variation(cr.tensor([0.0, 2.0, 1.0])).item() == 3.0


def test_attack_and_visualize_cli(tmp_path):
    run = [sys.executable, "-m", "chainrule"]
    proc = subprocess.run(run + ["attack", "--eps", "0.1", "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "clean test accuracy" in proc.stdout and (tmp_path / "attack_fgsm_eps0.1.png").stat().st_size > 0
    model = tmp_path / "digits_model.npz"
    proc = subprocess.run(run + ["attack", "--method", "pgd", "--steps", "3", "--eps", "0.05,0.2", "--model",
                                 str(model), "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "attack_pgd_eps0.2.png").exists()
    proc = subprocess.run(run + ["visualize", "--steps", "5", "--model", str(model), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "activation_maximization.png").exists() and (tmp_path / "saliency.png").exists()


@pytest.mark.parametrize("args", [["attack", "--eps", "big"], ["attack", "--eps", "2"],
                                  ["attack", "--model", "nope.npz"], ["visualize", "--steps", "0"],
                                  ["attack", "--method", "cw"]])
def test_attack_cli_bad_input(args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", *args, "--out", str(tmp_path)], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
