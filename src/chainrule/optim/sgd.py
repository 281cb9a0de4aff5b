"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from .optimizer import Optimizer, check, check_common


class SGD(Optimizer):
    """PyTorch's SGD update, written out:

        g = ∇ + weight_decay·p
        buf = g (first step), else momentum·buf + (1 - dampening)·g
        g = g + momentum·buf (nesterov) or buf (momentum > 0)
        p = p - lr·g

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> round(w.item(), 6)
        0.46
    """

    def __init__(self, params, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        check_common(lr=lr, weight_decay=weight_decay)
        check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check(not nesterov or (momentum > 0 and dampening == 0),
              "Nesterov momentum requires a momentum and zero dampening (momentum > 0, dampening = 0)")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay))

    def _update(self, p, grad, state, group):
        # in place, as a NumPy user would write it: no new parameter or buffer arrays each step
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        g = grad + weight_decay * p if weight_decay else grad
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        p -= group["lr"] * g
