"""Losses and metrics, plus the activation functions under their nn names.

Every loss takes `reduction='mean'|'sum'|'none'` as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ..ops import elu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, step, tanh  # noqa: F401
from ..ops.nn_ops import REDUCTIONS


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ChainruleError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(losses, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return ops.mean(losses)
    if reduction == "sum":
        return ops.sum(losses)
    return losses  # "none"


def _values(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _same_shape(name, input, target):
    if np.shape(_values(input)) != np.shape(_values(target)):
        raise ChainruleError(f"{name}: input shape {np.shape(_values(input))} and target shape "
                             f"{np.shape(_values(target))} differ; reshape one (e.g. target[:, None])")


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: mean of (input - target)².

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.mse_loss(cr.tensor([1.0, 3.0]), cr.tensor([0.0, 0.0])).item()
        5.0
    """
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def cross_entropy(logits, target, reduction="mean"):
    """-log softmax(logits)[target], from raw scores and integer classes (fused, stable).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> round(cr.nn.functional.cross_entropy(cr.zeros((2, 4)), np.array([0, 3])).item(), 4)
        1.3863
    """
    _check_reduction(reduction)
    return ops.softmax_cross_entropy(logits, _values(target), reduction=reduction)


def binary_cross_entropy(probs, target, reduction="mean"):
    """-(y log p + (1 - y) log(1 - p)) for probabilities p; logs clamped at -100 as PyTorch.

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.functional.binary_cross_entropy(cr.tensor([0.5]), cr.tensor([1.0])).item(), 4)
        0.6931
    """
    _same_shape("binary_cross_entropy", probs, target)
    p = _values(probs)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ChainruleError("binary_cross_entropy needs probabilities in [0, 1]; for raw scores use "
                             "binary_cross_entropy_with_logits")
    log_p = ops.maximum(ops.log(probs), -100.0)
    log_not_p = ops.maximum(ops.log(1 - probs), -100.0)
    return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)


def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    """BCE of sigmoid(logits), computed stably as softplus(x) - y·x.

    Example:
        >>> import chainrule as cr
        >>> f = cr.nn.functional.binary_cross_entropy_with_logits
        >>> round(f(cr.tensor([0.0]), cr.tensor([1.0])).item(), 4)
        0.6931
    """
    _same_shape("binary_cross_entropy_with_logits", logits, target)
    return _reduce(ops.softplus(logits) - target * logits, reduction)


def hinge_loss(scores, target, reduction="mean"):
    """Binary hinge loss max(0, 1 - y·s) for targets -1 / +1 (gradient 0 at the margin).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.hinge_loss(cr.tensor([0.5, 2.0]), cr.tensor([1.0, 1.0])).item()
        0.25
    """
    _same_shape("hinge_loss", scores, target)
    y = _values(target)
    if y.size and not np.isin(y, (-1, 1)).all():
        raise ChainruleError("hinge_loss needs targets of -1 and +1")
    return _reduce(ops.relu(1 - target * scores), reduction)


def multi_margin_loss(scores, target, margin=1.0, reduction="mean"):
    """Multiclass hinge: Σ_{j≠y} max(0, margin - s_y + s_j) / C per example (as PyTorch).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.multi_margin_loss(cr.tensor([[1.0, 0.0, 0.0]]), np.array([0])).item()
        0.0
    """
    y = _values(target)
    n, classes = np.shape(_values(scores))
    if y.shape != (n,) or y.dtype.kind not in "iu":
        raise ChainruleError(f"multi_margin_loss needs integer targets of shape ({n},)")
    correct = ops.index(scores, (np.arange(n), y))
    margins = ops.relu(margin - ops.expand_dims(correct, 1) + scores)
    others = np.ones((n, classes))
    others[np.arange(n), y] = 0.0
    return _reduce(ops.sum(margins * others.astype(_values(scores).dtype), axis=1) / classes, reduction)


def predictions(output):
    """Predicted labels: argmax over classes, or score > 0.5 for a single output column."""
    out = _values(output)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(len(out), -1)[:, 0] > 0.5).astype(np.int64)


def accuracy(output, target):
    """Fraction of examples whose predicted label equals the target (a metric, not differentiable).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.accuracy(cr.tensor([[2.0, 1.0], [0.0, 3.0]]), np.array([0, 0]))
        0.5
    """
    labels = np.asarray(_values(target)).reshape(-1)
    return float(np.mean(predictions(output) == labels)) if labels.size else 0.0


def zero_one_loss(output, target):
    """The 0-1 loss: fraction misclassified (1 - accuracy).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.zero_one_loss(cr.tensor([[2.0, 1.0]]), np.array([1]))
        1.0
    """
    return 1.0 - accuracy(output, target)
