"""Per-example gradients of a small MLP (64-128-64-10, tanh, softmax cross-entropy), batch 64.

Tasks, each with a handwritten NumPy floor that the others must agree with:
- "batch gradient": the gradient of the mean loss over the batch (one ordinary backward pass);
- "per-example gradients": one gradient per example, by `vmap(grad(loss))` (chainrule and
  torch.func) and by a Python loop of `grad` calls (chainrule, for comparison).
Each function returns every gradient flattened into one vector, for the agreement check.
"""

from __future__ import annotations

import numpy as np

SIZES = (64, 128, 64, 10)
NAMES = ("w0", "b0", "w1", "b1", "w2", "b2")


def problem(batch=64, sizes=SIZES, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for i, (m, n) in enumerate(zip(sizes, sizes[1:])):
        params[f"w{i}"] = rng.normal(size=(m, n)) / np.sqrt(m)
        params[f"b{i}"] = rng.normal(size=n) * 0.1
    x = rng.normal(size=(batch, sizes[0]))
    y = rng.integers(0, sizes[-1], size=batch)
    return params, x, y


def _flat(grads, per_example):
    parts = [np.asarray(grads[k].detach().numpy() if hasattr(grads[k], "detach") else grads[k]) for k in NAMES]
    if per_example:
        return np.concatenate([p.reshape(p.shape[0], -1) for p in parts], axis=1).ravel()
    return np.concatenate([p.ravel() for p in parts])


def _numpy_backprop(params, x, y, per_example):
    """Handwritten backprop; per_example keeps the batch axis on every weight gradient."""
    h1 = np.tanh(x @ params["w0"] + params["b0"])
    h2 = np.tanh(h1 @ params["w1"] + params["b1"])
    logits = h2 @ params["w2"] + params["b2"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    d2 = p if per_example else p / len(y)
    d1 = (d2 @ params["w2"].T) * (1 - h2 * h2)
    d0 = (d1 @ params["w1"].T) * (1 - h1 * h1)
    if per_example:
        return {"w0": np.einsum("bi,bj->bij", x, d0), "b0": d0, "w1": np.einsum("bi,bj->bij", h1, d1), "b1": d1,
                "w2": np.einsum("bi,bj->bij", h2, d2), "b2": d2}
    return {"w0": x.T @ d0, "b0": d0.sum(0), "w1": h1.T @ d1, "b1": d1.sum(0), "w2": h2.T @ d2, "b2": d2.sum(0)}


def make_per_example(batch=64):
    """{task: {framework: fn}} for the batch gradient and the per-example gradients."""
    import chainrule as cr

    params, x, y = problem(batch)
    tasks = {"batch gradient": {"numpy": lambda: _flat(_numpy_backprop(params, x, y, False), False)},
             "per-example gradients": {"numpy": lambda: _flat(_numpy_backprop(params, x, y, True), True)}}

    def logits_cr(p, inputs):
        h = cr.tanh(inputs @ p["w0"] + p["b0"])
        h = cr.tanh(h @ p["w1"] + p["b1"])
        return h @ p["w2"] + p["b2"]

    def batch_loss(p, inputs, labels):
        return cr.softmax_cross_entropy(logits_cr(p, inputs), labels, reduction="mean")

    def example_loss(p, one, label):
        return cr.softmax_cross_entropy(logits_cr(p, one)[None], label[None], reduction="mean")

    batch_grad = cr.grad(batch_loss)
    per_example = cr.vmap(cr.grad(example_loss), in_axes=(None, 0, 0))
    one_grad = cr.grad(example_loss)
    tasks["batch gradient"]["chainrule"] = lambda: _flat(batch_grad(params, x, y), False)
    tasks["per-example gradients"]["chainrule"] = lambda: _flat(per_example(params, x, y), True)
    tasks["per-example gradients"]["chainrule loop"] = lambda: _flat(
        {k: np.stack([g[k].numpy() for g in [one_grad(params, x[i], y[i]) for i in range(len(y))]]) for k in NAMES},
        True)
    try:
        import torch
        from torch.func import grad, vmap
    except ImportError:
        return tasks
    tp = {k: torch.from_numpy(v) for k, v in params.items()}
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def logits_torch(p, inputs):
        h = torch.tanh(inputs @ p["w0"] + p["b0"])
        h = torch.tanh(h @ p["w1"] + p["b1"])
        return h @ p["w2"] + p["b2"]

    def batch_loss_torch(p, inputs, labels):
        return torch.nn.functional.cross_entropy(logits_torch(p, inputs), labels)

    def example_loss_torch(p, one, label):
        return torch.nn.functional.cross_entropy(logits_torch(p, one)[None], label[None])

    batch_grad_torch = grad(batch_loss_torch)
    per_example_torch = vmap(grad(example_loss_torch), in_dims=(None, 0, 0))
    tasks["batch gradient"]["torch.func"] = lambda: _flat(batch_grad_torch(tp, tx, ty), False)
    tasks["per-example gradients"]["torch.func"] = lambda: _flat(per_example_torch(tp, tx, ty), True)
    return tasks


def make_vmap_rows(batch=64, n=50):
    """vmap against a Python loop: f(x) = Σ tanh(A x)² per example, its value and its gradient."""
    import chainrule as cr

    rng = np.random.default_rng(2)
    A, X = rng.normal(size=(n, n)) / np.sqrt(n), rng.normal(size=(batch, n))
    At = cr.tensor(A)

    def f(x):
        return (cr.tanh(At @ x) ** 2).sum()

    def floor_grad():
        y = np.tanh(X @ A.T)
        return ((2 * y * (1 - y * y)) @ A).ravel()

    batched = cr.vmap(cr.grad(f))
    single = cr.grad(f)
    tasks = {f"vmap(grad f), batch {batch}, R^{n} -> R": {
        "numpy": floor_grad,
        "chainrule": lambda: batched(X).numpy().ravel(),
        "chainrule loop": lambda: np.stack([single(x).numpy() for x in X]).ravel()}}
    try:
        import torch
        from torch.func import grad, vmap
    except ImportError:
        return tasks
    A_t, X_t = torch.from_numpy(A), torch.from_numpy(X)
    per = vmap(grad(lambda x: (torch.tanh(A_t @ x) ** 2).sum()))
    tasks[f"vmap(grad f), batch {batch}, R^{n} -> R"]["torch.func"] = lambda: per(X_t).numpy().ravel()
    return tasks
