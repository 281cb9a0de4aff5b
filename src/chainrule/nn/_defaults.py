"""Defaults the layers of this package share (the default float dtype, the random generator)."""

from __future__ import annotations

import numpy as np

from .. import creation


def default_dtype(dtype=None):
    """`dtype`, or chainrule's default float dtype (`cr.set_default_dtype`)."""
    return np.dtype(dtype) if dtype is not None else creation.get_default_dtype()


def uniform(shape, bound, dtype, rng=None):
    """U(-bound, bound) of `shape`, drawn from `rng` or chainrule's generator."""
    rng = rng if rng is not None else creation.default_rng()
    return rng.uniform(-bound, bound, shape).astype(default_dtype(dtype))
