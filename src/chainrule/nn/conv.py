"""Convolution layers: Conv1d and Conv2d, with PyTorch's arguments, layout and initialisation."""

from __future__ import annotations

import math

import numpy as np

from ..ops import conv as C
from ._defaults import uniform
from .module import Module, Parameter


class _ConvNd(Module):
    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, rng=None):
        super().__init__()
        if padding_mode != "zeros":
            raise NotImplementedError(f"{type(self).__name__}: only padding_mode='zeros' is supported")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must both be divisible by groups ({groups})")
        kernel = (kernel_size,) * self._dims if isinstance(kernel_size, int) else tuple(kernel_size)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        # PyTorch's default: kaiming_uniform_(a=√5), i.e. U(±1/√fan_in), for the weight and the bias
        bound = 1.0 / math.sqrt(in_channels // groups * int(np.prod(kernel)))
        self.weight = Parameter(uniform((out_channels, in_channels // groups) + kernel, bound, dtype, rng))
        self.bias = Parameter(uniform((out_channels,), bound, dtype, rng)) if bias else None
        self._place(device)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, groups={self.groups}, bias={self.bias is not None}")


class Conv2d(_ConvNd):
    """2-D convolution layer over (N, C, H, W); weight (out, in/groups, kh, kw).

    Example:
        >>> import chainrule as cr
        >>> conv = cr.nn.Conv2d(1, 4, kernel_size=3, padding=1)
        >>> conv(cr.ones((2, 1, 8, 8))).shape
        (2, 4, 8, 8)
    """

    def forward(self, x):
        return C.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution layer over (N, C, L); weight (out, in/groups, k).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Conv1d(2, 3, kernel_size=5)(cr.ones((4, 2, 20))).shape
        (4, 3, 16)
    """

    _dims = 1

    def forward(self, x):
        return C.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([Conv2d, Conv1d], "nn.")
