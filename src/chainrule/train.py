"""The fit loop: epochs of minibatches, progress, history and callbacks.

One step is the notes' loop: forward pass, loss, backward pass, update.
Callbacks see the model after the backward pass (gradients present) and
after each epoch; the diagnostics in `chainrule.tools.diagnostics` are
callbacks.
"""

from __future__ import annotations

import sys

import numpy as np

from .core.errors import ChainruleError
from .core.modes import no_grad
from .core.tensor import Tensor
from .data.loader import DataLoader
from .nn.functional import accuracy


class Callback:
    """Hooks called by `fit`; override the ones you need."""

    def on_train_begin(self, model, optimizer):
        pass

    def on_after_backward(self, model, optimizer):
        """Gradients are in `.grad`; the update has not happened yet."""

    def on_batch_end(self, model, optimizer, loss):
        pass

    def on_epoch_end(self, epoch, logs, model, optimizer):
        pass


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


def evaluate(model, loss_fn, data, batch_size=1024):
    """(mean loss, accuracy) of `model` on (X, y), without recording a graph."""
    X, y = data
    total, correct, n = 0.0, 0.0, len(X)
    with no_grad():
        for xb, yb in DataLoader((X, y), batch_size=batch_size):
            out = model(Tensor(xb))
            total += float(loss_fn(out, yb).item()) * len(xb)
            correct += accuracy(out, yb) * len(xb)
    return total / max(n, 1), correct / max(n, 1)


def fit(model, loss_fn, optimizer, train_data, epochs=10, batch_size=32, val_data=None, callbacks=(),
        progress=True, seed=0, scheduler=None):
    """Train `model` on `train_data` = (X, y) and return the History.

    Each epoch shuffles (from `seed`), then for each minibatch: zero the
    gradients, forward, `loss_fn(output, y)`, backward, callbacks, step.
    `val_data` (X, y) adds val_loss and val_accuracy. The progress bar (rich)
    shows only on a terminal and with `progress=True`.

    Example:
        >>> import chainrule as cr
        >>> X, y = cr.data.blobs(60, centers=2, seed=1)
        >>> model = cr.nn.MLP([2, 8, 2], rng=cr.manual_seed(0))
        >>> opt = cr.optim.Adam(model.parameters(), lr=0.05)
        >>> h = cr.train.fit(model, cr.nn.functional.cross_entropy, opt, (X, y), epochs=5, progress=False)
        >>> h.epochs, h["loss"][-1] < h["loss"][0]
        (5, True)
    """
    X, y = train_data
    if len(X) != len(y):
        raise ChainruleError(f"train_data has {len(X)} inputs but {len(y)} targets")
    if int(epochs) < 1:
        raise ChainruleError(f"epochs must be at least 1, got {epochs}")
    loader = DataLoader((np.asarray(X), np.asarray(y)), batch_size=batch_size, shuffle=True, seed=seed)
    history = History()
    callbacks = list(callbacks)
    for cb in callbacks:
        cb.on_train_begin(model, optimizer)
    bar = _ProgressBar(int(epochs), enabled=progress)
    try:
        for epoch in range(int(epochs)):
            model.train()
            total, correct, seen = 0.0, 0.0, 0
            for xb, yb in loader:
                optimizer.zero_grad()
                out = model(Tensor(xb))
                loss = loss_fn(out, yb)
                loss.backward()
                for cb in callbacks:
                    cb.on_after_backward(model, optimizer)
                optimizer.step()
                value = float(loss.item())
                if not np.isfinite(value):
                    raise ChainruleError(f"the loss became {value} in epoch {epoch + 1}: lower the learning "
                                         "rate, or run under cr.detect_anomaly() to find the op")
                for cb in callbacks:
                    cb.on_batch_end(model, optimizer, value)
                total += value * len(xb)
                correct += accuracy(out, yb) * len(xb)
                seen += len(xb)
            logs = {"loss": total / seen, "accuracy": correct / seen}
            if val_data is not None:
                model.eval()
                logs["val_loss"], logs["val_accuracy"] = evaluate(model, loss_fn, val_data)
            if scheduler is not None:
                scheduler.step()
            history.record(logs)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs, model, optimizer)
            bar.update(epoch, logs)
    finally:
        bar.close()
    return history


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
