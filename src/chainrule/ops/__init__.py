"""Every primitive and composite op, with Tensor's operators attached."""

from ..core.engine_ops import broadcast_to as _broadcast_to_op
from ..core.registry import install_sequence_stacking, seal_builtins
from . import signal as _signal_rows  # noqa: F401  (convolve: public in chainrule.scipy.signal)
from . import special as _special_rows  # noqa: F401  (scipy.special rows: public in chainrule.special)
from . import tensor_methods  # noqa: F401  (attaches operators to Tensor)
from .activations import (  # torch names: further activations
    celu,
    erf,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
    tanhshrink,
)
from .arrays import (
    broadcast_arrays,
    diag,
    diagonal,
    flip,
    fliplr,
    flipud,
    full_like,
    moveaxis,
    pad,
    ravel,
    repeat,
    roll,
    rollaxis,
    rot90,
    take,
    take_along_axis,
    tile,
    tril,
    triu,
)
from .complex_parts import angle, conj, conjugate, imag, real
from .contractions import cross, einsum, inner, kron, tensordot, vdot  # linalg
from .conv import conv1d, conv2d  # torch names: convolution
from .cumulative import cumprod, cumsum, diff, gradient
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
from .exponential import (
    cbrt,
    exp2,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    reciprocal,
    square,
)
from .gather import gather, gather_adjoint  # noqa: F401  (indices as an input: batched under vmap)
from .joining import (
    append,
    array_split,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    dsplit,
    dstack,
    hsplit,
    hstack,
    row_stack,
    vsplit,
    vstack,
)
from .linalg import dot, matmul, outer
from .linalg_norm import euclidean_norm  # noqa: F401  (linalg: registers the numpy.linalg rows it builds on)
from .linalg_scipy import sqrtm as _sqrtm  # noqa: F401  (linalg: registers sqrtm and solve_sylvester)
from .nan_aware import (
    fmax,
    fmin,
    nan_to_num,
)
from .nn_ops import linear, log_softmax, softmax, softmax_cross_entropy
from .pooling import (  # torch names: pooling
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .reduce import argmax, argmin, logsumexp, mean, prod, std, sum, var
from .rounding import (
    around,
    ceil,
    fix,
    floor,
    fmod,
    mod,
    remainder,
    rint,
    round,
    trunc,
)
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
from .shape import stack_nested as _stack_nested
from .sorting import (
    argsort,
    median,
    partition,
    percentile,
    quantile,
    sort,
)
from .statistics import (
    amax,
    amin,
    average,
    convolve,
    corrcoef,
    cov,
    interp,
    nancumprod,
    nancumsum,
    nanmax,
    nanmean,
    nanmin,
    nanprod,
    nanstd,
    nansum,
    nanvar,
    ptp,
    select,
    trapezoid,
)
from .torch_extremes import max, min  # torch names: max(x), max(x, dim) -> (values, indices), max(a, b)
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
from .trigonometric import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    cosh,
    deg2rad,
    degrees,
    hypot,
    rad2deg,
    radians,
    sinc,
    sinh,
)


def broadcast_to(x, shape):
    """Repeat x along new or size-1 axes to `shape`, as numpy.broadcast_to.

    Example:
        >>> import chainrule as cr
        >>> cr.broadcast_to(cr.ones(3), (2, 3)).shape
        (2, 3)
    """
    return _broadcast_to_op(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


from . import devices as _device_rows  # noqa: E402, F401  (to_device; Tensor.to / .cpu() / .cuda())
from . import fft as _fft_rows  # noqa: E402, F401  (numpy.fft's rows; cr.fft is their namespace)

seal_builtins()
install_sequence_stacking(_stack_nested)  # cr.sum([x, 3 * x]) stacks the list differentiably

from .._keywords import explain_keywords  # noqa: E402

# every composite here takes PyTorch's dim= / keepdim= where it takes axis= / keepdims= (and the other way
# round), and names itself and its keywords for one it does not take (the table's rows: core.registry)
explain_keywords(globals(), [n for n in dir() if not n.startswith("_")], "cr.")

divide, multiply, subtract, negative, power = div, mul, sub, neg, pow
true_divide = div  # numpy.true_divide is numpy.divide
absolute = fabs = abs  # numpy's other names of abs (on real inputs)
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2  # NumPy 2's array-API names (and PyTorch's)
asinh, acosh, atanh = arcsinh, arccosh, arctanh

__all__ = [
    "abs", "add", "clip", "cos", "div", "elu", "equal", "exp", "expm1", "greater", "greater_equal",
    "leaky_relu", "less", "less_equal", "log", "log1p", "maximum", "minimum", "mul", "neg",
    "not_equal", "pow", "relu", "sigmoid", "sign", "sin", "softplus", "sqrt", "step", "sub", "tan",
    "tanh", "where", "dot", "matmul", "outer", "log_softmax", "softmax", "linear", "softmax_cross_entropy",
    "argmax", "argmin",
    "logsumexp", "max", "mean", "min", "prod", "std", "sum", "var", "concatenate", "expand_dims",
    "flatten", "index", "permute", "reshape", "split", "squeeze", "stack", "swapaxes", "transpose",
    "broadcast_to", "divide", "multiply", "subtract", "negative", "power",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "celu", "erf", "gelu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid",
    "mish", "relu6", "selu", "silu", "softmin", "softsign", "tanhshrink", "allclose", "cat", "clamp", "clone",
    "eq", "histogram", "is_tensor", "isclose", "movedim", "numel", "topk", "unsqueeze",
    # numpy surface (ops/cumulative.py, ...)
    "cumsum", "cumprod", "diff", "true_divide", "absolute", "fabs", "array_split", "hsplit", "vsplit", "dsplit",
    "fmax", "fmin", "nan_to_num", "broadcast_arrays", "nanmax", "nanmin", "nanprod", "nancumsum", "nancumprod",
    "trapezoid", "gradient", "real", "imag", "conj", "conjugate", "angle",
    "asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh",
    "ravel", "moveaxis", "rollaxis", "flip", "fliplr", "flipud", "rot90", "take", "take_along_axis", "roll",
    "tril", "triu", "repeat", "tile", "diagonal", "diag", "pad", "atleast_1d", "atleast_2d", "atleast_3d",
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "append", "full_like", "log2", "log10", "exp2",
    "square", "reciprocal", "cbrt", "logaddexp", "logaddexp2", "floor", "ceil", "rint", "trunc", "fix", "round",
    "around", "mod", "fmod", "remainder", "argsort", "sort", "partition", "quantile", "percentile", "median",
    "nansum", "nanmean", "nanvar", "nanstd", "average", "ptp", "cov", "corrcoef", "select", "interp",
    "convolve", "amax", "amin", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    "arctan2", "hypot", "sinc", "deg2rad", "rad2deg", "radians", "degrees",
    # linalg
    "einsum", "tensordot", "inner", "vdot", "kron", "cross",
]
