"""Training diagnostics that make the notes' warnings visible.

- `GradientMonitor`: per-layer gradient norms and update-to-weight ratios
  (vanishing and exploding gradients, steps too big or too small);
- `ActivationMonitor`: the fraction of dead ReLU units and of saturated
  sigmoid / tanh units;
- `SymmetryDetector`: hidden units that are identical, as constant (e.g.
  zero) initialisation leaves them.

Each is a `fit` callback with a `findings()` list of plain-language warnings.
"""

from __future__ import annotations

import numpy as np

from ..nn.layers import ELU, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from ..train import Callback


def _linear_layers(model):
    return [(name, m) for name, m in model.named_modules() if isinstance(m, Linear)]


class GradientMonitor(Callback):
    """Records, once per epoch (last batch), each Linear layer's weight-gradient
    norm and update-to-weight ratio ‖Δw‖ / ‖w‖.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import GradientMonitor
        >>> X, y = cr.data.blobs(40, centers=2)
        >>> net = cr.nn.MLP([2, 4, 2], rng=cr.manual_seed(0)); mon = GradientMonitor()
        >>> _ = cr.train.fit(net, cr.nn.functional.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1),
        ...                  (X, y), epochs=2, callbacks=[mon], progress=False)
        >>> sorted(mon.grad_norms), len(mon.grad_norms["0"])
        (['0', '2'], 2)
    """

    def __init__(self):
        self.grad_norms, self.update_ratios = {}, {}
        self._before = {}
        self._last = {}

    def on_after_backward(self, model, optimizer):
        self._last = {name: float(np.linalg.norm(layer.weight.grad.numpy()))
                      for name, layer in _linear_layers(model) if layer.weight.grad is not None}
        self._before = {name: layer.weight.numpy().copy() for name, layer in _linear_layers(model)}

    def on_epoch_end(self, epoch, logs, model, optimizer):
        for name, layer in _linear_layers(model):
            w = layer.weight.numpy()
            before = self._before.get(name, w)
            ratio = float(np.linalg.norm(w - before) / (np.linalg.norm(before) + 1e-12))
            self.grad_norms.setdefault(name, []).append(self._last.get(name, 0.0))
            self.update_ratios.setdefault(name, []).append(ratio)

    def findings(self):
        out = []
        if not self.grad_norms:
            return out
        last = {name: values[-1] for name, values in self.grad_norms.items()}
        if any(not np.isfinite(v) or v > 1e3 for v in last.values()):
            out.append("exploding gradients: a layer's gradient norm is above 1e3 (lower the learning rate, "
                       "use a smaller initialisation or clip gradients)")
        finite = [v for v in last.values() if np.isfinite(v)]
        if len(finite) > 1 and max(finite) > 0 and min(finite) / max(finite) < 1e-3:
            out.append("vanishing gradients: the smallest layer gradient norm is under 1/1000 of the largest "
                       "(try ReLU instead of sigmoid/tanh, or a scaled initialisation)")
        for name, ratios in self.update_ratios.items():
            if ratios[-1] > 1e-1:
                out.append(f"layer {name}: updates change the weights by {ratios[-1]:.1%} per step "
                           "(learning rate probably too high; about 0.1% is typical)")
        return out


class ActivationMonitor(Callback):
    """Fraction of dead ReLU units (zero on every example of a batch) and of
    saturated sigmoid / tanh outputs, measured on the last batch of each epoch.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import ActivationMonitor
        >>> net = cr.nn.MLP([2, 4, 2], activation="tanh", rng=cr.manual_seed(0))
        >>> mon = ActivationMonitor(); mon.on_train_begin(net, None)
        >>> _ = net(cr.randn(8, 2)); mon.on_epoch_end(0, {}, net, None)
        >>> list(mon.saturated)
        ['1']
    """

    def __init__(self):
        self.dead, self.saturated = {}, {}
        self._outputs = {}

    def on_train_begin(self, model, optimizer):
        for name, module in model.named_modules():
            if isinstance(module, (ReLU, LeakyReLU, ELU, Sigmoid, Tanh)):
                module.register_forward_hook(self._recorder(name))

    def _recorder(self, name):
        def record(module, inputs, output):
            self._outputs[name] = (module, np.asarray(output.numpy()))
        return record

    def on_epoch_end(self, epoch, logs, model, optimizer):
        for name, (module, out) in self._outputs.items():
            flat = out.reshape(len(out), -1) if out.ndim > 1 else out.reshape(1, -1)
            if isinstance(module, (ReLU, LeakyReLU, ELU)):
                self.dead.setdefault(name, []).append(float(np.mean(np.all(flat <= 0, axis=0))))
            elif isinstance(module, Sigmoid):
                self.saturated.setdefault(name, []).append(float(np.mean((flat < 0.01) | (flat > 0.99))))
            else:
                self.saturated.setdefault(name, []).append(float(np.mean(np.abs(flat) > 0.99)))

    def findings(self):
        out = []
        for name, values in self.dead.items():
            if values[-1] >= 0.5:
                out.append(f"layer {name}: {values[-1]:.0%} of ReLU units are dead (never active); lower the "
                           "learning rate or use LeakyReLU")
        for name, values in self.saturated.items():
            if values[-1] >= 0.5:
                out.append(f"layer {name}: {values[-1]:.0%} of sigmoid/tanh outputs are saturated, where the "
                           "gradient vanishes; scale inputs or the initialisation down")
        return out


class SymmetryDetector(Callback):
    """Warns when hidden units of a layer are identical (same weights and bias):
    gradient descent can never tell them apart, so the layer acts as one unit.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import SymmetryDetector
        >>> net = cr.nn.MLP([2, 3, 1], init_scheme="zeros")
        >>> SymmetryDetector().check(net)
        ['layer 0: all 3 units are identical (constant initialisation keeps them so); initialise randomly']
    """

    def __init__(self):
        self._findings = []

    def check(self, model):
        found = []
        layers = _linear_layers(model)
        for name, layer in layers[:-1]:  # the output layer's units are meant to differ by target only
            rows = layer.weight.numpy()
            if layer.bias is not None:
                rows = np.concatenate([rows, layer.bias.numpy()[:, None]], axis=1)
            distinct = len(np.unique(np.round(rows, 12), axis=0))
            if len(rows) > 1 and distinct < len(rows):
                what = f"all {len(rows)} units are" if distinct == 1 else f"{len(rows) - distinct + 1} units are"
                found.append(f"layer {name}: {what} identical (constant initialisation keeps them so); "
                             "initialise randomly")
        return found

    def on_epoch_end(self, epoch, logs, model, optimizer):
        self._findings = self.check(model)

    def findings(self):
        return list(self._findings)


def standard_monitors():
    """The three monitors, ready to pass to `fit(callbacks=...)`."""
    return [GradientMonitor(), ActivationMonitor(), SymmetryDetector()]
