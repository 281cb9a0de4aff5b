"""Per-op overhead: microseconds per op, forward plus backward, on 1-element tensors.

A 200-op chain mixing the ops a small network uses (mul and add by constant
1-element tensors, as weights are, then tanh or sigmoid); the median of
repeated runs, against a NumPy-only loop doing the same forward arithmetic
as a floor. Budget: under 3 us per op on the CI machine.

    python benchmarks/overhead.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import chainrule as cr

CHAIN = 200
REPEATS = 200


W, B = np.array([0.9]), np.array([0.1])


def chainrule_chain(x0):
    x = cr.tensor(x0, requires_grad=True)
    w, b = cr.tensor(W), cr.tensor(B)
    y = x
    for _ in range(CHAIN // 6):
        y = cr.tanh(y * w + b)
        y = cr.sigmoid(y * w + b)
    y.sum().backward()
    return x.grad


def numpy_forward(x0):
    y = x0
    for _ in range(CHAIN // 6):
        y = np.tanh(y * W + B)
        y = 1 / (1 + np.exp(-(y * W + B)))
    return y


def median_seconds(fn, arg):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    x0 = np.array([0.3])
    chainrule_chain(x0), numpy_forward(x0)  # warm up
    ops = CHAIN // 6 * 6 + 1
    ours = median_seconds(chainrule_chain, x0) / ops * 1e6
    floor = median_seconds(numpy_forward, x0) / ops * 1e6
    print(f"chainrule forward+backward: {ours:6.2f} us per op  (budget 3.00)")
    print(f"NumPy forward only:         {floor:6.2f} us per op  (ratio {ours / floor:.1f}x)")


if __name__ == "__main__":
    main()
