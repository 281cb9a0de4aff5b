"""Elementwise primitives: forward, VJP and JVP side by side, one line each.

Read each `defop` as a row of the derivative table: `g` is the adjoint of
the output, `t` an input's tangent, `ans` the output. Kinks have declared
conventions (relu'(0) = 0, abs'(0) = 0, ties split evenly) tested in
tests/test_conventions.py.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..core.registry import defop
from ._util import value_of, zeros_like

# One input, one output of its shape and dtype, and rules that keep both: the
# sweep can take their adjoints as they come (defop's exact=True).
unary = partial(defop, exact=True)

# ---- arithmetic --------------------------------------------------------------
add = defop("add", np.add,
            vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: g),
            jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: t),
            derivative="∂/∂x = 1, ∂/∂y = 1")
sub = defop("sub", np.subtract,
            vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g),
            jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
            derivative="∂/∂x = 1, ∂/∂y = -1")
mul = defop("mul", np.multiply,
            vjp=(lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x),
            jvp=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
            derivative="∂/∂x = y, ∂/∂y = x")
div = defop("div", np.true_divide,
            vjp=(lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y),
            jvp=(lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y),
            derivative="∂/∂x = 1/y, ∂/∂y = -x/y²", domain="nonzero")
neg = unary("neg", np.negative, vjp=lambda g, ans, x: -g, jvp="linear", derivative="-1")


def _dpow_dbase(ans, x, y):
    # y * x**(y-1); 0 where the exponent is 0 (x**0 is constant, even at x = 0)
    if isinstance(y, (int, float)):
        return zeros_like(x) if y == 0 else y * x ** (y - 1)
    return where(value_of(y) == 0, 0.0, y * x ** (y - 1))


def _dpow_dexp(ans, x, y):
    # ans * ln x; at x = 0 the product is taken as 0 (as PyTorch): double where keeps ln finite
    return ans * log(where(value_of(x) == 0, 1.0, x))


pow = defop("pow", np.power,
            vjp=(lambda g, ans, x, y: g * _dpow_dbase(ans, x, y),
                 lambda g, ans, x, y: g * _dpow_dexp(ans, x, y)),
            jvp=(lambda t, ans, x, y: t * _dpow_dbase(ans, x, y),
                 lambda t, ans, x, y: t * _dpow_dexp(ans, x, y)),
            derivative="∂/∂x = y·x^(y-1), ∂/∂y = x^y·ln x", domain="positive",
            convention="∂/∂y at x = 0 is 0; ∂/∂x is 0 where y = 0")

# ---- exponentials and logarithms ---------------------------------------------
exp = unary("exp", np.exp, vjp=lambda g, ans, x: g * ans, jvp=lambda t, ans, x: t * ans,
            derivative="exp x")
log = unary("log", np.log, vjp=lambda g, ans, x: g / x, jvp=lambda t, ans, x: t / x,
            derivative="1/x", domain="positive")
log1p = unary("log1p", np.log1p, vjp=lambda g, ans, x: g / (1 + x), jvp=lambda t, ans, x: t / (1 + x),
              derivative="1/(1+x)", domain="positive")
expm1 = unary("expm1", np.expm1, vjp=lambda g, ans, x: g * (ans + 1),
              jvp=lambda t, ans, x: t * (ans + 1), derivative="exp x")
sqrt = unary("sqrt", np.sqrt, vjp=lambda g, ans, x: g / (2 * ans), jvp=lambda t, ans, x: t / (2 * ans),
             derivative="1/(2√x)", domain="positive")

# ---- trigonometric and hyperbolic --------------------------------------------
sin = unary("sin", np.sin, vjp=lambda g, ans, x: g * cos(x), jvp=lambda t, ans, x: t * cos(x),
            derivative="cos x")
cos = unary("cos", np.cos, vjp=lambda g, ans, x: -g * sin(x), jvp=lambda t, ans, x: -t * sin(x),
            derivative="-sin x")
tan = unary("tan", np.tan, vjp=lambda g, ans, x: g * (1 + ans * ans),
            jvp=lambda t, ans, x: t * (1 + ans * ans), derivative="1 + tan² x", domain="unit")
tanh = unary("tanh", np.tanh, vjp=lambda g, ans, x: g * (1 - ans * ans),
             jvp=lambda t, ans, x: t * (1 - ans * ans), derivative="1 - tanh² x")


def _sigmoid(x):
    # 1 / (1 + e^-x) with x clamped below at -ln(max float): e^-x never
    # overflows, so ±1e4 stay finite and warning-free. Below the clamp
    # (-709 in float64, -88 in float32) the value sits at 1/max-float (about
    # 1e-308 or 1e-38) instead of underflowing further: harmless for σ itself;
    # use log_softmax / softplus forms for log σ of very negative inputs.
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    floor = _SIGMOID_FLOOR.get(dtype) or _sigmoid_floor(dtype)
    s = np.asarray(np.maximum(x, floor, dtype=dtype))  # a fresh array, worked on in place
    np.negative(s, out=s)
    np.exp(s, out=s)
    s += 1
    return np.reciprocal(s, out=s)


_SIGMOID_FLOOR: dict = {}


def _sigmoid_floor(dtype):
    # stored as a scalar of the same dtype: no promotion, and cheaper than a Python float
    _SIGMOID_FLOOR[dtype] = floor = dtype.type(-float(np.log(np.finfo(dtype).max)) * (1 - 1e-6))
    return floor


sigmoid = unary("sigmoid", _sigmoid, vjp=lambda g, ans, x: g * ans * (1 - ans),
                jvp=lambda t, ans, x: t * ans * (1 - ans), derivative="σ(x)(1 - σ(x))",
                convention="inputs below -ln(max float) (-709 in float64) give σ ≈ 1/max float, not 0")

# ---- piecewise (activation functions) ----------------------------------------
abs = unary("abs", np.abs, vjp=lambda g, ans, x: g * sign(x), jvp=lambda t, ans, x: t * sign(x),
            derivative="sign x", convention="abs'(0) = 0")
sign = unary("sign", np.sign, vjp=lambda g, ans, x: zeros_like(g), jvp=lambda t, ans, x: zeros_like(t),
             derivative="0", convention="derivative 0 everywhere, also at 0")
step = unary("step", lambda x: (x >= 0).astype(np.result_type(x, np.float16)),
             vjp=lambda g, ans, x: zeros_like(g), jvp=lambda t, ans, x: zeros_like(t),
             derivative="0", convention="step(x) = 1 for x >= 0 else 0; derivative 0 everywhere, also at 0")
relu = unary("relu", lambda x: np.maximum(x, 0),
             vjp=lambda g, ans, x: select(value_of(x) > 0, g),
             jvp=lambda t, ans, x: where(value_of(x) > 0, t, 0),
             derivative="1 if x > 0 else 0", convention="relu'(0) = 0")
leaky_relu = defop(
    "leaky_relu", lambda x, negative_slope=0.01: np.where(x > 0, x, x * negative_slope),
    vjp=lambda g, ans, x, negative_slope=0.01: where(value_of(x) > 0, g, g * negative_slope),
    jvp=lambda t, ans, x, negative_slope=0.01: where(value_of(x) > 0, t, t * negative_slope),
    derivative="1 if x > 0 else negative_slope", convention="derivative at 0 is negative_slope (as PyTorch)")
elu = defop(
    "elu", lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
    vjp=lambda g, ans, x, alpha=1.0: where(value_of(x) > 0, g, g * (ans + alpha)),
    jvp=lambda t, ans, x, alpha=1.0: where(value_of(x) > 0, t, t * (ans + alpha)),
    derivative="1 if x > 0 else alpha·exp x", convention="derivative at 0 is alpha (1 for alpha = 1)")


def _softplus(x, beta=1.0, threshold=20.0):
    bx = x * beta
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)


softplus = defop(
    "softplus", _softplus,
    vjp=lambda g, ans, x, beta=1.0, threshold=20.0: where(
        value_of(x) * beta > threshold, g, g * sigmoid(x * beta)),
    jvp=lambda t, ans, x, beta=1.0, threshold=20.0: where(
        value_of(x) * beta > threshold, t, t * sigmoid(x * beta)),
    derivative="σ(beta·x)", convention="linear (derivative 1) where beta·x > threshold, as PyTorch")


def _split_ties(x, y):
    """Weights of x in max(x, y): 1 where x wins, 1/2 on ties, 0 where y wins."""
    x, y = value_of(x), value_of(y)
    return (x > y) + 0.5 * (x == y)


def _tie_share(d, share):
    return d * share.astype(value_of(d).dtype)


maximum = defop(
    "maximum", np.maximum,
    vjp=(lambda g, ans, x, y: _tie_share(g, _split_ties(x, y)),
         lambda g, ans, x, y: _tie_share(g, _split_ties(y, x))),
    jvp=(lambda t, ans, x, y: _tie_share(t, _split_ties(x, y)),
         lambda t, ans, x, y: _tie_share(t, _split_ties(y, x))),
    derivative="1 where the input is the larger", convention="ties split the gradient evenly")
minimum = defop(
    "minimum", np.minimum,
    vjp=(lambda g, ans, x, y: _tie_share(g, _split_ties(y, x)),
         lambda g, ans, x, y: _tie_share(g, _split_ties(x, y))),
    jvp=(lambda t, ans, x, y: _tie_share(t, _split_ties(y, x)),
         lambda t, ans, x, y: _tie_share(t, _split_ties(x, y))),
    derivative="1 where the input is the smaller", convention="ties split the gradient evenly")


def _inside(x, min, max):
    x = value_of(x)
    keep = np.ones(x.shape, dtype=bool)
    if min is not None:
        keep &= x >= min
    if max is not None:
        keep &= x <= max
    return keep


clip = defop(
    "clip", lambda x, min=None, max=None: x.copy() if min is None and max is None else np.clip(x, min, max),
    vjp=lambda g, ans, x, min=None, max=None: where(_inside(x, min, max), g, 0),
    jvp=lambda t, ans, x, min=None, max=None: where(_inside(x, min, max), t, 0),
    derivative="1 inside [min, max], 0 outside",
    convention="gradient passes at the bounds themselves (as PyTorch's clamp)")

where = defop(
    "where", np.where,
    vjp=(None, lambda g, ans, c, x, y: select(value_of(c), g), lambda g, ans, c, x, y: where(c, 0, g)),
    jvp=(None, lambda t, ans, c, x, y: where(c, t, 0), lambda t, ans, c, x, y: where(c, 0, t)),
    derivative="∂/∂x = [c], ∂/∂y = [not c]", convention="the condition has no derivative")


def select(mask, g):
    """`where(mask, g, 0)`: g where the bool `mask` holds, exactly 0 elsewhere (even where g is inf or nan).

    On arrays, a multiply by the mask is branch-free and runs about ten times
    faster than np.where on a large mixed mask (relu's backward, every step);
    np.where is kept for small arrays and wherever the product is not finite.

    Example:
        >>> import numpy as np
        >>> select(np.array([True, False]), np.array([2.0, np.inf]))
        array([2., 0.])
    """
    if type(g) is not np.ndarray or type(mask) is not np.ndarray or mask.dtype is not _BOOL:
        return where(mask, g, 0)
    if g.size >= _BRANCH_FREE_SIZE:
        out = g * mask
        if np.isfinite(out).all():
            return out
    return np.where(mask, g, 0.0)  # a float 0 keeps g's float dtype (NEP 50) and is quicker to resolve


_BRANCH_FREE_SIZE = 4096
_BOOL = np.dtype(np.bool_)  # native bool: a singleton, so `is` tells it apart


# ---- comparisons: bool results, no derivative ----------------------------------
less = defop("less", np.less, nondiff=True)
less_equal = defop("less_equal", np.less_equal, nondiff=True)
greater = defop("greater", np.greater, nondiff=True)
greater_equal = defop("greater_equal", np.greater_equal, nondiff=True)
equal = defop("equal", np.equal, nondiff=True)
not_equal = defop("not_equal", np.not_equal, nondiff=True)
