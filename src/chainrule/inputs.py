"""Differentiable programming: gradients with respect to inputs, not weights.

Backprop gives the derivative of a scalar cost with respect to any node of
the graph, the input included. The same machinery that trains weights can
then change the input: to explain a prediction (saliency), to attack it
(FGSM, PGD), or to find what a unit responds to (activation maximisation).
All of them are `optimize_input` with a different cost, step and constraint.
"""

from __future__ import annotations

import numpy as np

from . import ops
from .core import backend
from .core.errors import ChainruleError
from .core.modes import enable_grad
from .core.tensor import Tensor


class InputResult:
    """What `optimize_input` found: the final input `x`, the cost before every step
    and after the last, and (with `keep_path=True`) every input visited."""

    def __init__(self, x, costs, path=None):
        self.x, self.costs, self.path = x, costs, path

    def __repr__(self):
        return f"InputResult(x shape {self.x.shape}, {len(self.costs)} steps, last cost {self.costs[-1]:.4g})"


def input_gradient(cost, x):
    """(cost(x) as a float, ∂cost/∂x as an array on x's device) for a scalar `cost` of an input array.

    Example:
        >>> import numpy as np
        >>> from chainrule.inputs import input_gradient
        >>> value, g = input_gradient(lambda x: (x * x).sum(), np.array([1.0, -2.0]))
        >>> value, g.tolist()
        (5.0, [2.0, -4.0])
    """
    x_t = Tensor(np.array(x, dtype=np.result_type(x, np.float32), like=backend.like(x)), requires_grad=True)
    with enable_grad():
        out = cost(x_t)
    if not isinstance(out, Tensor) or out.size != 1:
        raise ChainruleError("the cost must return a single-element Tensor (reduce it with .sum() or .mean())")
    if not out.requires_grad:
        return float(out.item()), np.zeros_like(x_t._data)
    out.backward()
    return float(out.item()), x_t.grad._data  # on x's device


def optimize_input(cost, x0, steps=100, lr=0.1, constraint=None, maximize=False, sign=False, keep_path=False):
    """Change an input by gradient steps on `cost(x)`; the model's weights stay fixed.

    Each step: g = ∂cost/∂x; x = x ∓ lr·g (or lr·sign(g) with `sign=True`,
    the L∞-steepest step of FGSM/PGD); then `constraint(x)` projects x back
    to the allowed set (e.g. a pixel range or a ball around the original).

    Example:
        >>> import numpy as np
        >>> from chainrule.inputs import optimize_input
        >>> r = optimize_input(lambda x: ((x - 3.0) ** 2).sum(), np.zeros(2), steps=50, lr=0.1)
        >>> np.round(r.x, 3).tolist()
        [3.0, 3.0]
    """
    if int(steps) < 0 or lr < 0:
        raise ChainruleError(f"optimize_input needs steps >= 0 and lr >= 0, got {steps} and {lr}")
    x = np.array(x0, dtype=np.result_type(x0, np.float32), like=backend.like(x0))
    costs, path = [], [x] if keep_path else None
    for _ in range(int(steps)):
        value, g = input_gradient(cost, x)
        costs.append(value)
        direction = np.sign(g) if sign else g
        x = x + lr * direction if maximize else x - lr * direction
        if constraint is not None:
            x = backend.as_array(constraint(x)).astype(x.dtype, copy=False)
        if keep_path:
            path.append(x)
    costs.append(float(cost(Tensor(x)).item()))
    return InputResult(x, costs, path)


def _class_scores(model, x, target):
    out = model(x)
    n = out.shape[0]
    return ops.index(out, (np.arange(n), backend.as_array(target)))


def saliency(model, x, target):
    """|∂ score_target / ∂x|: how much each input feature sways the class score.

    `x` is a batch (n, features...), `target` one class per example.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> net = cr.nn.MLP([4, 3], rng=np.random.default_rng(0))
        >>> cr.inputs.saliency(net, np.ones((2, 4)), [0, 2]).shape
        (2, 4)
    """
    x = backend.as_array(x)
    _, g = input_gradient(lambda xi: _class_scores(model, xi, target).sum(), x)
    return np.abs(g)


def _box(clip):
    if clip is None:
        return lambda x: x
    low, high = clip
    return lambda x: np.clip(x, low, high)


def fgsm(model, loss_fn, x, y, eps, clip=(0.0, 1.0)):
    """Fast gradient sign method: one step x + eps·sign(∂loss/∂x), clipped to the valid range.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> net = cr.nn.MLP([4, 3], rng=np.random.default_rng(0))
        >>> x = np.full((2, 4), 0.5)
        >>> adv = cr.inputs.fgsm(net, cr.nn.functional.cross_entropy, x, np.array([0, 1]), eps=0.1)
        >>> round(float(np.abs(adv - x).max()), 12)
        0.1
    """
    x = backend.as_array(x)
    result = optimize_input(lambda xi: loss_fn(model(xi), y), x, steps=1, lr=eps, maximize=True, sign=True,
                            constraint=_box(clip))
    return result.x


def pgd(model, loss_fn, x, y, eps, step=None, steps=10, clip=(0.0, 1.0), random_start=False, seed=0):
    """Projected gradient descent in the L∞ ball of radius eps (Madry et al.): repeated
    sign steps of size `step` (default eps/4), each projected back to the ball and the range.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> net = cr.nn.MLP([4, 3], rng=np.random.default_rng(0))
        >>> x = np.full((2, 4), 0.5)
        >>> adv = cr.inputs.pgd(net, cr.nn.functional.cross_entropy, x, np.array([0, 1]), eps=0.1)
        >>> bool(np.abs(adv - x).max() <= 0.1 + 1e-12)
        True
    """
    x0 = backend.as_array(x)
    step = eps / 4 if step is None else step
    box = _box(clip)

    def project(xi):
        return box(np.clip(xi, x0 - eps, x0 + eps))

    start = x0
    if random_start:
        noise = np.random.default_rng(seed).uniform(-eps, eps, x0.shape)  # drawn on the host, as on the CPU
        start = project(x0 + backend.to_device(noise, backend.device_of(x0)))
    return optimize_input(lambda xi: loss_fn(model(xi), y), start, steps=steps, lr=step, maximize=True, sign=True,
                          constraint=project).x


def l2_penalty(x):
    """R(x) = ‖x‖²: keeps a maximised input small."""
    return (x * x).sum()


def total_variation(x, shape=None):
    """R(x) = Σ |neighbour differences|: keeps a maximised image smooth (x reshaped to `shape`)."""
    img = ops.reshape(x, shape) if shape is not None else x
    if img.ndim < 2:
        return ops.abs(img[1:] - img[:-1]).sum()
    return ops.abs(img[..., 1:, :] - img[..., :-1, :]).sum() + ops.abs(img[..., :, 1:] - img[..., :, :-1]).sum()


def maximize_activation(fn, x0, steps=100, lr=0.1, reg="l2", weight=1e-2, clip=None, shape=None):
    """Gradient ascent on an input: argmax_x fn(x) - weight·R(x) (the notes' argmax_x h + λR(x),
    with the penalty entering with a minus sign so that it restrains x).

    `fn(x)` is the unit or class score (a scalar Tensor); `reg` is "l2",
    "tv" (total variation, with `shape` the image shape) or None. Returns
    (x, scores): the input and fn's value at every step.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> x, scores = cr.inputs.maximize_activation(lambda x: -((x - 1.0) ** 2).sum(), np.zeros(3),
        ...                                         steps=20, lr=0.1, reg=None)
        >>> scores[-1] > scores[0]
        True
    """
    penalties = {"l2": l2_penalty, "tv": lambda x: total_variation(x, shape), None: None}
    if reg not in penalties:
        raise ChainruleError(f"reg must be 'l2', 'tv' or None, got {reg!r}")
    penalty = penalties[reg]

    def objective(x):
        score = fn(x)
        return score - weight * penalty(x) if penalty is not None else score

    result = optimize_input(objective, x0, steps=steps, lr=lr, maximize=True, constraint=_box(clip),
                            keep_path=True)
    return result.x, [float(fn(Tensor(x)).item()) for x in result.path]
