"""HIPS autograd's `check_grads` semantics, written against chainrule's transforms.

For a function f of one argument x (a pytree of arrays; `argnum` picks which
positional arguments form x), in each mode and up to `order`:

- rev: the VJP of f at x, applied to a random cotangent u, paired with a
  random direction v, must match u paired with the central finite
  difference of f along v (step 1e-6, tolerance 1e-6 absolute or relative);
- fwd: the JVP of f along v must match the same finite difference,
  compared through a random projection;
- order 2 and above: the same checks applied to (x, v) -> JVP(f, x, v) and
  to (x, u) -> VJP(f, x)(u), differentiated with respect to x AND the
  tangent / cotangent: the second half checks that the function `cr.vjp`
  returns is itself differentiable in its cotangent.

Complex outputs follow autograd's vector-space convention: the inner product
is Re(Σ conj(a)·b) and a cotangent is handed over conjugated.
"""

from __future__ import annotations

import itertools
import os

import numpy as onp

import chainrule as cr
from chainrule.tree import flatten, unflatten

EPS = 1e-6
TOL = 1e-6
RTOL = 1e-6
# Diagnosis only (never set in CI): cap the order, to tell first-order failures from second-order ones.
MAX_ORDER = int(os.environ.get("CHAINRULE_PORT_MAX_ORDER", "99"))


# ---- vector spaces of pytrees -----------------------------------------------------------
def _leaf_array(x):
    a = onp.asarray(x)
    return a if a.dtype.kind in "fc" else a.astype(onp.float64)


def as_floats(tree):
    """The tree with every leaf an ndarray of floats (ints and bools become float64)."""
    leaves, structure = flatten(tree)
    return unflatten(structure, [_leaf_array(leaf) for leaf in leaves])


def _leaves(tree):
    return [_leaf_array(leaf) for leaf in flatten(tree)[0]]


def space(tree):
    """What identifies a vector space: the structure, each leaf's shape and whether it is complex."""
    leaves, structure = flatten(tree)
    return repr(structure), [(onp.shape(a), _leaf_array(a).dtype.kind == "c") for a in leaves]


def randn_like(tree):
    """A standard-normal point of the tree's space (complex leaves get complex noise)."""
    leaves, structure = flatten(tree)
    out = []
    for leaf in leaves:
        a = _leaf_array(leaf)
        r = onp.random.randn(*a.shape)
        if a.dtype.kind == "c":
            r = r + 1j * onp.random.randn(*a.shape)
        out.append(r)
    return unflatten(structure, out)


def inner(a, b):
    """Re Σ conj(a)·b over all leaves."""
    return float(sum(onp.real(onp.vdot(x, y)) for x, y in zip(_leaves(a), _leaves(b))))


def axpy(alpha, x, y):
    """alpha·x + y, leafwise (x and y share a structure)."""
    leaves, structure = flatten(y)
    return unflatten(structure, [alpha * a + b for a, b in zip(_leaves(x), _leaves(y))])


def covector(tree):
    """The conjugate, leafwise (identity on real leaves)."""
    leaves, structure = flatten(tree)
    return unflatten(structure, [onp.conj(a) for a in _leaves(tree)])


def scalar_close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


# ---- the checks ---------------------------------------------------------------------------
def numerical_jvp(f, x):
    """v -> (f(x + v·eps/2) - f(x - v·eps/2)) / eps."""
    def jvp(v):
        plus = f(axpy(EPS / 2, v, x))
        minus = f(axpy(-EPS / 2, v, x))
        leaves, structure = flatten(plus)
        return unflatten(structure, [(p - m) / EPS for p, m in zip(_leaves(plus), _leaves(minus))])

    return jvp


def _vjp(f, x):
    y, back = cr.vjp(f, x)
    return (lambda u: back(u)[0]), y


def _jvp(f, x, v):
    return cr.jvp(f, (x,), (v,))


def check_vjp(f, x):
    vjp, y = _vjp(f, x)
    x_v, y_v = randn_like(x), randn_like(y)
    vjp_y = covector(vjp(covector(y_v)))
    assert space(vjp_y) == space(x), f"VJP of {_name(f)} has the wrong structure: {space(vjp_y)} vs {space(x)}"
    exact = inner(x_v, vjp_y)
    numeric = inner(y_v, numerical_jvp(f, x)(x_v))
    assert scalar_close(numeric, exact), (
        f"derivative (VJP) check of {_name(f)} failed:\nanalytic: {exact}\nnumeric:  {numeric}")


def check_jvp(f, x):
    v = randn_like(x)
    exact = _jvp(f, x, v)[1]
    numeric = numerical_jvp(f, x)(v)
    check_equivalent(exact, numeric)


def check_equivalent(a, b):
    assert space(a) == space(b), f"vector space mismatch:\n{space(a)}\n{space(b)}"
    w = randn_like(a)
    assert scalar_close(inner(a, w), inner(b, w)), f"value mismatch:\n{a}\n{b}"


def _check_unary(f, x, modes, order):
    order = min(order, MAX_ORDER)
    x = as_floats(x)
    if "fwd" in modes:
        check_jvp(f, x)
        if order > 1:
            def jvp_f(x, v):
                return _jvp(f, x, v)[1]

            jvp_f.__name__ = f"jvp_{_name(f)}"
            _check_unary(lambda xv: jvp_f(*xv), (x, randn_like(x)), modes, order - 1)
    if "rev" in modes:
        check_vjp(f, x)
        if order > 1:
            def vjp_f(x, u):
                return _vjp(f, x)[0](u)

            vjp_f.__name__ = f"vjp_{_name(f)}"
            _check_unary(lambda xu: vjp_f(*xu), (x, randn_like(f(x))), modes, order - 1)


def check_grads(fun, argnum=0, modes=None, order=2):
    """check_grads(fun, argnum, modes, order)(*args, **kwargs): autograd's gradient check.

    Example:
        >>> import chainrule.numpy as np
        >>> check_grads(np.sin)(0.3)
    """
    modes = ("fwd", "rev") if modes is None else tuple(modes)
    assert all(m in ("fwd", "rev") for m in modes)

    def check(*args, **kwargs):
        several = not isinstance(argnum, int)
        nums = tuple(argnum) if several else (argnum,)

        def unary(x):
            new = list(args)
            for n, value in zip(nums, x if several else (x,)):
                new[n] = value
            return fun(*new, **kwargs)

        unary.__name__ = _name(fun)
        x = tuple(args[n] for n in nums) if several else args[argnum]
        _check_unary(unary, x, modes, order)

    return check


def combo_check(fun, *check_args, **check_kwargs):
    """combo_check(fun, argnums, ...)(arg_lists..., kw=value_lists): check_grads on every combination."""
    def check(*arg_lists, **kwarg_lists):
        keyed = [[(k, v) for v in values] for k, values in kwarg_lists.items()]
        for args in itertools.product(*arg_lists):
            for kwargs in itertools.product(*keyed):
                check_grads(fun, *check_args, **check_kwargs)(*args, **dict(kwargs))

    return check


def _name(f):
    return getattr(f, "__name__", repr(f))
