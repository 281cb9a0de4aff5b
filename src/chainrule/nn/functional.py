"""Losses and metrics, plus the activation functions under their nn names.

Every loss takes `reduction='mean'|'sum'|'none'` as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..core.backend import as_array, like
from ..core.errors import ChainruleError
from ..ops import sigmoid, softplus, step, tanh  # noqa: F401
from ..ops._util import every_value
from ..ops.activations import (  # noqa: F401  (torch names)
    celu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
    tanhshrink,
)
from ..ops.conv import conv1d, conv2d  # noqa: F401  (torch names)
from ..ops.pooling import (  # noqa: F401  (torch names)
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .functional_layers import (  # noqa: F401  (torch names)
    batch_norm,
    dropout,
    elu,
    embedding,
    layer_norm,
    leaky_relu,
    linear,
    log_softmax,
    normalize,
    one_hot,
    pad,
    relu,
    softmax,
)
from .loss_functions import (  # noqa: F401  (torch names)  # noqa: E402  (one reduction for every loss)
    _check_reduction,
    _reduce,
    _same_shape,
    _shape,
    _values,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)


def hinge_loss(scores, target, reduction="mean"):
    """Binary hinge loss max(0, 1 - y·s) for targets -1 / +1 (gradient 0 at the margin).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.hinge_loss(cr.tensor([0.5, 2.0]), cr.tensor([1.0, 1.0])).item()
        0.25
    """
    _same_shape("hinge_loss", scores, target)
    y = every_value(target)  # (checked: every example's, under vmap)
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
    n, classes = _shape(scores)
    if y.shape != (n,) or y.dtype.kind not in "iu":
        raise ChainruleError(f"multi_margin_loss needs integer targets of shape ({n},)")
    correct = ops.index(scores, (np.arange(n), y))
    margins = ops.relu(margin - ops.expand_dims(correct, 1) + scores)
    others = np.ones((n, classes), like=like(y))
    others[np.arange(n), y] = 0.0
    return _reduce(ops.sum(margins * others.astype(every_value(scores).dtype), axis=1) / classes, reduction)


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
    labels = as_array(_values(target)).reshape(-1)
    return float(np.mean(predictions(output) == labels)) if labels.size else 0.0


def zero_one_loss(output, target):
    """The 0-1 loss: fraction misclassified (1 - accuracy).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.zero_one_loss(cr.tensor([[2.0, 1.0]]), np.array([1]))
        1.0
    """
    return 1.0 - accuracy(output, target)


def __getattr__(name):  # torch names: a missing PyTorch name says what chainrule calls it
    from .._torch_hints import missing

    missing("chainrule.nn.functional", name)
