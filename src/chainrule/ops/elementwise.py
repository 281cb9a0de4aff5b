"""Elementwise primitives: each row of the notes' derivative table, once.

An elementwise op declares its partial derivative ∂out/∂input (`partial=`),
from which the table derives the VJP (g · ∂), the JVP (t · ∂), the trace
notation and the docs column. Only ops whose rules are not "times the
partial" (add and sub pass the adjoint on untouched, relu and where select
it, abs of a complex number conjugates) declare their rules themselves.
Kinks have declared conventions (relu'(0) = 0, abs'(0) = 0, ties split
evenly) tested in tests/test_conventions.py.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, like
from ..core.engine_ops import conj, real
from ..core.registry import defop
from ._util import READ_ONLY_ZEROS, read_only_zero, value_of, zeros_like

# ---- arithmetic --------------------------------------------------------------
add = defop("add", np.add,
            vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: g),
            jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: t),
            notation=("{0} + {1}", ("{g} × 1", "{g} × 1"), ("{t}", "{t}")),
            derivative="∂/∂x = 1, ∂/∂y = 1")
sub = defop("sub", np.subtract,
            vjp=(lambda g, ans, x, y: g, lambda g, ans, x, y: -g),
            jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
            notation=("{0} - {1}", ("{g} × 1", "{g} × (-1)"), ("{t}", "-{t}")),
            derivative="∂/∂x = 1, ∂/∂y = -1")
mul = defop("mul", np.multiply, partial=(lambda ans, x, y: y, lambda ans, x, y: x),
            notation=("{0} × {1}", "{1}", "{0}"))
div = defop("div", np.true_divide,  # g / y, not g · (1/y): one division instead of two ops
            vjp=(lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y),
            jvp=(lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y),
            notation=("{0} / {1}", ("{g} / {1}", "-{g} × {out} / {1}"), ("{t} / {1}", "-{t} × {out} / {1}")),
            derivative="∂/∂x = 1/y, ∂/∂y = -x/y²", domain="nonzero")
neg = defop("neg", np.negative, vjp=lambda g, ans, x: -g, jvp="linear",
            notation=("-{0}", ("-{g}",), ("-{t}",)), derivative="-1")


def _dpow_dbase(ans, x, y):
    # y * x**(y-1); 0 where the exponent is 0 (x**0 is constant, even at x = 0)
    if isinstance(y, (int, float)):
        return zeros_like(x) if y == 0 else y * x ** (y - 1)
    return where(value_of(y) == 0, 0.0, y * x ** (y - 1))


def _dpow_dexp(ans, x, y):
    # x^y ln x; at x = 0 it is taken as 0 (as PyTorch), also where x^y is inf (y < 0):
    # the inner where keeps ln finite, the outer one drops inf · 0
    at_zero = value_of(x) == 0
    return where(at_zero, 0.0, ans * log(where(at_zero, 1.0, x)))


pow = defop("pow", np.power, partial=(_dpow_dbase, _dpow_dexp),
            notation=("{0} ^ {1}", "{1} × {0} ^ ({1} - 1)", "{out} × ln {0}"),
            convention="∂/∂y at x = 0 is 0; ∂/∂x is 0 where y = 0")

# ---- exponentials and logarithms ---------------------------------------------
exp = defop("exp", np.exp, partial=lambda ans, x: ans, notation=("exp {0}", "exp {0}"))
log = defop("log", np.log, partial=lambda ans, x: 1 / x, notation=("ln {0}", "1 / {0}"), domain="positive")
log1p = defop("log1p", np.log1p, partial=lambda ans, x: 1 / (1 + x),
              notation=("ln(1 + {0})", "1 / (1 + {0})"), domain="positive")
expm1 = defop("expm1", np.expm1, partial=lambda ans, x: ans + 1, notation=("exp {0} - 1", "exp {0}"))
sqrt = defop("sqrt", np.sqrt, partial=lambda ans, x: 0.5 / ans, notation=("√{0}", "1 / (2 √{0})"),
             domain="positive")

# ---- trigonometric and hyperbolic --------------------------------------------
sin = defop("sin", np.sin, partial=lambda ans, x: cos(x), notation=("sin {0}", "cos {0}"))
cos = defop("cos", np.cos, partial=lambda ans, x: -sin(x), notation=("cos {0}", "-sin {0}"))
tan = defop("tan", np.tan, partial=lambda ans, x: 1 + ans * ans, notation=("tan {0}", "1 + tan² {0}"),
            domain="unit")
tanh = defop("tanh", np.tanh, partial=lambda ans, x: 1 - ans * ans, notation=("tanh {0}", "1 - tanh² {0}"))


def _sigmoid(x):
    # 1 / (1 + e^-x) with x clamped below at -ln(max float): e^-x never
    # overflows, so ±1e4 stay finite and warning-free. Below the clamp
    # (-709 in float64, -88 in float32) the value sits at 1/max-float (about
    # 1e-308 or 1e-38) instead of underflowing further: harmless for σ itself;
    # use log_softmax / softplus forms for log σ of very negative inputs.
    # float16 works in float32: its range is too narrow (σ(-12) = 6e-6 needs e^12).
    x = as_array(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    work = np.dtype(np.float32) if dtype == np.float16 else dtype
    floor = _SIGMOID_FLOOR.get(work) or _sigmoid_floor(work)
    s = as_array(np.maximum(x, floor, dtype=work))  # a fresh array, worked on in place
    np.negative(s, out=s)
    np.exp(s, out=s)
    s += 1
    s = np.reciprocal(s, out=s)
    return s if work is dtype else s.astype(dtype)


_SIGMOID_FLOOR: dict = {}


def _sigmoid_floor(dtype):
    # stored as a scalar of the same dtype: no promotion, and cheaper than a Python float
    _SIGMOID_FLOOR[dtype] = floor = dtype.type(-float(np.log(np.finfo(dtype).max)) * (1 - 1e-6))
    return floor


sigmoid = defop("sigmoid", _sigmoid, partial=lambda ans, x: ans * (1 - ans),
                notation=("σ({0})", "σ({0})(1 - σ({0}))"),
                convention="inputs below -ln(max float) (-709 in float64) give σ ≈ 1/max float, not 0; "
                           "float16 is computed in float32")

# ---- piecewise (activation functions) ----------------------------------------
def _sign_of(x):
    """The partial of |x|: sign x, or conj(x / |x|) for complex x (the conjugate convention)."""
    if value_of(x).dtype.kind != "c":
        return sign(x)  # constant where it is differentiable: its own derivative is 0
    # z / |z| changes with z, so it is written with differentiable ops (second derivatives need its own
    # derivative; the sign op's is 0); 0 at z = 0, as np.sign
    at_zero = value_of(x) == 0
    return conj(where(at_zero, 0.0, x / where(at_zero, 1.0, abs(x))))


abs = defop("abs", np.abs,
            vjp=lambda g, ans, x: g * _sign_of(x),
            jvp=lambda t, ans, x: real(t * _sign_of(x)) if value_of(x).dtype.kind == "c" else t * sign(x),
            notation=("|{0}|", ("{g} × sign {0}",), ("{t} × sign {0}",)),
            derivative="sign x", convention="abs'(0) = 0; for complex z, conj(z / |z|)")
sign = defop("sign", np.sign, partial=lambda ans, x: zeros_like(x), notation=("sign {0}", "0"),
             convention="derivative 0 everywhere, also at 0")
step = defop("step", lambda x: (x >= 0).astype(np.result_type(x, np.float16)),
             partial=lambda ans, x: zeros_like(x), notation=("step {0}", "0"),
             convention="step(x) = 1 for x >= 0 else 0; derivative 0 everywhere, also at 0")


def _select(mask, g):
    """`where(mask, g, 0)` on arrays: g where the bool `mask` holds, exactly 0 elsewhere (even where g is inf).

    A multiply by the mask is branch-free and runs about ten times faster than
    np.where on a large mixed mask (relu's backward, every step); np.where is
    kept for small arrays and wherever the product is not finite.
    """
    if g.size >= _BRANCH_FREE_SIZE:
        out = g * mask
        if np.isfinite(out).all():
            return out
    # a 0-d zero of g's own float dtype: np.where resolves it faster than a Python 0.0 (other array types and
    # dtypes get the Python float, which keeps a float dtype too, NEP 50)
    zero = READ_ONLY_ZEROS.get(g.dtype) if type(g) is np.ndarray else None  # (the cache read first: every step)
    if zero is None:
        zero = read_only_zero(g.dtype) if type(g) is np.ndarray and g.dtype.kind in "fc" else 0.0
    return np.where(mask, g, zero)


_BRANCH_FREE_SIZE = 4096

relu = defop("relu", lambda x: np.maximum(x, 0),
             vjp=lambda g, ans, x: where(value_of(x) > 0, g, 0.0),
             jvp=lambda t, ans, x: where(value_of(x) > 0, t, 0.0),
             array_vjp=lambda g, ans, x: _select(x > 0, g),
             notation=("relu {0}", ("{g} × [{0} > 0]",), ("{t} × [{0} > 0]",)),
             derivative="1 if x > 0 else 0", convention="relu'(0) = 0")


def _leaky_relu(x, negative_slope=0.01):
    return np.where(x >= 0, x, x * negative_slope)


leaky_relu = defop(
    "leaky_relu", _leaky_relu,
    partial=lambda ans, x, negative_slope=0.01: where(value_of(x) >= 0, 1.0, negative_slope),
    notation=("leaky_relu {0}", "leaky_relu' {0}"),
    derivative="1 if x >= 0 else negative_slope",
    convention="derivative at 0 is 1, as the notes' table (PyTorch uses negative_slope there)")
elu = defop(
    "elu", lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
    # alpha·e^x below 0, not ans + alpha: that sum loses everything below float epsilon (e^-20 in float32)
    partial=lambda ans, x, alpha=1.0: where(value_of(x) > 0, 1.0, alpha * exp(minimum(x, 0.0))),
    notation=("elu {0}", "elu' {0}"),
    derivative="1 if x > 0 else alpha·exp x", convention="derivative at 0 is alpha (1 for alpha = 1)")


def _softplus(x, beta=1.0, threshold=20.0):
    bx = x * beta
    return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta)


softplus = defop(
    "softplus", _softplus,
    partial=lambda ans, x, beta=1.0, threshold=20.0: where(value_of(x) * beta > threshold, 1.0, sigmoid(x * beta)),
    notation=("softplus {0}", "σ({0})"),
    derivative="σ(beta·x)", convention="linear (derivative 1) where beta·x > threshold, as PyTorch")


def _share_of_first(x, y):
    """∂max(x, y)/∂x: 1 where x wins, 1/2 on ties, 0 where y wins (a constant in x's dtype)."""
    # a Python number stays one (np.asarray would make it a host array, which a GPU array refuses to meet)
    xv, yv = (v if isinstance(v, int | float) else value_of(v) for v in (x, y))
    return ((xv > yv) + 0.5 * (xv == yv)).astype(np.result_type(xv, yv, np.float16))


maximum = defop(
    "maximum", np.maximum,
    partial=(lambda ans, x, y: _share_of_first(x, y), lambda ans, x, y: _share_of_first(y, x)),
    notation=("max({0}, {1})", "[{0} > {1}] + ½[{0} = {1}]", "[{1} > {0}] + ½[{0} = {1}]"),
    convention="ties split the gradient evenly")
minimum = defop(
    "minimum", np.minimum,
    partial=(lambda ans, x, y: _share_of_first(y, x), lambda ans, x, y: _share_of_first(x, y)),
    notation=("min({0}, {1})", "[{0} < {1}] + ½[{0} = {1}]", "[{1} < {0}] + ½[{0} = {1}]"),
    convention="ties split the gradient evenly")


def _inside(x, min, max):
    # comparisons and products (not in-place NumPy), so a batch of x under vmap is masked as a batch
    x = value_of(x)
    keep = None
    if min is not None:
        keep = x >= min
    if max is not None:
        keep = x <= max if keep is None else keep * (x <= max)
    return np.ones(np.shape(x), dtype=x.dtype, like=like(x)) if keep is None else keep.astype(x.dtype)


clip = defop(
    "clip", lambda x, min=None, max=None: x.copy() if min is None and max is None else np.clip(x, min, max),
    partial=lambda ans, x, min=None, max=None: _inside(x, min, max),
    notation=("clip({0})", "[min ≤ {0} ≤ max]"),
    derivative="1 inside [min, max], 0 outside",
    convention="gradient passes at the bounds themselves (as PyTorch's clamp)")

def _mask(c):
    """The condition as a boolean array of its own library (np.asarray would pull a CuPy array to the host)."""
    return np.asarray(c, dtype=bool) if type(c) is np.ndarray else as_array(c).astype(bool, copy=False)


where = defop(
    "where", np.where,
    vjp=(None, lambda g, ans, c, x, y: where(c, g, 0.0), lambda g, ans, c, x, y: where(c, 0.0, g)),
    jvp=(None, lambda t, ans, c, x, y: where(c, t, 0.0), lambda t, ans, c, x, y: where(c, 0.0, t)),
    array_vjp=(None, lambda g, ans, c, x, y: _select(_mask(c), g),
               lambda g, ans, c, x, y: np.where(c, 0.0, g)),
    notation=("where({0}, {1}, {2})", ("", "{g} × [{0}]", "{g} × [not {0}]"),
              ("", "{t} × [{0}]", "{t} × [not {0}]")),
    derivative="∂/∂x = [c], ∂/∂y = [not c]", convention="the condition has no derivative")


# ---- comparisons: bool results, no derivative ----------------------------------
less = defop("less", np.less, nondiff=True)
less_equal = defop("less_equal", np.less_equal, nondiff=True)
greater = defop("greater", np.greater, nondiff=True)
greater_equal = defop("greater_equal", np.greater_equal, nondiff=True)
equal = defop("equal", np.equal, nondiff=True)
not_equal = defop("not_equal", np.not_equal, nondiff=True)
