"""Optimisers with per-coordinate step sizes: Adam, AdamW, RMSprop, Adagrad.

Each docstring writes out the update it performs; tests compare with the
same formulas written independently.
"""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check, check_common


class Adam(Optimizer):
    """Adam (L2 weight decay added to the gradient, as PyTorch's Adam):

        m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
        p = p - lr · (m / (1-β1^t)) / (√(v / (1-β2^t)) + eps)

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 6)
        0.9
    """

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay, betas=betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, state, group):
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if wd and self.decoupled:
            p = p * (1 - lr * wd)
        elif wd:
            grad = grad + wd * p
        t = state.get("step", 0) + 1
        m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * grad
        v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * grad * grad
        state.update(step=t, exp_avg=m, exp_avg_sq=v)
        return p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p·(1 - lr·wd) before the Adam step.

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w * 0.0).sum().backward(); opt.step(); round(w.item(), 6)
        0.95
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


class RMSprop(Optimizer):
    """RMSprop as PyTorch:

        v = α·v + (1-α)·g²;  (centered: v̄ = v - ḡ², ḡ = α·ḡ + (1-α)·g)
        step = g / (√v̄ + eps);  with momentum: buf = μ·buf + step, step = buf
        p = p - lr·step

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.RMSprop([w], lr=0.01)
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 4)
        0.9
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay)
        check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, p, grad, state, group):
        alpha, eps = group["alpha"], group["eps"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        v = alpha * state.get("square_avg", 0.0) + (1 - alpha) * grad * grad
        state["square_avg"] = v
        if group["centered"]:
            mean = alpha * state.get("grad_avg", 0.0) + (1 - alpha) * grad
            state["grad_avg"] = mean
            v = v - mean * mean
        step = grad / (np.sqrt(v) + eps)
        if group["momentum"]:
            step = group["momentum"] * state.get("momentum_buffer", 0.0) + step
            state["momentum_buffer"] = step
        return p - group["lr"] * step


class Adagrad(Optimizer):
    """Adagrad as PyTorch:

        s = s + g²;  lr_t = lr / (1 + (t-1)·lr_decay);  p = p - lr_t · g / (√s + eps)

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.Adagrad([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 6)
        0.9
    """

    def __init__(self, params, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay)
        check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        check(initial_accumulator_value >= 0.0, f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _update(self, p, grad, state, group):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        t = state.get("step", 0) + 1
        s = state.get("sum", np.full_like(p, group["initial_accumulator_value"])) + grad * grad
        state.update(step=t, sum=s)
        lr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        return p - lr * grad / (np.sqrt(s) + group["eps"])
