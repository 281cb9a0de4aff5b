"""Helpers shared by tests/test_arrays*.py."""

import numpy as np

import chainrule as cr

rng = np.random.default_rng(7)


def check(f, *xs, order=2):
    """f's first derivatives in both modes, and (order=2) second derivatives, vs finite differences."""
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    if order >= 2:
        assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


def r(*shape):
    return rng.normal(size=shape)


def distinct(*shape):
    # well-separated values: sorting and order statistics are smooth away from ties
    ranks = rng.permutation(np.arange(int(np.prod(shape)), dtype=float)).reshape(shape)
    return ranks * 0.5 + rng.uniform(0, 0.1, shape)
