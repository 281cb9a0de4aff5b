"""Normalisation layers: BatchNorm1d/2d (with running statistics) and LayerNorm."""

from __future__ import annotations

import numpy as np

from ..core.tensor import Tensor
from . import functional_layers as FL
from ._defaults import default_dtype
from .module import Module, Parameter


class _BatchNorm(Module):
    _allowed_dims: tuple = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__()
        dtype = default_dtype(dtype)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self._place(device)

    def reset_running_stats(self):
        """Running mean 0, variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x):
        nd = np.ndim(x._data if isinstance(x, Tensor) else x)
        if nd not in self._allowed_dims:
            raise ValueError(f"{type(self).__name__} expected a {' or '.join(f'{d}D' for d in self._allowed_dims)} "
                             f"input (got {nd}D input)")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data[...] += 1
            if momentum is None:  # the cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.data)
        # running statistics are None when not tracked; they are updated only while training
        return FL.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
                             momentum if momentum is not None else 0.0, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L): per channel, batch statistics while training,
    running statistics in eval mode (running = (1-momentum)·running + momentum·batch, unbiased variance).

    Example:
        >>> import chainrule as cr
        >>> bn = cr.nn.BatchNorm1d(3)
        >>> y = bn(cr.randn(8, 3))
        >>> bn.running_mean.shape, int(bn.num_batches_tracked.item())
        ((3,), 1)
    """

    _allowed_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W), per channel (see BatchNorm1d).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.BatchNorm2d(2)(cr.randn(4, 2, 3, 3)).shape
        (4, 2, 3, 3)
    """

    _allowed_dims = (4,)


class LayerNorm(Module):
    """Normalise over the last axes (normalized_shape), with elementwise weight and bias.

    Example:
        >>> import chainrule as cr
        >>> ln = cr.nn.LayerNorm(4)
        >>> ln(cr.randn(2, 4)).shape, ln.weight.shape
        ((2, 4), (4,))
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        dtype = default_dtype(dtype)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if elementwise_affine and bias else None
        self._place(device)

    def forward(self, x):
        return FL.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([BatchNorm1d, BatchNorm2d, LayerNorm], "nn.")
