"""Test cases for the NumPy-surface rows (issue 12): merged into tests/op_specs.py.

Composites of these rows (sort, pad, median, convolve, ...) are tested in tests/test_arrays.py.
"""

import numpy as np

from op_specs import BINARY_SHAPES, rng, sample, unary


def _binary(dx, dy):
    return [((dx(a), dy(b)), {}) for a, b in BINARY_SHAPES]


def _above_one(shape):
    return np.asarray(1.0 + sample(shape, "positive"))


def _away_from_jumps(shape):
    # rounding and remainders are flat or linear between their jumps: keep samples clear of them
    return np.asarray(np.round(sample(shape) * 3) + rng.uniform(0.2, 0.4, shape) * rng.choice([-1.0, 1.0], shape))


def _remainder_pairs():
    cases = []
    for a, b in BINARY_SHAPES:
        y = sample(b, "nonzero")
        q = np.round(sample(a) * 3)  # x = (q + f)·y with f in (0.2, 0.8): far from the jumps at integer x/y
        f = rng.uniform(0.2, 0.8, np.broadcast_shapes(a, b))
        x = ((q + f) * y).reshape(np.broadcast_shapes(a, b)) if a == np.broadcast_shapes(a, b) else None
        if x is not None:
            cases.append(((x, y), {}))
    return cases


CASES = {
    "cumsum": [((sample((3, 4)),), {"axis": 0}), ((sample((3, 4)),), {"axis": 1}), ((sample((3, 4)),), {}),
               ((sample(()),), {}), ((sample((1,)),), {"axis": 0}), ((sample((0, 3)),), {"axis": 1})],
    "cumprod": [((sample((3, 5)),), {"axis": 1}), ((sample((4, 3)),), {"axis": 0}), ((sample((2, 3)),), {}),
                ((np.array([2.0, 0.0, 3.0, 0.0, 1.5]),), {"axis": 0}), ((sample(()),), {}),
                ((sample((1,)),), {"axis": 0}), ((sample((0, 3)),), {"axis": 0}), ((sample((3, 1)),), {"axis": 1})],
    # real inputs here (imag is 0, angle 0 or π: derivative 0); complex ones in tests/test_arrays.py
    "imag": unary(shapes=[(3,), (), (0,)]), "angle": unary("nonzero", shapes=[(3, 2), (), (0,)]),
    "sinh": unary(), "cosh": unary(), "arcsin": unary("unit"), "arccos": unary("unit"), "arctan": unary(),
    "arcsinh": unary(), "arctanh": unary("unit"),
    "arccosh": [((_above_one(s),), {}) for s in [(3, 4), (4,), (), (1,), (0,)]],
    "arctan2": _binary(lambda s: sample(s, "nonzero"), lambda s: sample(s, "nonzero")),
    "hypot": _binary(lambda s: sample(s, "nonzero"), lambda s: sample(s, "nonzero")),
    "sinc": unary() + [((np.array([0.0, 1e-3, -0.004, 0.3]),), {})],
    "log2": unary("positive"), "log10": unary("positive"), "exp2": unary(), "square": unary(),
    "reciprocal": unary("nonzero"), "cbrt": unary("nonzero"),
    "logaddexp": _binary(sample, sample) + [((np.array([1e3, -1e3]), np.array([1e3 - 1, 0.0])), {})],
    "logaddexp2": _binary(sample, sample),
    **{name: [((_away_from_jumps(s),), {}) for s in [(3, 4), (4,), (), (1,), (0,)]]
       for name in ("floor", "ceil", "rint", "trunc", "fix")},
    "round": [((_away_from_jumps((3, 4)),), {}), ((_away_from_jumps(()),), {}),
              ((_away_from_jumps((5,)) / 100 + 0.002,), {"decimals": 2}), ((_away_from_jumps((0,)),), {})],
    "mod": _remainder_pairs(), "fmod": _remainder_pairs(),
    # NaN operands: in tests/test_arrays.py (the cases here lie in the "real" domain, finite)
    "fmax": _binary(sample, sample) + [((np.array([1.0, 2.0, 2.0]), np.array([np.nan, 3.0, 2.0])), {})],
    "fmin": _binary(sample, sample) + [((np.array([1.0, 2.0, 2.0]), np.array([np.nan, 3.0, 2.0])), {})],
    "argsort": [((sample((3, 4)),), {"axis": -1}), ((sample((5,)),), {"axis": 0, "kind": "stable"})],
}

REFERENCE = {
    "cumsum": lambda x, axis=None: np.cumsum(x, axis=axis),
    "cumprod": lambda x, axis=None: np.cumprod(x, axis=axis),
    "imag": np.imag, "angle": np.angle,
    "sinh": np.sinh, "cosh": np.cosh, "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan,
    "arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh, "arctan2": np.arctan2,
    "hypot": lambda x, y: np.sqrt(x * x + y * y), "sinc": lambda x: np.where(x == 0, 1.0, np.sin(
        np.pi * x) / (np.pi * np.where(x == 0, 1.0, x))),
    "log2": lambda x: np.log(x) / np.log(2), "log10": lambda x: np.log(x) / np.log(10), "exp2": lambda x: 2.0 ** x,
    "square": lambda x: x * x, "reciprocal": lambda x: 1 / x, "cbrt": lambda x: np.sign(x) * np.abs(x) ** (1 / 3),
    "logaddexp": lambda x, y: np.maximum(x, y) + np.log1p(np.exp(-np.abs(x - y))),
    "logaddexp2": lambda x, y: np.maximum(x, y) + np.log2(1 + 2.0 ** (-np.abs(x - y))),
    "floor": np.floor, "ceil": np.ceil, "rint": np.rint, "trunc": np.trunc, "fix": np.fix,
    "round": lambda x, decimals=0: np.round(x, decimals),
    "mod": lambda x, y: x - np.floor(x / y) * y, "fmod": lambda x, y: x - np.trunc(x / y) * y,
    "fmax": np.fmax, "fmin": np.fmin,
    "argsort": lambda x, axis=-1, kind=None: np.argsort(x, axis=axis, kind=kind),
}
