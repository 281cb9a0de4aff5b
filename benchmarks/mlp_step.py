"""One MLP training step (forward, backward, SGD update) in each framework.

Every implementation builds the same network from the same initial weights:
Linear layers with ReLU between them, mean softmax cross-entropy on integer
labels, plain SGD. `numpy_step` is the floor: the forward and backward
passes written out by hand (the notes' "7 lines", seed 003), with the
in-place updates a careful NumPy programmer would write.

Each `make_*` returns a zero-argument function that runs one step on a
fixed batch, or None when that framework is not installed.
"""

from __future__ import annotations

import numpy as np

SIZES = {
    "tiny": ([2, 4, 2], 4),
    "small": ([64, 128, 64, 10], 64),
    "mnist": ([784, 512, 256, 10], 256),
    "deep": ([32] * 20 + [10], 32),  # 20 layers of 32 units
}
LR = 0.01


def problem(name, dtype, seed=0):
    """Initial weights (PyTorch layout: W is out x in) and one batch for network `name`."""
    sizes, batch = SIZES[name]
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = 1 / np.sqrt(n_in)
        weights.append((rng.uniform(-k, k, (n_out, n_in)).astype(dtype), rng.uniform(-k, k, n_out).astype(dtype)))
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    return weights, x, y


def make_numpy(weights, x, y):
    params = [(w.copy(), b.copy()) for w, b in weights]
    n = len(y)
    rows = np.arange(n)

    def step():
        acts, h = [x], x
        for i, (w, b) in enumerate(params):
            h = h @ w.T
            h += b
            if i < len(params) - 1:
                np.maximum(h, 0, out=h)
            acts.append(h)
        z = h - h.max(axis=1, keepdims=True)  # stable softmax cross-entropy
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - z[rows, y])
        g = e / s
        g[rows, y] -= 1
        g /= n
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            dw, db = g.T @ acts[i], g.sum(axis=0)
            if i:
                g = g @ w
                g *= acts[i] > 0
            w -= LR * dw
            b -= LR * db
        return loss

    return step, lambda: [a for wb in params for a in wb]


def make_chainrule(weights, x, y):
    import chainrule as cr

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(cr.nn.ReLU())
    net = cr.nn.Sequential(*layers)
    opt = cr.optim.SGD(net.parameters(), lr=LR)
    xt, cross_entropy = cr.tensor(x), cr.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = cross_entropy(net(xt), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step, lambda: [p.data for p in net.parameters()]


def make_chainrule_jit(weights, x, y):
    """The same nn.Linear step as make_chainrule, under cr.jit (traced on the first call, replayed after)."""
    import chainrule as cr

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(cr.nn.ReLU())
    net = cr.nn.Sequential(*layers)
    opt = cr.optim.SGD(net.parameters(), lr=LR)
    cross_entropy = cr.nn.functional.cross_entropy

    @cr.jit
    def train_step(x, y):
        opt.zero_grad()
        loss = cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    def step():
        return train_step(x, y).item()

    return step, lambda: [p.data for p in net.parameters()]


def make_torch(weights, x, y):
    try:
        import torch
    except ImportError:
        return None
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.from_numpy(w).dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    cross_entropy = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = cross_entropy(net(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    return step, lambda: [p.detach().numpy() for p in net.parameters()]


def make_autograd(weights, x, y):
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None
    params = [a.copy() for wb in weights for a in wb]
    rows = np.arange(len(y))

    def loss_fn(params):
        h = x
        for i in range(0, len(params), 2):
            h = anp.dot(h, params[i].T) + params[i + 1]
            if i < len(params) - 2:
                h = anp.maximum(h, 0)
        z = h - anp.max(h, axis=1, keepdims=True)
        return anp.mean(anp.log(anp.sum(anp.exp(z), axis=1)) - z[rows, y])

    value_and_grad = autograd.value_and_grad(loss_fn)

    def step():
        loss, grads = value_and_grad(params)
        for i, g in enumerate(grads):
            params[i] = params[i] - LR * g
        return float(loss)

    return step, lambda: params


def make_jax_jit(weights, x, y):
    """The same step under jax.jit (forward, grad, SGD in one compiled function), or None without JAX."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)  # float64 stays float64 (JAX's default is 32 bits)
    import jax.numpy as jnp

    params = [jnp.asarray(a) for wb in weights for a in wb]
    xj, yj, rows = jnp.asarray(x), jnp.asarray(y), jnp.arange(len(y))

    def loss_fn(params):
        h = xj
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i < len(params) - 2:
                h = jnp.maximum(h, 0)
        z = h - jnp.max(h, axis=1, keepdims=True)
        return jnp.mean(jnp.log(jnp.sum(jnp.exp(z), axis=1)) - z[rows, yj])

    @jax.jit
    def train(params):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        return loss, [p - LR * g for p, g in zip(params, grads)]

    state = {"params": params}

    def step():
        loss, state["params"] = train(state["params"])
        return float(loss)  # waits for the result, as the other steps do

    return step, lambda: [np.asarray(p) for p in state["params"]]


def make_torch_compile(weights, x, y):
    """The PyTorch step with the model under torch.compile (inductor, CPU), or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.from_numpy(w).dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    cross_entropy = torch.nn.functional.cross_entropy

    @torch.compile
    def forward_backward():
        loss = cross_entropy(net(xt), yt)
        loss.backward()
        return loss

    def step():
        opt.zero_grad()
        loss = forward_backward()
        opt.step()
        return loss.item()

    try:
        step()  # the compilation: a missing compiler shows here, not in the timed loop
    except Exception:  # noqa: BLE001  (an optional column: no working inductor, no column)
        return None
    with torch.no_grad():  # back to the initial weights: the first timed step is every framework's first step
        for lin, (w, b) in zip(layers[::2], weights):
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
    return step, lambda: [p.detach().numpy() for p in net.parameters()]


FRAMEWORKS = {"numpy": make_numpy, "chainrule": make_chainrule, "jit": make_chainrule_jit, "torch": make_torch,
              "autograd": make_autograd, "jax jit": make_jax_jit, "torch.compile": make_torch_compile}
