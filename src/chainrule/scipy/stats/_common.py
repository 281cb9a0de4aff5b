"""Helpers shared by the distributions: argument conversion, standardising, masking the support."""

from __future__ import annotations

import numpy as np

from ...core.tensor import Tensor
from ...ops._util import value_of
from ...ops.elementwise import log, where
from ...ops.special import passthrough as _passthrough
from .._convert import as_float


def standardize(x, loc, scale):
    """(z, log scale): z = (x - loc)/scale, the standard variable scipy.stats' loc/scale forms are built on."""
    scale = as_float(scale)
    return (as_float(x) - as_float(loc)) / scale, log(scale)


def on_support(inside, z, safe, formula, outside):
    """formula(z) where the bool array `inside` holds, `outside` elsewhere; formula sees a safe z there.

    The double `where` keeps logs of out-of-support points from producing
    nan gradients (the outer where passes 0 there, but 0·nan is nan).
    """
    inside = np.asarray(inside)
    return where(inside, formula(where(inside, z, safe)), outside)


def no_grad_count(name, k):
    """A count argument (poisson's k) as an array: counts have no derivative."""
    if isinstance(k, Tensor) and k.requires_grad:
        raise TypeError(f"{name}: k is a count and has no derivative; pass it as an array")
    return np.asarray(value_of(k), dtype=np.float64)


def passthrough(distribution, name):
    """scipy.stats.<distribution>.<name> for functions without a rule here (rvs, mean, ...), on plain values.

    Each distribution module's __getattr__ (see chainrule.ops.special.passthrough).
    """
    return _passthrough("scipy.stats", name, owner=distribution)
