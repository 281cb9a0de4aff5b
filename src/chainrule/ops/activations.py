"""PyTorch's further activation functions: erf (a primitive) and composites built on the table.

`inplace=` is accepted where PyTorch takes it and changes nothing: the
result is always a new tensor (write `x = f(x)`, as PyTorch programs do).

GELU needs the error function, which NumPy lacks: SciPy's `erf` is used
when SciPy is installed (imported on first use), else the standard
library's `math.erf` applied elementwise (exact, slower).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.backend import as_array, on_host
from ..core.registry import defop
from ._util import constant_like, value_of
from .elementwise import exp, relu, sigmoid, softplus, tanh, where
from .elementwise import minimum as _minimum

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_erf_impl = None


def _erf(x):
    global _erf_impl
    if _erf_impl is None:
        try:
            from scipy.special import erf as _erf_impl
        except ImportError:  # exact, elementwise in Python
            _erf_impl = np.vectorize(math.erf, otypes=[np.float64])
    x = as_array(x)
    if x.dtype.kind == "c":  # complex erf needs SciPy's (the standard library's is real only)
        try:
            from scipy.special import erf as complex_erf
        except ImportError:
            raise ImportError('erf of a complex input needs SciPy: pip install "chainrule[scipy]"') from None
        return np.asarray(complex_erf(x))
    return np.asarray(_erf_impl(x)).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


# SciPy's erf (or math.erf): a GPU array's values go to the host and back
erf = defop("erf", on_host(_erf), partial=lambda ans, x: (2 / math.sqrt(math.pi)) * exp(-(x * x)),
            notation=("erf {0}", "2/√pi · exp(-{0}²)"))


def gelu(input, approximate="none"):
    """x·Φ(x), Φ the standard normal CDF; approximate='tanh' uses PyTorch's tanh formula.

    Example:
        >>> import chainrule as cr
        >>> round(cr.gelu(cr.tensor(1.0)).item(), 6)
        0.841345
    """
    if approximate == "tanh":
        return 0.5 * input * (1 + tanh(_SQRT_2_OVER_PI * (input + 0.044715 * input * input * input)))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return 0.5 * input * (1 + erf(input * (1 / math.sqrt(2.0))))


def silu(input, inplace=False):
    """x·σ(x) (also called swish).

    Example:
        >>> import chainrule as cr
        >>> round(cr.silu(cr.tensor(1.0)).item(), 6)
        0.731059
    """
    return input * sigmoid(input)


def mish(input, inplace=False):
    """x·tanh(softplus(x)).

    Example:
        >>> import chainrule as cr
        >>> round(cr.mish(cr.tensor(1.0)).item(), 6)
        0.865098
    """
    return input * tanh(softplus(input))


def logsigmoid(input):
    """log σ(x) = -softplus(-x), finite for very negative x.

    Example:
        >>> import chainrule as cr
        >>> round(cr.logsigmoid(cr.tensor(-1000.0)).item(), 1)
        -1000.0
    """
    return -softplus(-input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val] (derivative 0 outside, and at the corners, as PyTorch).

    Example:
        >>> import chainrule as cr
        >>> cr.hardtanh(cr.tensor([-2.0, 0.5, 3.0]))
        tensor([-1. ,  0.5,  1. ])
    """
    x = value_of(input)
    inside = (x > min_val) & (x < max_val)
    return where(inside, input, constant_like(np.where(x <= min_val, min_val, max_val), input))


def relu6(input, inplace=False):
    """min(max(0, x), 6).

    Example:
        >>> import chainrule as cr
        >>> cr.relu6(cr.tensor([-1.0, 3.0, 9.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6.

    Example:
        >>> import chainrule as cr
        >>> cr.hardsigmoid(cr.tensor([0.0]))
        tensor([0.5])
    """
    return hardtanh(input / 6 + 0.5, 0.0, 1.0)


def hardswish(input, inplace=False):
    """x·relu6(x + 3) / 6.

    Example:
        >>> import chainrule as cr
        >>> cr.hardswish(cr.tensor([1.0]))
        tensor([0.6666667])
    """
    return input * hardsigmoid(input)


def selu(input, inplace=False):
    """scale·elu(x, α) with PyTorch's constants α ≈ 1.6733, scale ≈ 1.0507.

    Example:
        >>> import chainrule as cr
        >>> round(cr.selu(cr.tensor(1.0)).item(), 6)
        1.050701
    """
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * (relu(input) + alpha * (exp(_minimum(input, 0.0)) - 1))


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, α(exp(x/α) - 1)).

    Example:
        >>> import chainrule as cr
        >>> round(cr.celu(cr.tensor(-1.0)).item(), 6)
        -0.632121
    """
    return relu(input) + alpha * (exp(_minimum(input, 0.0) / alpha) - 1)


def softsign(input):
    """x / (1 + |x|).

    Example:
        >>> import chainrule as cr
        >>> cr.softsign(cr.tensor([1.0]))
        tensor([0.5])
    """
    return input / (1 + abs(input))


def tanhshrink(input):
    """x - tanh(x).

    Example:
        >>> import chainrule as cr
        >>> round(cr.tanhshrink(cr.tensor(1.0)).item(), 6)
        0.238406
    """
    return input - tanh(input)


def softmin(input, dim=-1):
    """softmax(-x) along dim.

    Example:
        >>> import chainrule as cr
        >>> cr.softmin(cr.tensor([0.0, 0.0]))
        tensor([0.5, 0.5])
    """
    from .nn_ops import softmax

    return softmax(-input, axis=dim)


__all__ = ["erf", "gelu", "silu", "mish", "logsigmoid", "hardtanh", "relu6", "hardsigmoid", "hardswish", "selu",
           "celu", "softsign", "tanhshrink", "softmin"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "cr.")
