"""Every primitive and composite op, with Tensor's operators attached."""

from ..core.engine_ops import broadcast_to as _broadcast_to_op
from ..core.registry import seal_builtins
from . import tensor_methods  # noqa: F401  (attaches operators to Tensor)
from .activations import (  # torch names: further activations
    celu,
    erf,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    log10,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
    tanhshrink,
)
from .complex_parts import angle, conj, imag, real
from .contractions import cross, einsum, inner, kron, tensordot, vdot  # linalg
from .conv import (  # torch names: convolution and pooling
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    max_pool1d,
    max_pool2d,
)
from .elementwise import (
    abs,
    add,
    clip,
    cos,
    div,
    elu,
    equal,
    exp,
    expm1,
    greater,
    greater_equal,
    leaky_relu,
    less,
    less_equal,
    log,
    log1p,
    maximum,
    minimum,
    mul,
    neg,
    not_equal,
    pow,
    relu,
    sigmoid,
    sign,
    sin,
    softplus,
    sqrt,
    step,
    sub,
    tan,
    tanh,
    where,
)
from .linalg import dot, matmul, outer
from .linalg_norm import euclidean_norm  # noqa: F401  (linalg: registers the numpy.linalg rows it builds on)
from .linalg_scipy import sqrtm as _sqrtm  # noqa: F401  (linalg: registers sqrtm and solve_sylvester)
from .nn_ops import linear, log_softmax, softmax, softmax_cross_entropy
from .reduce import argmax, argmin, logsumexp, max, mean, min, prod, std, sum, var
from .shape import (
    concatenate,
    expand_dims,
    flatten,
    index,
    permute,
    reshape,
    split,
    squeeze,
    stack,
    swapaxes,
    transpose,
)
from .torch_names import (  # torch names
    allclose,
    cat,
    clamp,
    clone,
    eq,
    histogram,
    is_tensor,
    isclose,
    movedim,
    numel,
    topk,
    unsqueeze,
)


def broadcast_to(x, shape):
    """Repeat x along new or size-1 axes to `shape`, as numpy.broadcast_to.

    Example:
        >>> import chainrule as cr
        >>> cr.broadcast_to(cr.ones(3), (2, 3)).shape
        (2, 3)
    """
    return _broadcast_to_op(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


seal_builtins()

divide, multiply, subtract, negative, power = div, mul, sub, neg, pow

__all__ = [
    "abs", "add", "clip", "cos", "div", "elu", "equal", "exp", "expm1", "greater", "greater_equal",
    "leaky_relu", "less", "less_equal", "log", "log1p", "maximum", "minimum", "mul", "neg",
    "not_equal", "pow", "relu", "sigmoid", "sign", "sin", "softplus", "sqrt", "step", "sub", "tan",
    "tanh", "where", "dot", "matmul", "outer", "log_softmax", "softmax", "linear", "softmax_cross_entropy",
    "argmax", "argmin",
    "logsumexp", "max", "mean", "min", "prod", "std", "sum", "var", "concatenate", "expand_dims",
    "flatten", "index", "permute", "reshape", "split", "squeeze", "stack", "swapaxes", "transpose",
    "broadcast_to", "divide", "multiply", "subtract", "negative", "power", "real", "imag", "conj", "angle",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "celu", "erf", "gelu", "hardsigmoid", "hardswish", "hardtanh", "log10", "logsigmoid",
    "mish", "relu6", "selu", "silu", "softmin", "softsign", "tanhshrink", "allclose", "cat", "clamp", "clone",
    "eq", "histogram", "is_tensor", "isclose", "movedim", "numel", "topk", "unsqueeze",
    # linalg
    "einsum", "tensordot", "inner", "vdot", "kron", "cross",
]
