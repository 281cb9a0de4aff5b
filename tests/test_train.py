"""Training: the fit loop, diagnostics, the notes' examples, digits, and `chainrule train`."""

import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.tools.diagnostics import ActivationMonitor, GradientMonitor, SymmetryDetector, standard_monitors

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
    assert act.dead["1"][-1] == 1.0 and act.findings()[0].startswith("layer 1 (ReLU): 100% of its units are dead")
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
    assert grads.grad_norms["0.weight"][-1] < grads.grad_norms["24.weight"][-1]
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
    assert "layer 0.weight: gradient norm" in proc.stdout  # named by parameter path, not bare index


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


# ---- Nothing lost: a NaN stops fit before the update ----------------------------------------------------


class Recorder(cr.train.Callback):
    """Remembers every hook call, and the parameters after each finished batch."""

    def __init__(self):
        self.calls, self.after_batch = [], []

    def on_train_begin(self, trainer):
        self.calls.append(("train_begin", trainer))

    def on_epoch_begin(self, epoch, logs):
        self.calls.append(("epoch_begin", epoch))

    def on_after_backward(self, batch, logs):
        self.calls.append(("after_backward", batch, logs["loss"]))

    def on_batch_end(self, batch, logs):
        self.calls.append(("batch_end", batch, sorted(logs)))
        self.after_batch.append({k: p.numpy().copy() for k, p in self.trainer.model.named_parameters()})

    def on_epoch_end(self, epoch, logs):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs):
        self.calls.append(("train_end", sorted(k for k in logs if k != "error"), "error" in logs))


def test_a_nan_loss_stops_fit_before_the_update_with_where_and_gradient_norms():
    X, y = cr.data.blobs(40, centers=2, seed=0)
    net = cr.nn.MLP([2, 4, 2], rng=np.random.default_rng(0))
    calls = []

    def loss_fn(out, target):  # finite for six batches, then NaN (and so NaN gradients)
        calls.append(1)
        return F.cross_entropy(out, target) * (np.nan if len(calls) == 7 else 1.0)

    rec = Recorder()
    with pytest.raises(cr.train.NonFiniteLossError) as info:
        cr.train.fit(net, loss_fn, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=5, batch_size=10,
                     callbacks=[rec], progress=False)
    err = info.value
    assert (err.epoch, err.batch) == (2, 3) and np.isnan(err.loss)
    assert "epoch 2, batch 3 of 4" in str(err) and "0.weight nan" in str(err) and "learning rate" in str(err)
    assert set(err.grad_norms) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert err.history.epochs == 1
    for name, p in net.named_parameters():  # not one NaN: the parameters of the last finite step
        np.testing.assert_array_equal(p.numpy(), rec.after_batch[-1][name])
    assert rec.calls[-1] == ("train_end", ["accuracy", "loss"], True)


def test_an_update_that_overflows_is_undone():
    net = cr.nn.MLP([1, 1], bias=False)
    cr.nn.init.constant_(net[0].weight, 1.0)
    X, y = np.array([[1e10]]), np.array([0.0])
    with pytest.raises(cr.train.NonFiniteLossError) as info:  # w - 1e300 * 1e10 = -inf after the first step
        cr.train.fit(net, lambda out, t: out.sum(), cr.optim.SGD(net.parameters(), lr=1e300), (X, y), epochs=3,
                     progress=False, metrics=None)
    assert (info.value.epoch, info.value.batch) == (2, 1)
    assert net[0].weight.numpy().tolist() == [[1.0]]


def test_no_numpy_warning_before_the_error():
    X, y = cr.data.blobs(32, centers=2)
    net = cr.nn.MLP([2, 4, 1], activation="identity", init_scheme="normal", rng=np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would surface as the exception instead
        with pytest.raises(cr.train.NonFiniteLossError, match="the loss became inf"):
            cr.train.fit(net, lambda out, t: F.mse_loss(out[:, 0], t), cr.optim.SGD(net.parameters(), lr=1.0),
                         (X * 10, y * 1.0), epochs=20, batch_size=1, progress=False)
    assert all(np.isfinite(p.numpy()).all() for p in net.parameters())


def test_chainrule_train_diverging_is_one_line_with_diagnostics(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--dataset", "blobs", "--loss", "mse",
                           "--optimizer", "sgd", "--lr", "10", "--batch-size", "1", "--activation", "identity",
                           "--init", "normal", "--hidden", "8", "--epochs", "3", "--out", str(tmp_path),
                           "--no-progress"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Warning" not in proc.stderr
    assert "epoch 1, batch" in proc.stderr
    assert "exploding gradients" in proc.stdout and "last step before the loss became non-finite" in proc.stdout


# ---- metrics and callbacks --------------------------------------------------------------------------------


def test_accuracy_only_where_it_means_something():
    X, y = cr.data.blobs(30, centers=2, seed=0)
    net = cr.nn.MLP([2, 3, 2])
    h = cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=2,
                     val_data=(X, y), progress=False)
    assert sorted(h.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    reg = cr.nn.MLP([2, 3, 1])
    target = X.sum(1, keepdims=True)
    h = cr.train.fit(reg, F.mse_loss, cr.optim.SGD(reg.parameters(), lr=0.01), (X, target), epochs=2,
                     val_data=(X, target), progress=False)
    assert sorted(h.history) == ["loss", "val_loss"]  # a regression fit reports no accuracy

    def mae(out, t):
        return float(np.abs(out.numpy() - t).mean())

    h = cr.train.fit(reg, F.mse_loss, cr.optim.SGD(reg.parameters(), lr=0.01), (X, target), epochs=1,
                     val_data=(X, target), metrics=[mae], progress=False)
    assert sorted(h.history) == ["loss", "mae", "val_loss", "val_mae"] and h["mae"][0] > 0
    h = cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=1,
                     metrics=None, progress=False)
    assert sorted(h.history) == ["loss"]
    with pytest.raises(cr.ChainruleError, match="unknown metric"):
        cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), metrics=["f1"])


def test_callbacks_share_one_signature_and_can_stop_training():
    X, y = cr.data.blobs(20, centers=2, seed=0)
    net = cr.nn.MLP([2, 3, 2])
    opt = cr.optim.SGD(net.parameters(), lr=0.1)
    rec = Recorder()
    h = cr.train.fit(net, F.cross_entropy, opt, (X, y), epochs=2, batch_size=10, callbacks=[rec], progress=False)
    kinds = [c[0] for c in rec.calls]
    assert kinds == ["train_begin"] + (["epoch_begin"] + ["after_backward", "batch_end"] * 2 + ["epoch_end"]) * 2 \
        + ["train_end"]
    trainer = rec.calls[0][1]
    assert trainer.model is net and trainer.optimizer is opt and trainer.history is h and rec.trainer is trainer
    assert rec.calls[2][1] == 0 and rec.calls[3] == ("batch_end", 0, ["loss", "size"])
    assert rec.calls[6] == ("epoch_end", 0, ["accuracy", "loss"])

    class StopAfterOne(cr.train.Callback):
        def on_epoch_end(self, epoch, logs):
            self.trainer.stop_training = True

    h = cr.train.fit(net, F.cross_entropy, opt, (X, y), epochs=5, callbacks=[StopAfterOne()], progress=False)
    assert h.epochs == 1


def test_monitors_remove_their_hooks_when_training_ends():
    X, y = cr.data.blobs(20, centers=2, seed=0)
    net = cr.nn.MLP([2, 3, 2], activation="tanh")
    monitors = standard_monitors()
    cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=1,
                 callbacks=monitors, progress=False)
    assert all(not m._forward_hooks for m in net.modules())
    with pytest.raises(cr.train.NonFiniteLossError):  # and also when it ends in an error
        cr.train.fit(net, lambda o, t: F.cross_entropy(o, t) * np.inf, cr.optim.SGD(net.parameters(), lr=0.1),
                     (X, y), epochs=1, callbacks=standard_monitors(), progress=False)
    assert all(not m._forward_hooks for m in net.modules())


# ---- diagnostics over the whole run ---------------------------------------------------------------------


def test_vanishing_gradients_are_judged_over_all_epochs():
    mon = GradientMonitor()
    # the first layer's gradient vanished for nine epochs and recovered in the last one
    mon.grad_norms = {"0.weight": [1e-7] * 9 + [1.0], "2.weight": [1e-2] * 10, "4.weight": [1.0] * 10}
    mon.update_ratios = {k: [1e-3] * 10 for k in mon.grad_norms}
    findings = mon.findings()
    assert len(findings) == 1 and "vanishing gradients over 10 epochs" in findings[0]
    assert "first layer's gradient norm is 1.0e-07 times the last layer's (4.weight)" in findings[0]
    assert "0.weight (1.0e-07)" in findings[0] and "2.weight" not in findings[0]


def test_deep_sigmoid_net_warning_names_the_vanished_layers():
    X, y = cr.data.spirals(150, classes=3, noise=0.2, seed=0)
    deep = cr.nn.MLP([2] + [32] * 8 + [3], activation="sigmoid", rng=np.random.default_rng(0))
    monitors = standard_monitors()
    h = cr.train.fit(deep, F.cross_entropy, cr.optim.Adam(deep.parameters(), lr=0.01), (X, y), epochs=5,
                     callbacks=monitors, progress=False)
    assert h["accuracy"][-1] < 0.5  # stuck near chance (1/3)
    warning = next(f for f in monitors[0].findings() if "vanishing" in f)
    assert "the first layer's gradient norm is" in warning and "times the last layer's (16.weight)" in warning
    assert "0.weight (" in warning and "2.weight (" in warning


def test_exploding_gradients_seen_in_the_last_step_before_a_nan():
    X, y = cr.data.blobs(64, centers=2, seed=0)
    net = cr.nn.MLP([2, 4, 1], activation="identity", init_scheme="normal", rng=np.random.default_rng(0))
    mon = GradientMonitor()
    with pytest.raises(cr.train.NonFiniteLossError) as info:
        cr.train.fit(net, lambda o, t: F.mse_loss(o[:, 0], t), cr.optim.SGD(net.parameters(), lr=1.0),
                     (X * 10, y * 1.0), epochs=20, batch_size=1, callbacks=[mon], progress=False)
    assert info.value.epoch == 1  # no epoch finished: only the last recorded step can tell
    (finding,) = [f for f in mon.findings() if "exploding" in f]
    assert f"last step before the loss became non-finite (epoch 1, batch {info.value.batch})" in finding


# ---- the CLI: --init, memory, the notes' XOR preset ---------------------------------------------------------


def test_chainrule_train_init_accepts_every_nn_init_scheme():
    from chainrule.cli.main import build_parser

    for scheme in cr.nn.init.INITIALIZERS:
        assert build_parser().parse_args(["train", "--init", scheme]).init == scheme
    assert "normal" in cr.nn.init.INITIALIZERS


def test_chainrule_train_with_normal_init(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--init", "normal", "--epochs", "2",
                           "--hidden", "4", "--dataset", "blobs", "--out", str(tmp_path), "--no-progress"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_chainrule_train_refuses_a_network_too_big_for_memory(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--hidden", "100000,100000", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "10,000,700,003 parameters" in proc.stderr and " GB" in proc.stderr


def test_preset_notes_xor_is_seed_003s_setup_and_learns_xor(tmp_path):
    from chainrule.cli.train import PRESETS

    assert PRESETS["notes-xor"] == {"dataset": "xor4", "hidden": "3", "activation": "sigmoid", "optimizer": "sgd",
                                    "lr": 0.1, "epochs": 10000, "batch_size": 4, "init": "normal", "loss": "mse",
                                    "bias": False}
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--preset", "notes-xor", "--out",
                           str(tmp_path), "--no-progress"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Linear(in_features=2, out_features=3, bias=False)" in out and "Sigmoid()" in out
    assert "Linear(in_features=3, out_features=1, bias=False)" in out and "trained 10000 epochs" in out
    assert "4 train / 4 test examples" in out and "test accuracy 1.000" in out
    predictions = [float(v) for v in re.findall(r"XOR\(\d, \d\) = ([-\d.]+)", out)]
    assert len(predictions) == 4 and [p > 0.5 for p in predictions] == [False, True, True, False]


def test_digits_model_files_are_checked_before_building(tmp_path):
    from chainrule.cli.digits_model import save_model, train_or_load

    net = cr.nn.MLP([64, 8, 10], rng=np.random.default_rng(0))
    save_model(net, tmp_path / "ok.npz", sizes=(64, 8, 10))
    model, X, _ = train_or_load(tmp_path / "ok.npz")
    np.testing.assert_array_equal(model[0].weight.numpy(), net[0].weight.numpy())
    cr.save({"sizes": [64, 10**6, 10**6, 10], "activation": "relu", "state": {}}, tmp_path / "huge.npz")
    with pytest.raises(cr.ChainruleError, match="GB"):
        train_or_load(tmp_path / "huge.npz")
    cr.save({"sizes": "64,10", "activation": "relu", "state": {}}, tmp_path / "odd.npz")
    with pytest.raises(cr.ChainruleError, match="not a digits model"):
        train_or_load(tmp_path / "odd.npz")


def test_a_callback_with_the_old_signature_is_refused_before_training():
    class Old(cr.train.Callback):
        def on_epoch_end(self, epoch, logs, model, optimizer):
            pass

    net = cr.nn.MLP([2, 2])
    X, y = cr.data.blobs(10, centers=2)
    before = net[0].weight.numpy().copy()
    with pytest.raises(cr.ChainruleError, match=r"Old.on_epoch_end must take \(epoch, logs\).*self.trainer.model"):
        cr.train.fit(net, F.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y), progress=False,
                     callbacks=[Old()])
    np.testing.assert_array_equal(net[0].weight.numpy(), before)


def test_a_non_finite_gradient_with_a_finite_loss_also_stops_before_the_update():
    net = cr.nn.MLP([2, 1], rng=np.random.default_rng(0))
    before = {k: v.copy() for k, v in net.state_dict().items()}
    X, y = cr.data.blobs(8, centers=2)
    with pytest.raises(cr.train.NonFiniteLossError, match="a gradient became non-finite in epoch 1, batch 1"):
        cr.train.fit(net, lambda out, t: cr.sqrt(out * 0.0).sum(), cr.optim.SGD(net.parameters(), lr=0.1), (X, y),
                     progress=False)  # sqrt'(0) = inf, times 0: NaN gradients, a loss of 0
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_chainrule_train_report_names_the_vanished_layers_of_a_deep_sigmoid_net(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule", "train", "--activation", "sigmoid", "--hidden",
                           ",".join(["32"] * 8), "--epochs", "5", "--out", str(tmp_path), "--no-progress"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (line,) = [f for f in proc.stdout.splitlines() if "vanishing gradients" in f]
    assert "times the last layer's (16.weight)" in line and "0.weight (" in line
    assert "times the last layer&#x27;s (16.weight)" in (tmp_path / "report.html").read_text()
