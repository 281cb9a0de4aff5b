"""Training: the fit loop, diagnostics, the notes' examples, digits, and `chainrule train`."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.tools.diagnostics import ActivationMonitor, GradientMonitor, SymmetryDetector

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notes_xor_network_learns_xor():
    predictions, losses = load_example("xor_notes").train_xor()
    assert ((predictions > 0.5).astype(int) == np.array([0, 1, 1, 0])).all()
    assert losses[-1] < losses[0] / 10


def test_notes_one_step_update_matches_printed_weights():
    r = load_example("one_step_notes").one_step()
    np.testing.assert_allclose(r["x1"], [0.7, 0.3], atol=1e-12)
    np.testing.assert_allclose(r["x2"], np.tanh([0.7, 0.3]))
    assert round(r["x3"], 3) == 0.313 and round(r["dL_dx3"], 4) == -0.1869
    np.testing.assert_allclose(r["grad_W1"], [-0.113, -0.054], atol=1e-3)
    np.testing.assert_allclose(r["grad_W0"], [[-0.1186, -0.01186], [0.171, 0.0171]], atol=2e-4)
    # the notes print the new weights rounded to two digits
    np.testing.assert_array_equal(np.round(r["W0"], 2), [[1.02, -3.0], [0.17, 1.0]])
    np.testing.assert_allclose(r["W1"], [1.02, -0.989], atol=3e-3)


def test_notes_zero_init_keeps_hidden_units_identical():
    weights, bias, findings = load_example("zero_init_notes").train_zero_init(epochs=50)
    assert np.abs(weights).max() > 0.01  # training moved them ...
    np.testing.assert_allclose(weights, np.broadcast_to(weights[0], weights.shape))  # ... all alike
    np.testing.assert_allclose(bias, bias[0])
    assert findings and "identical" in findings[0]


def test_seeded_training_reduces_loss_and_repeats():
    def once():
        X, y = cr.data.moons(200, seed=0)
        net = cr.nn.MLP([2, 16, 2], rng=np.random.default_rng(0))
        return cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.2, momentum=0.9), (X, y),
                            epochs=15, batch_size=20, progress=False, seed=0)

    h1, h2 = once(), once()
    assert h1["loss"][-1] < 0.5 * h1["loss"][0]
    assert h1["loss"] == h2["loss"]


def test_digits_mlp_reaches_95_percent():
    X, y = cr.data.digits()
    Xtr, ytr, Xte, yte = cr.data.train_test_split(X, y, 0.25, seed=0)
    net = cr.nn.MLP([64, 64, 10], rng=np.random.default_rng(0))
    hist = cr.train.fit(net, F.cross_entropy, cr.optim.Adam(net.parameters(), lr=0.01), (Xtr, ytr), epochs=20,
                        batch_size=32, val_data=(Xte, yte), progress=False)
    assert hist["val_accuracy"][-1] >= 0.95


def test_monitors_detect_the_notes_failure_modes():
    X, y = cr.data.blobs(64, centers=2, seed=0)
    # dead ReLUs: a large negative bias switches every unit off
    net = cr.nn.MLP([2, 8, 2])
    cr.nn.init.constant_(net[0].bias, -50.0)
    act = ActivationMonitor()
    cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.01), (X, y), epochs=1, callbacks=[act],
                 progress=False)
    assert act.dead["1"][-1] == 1.0 and "dead" in act.findings()[0]
    # saturated tanh: huge weights
    net = cr.nn.MLP([2, 8, 2], activation="tanh", init_scheme="normal", rng=np.random.default_rng(0))
    for p in net.parameters():
        p.data = p.data * 100
    act = ActivationMonitor()
    cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.0), (X * 10, y), epochs=1,
                 callbacks=[act], progress=False)
    assert act.saturated["1"][-1] > 0.5 and "saturated" in act.findings()[0]
    # vanishing gradients: a deep sigmoid stack
    deep = cr.nn.MLP([2] + [16] * 12 + [2], activation="sigmoid", rng=np.random.default_rng(0))
    grads = GradientMonitor()
    cr.train.fit(deep, F.cross_entropy, cr.optim.SGD(deep.parameters(), lr=0.01), (X, y), epochs=1,
                 callbacks=[grads], progress=False)
    assert any("vanishing" in f for f in grads.findings())
    assert grads.grad_norms["0"][-1] < grads.grad_norms["24"][-1]
    # symmetry: a healthy random init has none
    assert SymmetryDetector().check(cr.nn.MLP([2, 8, 2])) == []


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fit_reports_diverging_loss():
    X, y = cr.data.blobs(32, centers=2)
    net = cr.nn.MLP([2, 4, 1])
    opt = cr.optim.SGD(net.parameters(), lr=1e6)
    with pytest.raises(cr.ChainruleError, match="learning rate"):
        cr.train.fit(net, lambda out, t: F.mse_loss(out[:, 0], t * 1e3), opt, (X, y), epochs=20, progress=False)


def test_chainrule_train_end_to_end(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--epochs", "3", "--hidden", "8",
                           "--out", str(tmp_path), "--no-progress"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "test accuracy" in proc.stdout and "diagnostics" in proc.stdout
    for name in ("report.html", "weights.npz", "curves.png", "grad_norms.png", "decision_boundary.png"):
        assert (tmp_path / name).stat().st_size > 0
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    weights = cr.load(tmp_path / "weights.npz")
    assert weights["0.weight"].shape == (8, 2)


@pytest.mark.parametrize("args", [["--hidden", "a,b"], ["--epochs", "0"], ["--lr", "-1"], ["--dataset", "mnist"],
                                  ["--optimizer", "lbfgs"]])
def test_chainrule_train_bad_flags(args, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--out", str(tmp_path), *args],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_progress_bar_is_quiet_when_not_a_terminal(capsys):
    X, y = cr.data.blobs(20, centers=2)
    net = cr.nn.MLP([2, 3, 2])
    cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=2, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
