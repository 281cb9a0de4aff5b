"""Graph-shaped workloads: scalar graphs of 10,000 and 100,000 nodes, and Jacobians / Hessians.

Each `make_*` returns {framework: zero-argument function}, all computing the
same numbers; "numpy" is the floor, the derivative written out by hand.
"""

from __future__ import annotations

import numpy as np

STEPS = 3334  # 3 nodes a step: 10,002 nodes (make_graph(10 * STEPS): 100,022)
W, C = 0.5, 0.5  # keeps the adjoints O(1) over the whole graph


# ---- a scalar graph: y <- tanh(y * w) + c * y_prev (fan-out: each y is used twice) ----
def graph_numpy(x0, steps=STEPS):
    ys, us = [x0, x0], []
    for _ in range(steps):
        u = np.tanh(ys[-1] * W)
        us.append(u)
        ys.append(u + C * ys[-2])
    # backward, by hand: adjoints of every y, newest first
    adj = [np.zeros_like(x0) for _ in ys]
    adj[-1] = np.ones_like(x0)
    for k in range(steps - 1, -1, -1):
        g = adj[k + 2]
        adj[k + 1] = adj[k + 1] + g * (1 - us[k] * us[k]) * W
        adj[k] = adj[k] + g * C
    return adj[0] + adj[1]


def make_graph(steps=STEPS):
    x0 = np.array([0.3])
    fns = {"numpy": lambda: graph_numpy(x0, steps)}
    import chainrule as cr

    def chainrule_graph():
        x = cr.tensor(x0, requires_grad=True)
        prev, y = x, x
        for _ in range(steps):
            prev, y = y, cr.tanh(y * W) + C * prev
        y.sum().backward()
        return x.grad.numpy()

    fns["chainrule"] = chainrule_graph
    try:
        import torch

        def torch_graph():
            x = torch.tensor(x0, requires_grad=True)
            prev, y = x, x
            for _ in range(steps):
                prev, y = y, torch.tanh(y * W) + C * prev
            y.sum().backward()
            return x.grad.numpy()

        fns["torch"] = torch_graph
    except ImportError:
        pass
    try:
        import autograd
        import autograd.numpy as anp

        def chain(x):
            prev, y = x, x
            for _ in range(steps):
                prev, y = y, anp.tanh(y * W) + C * prev
            return anp.sum(y)

        grad = autograd.grad(chain)
        fns["autograd"] = lambda: grad(x0)
    except ImportError:
        pass
    return fns


# ---- Jacobians and Hessians ------------------------------------------------------
def _matrix(n, seed=0):
    return np.random.default_rng(seed).standard_normal((n, n)) / np.sqrt(n)


def make_jacobians(n, kind):
    """`kind` "vector": f(x) = tanh(A x), R^n -> R^n; "scalar": f(x) = Σ tanh(A x), R^n -> R.

    Returns {task: {framework: fn}} for the tasks jacfwd, jacrev and hessian.
    The floor is the closed form: J = diag(1 - y²) A; for the scalar f,
    H = Aᵀ diag(-2y(1 - y²)) A; for the vector f, H_ijk = -2y_i(1 - y_i²) A_ij A_ik.
    """
    A = _matrix(n)
    x0 = np.random.default_rng(1).standard_normal(n) / 2

    def jac_floor():
        y = np.tanh(A @ x0)
        d = 1 - y * y
        return d @ A if kind == "scalar" else d[:, None] * A

    def hess_floor():
        y = np.tanh(A @ x0)
        s = -2 * y * (1 - y * y)
        if kind == "scalar":
            return A.T @ (s[:, None] * A)
        return s[:, None, None] * A[:, :, None] * A[:, None, :]

    tasks = {"jacfwd": {"numpy": jac_floor}, "jacrev": {"numpy": jac_floor}, "hessian": {"numpy": hess_floor}}
    import chainrule as cr

    At = cr.tensor(A)

    def f_cr(x):
        y = cr.tanh(At @ x)
        return y.sum() if kind == "scalar" else y

    for task, transform in (("jacfwd", cr.jacfwd), ("jacrev", cr.jacrev), ("hessian", cr.hessian)):
        fn = transform(f_cr)
        tasks[task]["chainrule"] = lambda fn=fn: fn(x0)
    try:
        import torch
        from torch.func import hessian, jacfwd, jacrev

        At_torch = torch.from_numpy(A)

        def f_torch(x):
            y = torch.tanh(At_torch @ x)
            return y.sum() if kind == "scalar" else y

        x_torch = torch.from_numpy(x0)
        for task, transform in (("jacfwd", jacfwd), ("jacrev", jacrev), ("hessian", hessian)):
            fn = transform(f_torch)
            tasks[task]["torch"] = lambda fn=fn: fn(x_torch)
    except ImportError:
        pass
    try:
        import autograd
        import autograd.numpy as anp

        def f_ag(x):
            y = anp.tanh(anp.dot(A, x))
            return anp.sum(y) if kind == "scalar" else y

        jac, hess = autograd.jacobian(f_ag), autograd.hessian(f_ag)
        tasks["jacrev"]["autograd"] = lambda: jac(x0)  # autograd's jacobian is reverse mode
        tasks["hessian"]["autograd"] = lambda: hess(x0)
    except ImportError:
        pass
    return tasks


def as_array(result):
    """A framework's answer as an ndarray (for the agreement check)."""
    if hasattr(result, "numpy"):
        result = result.detach().numpy() if hasattr(result, "detach") else result.numpy()
    return np.asarray(result, dtype=np.float64)
