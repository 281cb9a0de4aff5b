"""More of PyTorch's optimizers: Adadelta, Adamax and NAdam, each update written out in its docstring."""

from __future__ import annotations

import numpy as np

from .optimizer import Optimizer, check, check_common


class Adadelta(Optimizer):
    """Adadelta as PyTorch:

        g = ∇ + wd·p;  v = ρ·v + (1-ρ)·g²
        Δ = √(u + eps) / √(v + eps) · g;  u = ρ·u + (1-ρ)·Δ²;  p = p - lr·Δ

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.Adadelta([w])
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 6)
        0.996838
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay)
        check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        v = rho * state.get("square_avg", 0.0) + (1 - rho) * grad * grad
        delta = np.sqrt(state.get("acc_delta", 0.0) + eps) / np.sqrt(v + eps) * grad
        u = rho * state.get("acc_delta", 0.0) + (1 - rho) * delta * delta
        state.update(step=state.get("step", 0) + 1, square_avg=v, acc_delta=u)
        return p - group["lr"] * delta


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm) as PyTorch:

        g = ∇ + wd·p;  m = β1·m + (1-β1)·g;  u = max(β2·u, |g| + eps)
        p = p - lr / (1 - β1^t) · m / u

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.Adamax([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 6)
        0.9
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay, betas=betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, state, group):
        (b1, b2), eps = group["betas"], group["eps"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        t = state.get("step", 0) + 1
        m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * grad
        u = np.maximum(b2 * state.get("exp_inf", np.zeros_like(p)), np.abs(grad) + eps)
        state.update(step=t, exp_avg=m, exp_inf=u)
        return p - group["lr"] / (1 - b1 ** t) * m / u


class NAdam(Optimizer):
    """Adam with Nesterov momentum (Dozat), with PyTorch's momentum schedule:

        μ_t = β1·(1 - ½·0.96^(t·ψ)),  Πμ = μ_1···μ_t   (ψ = momentum_decay)
        m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  d = √(v / (1-β2^t)) + eps
        p = p - lr·(1-μ_t)/(1-Πμ)·g/d - lr·μ_{t+1}/(1-Πμ·μ_{t+1})·m/d

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.NAdam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); round(w.item(), 6)
        0.894355
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False):
        check_common(lr=lr, eps=eps, weight_decay=weight_decay, betas=betas)
        check(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, p, grad, state, group):
        lr, (b1, b2), eps, wd, psi = (group["lr"], group["betas"], group["eps"], group["weight_decay"],
                                      group["momentum_decay"])
        if wd and group["decoupled_weight_decay"]:
            p = p * (1 - lr * wd)
        elif wd:
            grad = grad + wd * p
        t = state.get("step", 0) + 1
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.get("mu_product", 1.0) * mu
        m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * grad
        v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * grad * grad
        state.update(step=t, mu_product=mu_product, exp_avg=m, exp_avg_sq=v)
        denom = np.sqrt(v / (1 - b2 ** t)) + eps
        return (p - lr * (1 - mu) / (1 - mu_product) * grad / denom
                - lr * mu_next / (1 - mu_product * mu_next) * m / denom)
