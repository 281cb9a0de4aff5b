"""Memory: peak bytes of one MNIST-size training step, and growth over many steps.

tracemalloc sees every NumPy array buffer (NumPy reports them to it), so it
measures both the hand-written NumPy step and chainrule's the same way.
PyTorch allocates outside Python's tracing, so it is left out here.
"""

from __future__ import annotations

import gc
import tracemalloc

import mlp_step
import numpy as np

import chainrule  # noqa: F401  (imported before tracing starts: module objects are not part of a step)


def peak_step_bytes(framework, size="mnist", dtype=np.float32):
    """Peak traced bytes during a training step (after a first one), the weights (built while tracing) included."""
    weights, x, y = mlp_step.problem(size, dtype)
    gc.collect()
    tracemalloc.start()
    try:
        step, _ = mlp_step.FRAMEWORKS[framework]([(w.copy(), b.copy()) for w, b in weights], x, y)
        step()  # a first step allocates what every later step reuses or replaces
        tracemalloc.reset_peak()  # building the model and warming up are not the step
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def growth(steps=10_000, early=100, size="small", dtype=np.float32):
    """Traced bytes still held after `early` steps and after `steps` steps (a leak shows as growth)."""
    weights, x, y = mlp_step.problem(size, dtype)
    step, _ = mlp_step.make_chainrule(weights, x, y)
    gc.collect()
    tracemalloc.start()
    try:
        held = {}
        for k in range(1, steps + 1):
            step()
            if k in (early, steps):
                gc.collect()
                held[k] = tracemalloc.get_traced_memory()[0]
        return held[early], held[steps]
    finally:
        tracemalloc.stop()
