"""Activation modules PyTorch has besides those of nn.layers (GELU, SiLU, ...), each over its function."""

from __future__ import annotations

from ..ops import activations as A
from .module import Module


class _Activation(Module):
    _fn = None

    def __init__(self, **options):
        super().__init__()
        for key, value in options.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_options", tuple(options))

    def forward(self, x):
        return type(self)._fn(x, **{k: getattr(self, k) for k in self._options})

    def extra_repr(self):
        return ", ".join(f"{k}={getattr(self, k)!r}" for k in self._options)


def _simple(name, fn, doc):
    """A module class with no options: `inplace=` is taken and ignored, as it changes nothing here."""
    def __init__(self, inplace=False):
        _Activation.__init__(self)
    return type(name, (_Activation,), {"_fn": staticmethod(fn), "__init__": __init__, "__doc__": doc})


class GELU(_Activation):
    """x·Φ(x) (approximate='tanh' for the tanh formula).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.GELU()(cr.tensor(1.0)).item(), 6)
        0.841345
    """

    _fn = staticmethod(A.gelu)

    def __init__(self, approximate="none"):
        super().__init__(approximate=approximate)


class Hardtanh(_Activation):
    """x clipped to [min_val, max_val].

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Hardtanh()(cr.tensor([2.0])).tolist()
        [1.0]
    """

    _fn = staticmethod(A.hardtanh)

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(min_val=min_val, max_val=max_val)


class CELU(_Activation):
    """max(0, x) + min(0, α(exp(x/α) - 1)).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.CELU()(cr.tensor([1.0])).tolist()
        [1.0]
    """

    _fn = staticmethod(A.celu)

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(alpha=alpha)


class Softmin(_Activation):
    """softmax(-x) along dim.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Softmin(dim=0)(cr.tensor([0.0, 0.0])).tolist()
        [0.5, 0.5]
    """

    _fn = staticmethod(A.softmin)

    def __init__(self, dim=-1):
        super().__init__(dim=dim)


SiLU = _simple("SiLU", A.silu, """x·σ(x).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.SiLU()(cr.tensor(1.0)).item(), 6)
        0.731059
    """)
Mish = _simple("Mish", A.mish, """x·tanh(softplus(x)).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.Mish()(cr.tensor(1.0)).item(), 6)
        0.865098
    """)
LogSigmoid = _simple("LogSigmoid", A.logsigmoid, """log σ(x), stable.

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.LogSigmoid()(cr.tensor(0.0)).item(), 6)
        -0.693147
    """)
ReLU6 = _simple("ReLU6", A.relu6, """min(max(0, x), 6).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.ReLU6()(cr.tensor([9.0])).tolist()
        [6.0]
    """)
Hardsigmoid = _simple("Hardsigmoid", A.hardsigmoid, """relu6(x + 3) / 6.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Hardsigmoid()(cr.tensor([0.0])).tolist()
        [0.5]
    """)
Hardswish = _simple("Hardswish", A.hardswish, """x·relu6(x + 3) / 6.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Hardswish()(cr.tensor([3.0])).tolist()
        [3.0]
    """)
SELU = _simple("SELU", A.selu, """scale·elu(x, α), PyTorch's constants.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.SELU()(cr.tensor([0.0])).tolist()
        [0.0]
    """)
Softsign = _simple("Softsign", A.softsign, """x / (1 + |x|).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Softsign()(cr.tensor([1.0])).tolist()
        [0.5]
    """)
Tanhshrink = _simple("Tanhshrink", A.tanhshrink, """x - tanh(x).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Tanhshrink()(cr.tensor([0.0])).tolist()
        [0.0]
    """)


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([GELU, Hardtanh, CELU, Softmin, SiLU, Mish, LogSigmoid, ReLU6, Hardsigmoid,
                      Hardswish, SELU, Softsign, Tanhshrink], "nn.")
