"""Defaults the layers of this package share (the default float dtype, the random generator)."""

from __future__ import annotations

import numpy as np

from .. import creation


def default_dtype(dtype=None):
    """`dtype`, or chainrule's default float dtype (float64 until `set_default_dtype` exists on main)."""
    if dtype is not None:
        return np.dtype(dtype)
    getter = getattr(creation, "get_default_dtype", None)
    return np.dtype(getter()) if getter is not None else np.dtype(np.float64)


def uniform(shape, bound, dtype, rng=None):
    """U(-bound, bound) of `shape`, drawn from `rng` or chainrule's generator."""
    rng = rng if rng is not None else creation.default_rng()
    return rng.uniform(-bound, bound, shape).astype(default_dtype(dtype))
