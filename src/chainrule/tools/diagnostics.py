"""Training diagnostics that make the notes' warnings visible.

- `GradientMonitor`: per-layer gradient norms and update-to-weight ratios
  (vanishing and exploding gradients, steps too big or too small), judged
  over the whole run, including the last step before a NaN stopped it;
- `ActivationMonitor`: the fraction of dead ReLU units and of saturated
  sigmoid / tanh units;
- `SymmetryDetector`: hidden units that are identical, as constant (e.g.
  zero) initialisation leaves them.

Each is a `fit` callback with a `findings()` list of plain-language
warnings. Layers are named by their weight's path in `named_parameters()`
("0.weight", "encoder.1.weight"), as PyTorch names them.
"""

from __future__ import annotations

import math

import numpy as np

from ..nn.layers import ELU, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from ..train import Callback
from ..train import norm as grad_norm

EXPLODING_NORM = 1e3  # a gradient norm above this is "exploding"
VANISHING_RATIO = 1e-3  # a layer whose gradient is under this fraction of the last layer's has "vanished"


def _prefixed(module_name, name):
    return f"{module_name}.{name}" if module_name else name


def linear_layers(model):
    """[(weight path, Linear layer)] in forward order, e.g. [("0.weight", Linear(...)), ...].

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import linear_layers
        >>> [name for name, _ in linear_layers(cr.nn.MLP([2, 3, 1]))]
        ['0.weight', '2.weight']
    """
    return [(_prefixed(name, "weight"), m) for name, m in model.named_modules() if isinstance(m, Linear)]


class GradientMonitor(Callback):
    """Records each Linear layer's weight-gradient norm and update-to-weight ratio ‖Δw‖ / ‖w‖.

    Per epoch it keeps the last batch's norm (`grad_norms`) and the largest
    (`max_grad_norms`); `last_step` holds the norms of the last step taken,
    which is the step before the NaN when training stopped on one.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import GradientMonitor
        >>> X, y = cr.data.blobs(40, centers=2)
        >>> net = cr.nn.MLP([2, 4, 2], rng=cr.manual_seed(0)); mon = GradientMonitor()
        >>> _ = cr.train.fit(net, cr.nn.functional.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1),
        ...                  (X, y), epochs=2, callbacks=[mon], progress=False)
        >>> sorted(mon.grad_norms), len(mon.grad_norms["0.weight"])
        (['0.weight', '2.weight'], 2)
    """

    def __init__(self):
        self.grad_norms, self.max_grad_norms, self.update_ratios = {}, {}, {}
        self.last_step, self.stopped = {}, None
        self._layers, self._before, self._epoch_max = [], {}, {}

    def on_train_begin(self, trainer):
        self._layers = linear_layers(trainer.model)

    def on_epoch_begin(self, epoch, logs):
        self._epoch_max = {}

    def on_after_backward(self, batch, logs):
        self.last_step = {name: grad_norm(layer.weight.grad._data)
                          for name, layer in self._layers if layer.weight.grad is not None}
        for name, norm in self.last_step.items():
            self._epoch_max[name] = max(self._epoch_max.get(name, 0.0), norm)
        self._before = {name: layer.weight._data.copy() for name, layer in self._layers}

    def on_epoch_end(self, epoch, logs):
        for name, layer in self._layers:
            w = layer.weight._data
            before = self._before.get(name, w)
            ratio = float(np.linalg.norm(w - before) / (np.linalg.norm(before) + 1e-12))
            self.grad_norms.setdefault(name, []).append(self.last_step.get(name, 0.0))
            self.max_grad_norms.setdefault(name, []).append(self._epoch_max.get(name, 0.0))
            self.update_ratios.setdefault(name, []).append(ratio)

    def on_train_end(self, logs):
        error = logs.get("error")
        if error is not None and hasattr(error, "epoch"):
            self.stopped = f"epoch {error.epoch}, batch {error.batch}"

    def _exploding(self):
        worst = None  # (norm, layer, where)
        for name, values in self.max_grad_norms.items():
            for epoch, norm in enumerate(values, 1):
                if worst is None or not math.isfinite(norm) or norm > worst[0]:
                    worst = (norm, name, f"epoch {epoch}")
        for name, norm in self.last_step.items():  # the partial epoch a NaN cut short counts too
            if worst is None or not math.isfinite(norm) or norm > worst[0]:
                worst = (norm, name, f"the last step before the loss became non-finite ({self.stopped})"
                         if self.stopped else "the last step")
        if worst is None or (math.isfinite(worst[0]) and worst[0] <= EXPLODING_NORM):
            return []
        return [f"exploding gradients: layer {worst[1]}'s gradient norm reached {worst[0]:.3g} in {worst[2]} "
                f"(above {EXPLODING_NORM:g}); lower the learning rate, use a smaller initialisation or clip "
                "gradients"]

    def vanishing(self):
        """{layer: median over epochs of its gradient norm / the last layer's}, for layers under VANISHING_RATIO."""
        names = [name for name, _ in self._layers if name in self.grad_norms] or list(self.grad_norms)
        if len(names) < 2:
            return {}
        last = np.asarray(self.grad_norms[names[-1]])
        found = {}
        for name in names[:-1]:
            with np.errstate(all="ignore"):
                ratios = np.asarray(self.grad_norms[name]) / last
            ratios = ratios[np.isfinite(ratios)]
            if ratios.size and float(np.median(ratios)) < VANISHING_RATIO:
                found[name] = float(np.median(ratios))
        return found

    def findings(self):
        out = self._exploding()
        vanished = self.vanishing()
        if vanished:
            names = [name for name, _ in self._layers if name in self.grad_norms] or list(self.grad_norms)
            epochs = len(self.grad_norms[names[0]])
            first = vanished.get(names[0])
            how = (f"the first layer's gradient norm is {first:.1e} times the last layer's ({names[-1]})"
                   if first is not None else f"relative to the last layer ({names[-1]})")
            listed = ", ".join(f"{k} ({v:.1e})" for k, v in vanished.items())
            out.append(f"vanishing gradients over {epochs} epoch{'s' if epochs != 1 else ''} (median): {how}; "
                       f"layers {listed} get under 1/{1 / VANISHING_RATIO:.0f} of the last layer's gradient and "
                       "barely learn (try ReLU instead of sigmoid/tanh, fewer layers, or a scaled initialisation)")
        for name, ratios in self.update_ratios.items():
            typical = float(np.median(ratios))
            if typical > 1e-1:
                size = f"{typical:.1%}" if typical < 10 else f"{typical:.2g} times their size"
                out.append(f"layer {name}: updates change the weights by {size} per step (median over "
                           "epochs; learning rate probably too high; about 0.1% is typical)")
        return out


class ActivationMonitor(Callback):
    """Fraction of dead ReLU units (zero on every example of a batch) and of
    saturated sigmoid / tanh outputs, measured on the last batch of each epoch.
    Its forward hooks are removed when training ends.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import ActivationMonitor
        >>> net = cr.nn.MLP([2, 4, 2], activation="tanh", rng=cr.manual_seed(0))
        >>> mon = ActivationMonitor(); mon.attach(net)
        >>> _ = net(cr.randn(8, 2)); mon.on_epoch_end(0, {}); mon.detach()
        >>> list(mon.saturated)
        ['1']
    """

    def __init__(self):
        self.dead, self.saturated = {}, {}
        self._outputs, self._removers, self._kinds = {}, [], {}

    def attach(self, model):
        """Start recording the activations of `model` (fit does this in on_train_begin)."""
        for name, module in model.named_modules():
            if isinstance(module, (ReLU, LeakyReLU, ELU, Sigmoid, Tanh)):
                self._kinds[name] = type(module).__name__
                self._removers.append(module.register_forward_hook(self._recorder(name)))

    def detach(self):
        """Remove the hooks (fit does this in on_train_end)."""
        for remove in self._removers:
            remove()
        self._removers = []

    def on_train_begin(self, trainer):
        self.attach(trainer.model)

    def on_train_end(self, logs):
        self.detach()

    def _recorder(self, name):
        def record(module, inputs, output):
            self._outputs[name] = (module, output.numpy())  # the array only: the graph is not kept alive
        return record

    def on_epoch_end(self, epoch, logs):
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
                out.append(f"layer {name} ({self._kinds.get(name, 'ReLU')}): {values[-1]:.0%} of its units are dead "
                           "(never active); lower the learning rate or use LeakyReLU")
        for name, values in self.saturated.items():
            if values[-1] >= 0.5:
                out.append(f"layer {name} ({self._kinds.get(name, 'Sigmoid')}): {values[-1]:.0%} of its outputs are "
                           "saturated, where the gradient vanishes; scale inputs or the initialisation down")
        return out


class SymmetryDetector(Callback):
    """Warns when hidden units of a layer are identical (same weights and bias):
    gradient descent can never tell them apart, so the layer acts as one unit.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.diagnostics import SymmetryDetector
        >>> net = cr.nn.MLP([2, 3, 1], init_scheme="zeros")
        >>> SymmetryDetector().check(net)
        ['layer 0.weight: all 3 units are identical (constant initialisation keeps them so); initialise randomly']
    """

    def __init__(self):
        self._findings = []

    def check(self, model):
        found = []
        layers = linear_layers(model)
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

    def on_train_end(self, logs):  # once, on the trained model: symmetric units stay symmetric
        self._findings = self.check(self.trainer.model)

    def findings(self):
        return list(self._findings)


def standard_monitors():
    """The three monitors, ready to pass to `fit(callbacks=...)`."""
    return [GradientMonitor(), ActivationMonitor(), SymmetryDetector()]
