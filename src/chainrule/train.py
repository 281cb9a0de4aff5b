"""The fit loop: epochs of minibatches, metrics, progress, history and callbacks.

One step is the notes' loop: forward pass, loss, backward pass, update. The
loss and the gradients are checked for NaN/inf *before* the update, so a
diverging run stops with the parameters of its last finite step and an
error that says where it went wrong. Callbacks (the diagnostics in
`chainrule.tools.diagnostics` are callbacks) share one signature, Keras's:
`on_train_begin(trainer)`, then `(index, logs)` hooks.
"""

from __future__ import annotations

import inspect
import math
import sys

import numpy as np

from .core import backend
from .core.errors import ChainruleError
from .core.modes import no_grad
from .core.tensor import Tensor
from .data.loader import DataLoader
from .jit import jit as _jit
from .nn import functional as F

add_reduce, copyto = np.add.reduce, np.copyto


def _total(array):
    """The sum of every entry as a Python float (NumPy's reduce on the host, the array's own np.sum elsewhere)."""
    return add_reduce(array, axis=None) if type(array) is np.ndarray else float(np.sum(array))


def norm(array):
    """The 2-norm of all entries, scaled so finite entries never overflow it (1e200 stays 1e200, not inf).

    Example:
        >>> import numpy as np
        >>> from chainrule.train import norm
        >>> round(norm(np.array([3e200, 4e200])) / 1e200, 12), norm(np.array([1.0, np.nan]))
        (5.0, nan)
    """
    with np.errstate(all="ignore"):
        top = float(np.max(np.abs(array))) if array.size else 0.0
        if top == 0.0 or not math.isfinite(top):
            return top if not np.isnan(array).any() else math.nan
        return top * float(np.sqrt(np.vdot(array / top, array / top).real))


class NonFiniteLossError(ChainruleError, FloatingPointError):
    """`fit` met a NaN or infinite loss (or gradient) and stopped before the update.

    `epoch` and `batch` count from 1; `grad_norms` maps each parameter's
    name to its gradient norm at that step; the model keeps the parameters
    of the last finite step.
    """

    def __init__(self, message, epoch, batch, loss, grad_norms):
        super().__init__(message)
        self.epoch, self.batch, self.loss, self.grad_norms = epoch, batch, loss, grad_norms


class Callback:
    """Hooks called by `fit`; override the ones you need.

    `on_train_begin(trainer)` comes first (the trainer has `.model`,
    `.optimizer`, `.loss_fn`, `.history`, and `.stop_training` to end early);
    `fit` also sets `callback.trainer` before it. Every other hook takes an
    index and the logs dict, as Keras's: epochs and batches count from 0;
    batch logs hold "loss" and "size"; epoch logs hold the epoch's metrics.

    Example:
        >>> import chainrule as cr
        >>> class Stop(cr.train.Callback):
        ...     def on_epoch_end(self, epoch, logs):
        ...         self.trainer.stop_training = logs["loss"] < 10
        >>> net = cr.nn.MLP([2, 2]); X, y = cr.data.blobs(20, centers=2)
        >>> cr.train.fit(net, cr.nn.functional.cross_entropy, cr.optim.SGD(net.parameters(), lr=0.1), (X, y),
        ...              epochs=5, callbacks=[Stop()], progress=False).epochs
        1
    """

    trainer = None

    def on_train_begin(self, trainer):
        pass

    def on_epoch_begin(self, epoch, logs):
        pass

    def on_batch_begin(self, batch, logs):
        pass

    def on_after_backward(self, batch, logs):
        """Gradients are in `.grad` and finite; the update has not happened yet."""

    def on_batch_end(self, batch, logs):
        pass

    def on_epoch_end(self, epoch, logs):
        pass

    def on_train_end(self, logs):
        """Called at the end of training, also when it stops with an error (logs then hold "error")."""


class History:
    """Per-epoch records of `fit`: `history["loss"]`, `history["val_accuracy"]`, ...

    Example:
        >>> from chainrule.train import History
        >>> h = History(); h.record({"loss": 1.0}); h.record({"loss": 0.5})
        >>> h["loss"], h.epochs
        ([1.0, 0.5], 2)
    """

    def __init__(self):
        self.history = {}

    def record(self, logs):
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.history[key]

    def __contains__(self, key):
        return key in self.history

    @property
    def epochs(self):
        return len(next(iter(self.history.values()), []))

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return f"History(epochs={self.epochs}, last={last})"


# Losses whose targets are class labels, so "accuracy" means something; every other
# named loss (mse_loss, ...) is regression. Hinge and logit losses use other thresholds.
CLASSIFICATION_LOSSES = (F.cross_entropy, F.multi_margin_loss, F.binary_cross_entropy)
REGRESSION_LOSSES = (F.mse_loss,)
METRICS = {"accuracy": F.accuracy}


def resolve_metrics(metrics, loss_fn=None, targets=None):
    """{name: metric(output, target) -> float} from `fit`'s `metrics=` argument.

    "auto" gives accuracy for a classification loss (cross_entropy,
    multi_margin_loss, binary_cross_entropy), none for a regression loss
    (mse_loss), and for any other loss accuracy only when the targets are
    integer class labels. A list may hold names ("accuracy") and functions.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> F = cr.nn.functional
        >>> list(cr.train.resolve_metrics("auto", F.cross_entropy)), list(cr.train.resolve_metrics("auto", F.mse_loss))
        (['accuracy'], [])
    """
    if isinstance(metrics, str) and metrics == "auto":
        if loss_fn in CLASSIFICATION_LOSSES:
            metrics = ["accuracy"]
        elif loss_fn in REGRESSION_LOSSES or targets is None:
            metrics = []
        else:
            labels = backend.as_array(targets)
            metrics = ["accuracy"] if labels.dtype.kind in "iub" else []
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return dict(metrics)
    resolved = {}
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in METRICS:
                raise ChainruleError(f"unknown metric {metric!r}; choose one of {sorted(METRICS)} or pass a function")
            resolved[metric] = METRICS[metric]
        elif callable(metric):
            resolved[getattr(metric, "__name__", f"metric{len(resolved)}")] = metric
        else:
            raise ChainruleError(f"metrics holds names and functions (output, target) -> float, got {metric!r}")
    return resolved


def model_device(model):
    """The device of the model's first parameter ('cpu' for a model without any): where fit puts each batch.

    Example:
        >>> import chainrule as cr
        >>> model_device(cr.nn.Linear(2, 1))
        'cpu'
    """
    first = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    return "cpu" if first is None else first.device


def evaluate(model, loss_fn, data, batch_size=1024, metrics=("accuracy",)):
    """{"loss": mean loss, metric name: value, ...} of `model` on (X, y), without recording a graph.

    Example:
        >>> import chainrule as cr
        >>> X, y = cr.data.blobs(10, centers=2)
        >>> sorted(cr.train.evaluate(cr.nn.MLP([2, 2]), cr.nn.functional.cross_entropy, (X, y)))
        ['accuracy', 'loss']
    """
    X, y = in_model_dtype(data, model)
    metrics = resolve_metrics(metrics, loss_fn, y)
    sums, n = dict.fromkeys(["loss", *metrics], 0.0), len(X)
    device = model_device(model)
    with no_grad():
        for xb, yb in DataLoader((X, y), batch_size=batch_size):
            if device != "cpu":
                xb, yb = backend.to_device(xb, device), backend.to_device(yb, device)
            out = model(Tensor(xb))
            sums["loss"] += float(loss_fn(out, yb).item()) * len(xb)
            for name, metric in metrics.items():
                sums[name] += metric(out, yb) * len(xb)
    return {k: v / max(n, 1) for k, v in sums.items()}


class Trainer:
    """The state of one `fit` run, as callbacks see it (`callback.trainer`)."""

    def __init__(self, model, loss_fn, optimizer, metrics, jit=False):
        self.model, self.loss_fn, self.optimizer, self.metrics = model, loss_fn, optimizer, metrics
        # with jit=True the forward and backward passes are traced once per batch shape and replayed
        self._forward_backward = forward_backward(model, loss_fn, optimizer)
        if jit:
            self._forward_backward = _jit(self._forward_backward)
        self.history = History()
        self.stop_training = False
        self.epoch = self.batch = 0
        groups = getattr(optimizer, "param_groups", None)
        self.params = [p for group in groups for p in group["params"]] if groups else list(model.parameters())
        self.names = _parameter_names(model, self.params)
        self._last_finite = [p._data.copy() for p in self.params]
        self.device = model_device(model)  # each batch goes there (the data itself may stay on the host)

    def grad_norms(self):
        """{parameter name: gradient norm} of the current gradients (inf or nan where they are not finite)."""
        return {name: norm(p.grad._data) for name, p in zip(self.names, self.params) if p.grad is not None}

    def _check_and_remember(self):
        """True if every gradient is finite; then also copy the parameters, to undo an update that overflows."""
        grads = [p.grad._data for p in self.params if p.grad is not None]
        if self.device != "cpu" and grads:  # on a GPU: one sum of sums, so one wait for the device per step
            if math.isfinite(float(sum(np.sum(g) for g in grads))):
                grads = []
        for g in grads:
            # one cheap reduction per parameter; the exact test only when the sum is not finite
            if not math.isfinite(_total(g)) and not np.isfinite(g).all():
                return False
        for p, saved in zip(self.params, self._last_finite):
            copyto(saved, p._data)
        return True

    def _stop_non_finite(self, value, batches):
        norms = self.grad_norms()
        finite = all(np.isfinite(p._data).all() for p in self.params)
        if not finite:  # the previous update overflowed: go back to the parameters before it
            for saved, p in zip(self._last_finite, self.params):
                p.data = saved.copy()
        what = f"the loss became {value}" if not math.isfinite(value) else "a gradient became non-finite"
        bad = [k for k, v in norms.items() if not math.isfinite(v)]
        largest = sorted((k for k in norms if k not in bad), key=lambda k: -norms[k])
        worst = (bad + largest)[:4]
        shown = ", ".join(f"{k} {norms[k]:.3g}" for k in worst)
        if len(bad) > 4:
            shown += f" (and {len(bad) - 4} more not finite)"
        raise NonFiniteLossError(
            f"{what} in epoch {self.epoch + 1}, batch {self.batch + 1} of {batches}; that step was not taken and "
            f"the parameters are those of the last finite step. Largest gradient norms: {shown or 'none'}. "
            "Lower the learning rate, or run under cr.detect_anomaly() to find the op",
            self.epoch + 1, self.batch + 1, value, norms)

    def _step(self, xb, yb, callbacks, batches):
        out, loss = self._forward_backward(xb, yb)
        value = float(loss.item())
        if not math.isfinite(value) or not self._check_and_remember():
            self._stop_non_finite(value, batches)
        logs = {"loss": value, "size": len(xb)}
        for cb in callbacks:
            cb.on_after_backward(self.batch, logs)
        self.optimizer.step()
        return out, logs

    def run(self, loader, epochs, val_data, callbacks, bar, scheduler):
        batches = len(loader)
        for epoch in range(epochs):
            self.epoch = epoch
            self.model.train()
            for cb in callbacks:
                cb.on_epoch_begin(epoch, {})
            sums, seen = dict.fromkeys(["loss", *self.metrics], 0.0), 0
            for batch, (xb, yb) in enumerate(loader):
                self.batch = batch
                if self.device != "cpu":
                    xb, yb = backend.to_device(xb, self.device), backend.to_device(yb, self.device)
                if callbacks:
                    for cb in callbacks:
                        cb.on_batch_begin(batch, {"size": len(xb)})
                out, logs = self._step(xb, yb, callbacks, batches)
                sums["loss"] += logs["loss"] * len(xb)
                for name, metric in self.metrics.items():
                    sums[name] += metric(out, yb) * len(xb)
                seen += len(xb)
                for cb in callbacks:
                    cb.on_batch_end(batch, logs)
            logs = {k: v / seen for k, v in sums.items()}
            if val_data is not None:
                self.model.eval()
                for k, v in evaluate(self.model, self.loss_fn, val_data, metrics=self.metrics).items():
                    logs[f"val_{k}"] = v
            if scheduler is not None:
                scheduler.step()
            self.history.record(logs)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            bar.update(epoch, logs)
            if self.stop_training:
                break


def forward_backward(model, loss_fn, optimizer):
    """The part of a training step `fit` may jit: zero the gradients, forward, loss, backward; returns (out, loss).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> model = cr.nn.Linear(2, 1)
        >>> step = forward_backward(model, cr.nn.functional.mse_loss, cr.optim.SGD(model.parameters()))
        >>> out, loss = step(np.ones((3, 2)), np.zeros((3, 1)))
        >>> model.weight.grad.shape
        (1, 2)
    """
    def step(xb, yb):
        optimizer.zero_grad()
        out = model(Tensor(xb))
        loss = loss_fn(out, yb)
        loss.backward()
        return out, loss

    return step


_HOOK_ARGS = {"on_train_begin": "trainer", "on_epoch_begin": "epoch, logs", "on_batch_begin": "batch, logs",
              "on_after_backward": "batch, logs", "on_batch_end": "batch, logs", "on_epoch_end": "epoch, logs",
              "on_train_end": "logs"}


def _check_callbacks(callbacks):
    """Refuse, before training, a callback whose hooks have another signature (e.g. the old (model, optimizer))."""
    for cb in callbacks:
        for hook, args in _HOOK_ARGS.items():
            method = getattr(cb, hook, None)
            if method is None:
                continue
            try:
                inspect.signature(method).bind(*args.split(", "))
            except TypeError:
                raise ChainruleError(f"callback {type(cb).__name__}.{hook} must take ({args}); the model and the "
                                     "optimizer are self.trainer.model and self.trainer.optimizer") from None
            except ValueError:  # no signature to read (a builtin): trust it
                pass


def _parameter_names(model, params):
    names = {id(p): name for name, p in model.named_parameters()} if hasattr(model, "named_parameters") else {}
    return [names.get(id(p), f"param{i}") for i, p in enumerate(params)]


def in_model_dtype(data, model):
    """(X, y) as arrays, floating ones in the dtype of the model's parameters (float64 data and a float32
    model compute in float32, as the model was made for; labels stay integers).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> X, y = in_model_dtype((np.ones((2, 3)), np.array([0, 1])), cr.nn.Linear(3, 2, dtype=cr.float32))
        >>> X.dtype, y.dtype
        (dtype('float32'), dtype('int64'))
    """
    params = model.parameters() if hasattr(model, "parameters") else ()
    dtype = next((p.dtype for p in params if p.dtype.kind == "f"), None)
    # arrays stay where they are (a GPU array is not copied to the host here); lists become ndarrays
    arrays = [a._data if isinstance(a, Tensor) else a if hasattr(a, "astype") else np.asarray(a) for a in data]
    if dtype is None:
        return tuple(arrays)
    return tuple(a.astype(dtype, copy=False) if a.dtype.kind == "f" else a for a in arrays)


def fit(model, loss_fn, optimizer, train_data, epochs=10, batch_size=32, val_data=None, callbacks=(),
        progress=True, seed=0, scheduler=None, metrics="auto", shuffle=True, jit=False):
    """Train `model` on `train_data` = (X, y) and return the History.

    Each epoch shuffles (from `seed`), then for each minibatch: zero the
    gradients, forward, `loss_fn(output, y)`, backward, check that the loss
    and gradients are finite, callbacks, step. `metrics` ("auto", a list of
    names/functions, or None; see `resolve_metrics`) are averaged over the
    epoch; `val_data` (X, y) adds val_loss and val_<metric>. A NaN or
    infinite loss raises `NonFiniteLossError` before the update. NumPy's
    floating-point warnings are silenced while fit runs (it checks itself).
    The progress bar (rich) shows only on a terminal and with `progress=True`.
    `jit=True` traces the forward and backward passes once per batch shape
    (`cr.jit`) and replays them: the same numbers, less Python per step.

    Example:
        >>> import chainrule as cr
        >>> X, y = cr.data.blobs(60, centers=2, seed=1)
        >>> model = cr.nn.MLP([2, 8, 2], rng=cr.manual_seed(0))
        >>> opt = cr.optim.Adam(model.parameters(), lr=0.05)
        >>> h = cr.train.fit(model, cr.nn.functional.cross_entropy, opt, (X, y), epochs=5, progress=False)
        >>> h.epochs, h["loss"][-1] < h["loss"][0], sorted(h.history)
        (5, True, ['accuracy', 'loss'])
    """
    X, y = in_model_dtype(train_data, model)
    if len(X) != len(y):
        raise ChainruleError(f"train_data has {len(X)} inputs but {len(y)} targets")
    if int(epochs) < 1:
        raise ChainruleError(f"epochs must be at least 1, got {epochs}")
    loader = DataLoader((backend.as_array(X), backend.as_array(y)), batch_size=batch_size, shuffle=shuffle, seed=seed)
    trainer = Trainer(model, loss_fn, optimizer, resolve_metrics(metrics, loss_fn, y), jit=jit)
    callbacks = list(callbacks)
    _check_callbacks(callbacks)
    for cb in callbacks:
        cb.trainer = trainer
    end_logs = {}
    bar = _ProgressBar(int(epochs), enabled=progress)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for cb in callbacks:
                cb.on_train_begin(trainer)
            trainer.run(loader, int(epochs), val_data, callbacks, bar, scheduler)
    except BaseException as exc:
        end_logs["error"] = exc
        if isinstance(exc, NonFiniteLossError):
            exc.history = trainer.history  # the epochs completed before it
        raise
    finally:
        bar.close()
        end_logs.update({k: v[-1] for k, v in trainer.history.history.items() if v})
        for cb in callbacks:
            cb.on_train_end(end_logs)
    return trainer.history


class _ProgressBar:
    """A rich progress bar on a terminal; nothing otherwise (or without rich)."""

    def __init__(self, total, enabled):
        self.progress = None
        if not (enabled and sys.stdout.isatty()):
            return
        try:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        except ImportError:
            return
        self.progress = Progress(TextColumn("epoch"), MofNCompleteColumn(), BarColumn(),
                                 TextColumn("{task.fields[stats]}"), TimeRemainingColumn(), transient=False)
        self.progress.start()
        self.task = self.progress.add_task("train", total=total, stats="")

    def update(self, epoch, logs):
        if self.progress is not None:
            stats = "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
            self.progress.update(self.task, completed=epoch + 1, stats=stats)

    def close(self):
        if self.progress is not None:
            self.progress.stop()
