"""The exact floor: a hand-written NumPy step making eager chainrule's floating-point operations, tuned.

`make_exact` is the nn.Linear step (Linear layers, ReLU, mean softmax cross-entropy, SGD) written
the way a careful NumPy programmer tunes it: every array preallocated and written with `out=`,
matmuls as `np.dot`, the gradients in one block that a single multiply scales by -lr, no Python
objects made per call. Unlike the tuned floor issue 15 quotes, it may not reorder or fold any
arithmetic (the learning rate into the gradient, the 1/n of the mean into the softmax): it must
give eager chainrule's parameters bit for bit, which jit_step.py checks. So it is the least time
any bit-exact replay of this step can take with NumPy's kernels, `cr.jit` included.
"""

from __future__ import annotations

import numpy as np

BRANCH_FREE_SIZE = 4096  # chainrule.ops.elementwise._BRANCH_FREE_SIZE: from here relu's VJP multiplies by the mask


def make_exact(weights, x, y, lr):
    """(step, parameters) for the nn.Linear step on the fixed batch (x, y); the same updates as eager."""
    dtype, n = x.dtype, len(y)
    sizes = [w.size + b.size for w, b in weights]
    block = np.empty(sum(sizes), dtype)  # every gradient, end to end
    scaled = np.empty_like(block)  # -lr · block
    params, grads, steps, start = [], [], [], 0
    for w, b in weights:
        params.append((w.copy(), b.copy()))
        gw = block[start:start + w.size].reshape(w.shape)
        gb = block[start + w.size:start + w.size + b.size]
        sw = scaled[start:start + w.size].reshape(w.shape)
        sb = scaled[start + w.size:start + w.size + b.size]
        grads.append((gw, gb))
        steps.append((sw, sb))
        start += w.size + b.size
    outs = [np.empty((n, w.shape[0]), dtype) for w, _ in weights]  # each layer's output (relu in place)
    acts = [x] + outs[:-1]
    back = [np.empty((n, w.shape[1]), dtype) for w, _ in weights]  # g @ W, the adjoint of each layer's input
    adj = [np.empty((n, w.shape[1]), dtype) for w, _ in weights]  # after relu's VJP
    masks = [np.empty((n, w.shape[1]), bool) for w, _ in weights]
    classes = weights[-1][0].shape[0]
    m, s = np.empty((n, 1), dtype), np.empty((n, 1), dtype)
    z, e, g = np.empty((n, classes), dtype), np.empty((n, classes), dtype), np.empty((n, classes), dtype)
    losses, total = np.empty(n, dtype), np.empty((), dtype)
    s0, zf, ef = s[:, 0], z.reshape(-1), e.reshape(-1)
    starts = np.arange(n) * classes
    zero, one, count = np.zeros((), dtype), np.ones((), dtype), np.asarray(n, dtype)
    scale = np.asarray(1.0 / n, dtype)  # the mean's seed 1 divided by n, as cr.jit folds it
    minus_lr = np.asarray(-lr, dtype)
    dot, add, subtract, maximum, multiply = np.dot, np.add, np.subtract, np.maximum, np.multiply
    last = len(weights) - 1

    def step():
        h = x
        for i, (w, b) in enumerate(params):
            out = outs[i]
            dot(h, w.T, out=out)
            add(out, b, out=out)
            if i < last:
                maximum(out, zero, out=out)
            h = out
        # softmax cross-entropy, mean: the passes of nn_ops._softmax_xent_saving
        maximum.reduce(h, 1, None, m, True)
        subtract(h, m, z)
        np.exp(z, e)
        add.reduce(e, 1, None, s, True)
        flat = starts + y
        np.log(s0, losses)
        subtract(losses, zf[flat], losses)
        np.divide(e, s, e)
        picked = ef[flat]
        subtract(picked, one, picked)
        ef[flat] = picked
        add.reduce(losses, 0, None, total)
        np.divide(total, count, total)
        # backward: the linear layer's array rules, relu's _select
        multiply(e, scale, out=g)
        adjoint = g
        for i in range(last, -1, -1):
            w, _ = params[i]
            gw, gb = grads[i]
            dot(adjoint.T, acts[i], out=gw)
            add.reduce(adjoint, 0, None, gb)
            if i:
                dot(adjoint, w, out=back[i])
                np.greater(acts[i], zero, out=masks[i])
                if back[i].size >= BRANCH_FREE_SIZE:
                    multiply(back[i], masks[i], out=adj[i])
                else:
                    adj[i].fill(0)
                    np.putmask(adj[i], masks[i], back[i])
                adjoint = adj[i]
        # SGD: p - lr·g as p + (-lr·g), every gradient scaled in one multiply
        multiply(block, minus_lr, out=scaled)
        for (w, b), (sw, sb) in zip(params, steps):
            add(w, sw, out=w)
            add(b, sb, out=b)
        return total

    return step, lambda: [a for wb in params for a in wb]
