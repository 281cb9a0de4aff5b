"""Toy datasets generated in code from a seed: (X float64 of shape (n, 2), y int64)."""

from __future__ import annotations

import numpy as np

from ..core.errors import ChainruleError


def _check(n, minimum=1):
    if int(n) < minimum:
        raise ChainruleError(f"need at least {minimum} samples, got {n}")
    return int(n)


def xor(n_samples=4, noise=0.0, seed=0):
    """The XOR problem: the four corners of the unit square (seed 003), or noisy copies.

    Example:
        >>> from chainrule.data import xor
        >>> X, y = xor()
        >>> X.tolist(), y.tolist()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0], dtype=np.int64)
    n = _check(n_samples)
    rng = np.random.default_rng(seed)
    pick = np.arange(n) % 4 if n <= 4 or noise == 0 else rng.integers(0, 4, n)
    return corners[pick] + noise * rng.standard_normal((n, 2)), labels[pick]


def moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (as scikit-learn's make_moons).

    Example:
        >>> from chainrule.data import moons
        >>> X, y = moons(10)
        >>> X.shape, sorted(set(y.tolist()))
        ((10, 2), [0, 1])
    """
    return _two_curves(n_samples, noise, seed, np.pi, endpoint=True,
                       curve0=lambda t: (np.cos(t), np.sin(t)), curve1=lambda t: (1 - np.cos(t), 0.5 - np.sin(t)))


def circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """A small circle inside a large one (class 1 inside).

    Example:
        >>> from chainrule.data import circles
        >>> circles(8)[0].shape
        (8, 2)
    """
    n = _check(n_samples, 2)
    if not 0 < factor < 1:
        raise ChainruleError(f"factor must lie in (0, 1), got {factor}")
    return _two_curves(n, noise, seed, 2 * np.pi, endpoint=False, curve0=lambda t: (np.cos(t), np.sin(t)),
                       curve1=lambda t: (factor * np.cos(t), factor * np.sin(t)))


def _two_curves(n_samples, noise, seed, span, endpoint, curve0, curve1):
    """Class 0 on curve0 and class 1 on curve1 (parameter in [0, span]), noisy and shuffled."""
    n = _check(n_samples, 2)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    points = [np.stack(curve(np.linspace(0, span, count, endpoint=endpoint)), 1)
              for curve, count in ((curve0, n0), (curve1, n - n0))]
    X = np.concatenate(points)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    order = rng.permutation(n)
    return (X + noise * rng.standard_normal(X.shape))[order], y[order]


def spirals(n_samples=300, classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one class per arm (the CS231n toy problem).

    Example:
        >>> from chainrule.data import spirals
        >>> X, y = spirals(30, classes=3)
        >>> X.shape, sorted(set(y.tolist()))
        ((30, 2), [0, 1, 2])
    """
    n = _check(n_samples, classes)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    r = np.linspace(0.05, 1.0, n)[rng.permutation(n)]
    theta = y * (2 * np.pi / classes) + 4.0 * r + noise * rng.standard_normal(n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], 1)
    return X, y.astype(np.int64)


def blobs(n_samples=200, centers=3, std=0.5, seed=0):
    """Gaussian clusters around `centers` random points in [-3, 3]².

    Example:
        >>> from chainrule.data import blobs
        >>> blobs(9, centers=3)[1].tolist()
        [0, 1, 2, 0, 1, 2, 0, 1, 2]
    """
    n = _check(n_samples)
    rng = np.random.default_rng(seed)
    means = rng.uniform(-3, 3, (int(centers), 2))
    y = np.arange(n) % int(centers)
    return means[y] + std * rng.standard_normal((n, 2)), y.astype(np.int64)


def train_test_split(X, y, test_fraction=0.25, seed=0):
    """Shuffle and split into (X_train, y_train, X_test, y_test).

    Example:
        >>> import numpy as np
        >>> from chainrule.data import train_test_split
        >>> parts = train_test_split(np.arange(8.0)[:, None], np.arange(8), 0.25)
        >>> [p.shape[0] for p in parts]
        [6, 6, 2, 2]
    """
    if not 0 < test_fraction < 1:
        raise ChainruleError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = max(1, int(round(len(X) * test_fraction)))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


GENERATORS = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals, "blobs": blobs}
