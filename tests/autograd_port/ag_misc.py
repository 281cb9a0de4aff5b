"""Stand-ins for autograd.misc (flatten and the optimizers) that autograd's examples import.

Written for the port: the examples change `from autograd.misc... import`
to `from ag_misc import`, nothing else. Gradients come from chainrule.
"""

from __future__ import annotations

import numpy as onp

import chainrule.numpy as np
from chainrule.tree import flatten as tree_flatten
from chainrule.tree import unflatten as tree_unflatten


def flatten(value):
    """(flat vector, unflatten) for a structure of arrays; differentiable (the vector is built with np ops)."""
    leaves, structure = tree_flatten(value)
    shapes = [onp.shape(onp.asarray(leaf)) for leaf in leaves]
    flat = np.concatenate([np.ravel(leaf) for leaf in leaves]) if leaves else onp.zeros(0)

    def unflatten(vector):
        pieces, start = [], 0
        for shape in shapes:
            size = int(onp.prod(shape, dtype=int))
            pieces.append(np.reshape(vector[start:start + size], shape))
            start += size
        return tree_unflatten(structure, pieces)

    return flat, unflatten


def _flat_optimizer(step):
    def optimizer(grad, x0, callback=None, num_iters=100, **kwargs):
        x, unflatten = flatten(x0)
        x = onp.asarray(x, dtype=float)
        state = {}
        for i in range(num_iters):
            g = onp.asarray(flatten(grad(unflatten(x), i))[0], dtype=float)
            if callback:
                callback(unflatten(x), i, unflatten(g))
            x = step(x, g, i, state, **kwargs)
        return unflatten(x)
    return optimizer


def _adam_step(x, g, i, state, step_size=0.001, b1=0.9, b2=0.999, eps=10 ** -8):
    m = (1 - b1) * g + b1 * state.get("m", onp.zeros_like(x))
    v = (1 - b2) * g ** 2 + b2 * state.get("v", onp.zeros_like(x))
    state["m"], state["v"] = m, v
    mhat, vhat = m / (1 - b1 ** (i + 1)), v / (1 - b2 ** (i + 1))
    return x - step_size * mhat / (onp.sqrt(vhat) + eps)


def _sgd_step(x, g, i, state, step_size=0.1, mass=0.9):
    velocity = mass * state.get("v", onp.zeros_like(x)) - (1.0 - mass) * g
    state["v"] = velocity
    return x + step_size * velocity


def _rmsprop_step(x, g, i, state, step_size=0.1, gamma=0.9, eps=10 ** -8):
    avg = state.get("avg", onp.ones_like(x)) * gamma + g ** 2 * (1 - gamma)
    state["avg"] = avg
    return x - step_size * g / (onp.sqrt(avg) + eps)


adam = _flat_optimizer(_adam_step)
sgd = _flat_optimizer(_sgd_step)
rmsprop = _flat_optimizer(_rmsprop_step)
