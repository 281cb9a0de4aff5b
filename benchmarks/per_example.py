"""Per-example gradients of a small MLP (64-128-64-10, tanh, softmax cross-entropy), batch 64.

Tasks, each with a handwritten NumPy floor that the others must agree with:
- "batch gradient": the gradient of the mean loss over the batch (one ordinary backward pass);
- "per-example gradients": one gradient per example, by `vmap(grad(loss))` (chainrule and
  torch.func) and by a Python loop of `grad` calls (chainrule, for comparison).
Both tasks also run under `cr.jit` ("chainrule jit"): the same function traced once and replayed.
Each function returns the gradients as its framework gives them (a dict of arrays or tensors, one
per parameter); `flat` turns any of them into one vector for the agreement check, outside the
timed call (concatenating 8.7 MB of per-example gradients is no part of computing them).
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


def flat(result):
    """A task's answer (a dict of per-parameter gradients, or one array / tensor) as one float64 vector."""
    if isinstance(result, dict):
        return np.concatenate([flat(result[k]) for k in NAMES])
    if hasattr(result, "detach"):
        result = result.detach()
    if hasattr(result, "numpy"):
        result = result.numpy()
    return np.asarray(result, dtype=np.float64).ravel()


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
    tasks = {"batch gradient": {"numpy": lambda: _numpy_backprop(params, x, y, False)},
             "per-example gradients": {"numpy": lambda: _numpy_backprop(params, x, y, True)}}

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
    tasks["batch gradient"]["chainrule"] = lambda: batch_grad(params, x, y)
    tasks["per-example gradients"]["chainrule"] = lambda: per_example(params, x, y)
    # cr.jit of the same functions: traced once, then replayed as their NumPy calls (JAX's jit(vmap(grad)))
    batch_grad_jit, per_example_jit = cr.jit(batch_grad), cr.jit(per_example)
    tasks["batch gradient"]["chainrule jit"] = lambda: batch_grad_jit(params, x, y)
    tasks["per-example gradients"]["chainrule jit"] = lambda: per_example_jit(params, x, y)

    def loop():
        grads = [one_grad(params, x[i], y[i]) for i in range(len(y))]
        return {k: np.stack([g[k].numpy() for g in grads]) for k in NAMES}

    tasks["per-example gradients"]["chainrule loop"] = loop
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
    tasks["batch gradient"]["torch.func"] = lambda: batch_grad_torch(tp, tx, ty)
    tasks["per-example gradients"]["torch.func"] = lambda: per_example_torch(tp, tx, ty)
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
        return (2 * y * (1 - y * y)) @ A

    batched = cr.vmap(cr.grad(f))
    batched_jit = cr.jit(batched)
    single = cr.grad(f)
    tasks = {f"vmap(grad f), batch {batch}, R^{n} -> R": {
        "numpy": floor_grad,
        "chainrule": lambda: batched(X),
        "chainrule jit": lambda: batched_jit(X),
        "chainrule loop": lambda: np.stack([single(x).numpy() for x in X])}}
    try:
        import torch
        from torch.func import grad, vmap
    except ImportError:
        return tasks
    A_t, X_t = torch.from_numpy(A), torch.from_numpy(X)
    per = vmap(grad(lambda x: (torch.tanh(A_t @ x) ** 2).sum()))
    tasks[f"vmap(grad f), batch {batch}, R^{n} -> R"]["torch.func"] = lambda: per(X_t)
    return tasks
