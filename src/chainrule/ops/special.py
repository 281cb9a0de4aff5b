"""scipy.special functions as rows of the op table: forward by SciPy, rules by chainrule ops.

SciPy is optional: it is imported the first time one of these ops runs, and
its absence is reported then (`pip install "chainrule[scipy]"`). The rules
refer to each other (digamma' = polygamma(1, ·), j0' = -j1, ...), so every
derivative of every order is again a row of this table. Arguments that have
no rule here (the order `n` of polygamma, `a` of gammainc) are keyword
parameters or raise a clear error when they require grad: never a silent 0.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.registry import defop
from ..core.tensor import Tensor
from ._util import is_stand_in, value_of
from .activations import erf as _erf_row
from .elementwise import exp, log, log1p, sign, where

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_SCIPY_HINT = 'this function needs SciPy: pip install "chainrule[scipy]"'


def scipy_module(name="scipy.special"):
    """The SciPy module `name`, imported on first use; a clear ImportError when SciPy is absent.

    Example:
        >>> scipy_module("scipy.special").__name__
        'scipy.special'
    """
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"{name} is not installed: {_SCIPY_HINT}") from None


def passthrough(module, name, owner=None):
    """SciPy's `module`.[`owner`.]`name` on plain values, for the functions chainrule has no rule for.

    Modules use it as their __getattr__ (so `cr.special.comb` is SciPy's): a
    tensor that requires grad is refused, never silently detached; other
    tensors pass as arrays. Unknown and private names raise AttributeError.

    Example:
        >>> passthrough("scipy.special", "comb")(5, 2)
        np.float64(10.0)
    """
    label = f"{owner}.{name}" if owner else name
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        found = scipy_module(module)
    except ImportError:
        raise AttributeError(f"{label} needs SciPy: {_SCIPY_HINT}") from None
    target = getattr(getattr(found, owner, None), name, None) if owner else getattr(found, name, None)
    if not callable(target):
        raise AttributeError(f"{module}{'.' + owner if owner else ''} has no function {name!r}")

    def plain(v):
        if isinstance(v, Tensor):
            if is_stand_in(v):  # under vmap: its array is no example's values
                v._refuse()
            if v.requires_grad:
                raise TypeError(f"{label} has no derivative rule in chainrule; pass arrays (or tensors with "
                                ".detach())")
            return v._data
        return v

    def call(*args, **kwargs):
        return target(*[plain(a) for a in args], **{k: plain(v) for k, v in kwargs.items()})

    call.__name__, call.__doc__ = name, f"{module}.{label} on plain values (no derivative rule in chainrule)."
    return call


def _floating_dtype(*xs):
    """The float (or complex) dtype NumPy gives these inputs (float64 when none is)."""
    # Python numbers stay weak (NEP 50): a float order or shape parameter never promotes float32 inputs
    dtype = np.result_type(*[x if isinstance(x, (np.ndarray, int, float)) else np.asarray(x) for x in xs])
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def _scipy(fn_name):
    """A forward that calls scipy.special.<fn_name> and keeps the inputs' float dtype (float32 stays float32).

    SciPy runs on the host: a GPU array's values go there and the result comes back (backend.on_host)."""
    def forward(*xs):
        out = getattr(scipy_module(), fn_name)(*xs)
        return np.asarray(out, dtype=_floating_dtype(*xs))
    forward.__name__ = fn_name
    return backend.on_host(forward)


def _no_rule(op_name, arg):
    """A rule for an argument without a derivative: it raises instead of returning a silent zero."""
    def rule(*_args, **_params):
        raise ChainruleError(f"{op_name}: no derivative with respect to {arg}; pass it as a constant "
                             f"(an array, or a tensor with .detach())")
    return rule


def _unary(name, partial, notation, domain="real", convention=""):
    """The row of scipy.special.<name>, one input: its partial ∂out/∂x as a chainrule expression of (ans, x),
    and how trace tables write the function and the partial ({0} is the input, {out} the output)."""
    return defop(name, _scipy(name), partial=partial, notation=notation, domain=domain, convention=convention)


# ---- error function and normal distribution -----------------------------------
erf = _erf_row  # one row: ops/activations.py's, which needs no SciPy (GELU uses it)
erfc = _unary("erfc", lambda ans, x: (-2 / _SQRT_PI) * exp(-x * x), ("erfc {0}", "-2 exp(-{0}²) / √pi"))
erfinv = _unary("erfinv", lambda ans, x: (_SQRT_PI / 2) * exp(ans * ans), ("erfinv {0}", "0.5 √pi exp({out}²)"), "unit")
erfcinv = _unary("erfcinv", lambda ans, x: (-_SQRT_PI / 2) * exp(ans * ans),
                 ("erfcinv {0}", "-0.5 √pi exp({out}²)"), "positive", convention="defined for 0 < x < 2")
ndtr = _unary("ndtr", lambda ans, x: exp(-0.5 * x * x) / _SQRT_2PI, ("ndtr {0}", "exp(-{0}²/2) / √(2pi)"))
log_ndtr = _unary("log_ndtr", lambda ans, x: exp(-0.5 * x * x - ans) / _SQRT_2PI,
                  ("log_ndtr {0}", "exp(-{0}²/2 - {out}) / √(2pi)"))
ndtri = _unary("ndtri", lambda ans, x: _SQRT_2PI * exp(0.5 * ans * ans),
               ("ndtri {0}", "√(2pi) exp({out}²/2)"), "positive", convention="defined for 0 < x < 1")

# ---- gamma family ---------------------------------------------------------------
polygamma_op = defop(
    "polygamma", backend.on_host(lambda x, n: np.asarray(scipy_module().polygamma(n, x), dtype=_floating_dtype(x))),
    partial=lambda ans, x, n: polygamma_op(x, n=n + 1), notation=("polygamma(n, {0})", "polygamma(n + 1, {0})"),
    domain="positive")
digamma = _unary("digamma", lambda ans, x: polygamma_op(x, n=1), ("digamma {0}", "polygamma(1, {0})"), "positive")
gammaln = _unary("gammaln", lambda ans, x: digamma(x),
                 ("gammaln {0}", "digamma {0}"), "nonzero",
                 convention="log|Γ(x)|, as scipy: its derivative ψ(x) also for negative x")
gamma = _unary("gamma", lambda ans, x: ans * digamma(x), ("gamma {0}", "gamma({0}) digamma({0})"), "positive")
rgamma = _unary("rgamma", lambda ans, x: -ans * digamma(x), ("rgamma {0}", "-rgamma({0}) digamma({0})"), "positive")


def _digamma_difference(a, b):
    return digamma(a) - digamma(a + b)


betaln = defop(
    "betaln", _scipy("betaln"),
    partial=(lambda ans, a, b: _digamma_difference(a, b), lambda ans, a, b: _digamma_difference(b, a)),
    notation=("betaln({0}, {1})", "digamma {0} - digamma({0} + {1})", "digamma {1} - digamma({0} + {1})"),
    domain="positive")
beta = defop(
    "beta", _scipy("beta"),
    partial=(lambda ans, a, b: ans * _digamma_difference(a, b), lambda ans, a, b: ans * _digamma_difference(b, a)),
    notation=("beta({0}, {1})", "beta({0}, {1})(digamma {0} - digamma({0} + {1}))",
              "beta({0}, {1})(digamma {1} - digamma({0} + {1}))"),
    domain="positive")


def _of_numbers(value, *args):
    """A value computed from Python numbers only, as a Python number: it then combines with x on any device."""
    if all(isinstance(a, int | float) for a in args) and np.ndim(value) == 0:
        return float(value)
    return value


def _gammainc_dx(a, x):
    # x^(a-1) e^(-x) / Γ(a), in logs so large a and x stay finite
    return exp((a - 1) * log(x) - x - _of_numbers(gammaln(a), a))


gammainc = defop(
    "gammainc", _scipy("gammainc"),
    vjp=(_no_rule("gammainc", "a"), lambda g, ans, a, x: g * _gammainc_dx(a, x)),
    jvp=(_no_rule("gammainc", "a"), lambda t, ans, a, x: t * _gammainc_dx(a, x)),
    derivative="∂/∂x = x^(a-1) e^(-x) / Γ(a)", domain="positive",
    convention="no derivative with respect to a: an error if a requires grad")
gammaincc = defop(
    "gammaincc", _scipy("gammaincc"),
    vjp=(_no_rule("gammaincc", "a"), lambda g, ans, a, x: -g * _gammainc_dx(a, x)),
    jvp=(_no_rule("gammaincc", "a"), lambda t, ans, a, x: -t * _gammainc_dx(a, x)),
    derivative="∂/∂x = -x^(a-1) e^(-x) / Γ(a)", domain="positive",
    convention="no derivative with respect to a: an error if a requires grad")

gammasgn = defop("gammasgn", _scipy("gammasgn"), nondiff=True)


def _betainc_dx(a, b, x):
    # x^(a-1) (1-x)^(b-1) / B(a, b), in logs
    return exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - _of_numbers(betaln(a, b), a, b))


betainc = defop(
    "betainc", _scipy("betainc"),
    vjp=(_no_rule("betainc", "a"), _no_rule("betainc", "b"), lambda g, ans, a, b, x: g * _betainc_dx(a, b, x)),
    jvp=(_no_rule("betainc", "a"), _no_rule("betainc", "b"), lambda t, ans, a, b, x: t * _betainc_dx(a, b, x)),
    derivative="∂/∂x = x^(a-1) (1-x)^(b-1) / B(a, b), for 0 < x < 1", domain="positive",
    convention="no derivative with respect to a or b: an error if either requires grad")

# ---- logistic, logs and entropy ----------------------------------------------------
logit = _unary("logit", lambda ans, x: 1 / (x * (1 - x)),
               ("logit {0}", "1 / ({0}(1 - {0}))"), "positive", convention="defined for 0 < x < 1")


def _ratio_zero_where_numerator_zero(x, y):
    """x / y, exactly 0 where x is 0 (also where y is 0 too), as xlogy's own value is."""
    both_zero = (value_of(x) == 0) & (value_of(y) == 0)
    return x / where(both_zero, 1.0, y)


xlogy = defop(
    "xlogy", _scipy("xlogy"),
    partial=(lambda ans, x, y: log(y), lambda ans, x, y: _ratio_zero_where_numerator_zero(x, y)),
    notation=("{0} ln {1}", "ln {1}", "{0} / {1}"), convention="∂/∂y = 0 where x = 0, also at y = 0")
xlog1py = defop(
    "xlog1py", _scipy("xlog1py"),
    partial=(lambda ans, x, y: log1p(y), lambda ans, x, y: _ratio_zero_where_numerator_zero(x, 1 + y)),
    notation=("{0} ln(1 + {1})", "ln(1 + {1})", "{0} / (1 + {1})"), convention="∂/∂y = 0 where x = 0, also at y = -1")
entr = _unary("entr", lambda ans, x: -(log(x) + 1),
              ("-{0} ln {0}", "-(ln {0} + 1)"), "positive",
              convention="entr(0) = 0 with derivative +inf there; -inf for x < 0")

# ---- Bessel functions (derivatives with respect to x; the order is a parameter) -----
# Recurrences (DLMF 10.6.1, 10.29.1): C_v' = (C_{v-1} - C_{v+1})/2 for J and Y, I_v' = (I_{v-1} + I_{v+1})/2.
# The exponentially scaled ive(v, x) = iv(v, x)·exp(-|x|) adds -sign(x)·ive(v, x).
jv_op = defop("jv", lambda x, v: _scipy("jv")(v, x),
              partial=lambda ans, x, v: (jv_op(x, v=v - 1) - jv_op(x, v=v + 1)) / 2,
              notation=("jv(v, {0})", "(jv(v-1, {0}) - jv(v+1, {0}))/2"), domain="positive")
yv_op = defop("yv", lambda x, v: _scipy("yv")(v, x),
              partial=lambda ans, x, v: (yv_op(x, v=v - 1) - yv_op(x, v=v + 1)) / 2,
              notation=("yv(v, {0})", "(yv(v-1, {0}) - yv(v+1, {0}))/2"), domain="positive")
iv_op = defop("iv", lambda x, v: _scipy("iv")(v, x),
              partial=lambda ans, x, v: (iv_op(x, v=v - 1) + iv_op(x, v=v + 1)) / 2,
              notation=("iv(v, {0})", "(iv(v-1, {0}) + iv(v+1, {0}))/2"), domain="positive")


def _ive_dx(ans, x, v):
    return (ive_op(x, v=v - 1) + ive_op(x, v=v + 1)) / 2 - sign(x) * ans


_SCALED_KINK = "at x = 0 the factor exp(-|x|) takes the derivative of |x| as 0"
ive_op = defop("ive", lambda x, v: _scipy("ive")(v, x), partial=_ive_dx,
               notation=("ive(v, {0})", "(ive(v-1, {0}) + ive(v+1, {0}))/2 - sign({0}) ive(v, {0})"),
               domain="nonzero", convention=_SCALED_KINK)
j0 = _unary("j0", lambda ans, x: -j1(x), ("j0 {0}", "-j1({0})"))
j1 = _unary("j1", lambda ans, x: (j0(x) - jv_op(x, v=2)) / 2, ("j1 {0}", "(j0({0}) - jv(2, {0}))/2"))
y0 = _unary("y0", lambda ans, x: -y1(x), ("y0 {0}", "-y1({0})"), "positive")
y1 = _unary("y1", lambda ans, x: (y0(x) - yv_op(x, v=2)) / 2, ("y1 {0}", "(y0({0}) - yv(2, {0}))/2"), "positive")
i0 = _unary("i0", lambda ans, x: i1(x), ("i0 {0}", "i1({0})"))
i1 = _unary("i1", lambda ans, x: (i0(x) + iv_op(x, v=2)) / 2, ("i1 {0}", "(i0({0}) + iv(2, {0}))/2"))
i0e = _unary("i0e", lambda ans, x: i1e(x) - sign(x) * ans,
             ("i0e {0}", "i1e({0}) - sign({0}) i0e({0})"), convention=_SCALED_KINK)
i1e = _unary("i1e", lambda ans, x: (i0e(x) + ive_op(x, v=2)) / 2 - sign(x) * ans,
             ("i1e {0}", "(i0e({0}) + ive(2, {0}))/2 - sign({0}) i1e({0})"), convention=_SCALED_KINK)

# K: K_v' = -(K_{v-1} + K_{v+1})/2 (DLMF 10.29.1); kve(v, x) = kv(v, x)·exp(x) adds +kve(v, x)
kv_op = defop("kv", lambda x, v: _scipy("kv")(v, x),
              partial=lambda ans, x, v: -(kv_op(x, v=v - 1) + kv_op(x, v=v + 1)) / 2,
              notation=("kv(v, {0})", "-(kv(v-1, {0}) + kv(v+1, {0}))/2"), domain="positive")
kve_op = defop("kve", lambda x, v: _scipy("kve")(v, x),
               partial=lambda ans, x, v: ans - (kve_op(x, v=v - 1) + kve_op(x, v=v + 1)) / 2,
               notation=("kve(v, {0})", "kve(v, {0}) - (kve(v-1, {0}) + kve(v+1, {0}))/2"), domain="positive")
k0 = _unary("k0", lambda ans, x: -k1(x), ("k0 {0}", "-k1({0})"), "positive")
k1 = _unary("k1", lambda ans, x: -(k0(x) + kv_op(x, v=2)) / 2, ("k1 {0}", "-(k0({0}) + kv(2, {0}))/2"), "positive")
k0e = _unary("k0e", lambda ans, x: ans - k1e(x), ("k0e {0}", "k0e({0}) - k1e({0})"), "positive")
k1e = _unary("k1e", lambda ans, x: ans - (k0e(x) + kve_op(x, v=2)) / 2,
             ("k1e {0}", "k1e({0}) - (k0e({0}) + kve(2, {0}))/2"), "positive")

# ---- more exponential-type functions ----------------------------------------------------
erfcx = _unary("erfcx", lambda ans, x: 2 * x * ans - 2 / _SQRT_PI, ("erfcx {0}", "2 {0} erfcx({0}) - 2 / √pi"))
log_expit = _unary("log_expit", lambda ans, x: 1 - exp(ans), ("log_expit {0}", "1 - expit({0})"))
exp1 = _unary("exp1", lambda ans, x: -exp(-x) / x, ("exp1 {0}", "-exp(-{0}) / {0}"), "positive")
expi = _unary("expi", lambda ans, x: exp(x) / x, ("expi {0}", "exp({0}) / {0}"), "nonzero")

# t distribution's cdf (scipy.special.stdtr), differentiable in x: its derivative is the t density
stdtr = defop(
    "stdtr", _scipy("stdtr"),
    vjp=(_no_rule("stdtr", "df"), lambda g, ans, df, x: g * _t_density(df, x)),
    jvp=(_no_rule("stdtr", "df"), lambda t, ans, df, x: t * _t_density(df, x)),
    derivative="∂/∂x = the t density with df degrees of freedom",
    convention="no derivative with respect to df: an error if df requires grad")


def _t_density(df, x):
    log_norm = gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * log(df * math.pi)
    return exp(log_norm - (df + 1) / 2 * log1p(x * x / df))
