"""micrograd's two-moons demo (MLP 2-16-16-1, max-margin loss + L2, SGD), against chainrule.

Both models start from micrograd's own random weights, so the two runs
compute the same losses; the benchmark checks that, then times one step.
"""

from __future__ import annotations

import random

import numpy as np

ALPHA = 1e-4  # the demo's L2 strength


def learning_rate(k):
    """The demo's schedule: 1.0 decaying linearly to 0.1 over 100 steps."""
    return 1.0 - 0.9 * k / 100


def make_demo(n_samples=100, seed=1337):
    """{"micrograd": step, "chainrule": step} on the same data and weights, or None without micrograd."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        return None
    import chainrule as cr

    X, y01 = cr.data.moons(n_samples, noise=0.1, seed=seed)
    y = y01 * 2 - 1  # labels -1 / +1, as the demo
    random.seed(seed)
    model = MLP(2, [16, 16, 1])

    def micrograd_step(k=0):
        scores = [model(list(map(Value, row))) for row in X]
        losses = [(1 + -float(yi) * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= learning_rate(k) * p.grad
        return total.data

    net = cr.nn.MLP([2, 16, 16, 1], activation="relu")
    for layer, theirs in zip([m for m in net if isinstance(m, cr.nn.Linear)], model.layers):
        layer.weight.data = np.array([[w.data for w in n.w] for n in theirs.neurons], dtype=np.float64)
        layer.bias.data = np.array([n.b.data for n in theirs.neurons], dtype=np.float64)  # micrograd's are ints
    params = list(net.parameters())
    opt = cr.optim.SGD(params, lr=1.0)
    Xt, yt = cr.tensor(X), cr.tensor(y[:, None].astype(np.float64))

    def chainrule_step(k=0):
        opt.param_groups[0]["lr"] = learning_rate(k)
        opt.zero_grad()
        total = cr.relu(1 - yt * net(Xt)).mean() + ALPHA * sum((p * p).sum() for p in params)
        total.backward()
        opt.step()
        return total.item()

    return {"micrograd": micrograd_step, "chainrule": chainrule_step}
