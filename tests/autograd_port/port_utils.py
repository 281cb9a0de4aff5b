"""Shared helpers of the autograd port: input generators and the name lookup that skips missing functions.

`fn("einsum")` returns chainrule.numpy's function, or skips the test with
"einsum not in chainrule.numpy yet" when no op provides it yet (other
modules add them); every other failure is a real failure.
"""

from __future__ import annotations

import importlib

import numpy as onp
import pytest
from check_grads import combo_check

import chainrule.numpy as np


def fn(name, namespace=np):
    """chainrule.numpy's `name` (dotted for submodules: "linalg.inv"), or skip the test."""
    obj = namespace
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.skip(f"{name} not in {namespace.__name__} yet")
    return obj


def scipy_fn(path):
    """chainrule.scipy.<path> ("stats.norm.pdf"), or skip the test."""
    head, *rest = path.split(".")
    try:
        obj = importlib.import_module(f"chainrule.scipy.{head}")
    except ImportError:
        pytest.skip(f"chainrule.scipy.{head} not in chainrule yet")
    for part in rest:
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.skip(f"scipy.{path} not in chainrule.scipy yet")
    return obj


def transform(lims, x):
    return x * (lims[1] - lims[0]) + lims[0]


def stat_check(fun, **kwargs):
    """Reductions over scalars, vectors and matrices, every axis / keepdims (real inputs)."""
    x, a = 3.5, onp.random.randn()
    b, c, d = onp.random.randn(3), onp.random.randn(2, 3), onp.random.randn(1, 3)
    check = combo_check(fun, (0,), **kwargs)
    check([x, a])
    check([b, c, d], axis=[None, 0], keepdims=[True, False])
    check([c, d], axis=[None, 0, 1], keepdims=[True, False])


def unary_ufunc_check(fun, lims=(-2, 2), **kwargs):
    """An elementwise function on a scalar, a vector and two matrices drawn inside `lims`."""
    r = onp.random.rand
    check = combo_check(fun, (0,), **kwargs)
    check([transform(lims, 0.4), transform(lims, r(2)), transform(lims, r(3, 2)), transform(lims, r(1, 2))])


def binary_ufunc_check(fun, lims_a=(-2, 2), lims_b=(-2, 2), same_args=True, **kwargs):
    """A binary function over every pairing of scalar / vector / matrix / broadcast row inputs."""
    r = onp.random.rand
    check = combo_check(fun, (0, 1), **kwargs)
    if same_args:
        shapes = [0.6, r(2), r(3, 2), r(1, 2)]
        check([transform(lims_a, s) for s in shapes], [transform(lims_b, s) for s in shapes])
    else:
        check([transform(lims_a, s) for s in (0.6, r(2), r(3, 2), r(1, 2))],
              [transform(lims_b, s) for s in (0.7, r(2), r(3, 2), r(1, 2))])
