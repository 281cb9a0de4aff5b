"""Loss modules: each holds its options and calls the function of the same name in nn.functional."""

from __future__ import annotations

from . import loss_functions as L
from .module import Module


class _Loss(Module):
    _fn = None

    def __init__(self, size_average=None, reduce=None, reduction="mean", **options):
        super().__init__()
        self.reduction = L._legacy(size_average, reduce, reduction)
        L._check_reduction(self.reduction, L.REDUCTIONS + ("batchmean",))
        for key, value in options.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_options", tuple(options))

    def forward(self, input, target):
        return type(self)._fn(input, target, reduction=self.reduction, **{k: getattr(self, k) for k in self._options})

    def extra_repr(self):
        return ", ".join([f"reduction={self.reduction!r}"] + [f"{k}={getattr(self, k)!r}" for k in self._options
                                                             if getattr(self, k) is not None])


class MSELoss(_Loss):
    """Mean squared error (see nn.functional.mse_loss).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.MSELoss()(cr.tensor([1.0, 3.0]), cr.tensor([0.0, 0.0])).item()
        5.0
    """

    _fn = staticmethod(L.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error (see nn.functional.l1_loss).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.L1Loss(reduction="sum")(cr.tensor([1.0, -3.0]), cr.tensor([0.0, 0.0])).item()
        4.0
    """

    _fn = staticmethod(L.l1_loss)


class SmoothL1Loss(_Loss):
    """Quadratic below beta, linear above (see nn.functional.smooth_l1_loss).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.SmoothL1Loss(beta=1.0)(cr.tensor([0.5, 3.0]), cr.tensor([0.0, 0.0])).item()
        1.3125
    """

    _fn = staticmethod(L.smooth_l1_loss)

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction, beta=beta)


class HuberLoss(_Loss):
    """Quadratic up to delta, then delta-scaled linear (see nn.functional.huber_loss).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.HuberLoss(delta=2.0)(cr.tensor([0.5, 3.0]), cr.tensor([0.0, 0.0])).item()
        2.0625
    """

    _fn = staticmethod(L.huber_loss)

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction, delta=delta)


class _Weighted(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", **options):
        super().__init__(size_average, reduce, reduction, weight=weight, **options)


class NLLLoss(_Weighted):
    """Negative log likelihood of log-probabilities (see nn.functional.nll_loss).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> round(cr.nn.NLLLoss()(cr.log(cr.tensor([[0.5, 0.5]])), np.array([1])).item(), 4)
        0.6931
    """

    _fn = staticmethod(L.nll_loss)

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction, ignore_index=ignore_index)


class CrossEntropyLoss(_Weighted):
    """Cross-entropy of raw scores with class indices or probabilities (see nn.functional.cross_entropy).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> loss = cr.nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> round(loss(cr.zeros((2, 4)), np.array([0, 3])).item(), 4)
        1.3863
    """

    _fn = staticmethod(L.cross_entropy)

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)


class BCELoss(_Weighted):
    """Binary cross-entropy of probabilities (see nn.functional.binary_cross_entropy).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.BCELoss()(cr.tensor([0.5]), cr.tensor([1.0])).item(), 4)
        0.6931
    """

    _fn = staticmethod(L.binary_cross_entropy)


class BCEWithLogitsLoss(_Weighted):
    """Binary cross-entropy of raw scores, stable, with pos_weight (see binary_cross_entropy_with_logits).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.BCEWithLogitsLoss()(cr.tensor([0.0]), cr.tensor([1.0])).item(), 4)
        0.6931
    """

    _fn = staticmethod(L.binary_cross_entropy_with_logits)

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(weight, size_average, reduce, reduction, pos_weight=pos_weight)


class KLDivLoss(_Loss):
    """KL divergence of log-probability inputs from targets (see nn.functional.kl_div).

    Example:
        >>> import chainrule as cr
        >>> p = cr.tensor([[0.5, 0.5]])
        >>> cr.nn.KLDivLoss(reduction="batchmean")(cr.log(p), p).item()
        0.0
    """

    _fn = staticmethod(L.kl_div)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction, log_target=log_target)


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([MSELoss, L1Loss, SmoothL1Loss, HuberLoss, NLLLoss, CrossEntropyLoss, BCELoss,
                      BCEWithLogitsLoss, KLDivLoss], "nn.")
