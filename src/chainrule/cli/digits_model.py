"""A digits classifier for `attack` and `visualize`: trained here, or loaded from a file."""

from __future__ import annotations

import os

import numpy as np

from ..core.errors import ChainruleError
from .train import check_memory


def train_or_load(path=None, seed=0, epochs=20, device="cpu"):
    """(model, X_test, y_test): load `path` if given (a file this function saved), else train (on `device`).

    The model comes back on the CPU: the attacks and pictures work on host arrays."""
    import chainrule as cr

    X, y = cr.data.digits()
    X_train, y_train, X_test, y_test = cr.data.train_test_split(X, y, 0.25, seed=seed)
    if path is not None:
        if not os.path.exists(path):
            raise ChainruleError(f"no model file at {path}; leave out --model to train one")
        saved = cr.load(path)
        if not isinstance(saved, dict) or not {"sizes", "activation", "state"} <= set(saved):
            raise ChainruleError(f"{path} is not a digits model saved by chainrule (need sizes, activation, state)")
        sizes, activation = saved["sizes"], saved["activation"]
        if not (isinstance(sizes, list) and len(sizes) >= 2 and all(type(s) is int and s > 0 for s in sizes)
                and sizes[0] == X.shape[1] and isinstance(activation, str) and isinstance(saved["state"], dict)):
            raise ChainruleError(f"{path} is not a digits model saved by chainrule (its sizes, activation or "
                                 "state are not what save_model writes)")
        check_memory(sizes, "sgd")  # a hostile file must not make us allocate what the machine does not have
        model = cr.nn.MLP(sizes, activation=activation)
        model.load_state_dict(saved["state"])
        return model, X_test, y_test
    sizes, activation = [64, 64, 10], "relu"
    model = cr.nn.MLP(sizes, activation=activation, rng=np.random.default_rng(seed)).to(device)
    optimizer = cr.optim.Adam(model.parameters(), lr=0.01)
    cr.train.fit(model, cr.nn.functional.cross_entropy, optimizer, (X_train, y_train), epochs=epochs,
                 batch_size=32, progress=False, seed=seed)
    model.cpu()
    return model, X_test, y_test


def save_model(model, path, sizes=(64, 64, 10), activation="relu"):
    """Save in the format `train_or_load` reads."""
    import chainrule as cr

    cr.save({"sizes": list(sizes), "activation": activation, "state": model.state_dict()}, path)
