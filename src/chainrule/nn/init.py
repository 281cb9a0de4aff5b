"""Weight initialisation, in place, with PyTorch's names and formulas.

fan_in / fan_out of a weight of shape (out, in) are `in` and `out`. Every
function takes `rng=` (a NumPy Generator); without one it uses the
generator `cr.manual_seed` resets.
"""

from __future__ import annotations

import math

import numpy as np

from .. import creation
from ..core import backend
from ..core.errors import ChainruleError

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
          "step": 1.0, "softplus": 1.0, "elu": 1.0}


def calculate_gain(nonlinearity="linear", param=None):
    """The recommended scale for weights feeding `nonlinearity` (as PyTorch).

    Example:
        >>> from chainrule.nn.init import calculate_gain
        >>> round(calculate_gain("relu"), 4)
        1.4142
    """
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _GAINS:
        raise ChainruleError(f"no gain known for {nonlinearity!r}; choose one of {sorted(_GAINS)} or leaky_relu")
    return _GAINS[nonlinearity]


def _fans(tensor):
    shape = tensor.shape
    if len(shape) < 2:
        raise ChainruleError(f"fan in/out need a weight with at least 2 axes, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor, values):
    values = np.asarray(values, dtype=tensor.dtype).reshape(tensor.shape)  # drawn on the host (seeded as on CPU)
    tensor.data = values if type(tensor._data) is np.ndarray else backend.to_device(values, tensor.device)
    return tensor


def _rng(rng):
    return rng if rng is not None else creation.default_rng()


def zeros_(tensor):
    """Fill with 0.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.init.zeros_(cr.ones(2)).tolist()
        [0.0, 0.0]
    """
    return _fill(tensor, np.zeros(tensor.shape))


def constant_(tensor, value):
    """Fill with one value (all hidden units identical: see the symmetry warning)."""
    return _fill(tensor, np.full(tensor.shape, value))


def uniform_(tensor, a=0.0, b=1.0, rng=None):
    """Fill with U(a, b) samples."""
    return _fill(tensor, _rng(rng).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, rng=None):
    """Fill with N(mean, std²) samples."""
    return _fill(tensor, _rng(rng).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor, gain=1.0, rng=None):
    """Glorot: U(-a, a), a = gain·√(6 / (fan_in + fan_out)).

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.init.xavier_uniform_(cr.zeros((20, 30)))
        >>> bool(abs(w.numpy()).max() <= (6 / 50) ** 0.5)
        True
    """
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor, gain=1.0, rng=None):
    """Glorot: N(0, σ²), σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan_in, fan_out = _fans(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ChainruleError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He: U(-b, b), b = gain·√(3 / fan)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He: N(0, σ²), σ = gain / √fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)


INITIALIZERS = {"default": None, "zeros": zeros_, "xavier_uniform": xavier_uniform_,
                "xavier_normal": xavier_normal_, "kaiming_uniform": kaiming_uniform_,
                "kaiming_normal": kaiming_normal_, "normal": normal_, "uniform": uniform_}
