"""Test inputs for every built-in op, keyed by name.

tests/test_ops.py walks the registry: an op without an entry here fails
`test_every_op_has_cases`, so registering an op is what gets it tested.
Each case is (args, params); inputs are float64 drawn inside the op's domain.
Ops of other areas keep their cases beside them in tests/op_specs_<area>.py
(each with its own CASES and REFERENCE dicts); they are merged in here.
"""

import importlib
import pathlib

import numpy as np

rng = np.random.default_rng(1234)

UNARY_SHAPES = [(3, 4), (4,), (), (1,), (0,), (3, 1)]
BINARY_SHAPES = [((3, 4), (4,)), ((3, 1), (1, 4)), ((3, 4), ()), ((), ()), ((0,), (0,)),
                 ((1,), (3, 4)), ((4,), (3, 4))]


def sample(shape, domain="real"):
    return np.asarray(_draw(shape, domain), dtype=np.float64)


def _draw(shape, domain):
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    return rng.normal(0.0, 1.0, shape)


def unary(domain="real", shapes=UNARY_SHAPES, **params):
    return [((sample(s, domain),), params) for s in shapes]


def binary(dx="real", dy="real"):
    return [((sample(a, dx), sample(b, dy)), {}) for a, b in BINARY_SHAPES]


def reductions(empty_ok=True):
    x = sample((3, 4))
    cases = [((x,), {}), ((x,), {"axis": 0}), ((x,), {"axis": -1, "keepdims": True}),
             ((x,), {"axis": (0, 1)}), ((sample(()),), {}), ((sample((2, 3, 2)),), {"axis": (0, 2)})]
    if empty_ok:
        cases.append(((sample((0, 3)),), {"axis": 0}))
    return cases


def index_cases():
    x = sample((4, 3))
    return [((x,), {"index": (slice(1, 3),)}), ((x,), {"index": (1, slice(None))}),
            ((x,), {"index": np.array([0, 0, 3])}), ((x,), {"index": x > 0}),
            ((x,), {"index": (np.arange(4), np.array([0, 2, 2, 1]))}),
            ((x,), {"index": (Ellipsis, None, 0)})]


CASES = {
    "add": binary(), "sub": binary(), "mul": binary(), "div": binary("real", "nonzero"),
    "pow": binary("positive", "real") + [((sample((3,), "real"), 2), {}), ((2.0, sample((3,))), {}),
                                         ((sample((3,), "real"), 0), {})],
    "neg": unary(), "exp": unary(), "log": unary("positive"), "log1p": unary("positive"),
    "expm1": unary(), "sqrt": unary("positive"), "abs": unary("nonzero"), "sign": unary("nonzero"),
    "sin": unary(), "cos": unary(), "tan": unary("unit"), "tanh": unary(), "sigmoid": unary(),
    "relu": unary("nonzero"), "step": unary("nonzero"),
    "leaky_relu": unary("nonzero") + unary("nonzero", [(5,)], negative_slope=0.2),
    "elu": unary("nonzero") + unary("nonzero", [(5,)], alpha=0.7),
    "softplus": unary() + [((np.array([-3.0, 0.5, 2.0, 3.0]),), {"beta": 2.0, "threshold": 5.0})],
    "maximum": binary(), "minimum": binary(),
    "clip": [((np.array([-2.0, -0.3, 0.2, 1.7]),), {"min": -0.5, "max": 0.5}),
             ((sample((3, 4)),), {"min": 0.1}), ((sample((4,)),), {"max": -0.1})],
    "where": [((sample((3, 4)) > 0, sample((3, 4)), sample((4,))), {}),
              ((sample((4,)) > 0, sample((3, 1)), 0.0), {})],
    "sum": reductions(), "prod": reductions(), "max": reductions(False), "min": reductions(False),
    "logsumexp": reductions(),
    "reshape": [((sample((3, 4)),), {"shape": (2, 6)}), ((sample((4,)),), {"shape": (2, -1)}),
                ((sample(()),), {"shape": (1, 1)})],
    "transpose": [((sample((3, 4)),), {"axes": None}), ((sample((2, 3, 4)),), {"axes": (2, 0, 1)})],
    "getitem": index_cases(),
    "gather": [((sample((4, 3)), np.array([0, 3, 3, 1])), {}), ((sample((5,)), np.array([[0, 4], [-1, 2]])), {}),
               ((sample((3, 2)), np.zeros((0,), np.int64)), {})],
    "gather_adjoint": [((sample((4, 3)), np.array([0, 3, 3, 1])), {"rows": 5}),
                       ((sample((2, 2)), np.array([[0, 4], [-1, 2]])), {"rows": 5})],
    "scatter_add": [((sample((3,)),), {"index": np.array([0, 0, 3]), "shape": (4,)}),
                    ((sample((2, 3)),), {"index": (slice(1, 3),), "shape": (4, 3)})],
    "concatenate": [((sample((2, 3)), sample((1, 3))), {"axis": 0}),
                    ((sample((2, 3)), sample((2, 1)), sample((2, 2))), {"axis": 1})],
    "matmul": [((sample((3, 4)), sample((4, 2))), {}), ((sample((3, 4)), sample((4,))), {}),
               ((sample((4,)), sample((4, 2))), {}), ((sample((4,)), sample((4,))), {}),
               ((sample((2, 3, 4)), sample((4, 5))), {}), ((sample((3, 4)), sample((2, 4, 5))), {}),
               ((sample((2, 1, 3, 4)), sample((3, 4, 2))), {})],
    "softmax": [((sample((3, 4)),), {"axis": -1}), ((sample((3, 4)),), {"axis": 0}),
                ((sample((5,)),), {"axis": 0})],
    "log_softmax": [((sample((3, 4)),), {"axis": -1}), ((sample((3, 4)),), {"axis": 0})],
    "linear": [((sample((5, 3)), sample((4, 3)), sample((4,))), {}), ((sample((5, 3)), sample((4, 3))), {}),
               ((sample((3,)), sample((4, 3)), sample((4,))), {}),
               ((sample((2, 5, 3)), sample((4, 3)), sample((4,))), {}),
               ((sample((5, 3)), sample((4, 3)), sample((1, 4))), {})],
    "softmax_cross_entropy": [((sample((5, 4)), np.array([0, 3, 1, 1, 2])), {}),
                              ((sample((2, 3, 4)), np.array([[0, 1, 2], [3, 3, 0]])), {}),
                              ((sample((5, 4)), np.array([0, 3, 1, 1, 2])), {"reduction": "mean"}),
                              ((sample((2, 3, 4)), np.array([[0, 1, 2], [3, 3, 0]])), {"reduction": "sum"})],
    "sum_to": [((sample((3, 4)),), {"shape": (4,)}), ((sample((3, 4)),), {"shape": (3, 1)}),
               ((sample((3, 4)),), {"shape": ()})],
    "broadcast_to": [((sample((4,)),), {"shape": (3, 4)}), ((sample((3, 1)),), {"shape": (2, 3, 5)})],
    "cast": [((sample((3,)),), {"dtype": np.float64})],
    "alias": unary(shapes=[(3,), ()]),
    "real": unary(shapes=[(3,), ()]), "conj": unary(shapes=[(3,), ()]),
    # no derivative: values only
    "less": binary(), "less_equal": binary(), "greater": binary(), "greater_equal": binary(),
    "equal": binary(), "not_equal": binary(),
    "argmax": [((sample((3, 4)),), {}), ((sample((3, 4)),), {"axis": 1})],
    "argmin": [((sample((3, 4)),), {}), ((sample((3, 4)),), {"axis": 0, "keepdims": True})],
}

# NumPy (or written-out) reference for each op's value.
def _lse(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True) if x.size else 0.0
    with np.errstate(divide="ignore"):
        return np.squeeze(np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m,
                          axis=() if keepdims else axis)


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _scatter(x, index, shape):
    out = np.zeros(shape)
    np.add.at(out, index, x)
    return out


REFERENCE = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power,
    "neg": np.negative, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1,
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: x * (x > 0),
    "step": lambda x: (x >= 0) * 1.0,
    "leaky_relu": lambda x, negative_slope=0.01: np.where(x >= 0, x, negative_slope * x),
    "elu": lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(x) - 1)),
    "softplus": lambda x, beta=1.0, threshold=20.0: np.where(
        beta * x > threshold, x, np.log(1 + np.exp(beta * x)) / beta),
    "maximum": np.maximum, "minimum": np.minimum,
    "clip": lambda x, min=None, max=None: np.clip(x, min, max),
    "where": np.where, "sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min,
    "logsumexp": _lse, "reshape": np.reshape, "transpose": np.transpose,
    "getitem": lambda x, index: x[index], "scatter_add": _scatter,
    "gather": lambda x, indices: x[indices],
    "gather_adjoint": lambda g, indices, rows: _scatter(g, indices, (rows,) + g.shape[indices.ndim:]),
    "concatenate": lambda *xs, axis: np.concatenate(xs, axis),
    "matmul": np.matmul, "softmax": _softmax, "log_softmax": lambda x, axis=-1: np.log(_softmax(x, axis)),
    "sum_to": lambda x, shape: np.sum(x, axis=0) if shape == (4,) else (
        np.sum(x, axis=1, keepdims=True) if shape == (3, 1) else np.sum(x)),
    "broadcast_to": np.broadcast_to,
    "linear": lambda x, w, b=None: x @ w.T + (0 if b is None else b),
    "softmax_cross_entropy": lambda z, y, reduction="none": {"none": lambda a: a, "mean": np.mean, "sum": np.sum}[
        reduction](-np.take_along_axis(np.log(_softmax(z)), y[..., None], -1)[..., 0]),
    "cast": lambda x, dtype: x.astype(dtype), "alias": lambda x: x,
    "real": np.real, "conj": np.conj,
    "less": np.less, "less_equal": np.less_equal, "greater": np.greater,
    "greater_equal": np.greater_equal, "equal": np.equal, "not_equal": np.not_equal,
    "argmax": np.argmax, "argmin": np.argmin,
}


def _merge_area_specs():
    """Fold every tests/op_specs_<area>.py into CASES and REFERENCE (an op named twice is an error)."""
    for path in sorted(pathlib.Path(__file__).parent.glob("op_specs_*.py")):
        area = importlib.import_module(path.stem)
        for table, extra in ((CASES, area.CASES), (REFERENCE, area.REFERENCE)):
            clash = set(table) & set(extra)
            assert not clash, f"{path.name} declares ops already specified: {sorted(clash)}"
            table.update(extra)


_merge_area_specs()
