"""Function transforms with JAX's names and semantics, built on the two sweeps.

`grad` -> `value_and_grad` -> `vjp` (reverse mode); `jvp` (forward mode);
`jacrev`, `jacfwd`, `hessian = jacfwd(jacrev(f))`, `hvp` (forward over reverse).

Each call of a transform is a level of its own. Forward mode keys tangents by
level (see core/forward.py). Reverse mode gives the call fresh aliases of its
inputs and sweeps back only as far as those aliases, returning their
adjoints without touching any `.grad`: so in `grad(lambda x: x * grad(lambda
y: x + y)(1.0))(1.0)` the inner sweep never credits x, and the answer is 1.
The inner sweep records its own arithmetic whenever something outside could
still differentiate it, which is what makes grad of grad work.
"""

from __future__ import annotations

import numpy as np

from .core import forward
from .core.engine_ops import alias
from .core.errors import ChainruleError
from .core.modes import enable_grad, grad_enabled
from .core.registry import defop
from .core.reverse import backward_pass
from .core.tensor import Tensor
from .tree import flatten, unflatten


# ---- inputs and outputs -------------------------------------------------------
def _fresh_input(x):
    """A tensor standing for x that requires grad, keeping x's graph and tangents."""
    if isinstance(x, Tensor):
        if x.dtype.kind != "f":
            raise ChainruleError(f"cannot differentiate with respect to a {x.dtype} input; pass floats")
        with enable_grad():
            a = alias(x)
        a._rg = True
        return a
    array = np.asarray(x)
    if array.dtype.kind in "iub" and not isinstance(x, np.ndarray):
        array = array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ChainruleError(f"cannot differentiate with respect to a {array.dtype} input; pass floats")
    return Tensor._wrap(array).requires_grad_()


def _argnums_tuple(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise ChainruleError(f"argnums={argnums} but the function got {nargs} positional arguments")
    return nums


def _prepare(args, argnums):
    """Replace the differentiated arguments by fresh inputs; return (args, inputs, rebuild)."""
    nums = _argnums_tuple(argnums, len(args))
    args = list(args)
    inputs, structures = [], []
    for n in nums:
        leaves, structure = flatten(args[n])
        fresh = [_fresh_input(leaf) for leaf in leaves]
        inputs.append(fresh)
        structures.append(structure)
        args[n] = unflatten(structure, fresh)
    return args, nums, inputs, structures


def _scalar_output(out, name):
    if not isinstance(out, Tensor):
        out = Tensor._wrap(np.asarray(out, dtype=np.float64))
    if out.size != 1:
        raise ChainruleError(f"{name} needs a function with a scalar output, got shape {out.shape}; "
                             "use jacrev / jacobian for vector outputs, or vjp with a cotangent")
    return out


def _reverse(outputs, cotangents, inputs, could_escape):
    """Adjoints of `inputs` (flat list), zeros where an input does not matter."""
    roots = [(o, c) for o, c in zip(outputs, cotangents) if isinstance(o, Tensor) and o._rg]
    if not roots:
        return [Tensor._wrap(np.zeros_like(x._data)) for x in inputs]
    create = (True if could_escape else None) if grad_enabled() else False
    grads = backward_pass([r for r, _ in roots], [c for _, c in roots], targets=inputs,
                          create_graph=create, retain_graph=True)
    return [Tensor._wrap(np.zeros_like(x._data)) if g is None else
            (g if isinstance(g, Tensor) else Tensor._wrap(g)) for g, x in zip(grads, inputs)]


def _originals_require_grad(args, nums):
    return any(isinstance(leaf, Tensor) and leaf._rg
               for n in nums for leaf in flatten(args[n])[0])


# ---- reverse mode ---------------------------------------------------------------
def value_and_grad(f, argnums=0, has_aux=False):
    """f's value together with its gradient (see `grad`).

    Example:
        >>> import chainrule as cr
        >>> value, g = cr.value_and_grad(lambda x: x ** 3)(2.0)
        >>> float(value), float(g)
        (8.0, 12.0)
    """
    def wrapped(*args, **kwargs):
        new_args, nums, inputs, structures = _prepare(args, argnums)
        with enable_grad():
            out = f(*new_args, **kwargs)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise ChainruleError("has_aux=True needs f to return a pair (output, aux)")
            out, aux = out
        out = _scalar_output(out, "grad")
        flat = [x for group in inputs for x in group]
        grads = _reverse([out], [np.ones(out.shape, out.dtype)], flat,
                         _originals_require_grad(args, nums))
        results, k = [], 0
        for group, structure in zip(inputs, structures):
            results.append(unflatten(structure, grads[k:k + len(group)]))
            k += len(group)
        g = results[0] if isinstance(argnums, int) else tuple(results)
        return ((out, aux), g) if has_aux else (out, g)

    wrapped.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return wrapped


def grad(f, argnums=0, has_aux=False):
    """The gradient of a scalar function, as a new function (JAX's `grad`).

    `argnums` picks the differentiated positional argument(s); each may be a
    Tensor, ndarray or float, or a tuple, list or dict of them, and its
    gradient comes back in the same structure. Higher derivatives nest:
    `grad(grad(f))`.

    Example:
        >>> import chainrule as cr
        >>> df = cr.grad(lambda x: x * cr.sin(x))
        >>> round(float(df(0.5)), 6)
        0.918217
        >>> float(cr.grad(cr.grad(lambda x: x ** 3))(2.0))
        12.0
    """
    vg = value_and_grad(f, argnums, has_aux)

    def wrapped(*args, **kwargs):
        out, g = vg(*args, **kwargs)
        return (g, out[1]) if has_aux else g

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return wrapped


def vjp(f, *primals):
    """(f(*primals), vjp_fn): vjp_fn(cotangent) gives one adjoint per primal.

    Example:
        >>> import chainrule as cr
        >>> out, back = cr.vjp(lambda x, y: x * y, 2.0, 3.0)
        >>> [float(g) for g in back(1.0)]
        [3.0, 2.0]
    """
    new_args, nums, inputs, structures = _prepare(primals, tuple(range(len(primals))))
    with enable_grad():
        out = f(*new_args)
    out_leaves, out_structure = flatten(out)
    flat = [x for group in inputs for x in group]
    escape = _originals_require_grad(primals, nums)

    def vjp_fn(cotangent):
        cot_leaves, _ = flatten(cotangent)
        if len(cot_leaves) != len(out_leaves):
            raise ChainruleError(f"vjp_fn got {len(cot_leaves)} cotangents for {len(out_leaves)} outputs")
        seeds = []
        for o, c in zip(out_leaves, cot_leaves):
            c = c._data if isinstance(c, Tensor) else np.asarray(c, dtype=np.asarray(o).dtype)
            if c.shape != np.shape(o):
                c = np.broadcast_to(c, np.shape(o)).copy() if c.ndim == 0 else c
                if c.shape != np.shape(o):
                    raise ChainruleError(f"cotangent shape {c.shape} does not match output shape {np.shape(o)}")
            seeds.append(c)
        grads = _reverse(out_leaves, seeds, flat, escape)
        results, k = [], 0
        for group, structure in zip(inputs, structures):
            results.append(unflatten(structure, grads[k:k + len(group)]))
            k += len(group)
        return tuple(results)

    return out, vjp_fn


# ---- forward mode ---------------------------------------------------------------
def jvp(f, primals, tangents):
    """(f(*primals), J·tangents) in one forward pass, no tape (forward mode).

    Example:
        >>> import chainrule as cr
        >>> out, t = cr.jvp(cr.sin, (0.0,), (1.0,))
        >>> float(out), float(t)
        (0.0, 1.0)
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ChainruleError(f"jvp got {len(primals)} primals but {len(tangents)} tangents")
    with forward.open_level() as level:
        args = []
        for p, t in zip(primals, tangents):
            p_leaves, structure = flatten(p)
            t_leaves, _ = flatten(t)
            if len(p_leaves) != len(t_leaves):
                raise ChainruleError("each tangent must have the structure of its primal")
            seeded = []
            for pl, tl in zip(p_leaves, t_leaves):
                x = pl if isinstance(pl, Tensor) else _fresh_input(pl).detach()
                tv = tl._data if isinstance(tl, Tensor) else np.asarray(tl, dtype=x.dtype)
                if tv.shape != x.shape:
                    raise ChainruleError(f"tangent shape {tv.shape} does not match primal shape {x.shape}")
                seeded.append(forward.seed(x, level, tl if isinstance(tl, Tensor) else tv))
            args.append(unflatten(structure, seeded))
        out = f(*args)
        out_leaves, out_structure = flatten(out)
        outs, touts = [], []
        for o in out_leaves:
            if not isinstance(o, Tensor):
                o = Tensor._wrap(np.asarray(o))
            touts.append(forward.tangent_of(o, level, zeros=True))
            outs.append(forward.unseed(o, level))
    return unflatten(out_structure, outs), unflatten(out_structure, touts)


# ---- Jacobians and second order ---------------------------------------------------
def _single_input(args, argnums, name):
    nums = _argnums_tuple(argnums, len(args))
    if len(nums) != 1:
        raise ChainruleError(f"{name} takes one argnum")
    return nums[0]


def jacrev(f, argnums=0):
    """Jacobian by reverse mode: one VJP per output element.

    The result has shape output.shape + input.shape.

    Example:
        >>> import chainrule as cr
        >>> cr.jacrev(lambda x: x ** 2)(cr.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    def jac(*args):
        n = _single_input(args, argnums, "jacrev")
        out, back = vjp(lambda x: f(*args[:n], x, *args[n + 1:]), args[n])
        out = _as_output(out, "jacrev")
        rows = []
        for k in range(out.size):
            basis = np.zeros(out.size, dtype=out.dtype)
            basis[k] = 1.0
            rows.append(back(basis.reshape(out.shape))[0])
        from .ops import reshape, stack

        x_shape = np.shape(rows[0]) if rows else np.shape(args[n])
        if not rows:
            return Tensor._wrap(np.zeros(out.shape + x_shape))
        return reshape(stack(rows), out.shape + x_shape)

    return jac


def jacfwd(f, argnums=0):
    """Jacobian by forward mode: one JVP per input element.

    Example:
        >>> import chainrule as cr
        >>> cr.jacfwd(lambda x: x ** 2)(cr.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    def jac(*args):
        n = _single_input(args, argnums, "jacfwd")
        x = args[n]
        x = x if isinstance(x, Tensor) else _fresh_input(x).detach()
        columns, out = [], None
        for k in range(x.size):
            basis = np.zeros(x.size, dtype=x.dtype)
            basis[k] = 1.0
            out, col = jvp(lambda xi: f(*args[:n], xi, *args[n + 1:]), (x,), (basis.reshape(x.shape),))
            columns.append(_as_output(col, "jacfwd"))
        from .ops import reshape, stack

        if not columns:
            out = _as_output(f(*args), "jacfwd")
            return Tensor._wrap(np.zeros(out.shape + x.shape))
        out = _as_output(out, "jacfwd")
        moved = stack(columns, axis=-1)  # output axes, then the flattened input axis
        return reshape(moved, out.shape + x.shape)

    return jac


jacobian = jacrev


def _as_output(out, name):
    if isinstance(out, (tuple, list, dict)):
        raise ChainruleError(f"{name} needs a function returning one array, got a {type(out).__name__}")
    return out if isinstance(out, Tensor) else Tensor._wrap(np.asarray(out))


def hessian(f, argnums=0):
    """Matrix of second derivatives: jacfwd of jacrev (forward over reverse).

    Example:
        >>> import chainrule as cr
        >>> cr.hessian(lambda x: (x ** 3).sum())(cr.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f, primals, tangents):
    """(f(*primals), H·tangents) forward-over-reverse, never forming H.

    Example:
        >>> import chainrule as cr
        >>> value, hv = cr.hvp(lambda x: (x ** 3).sum(), (cr.tensor([1.0, 2.0]),),
        ...                    (cr.tensor([1.0, 0.0]),))
        >>> float(value), hv
        (9.0, tensor([6., 0.]))
    """
    primals, tangents = tuple(primals), tuple(tangents)
    argnums = tuple(range(len(primals)))
    (value, g), (_, hv) = jvp(lambda *p: value_and_grad(f, argnums)(*p), primals, tangents)
    return value, (hv[0] if len(primals) == 1 else hv)


# ---- user rules -------------------------------------------------------------------
def custom_vjp(fun, vjp_rule, jvp_rule=None, name=None):
    """Make `fun` differentiable with your own derivative rules.

    `fun(*arrays)` computes the value. `vjp_rule(g, ans, *inputs)` returns
    one adjoint per input (a tuple; a single value for one input);
    `jvp_rule(tangents, ans, *inputs)` returns the output tangent from a
    tuple of input tangents. Write the rules with chainrule ops and they can
    themselves be differentiated. The op joins the same table as the
    built-in ones (`cr.core.OPS`).

    Example (a log(1 + e^x) that stays finite for large x):
        >>> import numpy as np, chainrule as cr
        >>> log1pexp = cr.custom_vjp(lambda x: np.logaddexp(0, x),
        ...                          lambda g, ans, x: g * cr.sigmoid(x),
        ...                          lambda ts, ans, x: ts[0] * cr.sigmoid(x))
        >>> x = cr.tensor(1000.0, requires_grad=True)
        >>> log1pexp(x).backward(); x.grad
        tensor(1.)
    """
    def one_adjoint(i, g, ans, *xs, **params):
        result = vjp_rule(g, ans, *xs, **params)
        return result[i] if isinstance(result, (tuple, list)) else result

    def one_tangent(i, t, ans, *xs, **params):
        tangents = tuple(t if j == i else np.zeros(np.shape(x)) for j, x in enumerate(xs))
        return jvp_rule(tangents, ans, *xs, **params)

    return defop(name or getattr(fun, "__name__", "custom"), fun, vjp=one_adjoint,
                 jvp=one_tangent if jvp_rule is not None else None, variadic=True,
                 derivative="user rule")
