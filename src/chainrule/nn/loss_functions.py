"""Loss functions with PyTorch's signatures and meaning (re-exported by nn.functional).

Every loss takes `reduction='mean'|'sum'|'none'`. The class-index losses
(cross_entropy, nll_loss) take the classes along axis 1, as PyTorch:
inputs (N, C), (C,) or (N, C, d1, ...). With `weight`, 'mean' divides by the
total weight of the targets counted, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..core.backend import as_array, is_foreign, like
from ..core.errors import ChainruleError, OpError
from ..core.tensor import STAND_IN_TYPES, Tensor, array_of
from ..ops._util import constant_like, every_value, is_stand_in
from ..ops.nn_ops import REDUCTIONS


# Under vmap a loss sees stand-ins (BatchedTensor): one example's shape and dtype, whose array holds no
# example's values. So a shape is read as a shape, values for arithmetic only from what is no stand-in
# (a stand-in's are refused: a mask or index made from them would be one example's for every example),
# and values to check (targets in range) from the whole batch.
def _shape(x):
    """x's shape (one example's, for a vmap stand-in)."""
    return array_of(x).shape


def _values(x):
    """The ndarray behind x, to compute with; refused for a vmap stand-in (BatchedValueError)."""
    if is_stand_in(x):
        x._refuse()
    return array_of(x)


def _check_reduction(reduction, allowed=REDUCTIONS):
    if reduction not in allowed:
        raise ChainruleError(f"reduction must be one of {', '.join(map(repr, allowed))}, got {reduction!r}")


def _legacy(size_average, reduce, reduction):
    """PyTorch's deprecated size_average / reduce flags, folded into `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _reduce(losses, reduction):
    _check_reduction(reduction)
    if reduction == "mean":
        return ops.mean(losses)
    if reduction == "sum":
        return ops.sum(losses)
    return losses


def _same_shape(name, input, target):
    if _shape(input) != _shape(target):
        raise ChainruleError(f"{name}: input shape {_shape(input)} and target shape "
                             f"{_shape(target)} differ; reshape one (e.g. target[:, None])")


def _classes_last(x):
    """(N, C, d1, ...) as (N·d1·..., C); (C,) as (1, C); (N, C) unchanged."""
    nd = len(_shape(x))
    if nd == 1:
        return ops.reshape(x, (1, -1))
    if nd == 2:
        return x
    moved = ops.permute(x, (0, *range(2, nd), 1))
    return ops.reshape(moved, (-1, moved.shape[-1]))


def _class_targets(name, input, target):
    """The class targets flattened: an array, or (under vmap, per-example targets) a stand-in reshaped."""
    dtype, shape, got = array_of(target).dtype, _shape(input), _shape(target)
    expected = shape[:1] + shape[2:] if len(shape) != 1 else ()
    if dtype.kind not in "iu":
        raise OpError(f"{name} needs integer class targets (or, for cross_entropy, float probabilities "
                             f"of the input's shape), got dtype {dtype}")
    if got != expected:
        raise OpError(f"{name}: input of shape {shape} needs targets of shape {expected}, got {got}")
    if is_stand_in(target):
        return ops.reshape(target, (-1,))
    return as_array(target._data if isinstance(target, Tensor) else target).reshape(-1)


def _picked_losses(name, logp, y, weight, ignore_index):
    """(-w[y]·logp[i, y], w[y]) per flattened example, 0 where y == ignore_index."""
    classes = logp.shape[-1]
    every = every_value(y)  # (all the batch's targets, under vmap)
    kept = every != ignore_index
    safe = np.where(kept, every, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= classes):
        raise OpError(f"{name}: targets must lie in [0, {classes}), got {every.min()}..{every.max()} "
                      f"(ignore_index={ignore_index} is skipped)")
    w = np.ones(classes, like=like(every)) if weight is None else as_array(_values(weight)).astype(np.float64)
    if isinstance(y, Tensor):  # per-example targets under vmap: the pick as ops, a one-hot mask, batched
        kept = ops.not_equal(y, ignore_index)
        onehot = ops.equal(ops.expand_dims(y, -1), np.arange(classes, like=like(every)))
        wy = ops.sum(ops.where(onehot, constant_like(w, logp), 0.0), axis=-1) * kept
        return -ops.sum(ops.where(onehot, logp, 0.0), axis=-1) * wy, wy
    wy = np.where(kept, w[safe], 0.0)
    picked = ops.index(logp, (np.arange(len(y)), safe))
    return -picked * constant_like(wy, logp), wy


def _weighted_reduce(losses, wy, reduction, out_shape):
    if reduction == "none":
        return ops.reshape(losses, out_shape)
    total = ops.sum(losses)
    if isinstance(wy, Tensor):  # per-example weights under vmap
        return total / ops.sum(wy) if reduction == "mean" else total
    return total / float(wy.sum()) if reduction == "mean" else total  # a Python float keeps float32 float32


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of log-probabilities: -w[y]·input[i, y], classes along axis 1.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> logp = cr.log(cr.tensor([[0.5, 0.5], [0.25, 0.75]]))
        >>> round(cr.nn.functional.nll_loss(logp, np.array([0, 1])).item(), 6)  # -(log 0.5 + log 0.75) / 2
        0.490415
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    y = _class_targets("nll_loss", input, target)
    losses, wy = _picked_losses("nll_loss", _classes_last(input), y, weight, ignore_index)
    return _weighted_reduce(losses, wy, reduction, _shape(target))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """-log softmax(input)[target] from raw scores, classes along axis 1, as PyTorch's cross_entropy.

    `target` is integer classes (with `ignore_index`, `weight`) or float class
    probabilities of the input's shape; `label_smoothing` ε mixes the target
    with the uniform distribution: (1-ε)·target + ε/C. Plain integer targets of
    a 2-D input take the fused, stable softmax_cross_entropy op.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> round(cr.nn.functional.cross_entropy(cr.zeros((2, 4)), np.array([0, 3])).item(), 4)
        1.3863
    """
    y = target._data if isinstance(target, Tensor) else target
    if (weight is None and not label_smoothing and size_average is None and reduce is None and ignore_index < 0
            and (type(y) is np.ndarray or is_foreign(y)) and y.dtype.kind in "iu" and array_of(input).ndim == 2):
        try:  # the fused, stable op: the common case, kept cheap (it checks the targets and reduction itself)
            # (a vmap stand-in is passed as it is: its array is no example's targets, its batch is theirs)
            return ops.softmax_cross_entropy(input, target if type(target) in STAND_IN_TYPES else y,
                                             reduction=reduction)
        except ValueError:  # (an OpError; a ValueError from the op on plain arrays)
            y = every_value(target)
            if not (y.size and (y == ignore_index).any()):
                raise  # not an ignored target: the op's own message says what is wrong
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    y = array_of(target)  # (its dtype; under vmap one example's shape)
    x_shape = _shape(input)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ChainruleError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}")
    if y.dtype.kind == "f":
        if y.shape != x_shape:
            raise OpError(f"cross_entropy needs integer class targets, or float probabilities of the input's shape "
                          f"{x_shape}; got {y.dtype} targets of shape {y.shape}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    flat_y = _class_targets("cross_entropy", input, target)
    logp = ops.log_softmax(_classes_last(input), axis=-1)
    losses, wy = _picked_losses("cross_entropy", logp, flat_y, weight, ignore_index)
    if label_smoothing:
        classes = x_shape[1] if len(x_shape) > 1 else x_shape[0]
        w = (np.ones(classes, like=like(array_of(flat_y))) if weight is None
             else as_array(_values(weight)).astype(np.float64))
        kept = (ops.not_equal(flat_y, ignore_index) if isinstance(flat_y, Tensor)  # (per-example targets)
                else constant_like((flat_y != ignore_index) * 1.0, logp))
        smooth = -ops.sum(logp * constant_like(w, logp), axis=-1) * kept
        losses = (1 - label_smoothing) * losses + (label_smoothing / classes) * smooth
    return _weighted_reduce(losses, wy, reduction, y.shape)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing):
    _same_shape("cross_entropy (probability targets)", input, target)
    logp = ops.log_softmax(_classes_last(input), axis=-1)
    p = _classes_last(target)
    classes = logp.shape[-1]
    if label_smoothing:
        p = p * (1 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        p = p * constant_like(_values(weight), logp)
    losses = -ops.sum(p * logp, axis=-1)
    shape = _shape(input)
    if reduction == "none":
        return ops.reshape(losses, shape[:1] + shape[2:] if len(shape) > 1 else ())
    return _reduce(losses, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error: mean of (input - target)².

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.mse_loss(cr.tensor([1.0, 3.0]), cr.tensor([0.0, 0.0])).item()
        5.0
    """
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, _legacy(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error: mean of |input - target| (derivative 0 where they are equal).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.l1_loss(cr.tensor([1.0, -3.0]), cr.tensor([0.0, 0.0])).item()
        2.0
    """
    _same_shape("l1_loss", input, target)
    return _reduce(ops.abs(input - target), _legacy(size_average, reduce, reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5·d²/β where |d| < β, else |d| - 0.5·β (d = input - target); β = 0 is the L1 loss.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.smooth_l1_loss(cr.tensor([0.5, 3.0]), cr.tensor([0.0, 0.0])).item()
        1.3125
    """
    _same_shape("smooth_l1_loss", input, target)
    if beta < 0:
        raise ChainruleError(f"smooth_l1_loss needs beta >= 0, got {beta}")
    d = input - target
    a = ops.abs(d)
    if beta == 0:
        return _reduce(a, _legacy(size_average, reduce, reduction))
    quadratic = a < beta  # (an op: per example under vmap)
    return _reduce(ops.where(quadratic, 0.5 * d * d / beta, a - 0.5 * beta), _legacy(size_average, reduce, reduction))


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5·d² where |d| <= δ, else δ·(|d| - 0.5·δ) (d = input - target).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.huber_loss(cr.tensor([0.5, 3.0]), cr.tensor([0.0, 0.0]), delta=2.0).item()
        2.0625
    """
    _same_shape("huber_loss", input, target)
    d = input - target
    a = ops.abs(d)
    return _reduce(ops.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w·(y log p + (1 - y) log(1 - p)) for probabilities p; logs clamped at -100 as PyTorch.

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.functional.binary_cross_entropy(cr.tensor([0.5]), cr.tensor([1.0])).item(), 4)
        0.6931
    """
    _same_shape("binary_cross_entropy", input, target)
    p = every_value(input)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ChainruleError("binary_cross_entropy needs probabilities in [0, 1]; for raw scores use "
                             "binary_cross_entropy_with_logits")
    with np.errstate(divide="ignore"):
        log_p = ops.maximum(ops.log(input), -100.0)
        log_not_p = ops.maximum(ops.log(1 - input), -100.0)
    losses = -(target * log_p + (1 - target) * log_not_p)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, _legacy(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """BCE of sigmoid(input), stably: w·(pos_weight·y·softplus(-x) + (1 - y)·softplus(x)).

    Example:
        >>> import chainrule as cr
        >>> f = cr.nn.functional.binary_cross_entropy_with_logits
        >>> round(f(cr.tensor([0.0]), cr.tensor([1.0])).item(), 4)
        0.6931
    """
    _same_shape("binary_cross_entropy_with_logits", input, target)
    if pos_weight is None:
        losses = ops.softplus(input) - target * input  # the same value, one softplus fewer
    else:
        losses = pos_weight * target * ops.softplus(-input) + (1 - target) * ops.softplus(input)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, _legacy(size_average, reduce, reduction))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with `input` the log-probabilities: target·(log target - input), 0 where target = 0.

    `reduction='batchmean'` divides the sum by the batch size (the true KL
    divergence per example); 'mean' divides by the number of elements, as PyTorch.

    Example:
        >>> import chainrule as cr
        >>> p = cr.tensor([[0.5, 0.5]])
        >>> cr.nn.functional.kl_div(cr.log(p), p, reduction="batchmean").item()
        0.0
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, REDUCTIONS + ("batchmean",))
    _same_shape("kl_div", input, target)
    if log_target:
        losses = ops.exp(target) * (target - input)
    else:
        positive = target > 0 if isinstance(target, Tensor) else as_array(target) > 0  # (an op on a tensor)
        log_t = ops.log(ops.where(positive, target, 1.0))  # log of 1 where target = 0: its term is 0 anyway
        losses = ops.where(positive, target * (log_t - input), 0.0)
    if reduction == "batchmean":
        shape = _shape(input)
        return ops.sum(losses) / (shape[0] if shape else 1)
    return _reduce(losses, reduction)


__all__ = ["nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "nn.functional.")
