"""Per-op overhead: microseconds per op, forward plus backward, on 1-element tensors.

The chain is `y = tanh(y * w + b)` repeated (mul, add, tanh: the ops of a
tiny network layer) to 201 ops, on 1-element float64 tensors. The floor is
the same chain with its backward pass written by hand in NumPy. Runs are
interleaved and the median taken, so both see the same machine load.
Budget: chainrule under 3 us per op on the CI machine.

    python benchmarks/overhead.py
"""

from __future__ import annotations

import numpy as np
from timing import interleaved_medians

import chainrule as cr

LAYERS = 67  # 3 ops each: 201 ops
REPEATS = 300
W, B = np.array([0.9]), np.array([0.1])


def chainrule_step(x0):
    x = cr.tensor(x0, requires_grad=True)
    w, b = cr.tensor(W), cr.tensor(B)
    y = x
    for _ in range(LAYERS):
        y = cr.tanh(y * w + b)
    y.sum().backward()
    return x.grad


def numpy_step(x0):
    """The floor: forward, then the backward pass written out by hand."""
    outs = []
    y = x0
    for _ in range(LAYERS):
        y = np.tanh(y * W + B)
        outs.append(y)
    g = np.ones_like(y)
    for out in reversed(outs):
        g = g * (1 - out * out) * W
    return g


def measure(repeats=REPEATS):
    x0 = np.array([0.3])
    np.testing.assert_allclose(chainrule_step(x0).numpy(), numpy_step(x0))  # same computation
    medians = interleaved_medians({"chainrule": lambda: chainrule_step(x0), "numpy": lambda: numpy_step(x0)},
                                  rounds=repeats)
    ops = LAYERS * 3
    return medians["chainrule"] / ops * 1e6, medians["numpy"] / ops * 1e6


def main():
    ours, floor = measure()
    print(f"chainrule forward+backward: {ours:6.2f} us per op  (budget 3.00)")
    print(f"hand-written NumPy floor:   {floor:6.2f} us per op  (chainrule is {ours / floor:.1f}x, "
          f"{ours - floor:.2f} us per op of overhead)")


if __name__ == "__main__":
    main()
