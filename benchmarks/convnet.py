"""One training step of a small digits convnet, chainrule against PyTorch (CPU) when it is installed.

    python benchmarks/convnet.py            # median seconds per step and the ratio to PyTorch
    python benchmarks/convnet.py --quick    # fewer rounds

The network (the same initial weights in both): Conv2d(1, 16, 3, padding=1),
ReLU, MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2),
Flatten, Linear(128, 10); mean cross-entropy; SGD with momentum 0.9, on a
batch of 64 of the 8x8 digits, in float32. `epoch_seconds` is the time of
one epoch over the 1797 digits at that speed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# one BLAS thread for NumPy, as PyTorch gets one below: a fair race, and no oversubscribed cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from timing import interleaved_medians  # noqa: E402

import chainrule as cr  # noqa: E402

BATCH, LR = 64, 0.05


def problem(seed=0):
    """Initial weights (PyTorch's layout) and one batch of digits as (N, 1, 8, 8) float32 images."""
    rng = np.random.default_rng(seed)

    def uniform(shape, fan_in):
        k = 1 / np.sqrt(fan_in)
        return rng.uniform(-k, k, shape).astype(np.float32)

    weights = [uniform((16, 1, 3, 3), 9), uniform(16, 9), uniform((32, 16, 3, 3), 144), uniform(32, 144),
               uniform((10, 128), 128), uniform(10, 128)]
    try:
        x, y = cr.data.digits()
    except cr.ChainruleError:  # no scikit-learn: random images of the same shape
        x, y = rng.random((1797, 64)), rng.integers(0, 10, 1797)
    idx = rng.choice(len(y), BATCH, replace=False)
    return weights, x[idx].reshape(BATCH, 1, 8, 8).astype(np.float32), y[idx].astype(np.int64)


def make_chainrule(weights, x, y):
    nn = cr.nn
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, dtype=np.float32), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1, dtype=np.float32), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(128, 10, dtype=np.float32))
    for p, w in zip(net.parameters(), weights):
        p.data = w.copy()
    opt = cr.optim.SGD(net.parameters(), lr=LR, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    xt = cr.tensor(x)

    def step():
        opt.zero_grad()
        loss = loss_fn(net(xt), y)
        loss.backward()
        opt.step()
        return loss

    return step


def make_torch(weights, x, y):
    try:
        import torch
    except ImportError:
        return None
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(128, 10))
    with torch.no_grad():
        for p, w in zip(net.parameters(), weights):
            p.copy_(torch.from_numpy(w.copy()))
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(net(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def run(rounds=30):
    """{'chainrule': s, 'torch': s or None, 'ratio': chainrule/torch or None, 'epoch_seconds': s}."""
    weights, x, y = problem()
    fns = {"chainrule": make_chainrule(weights, x, y)}
    torch_step = make_torch(weights, x, y)
    threads = None
    if torch_step is not None:
        import torch

        fns["torch"], threads = torch_step, torch.get_num_threads()
        torch.set_num_threads(1)  # one thread each (NumPy's BLAS is held to one above)
    try:
        medians = interleaved_medians(fns, rounds, warmup=3, min_time=0.05)
    finally:
        if threads is not None:
            torch.set_num_threads(threads)
    ours, theirs = medians["chainrule"], medians.get("torch")
    return {"chainrule": ours, "torch": theirs, "ratio": ours / theirs if theirs else None,
            "epoch_seconds": ours * 1797 / BATCH}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    result = run(5 if args.quick else 30)
    print(f"chainrule: {result['chainrule'] * 1e3:.2f} ms per step ({result['epoch_seconds']:.2f} s per epoch)")
    if result["torch"] is not None:
        print(f"PyTorch:   {result['torch'] * 1e3:.2f} ms per step; chainrule / PyTorch = {result['ratio']:.2f}x")


if __name__ == "__main__":
    main()
