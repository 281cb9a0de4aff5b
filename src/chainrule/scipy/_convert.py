"""Argument conversion shared by chainrule.scipy's modules."""

from __future__ import annotations

import numpy as np

from ..core.tensor import Tensor


def as_float(x):
    """x itself if a Tensor, else a floating (or complex) ndarray: lists and ints become float64.

    Example:
        >>> as_float([1, 2]).dtype
        dtype('float64')
    """
    if isinstance(x, Tensor):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(np.float64)
