"""Pooling layers: max, average and adaptive average pooling in one and two dimensions."""

from __future__ import annotations

from ..ops import pooling as C
from .module import Module


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0, **options):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.options = options

    def forward(self, x):
        return self._fn(x, self.kernel_size, self.stride, self.padding, **self.options)

    def extra_repr(self):
        extra = "".join(f", {k}={v}" for k, v in self.options.items())
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}{extra}"


class MaxPool2d(_Pool):
    """Maximum over windows of (N, C, H, W) (stride defaults to kernel_size); ties go to the first maximum.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.MaxPool2d(2)(cr.ones((1, 3, 8, 8))).shape
        (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, dilation=dilation, ceil_mode=ceil_mode,
                         return_indices=return_indices)

    _fn = staticmethod(C.max_pool2d)


class MaxPool1d(MaxPool2d):
    """Maximum over windows of (N, C, L).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.MaxPool1d(3, stride=1)(cr.ones((1, 2, 5))).shape
        (1, 2, 3)
    """

    _fn = staticmethod(C.max_pool1d)


class AvgPool2d(_Pool):
    """Mean over windows of (N, C, H, W), as PyTorch (count_include_pad, ceil_mode, divisor_override).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.AvgPool2d(2)(cr.ones((1, 3, 8, 8))).shape
        (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                         divisor_override=divisor_override)

    _fn = staticmethod(C.avg_pool2d)


class AvgPool1d(_Pool):
    """Mean over windows of (N, C, L).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.AvgPool1d(2)(cr.ones((1, 2, 6))).shape
        (1, 2, 3)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)

    _fn = staticmethod(C.avg_pool1d)


class AdaptiveAvgPool2d(Module):
    """Mean over PyTorch's adaptive windows, so the output is (N, C, *output_size).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.AdaptiveAvgPool2d((1, 1))(cr.ones((2, 3, 7, 5))).shape
        (2, 3, 1, 1)
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return C.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Mean over PyTorch's adaptive windows of (N, C, L).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.AdaptiveAvgPool1d(2)(cr.ones((2, 3, 7))).shape
        (2, 3, 2)
    """

    def forward(self, x):
        return C.adaptive_avg_pool1d(x, self.output_size)


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([MaxPool2d, MaxPool1d, AvgPool2d, AvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool1d], "nn.")
