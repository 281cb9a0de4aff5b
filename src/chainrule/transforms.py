"""Function transforms with JAX's names and semantics, built on the two sweeps.

Reverse mode is layered as in JAX: `grad` is `value_and_grad` without the
value, and `value_and_grad` is `vjp` with the cotangent 1. `vjp` is the one
place a function is run under recording and swept back. Forward mode is
`jvp`; `jacrev` stacks VJPs, `jacfwd` stacks JVPs, `hessian = jacfwd(jacrev(f))`
and `hvp` is forward over reverse.

Each call of a transform is a level of its own. Forward mode keys tangents by
level (see core/forward.py). Reverse mode gives the call fresh aliases of its
inputs and sweeps back only as far as those aliases, returning their
adjoints without touching any `.grad`: so in `grad(lambda x: x * grad(lambda
y: x + y)(1.0))(1.0)` the inner sweep never credits x, and the answer is 1.
The inner sweep records its own arithmetic whenever something outside could
still differentiate it (an input or a cotangent that requires grad, or a
leaf of an enclosing `grad` that f closes over), which is what makes grad
of grad work; its rules run on Tensors when a tangent of an enclosing `jvp`
must pass through them (forward over reverse).
"""

from __future__ import annotations

import warnings

import numpy as np

from .core import backend, forward
from .core.engine_ops import alias, broadcast_to
from .core.errors import ChainruleError
from .core.graph import topological_order
from .core.modes import enable_grad, grad_enabled
from .core.registry import OPS, defop
from .core.reverse import backward_pass
from .core.tensor import Tensor, array_of
from .ops import reshape, stack, transpose
from .tree import flatten, unflatten
from .vmap import BatchedTensor, BatchedValueError, BatchingFallbackWarning, vmap


# ---- inputs and outputs -------------------------------------------------------
def _float_tensor(x):
    """x as a floating Tensor (ints and bools from Python become float64); x itself if it is one."""
    if isinstance(x, Tensor):
        if x.dtype.kind not in "fc":
            raise ChainruleError(f"cannot differentiate with respect to a {x.dtype} input; pass floats")
        return x
    array = np.array(x, like=backend.like(x))  # a copy (on x's device): f may write into its input
    if array.dtype.kind in "iub" and not (isinstance(x, np.ndarray) or backend.is_foreign(x)):
        array = array.astype(np.float64)
    if array.dtype.kind not in "fc":  # complex inputs: JAX's convention (see docs/complex.md)
        raise ChainruleError(f"cannot differentiate with respect to a {array.dtype} input; pass floats")
    return Tensor._wrap(array)


def _fresh_input(x):
    """A tensor standing for x that requires grad, keeping x's graph and tangents."""
    if type(x) is np.ndarray and x.dtype.kind in "fc":  # the usual primal (a parameter array): a copied leaf
        return Tensor._wrap(np.copy(x), None, True)  # (in x's own C or F order, as cr.jit replays it)
    t = _float_tensor(x)
    if t is not x:  # x was an array or a number: t is already a fresh leaf
        return t.requires_grad_()
    with enable_grad():
        a = alias(t)
    a._rg = True
    return a


def _argnums_tuple(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise ChainruleError(f"argnums={argnums} but the function got {nargs} positional arguments")
    return nums


def _scalar_output(out, name):
    if isinstance(out, (tuple, list, dict)):
        raise ChainruleError(f"{name} needs a function returning one scalar, got a {type(out).__name__} "
                             "(return (output, aux) with has_aux=True to pass more out)")
    if not isinstance(out, Tensor):
        if isinstance(out, (bool, np.bool_)) or backend.as_array(out).dtype.kind not in "f":
            raise ChainruleError(f"{name} needs a function returning a float computed from its inputs, got "
                                 f"{type(out).__name__} {out!r}, which has no derivative")
        out = Tensor._wrap(backend.as_array(out).astype(np.float64, copy=False))
    if out._data.size != 1:  # (the array's size: Tensor.size builds a callable Size)
        raise ChainruleError(f"{name} needs a function with a scalar output, got shape {out.shape}; "
                             "use jacrev / jacobian for vector outputs, or vjp with a cotangent")
    return out


def _is_live(x):
    """True if something outside could differentiate x: it requires grad or carries a tangent."""
    return isinstance(x, Tensor) and (x._rg or bool(x._tangents))


def _reverse(outputs, seeds, inputs, could_escape):
    """(adjoints of `inputs`, recorded): zeros where an input does not matter.

    `recorded` says whether the sweep recorded its own arithmetic, that is
    whether something outside this call can still differentiate through it.
    """
    roots, root_seeds, live_seed = [], [], False
    for o, c in zip(outputs, seeds):
        if isinstance(o, Tensor) and o._rg:
            roots.append(o)
            root_seeds.append(c)
            live_seed = live_seed or _is_live(c)
    if not roots:
        return [Tensor._wrap(np.zeros_like(x._data)) for x in inputs], False
    if live_seed:
        create = True  # the cotangent is itself differentiated: the sweep must record it
    else:  # None: the sweep decides (it records if a leaf outside this call could differentiate it)
        create = (True if could_escape else None) if grad_enabled() else False
    grads = backward_pass(roots, root_seeds, targets=inputs, create_graph=create, retain_graph=True)
    if create is None:  # what the sweep decided (a wrapped sweep that does not say: read from its results)
        create = getattr(grads, "recorded", None)
        if create is None:
            create = _sweep_recorded(grads, roots, inputs)
    return [Tensor._wrap(np.zeros_like(x._data)) if g is None else g if isinstance(g, Tensor) else Tensor._wrap(g)
            for g, x in zip(grads, inputs)], bool(create)


def _sweep_recorded(grads, roots, inputs):
    """Whether a sweep left to decide (create_graph=None) chose to record, read from what it returned."""
    for g in grads:
        if g is not None:
            if not isinstance(g, Tensor):
                return False  # rules ran on arrays: nothing was recorded
            if g._rg:
                return True
    # Tensors that require no grad (constant adjoints, or only tangents): ask as the sweep did,
    # whether the outputs depend on a leaf requiring grad outside this call
    stop = frozenset(id(x) for x in inputs)
    return any(t._node is None and t._rg and id(t) not in stop for t in topological_order(roots, stop=stop))


def _seed_of(cotangent, output):
    """The cotangent as a seed for `output`: an array, or a Tensor when it is itself differentiated."""
    shape = np.shape(output)
    if _is_live(cotangent) or isinstance(cotangent, BatchedTensor):  # a batch of cotangents (vmap): a tensor
        seed = cotangent
        if seed.shape != shape and seed.ndim == 0:
            seed = broadcast_to(seed, shape=shape)
    else:
        seed = backend.array_like(array_of(cotangent) if isinstance(cotangent, Tensor) else cotangent,
                                  output.dtype, array_of(output))
        if seed.shape != shape and seed.ndim == 0:
            seed = np.broadcast_to(seed, shape).copy()
    if seed.shape != shape:
        raise ChainruleError(f"cotangent shape {seed.shape} does not match output shape {shape}")
    return seed


def _regroup(flat, structures, sizes):
    """Split a flat list into groups of the given sizes and rebuild each group's structure."""
    results, k = [], 0
    for structure, size in zip(structures, sizes):
        results.append(unflatten(structure, flat[k:k + size]))
        k += size
    return tuple(results)


def _plain(out):
    """out cut from the graph this call recorded, keeping its tangents for enclosing jvps."""
    value = out.detach()
    value._tangents = out._tangents
    return value


# ---- reverse mode ---------------------------------------------------------------
class _Backward:
    """The reverse half of one `vjp` call: a sweep from its outputs back to its fresh inputs.

    An object rather than a closure so that what it keeps is in plain view
    (and in no reference cycle): the outputs, the inputs, and how to regroup.
    """

    __slots__ = ("outputs", "inputs", "structures", "sizes", "could_escape")

    def __call__(self, cotangent):
        """(one adjoint per primal, in its structure; whether the sweep recorded itself)."""
        cot_leaves, _ = flatten(cotangent)
        if len(cot_leaves) != len(self.outputs):
            raise ChainruleError(f"vjp_fn got {len(cot_leaves)} cotangents for {len(self.outputs)} outputs")
        return self.from_seeds([_seed_of(c, o if isinstance(o, Tensor) else backend.as_array(o))
                                for o, c in zip(self.outputs, cot_leaves)])

    def from_seeds(self, seeds):
        """As calling it, with one checked seed per output leaf."""
        grads, recorded = _reverse(self.outputs, seeds, self.inputs, self.could_escape)
        return _regroup(grads, self.structures, self.sizes), recorded


def _vjp(f, primals, has_aux):
    """Run f on fresh inputs standing for `primals`; return (out, aux, backward).

    This is the one reverse-mode implementation: `vjp`, `value_and_grad`
    and `grad` are built on it.
    """
    back = _Backward()
    back.inputs, back.structures, back.sizes, back.could_escape = [], [], [], False
    args = []
    for p in primals:
        leaves, structure = flatten(p)
        fresh = [_fresh_input(leaf) for leaf in leaves]
        for leaf in leaves:
            if isinstance(leaf, Tensor) and leaf._rg:
                back.could_escape = True
        back.inputs += fresh
        back.structures.append(structure)
        back.sizes.append(len(fresh))
        args.append(unflatten(structure, fresh))
    with enable_grad():
        out = f(*args)
    del args
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise ChainruleError("has_aux=True needs f to return a pair (output, aux)")
        out, aux = out
    back.outputs = flatten(out)[0]
    return out, aux, back


def vjp(f, *primals, has_aux=False):
    """(f(*primals), vjp_fn): vjp_fn(cotangent) gives one adjoint per primal.

    The cotangent has the structure of f's output; vjp_fn can be called
    more than once, and differentiated (also with respect to the cotangent).
    With `has_aux=True`, f returns (output, aux) and vjp returns
    (output, vjp_fn, aux), as JAX's `vjp`.

    Example:
        >>> import chainrule as cr
        >>> out, back = cr.vjp(lambda x, y: x * y, 2.0, 3.0)
        >>> [float(g) for g in back(1.0)]
        [3.0, 2.0]
    """
    out, aux, backward = _vjp(f, primals, has_aux)

    def vjp_fn(cotangent):
        return backward(cotangent)[0]

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def value_and_grad(f, argnums=0, has_aux=False):
    """f's value together with its gradient (see `grad`): `vjp` with the cotangent 1.

    The value is a plain result, cut from the graph this call recorded; it
    stays differentiable only where an enclosing transform or an input
    that requires grad could still differentiate it.

    Example:
        >>> import chainrule as cr
        >>> value, g = cr.value_and_grad(lambda x: x ** 3)(2.0)
        >>> float(value), float(g), value.requires_grad
        (8.0, 12.0, False)
    """
    def wrapped(*args, **kwargs):
        return _value_and_grad(f, argnums, has_aux, args, kwargs, True)

    wrapped.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return wrapped


def _value_and_grad(f, argnums, has_aux, args, kwargs, keep_value):
    """value_and_grad's call: ((value, aux) or value, gradient); the value is None unless `keep_value`."""
    nums = _argnums_tuple(argnums, len(args))

    def f_of_differentiated(*chosen):
        full = list(args)
        for n, x in zip(nums, chosen):
            full[n] = x
        return f(*full, **kwargs)

    out, aux, backward = _vjp(f_of_differentiated, [args[n] for n in nums], has_aux)
    out = _scalar_output(out, "grad")
    data = out._data
    if type(data) is np.ndarray:  # (np.array for the usual 0-d loss: np.ones is a Python function)
        seed = np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
    else:  # on the output's device
        seed = np.ones(out.shape, out.dtype, like=backend.like(data))
    grads, recorded = backward.from_seeds([seed])
    value = (out if recorded else _plain(out)) if keep_value else None
    g = grads[0] if isinstance(argnums, int) else grads
    return ((value, aux), g) if has_aux else (value, g)


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
    def wrapped(*args, **kwargs):  # value_and_grad's call, without cutting the value it would drop from the graph
        out, g = _value_and_grad(f, argnums, has_aux, args, kwargs, False)
        return (g, out[1]) if has_aux else g

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return wrapped


# ---- forward mode ---------------------------------------------------------------
def _seeded(primal, tangent, level):
    """The primal's leaves as tensors carrying the tangent's leaves at `level`, in the primal's structure."""
    p_leaves, structure = flatten(primal)
    t_leaves, _ = flatten(tangent)
    if len(p_leaves) != len(t_leaves):
        raise ChainruleError("each tangent must have the structure of its primal")
    seeded = []
    for p, t in zip(p_leaves, t_leaves):
        x = _float_tensor(p)
        if not isinstance(t, Tensor):
            t = backend.array_like(t, x.dtype, x._data)
        if t.shape != x.shape:
            raise ChainruleError(f"tangent shape {t.shape} does not match primal shape {x.shape}")
        seeded.append(forward.seed(x, level, t))
    return unflatten(structure, seeded)


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
        out = f(*[_seeded(p, t, level) for p, t in zip(primals, tangents)])
        out_leaves, out_structure = flatten(out)
        outs, touts = [], []
        for o in out_leaves:
            if not isinstance(o, Tensor):
                o = Tensor._wrap(backend.as_array(o))
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
    """Jacobian by reverse mode: every output basis vector swept back at once.

    The result has shape output.shape + input.shape (for a tuple, list or
    dict input, that structure of such arrays). The basis vectors travel as
    one batch through a single `vmap`-ed VJP; an op without a batching rule
    is then run once per basis vector, with a `BatchingFallbackWarning`.

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
        if out.size == 0:
            return _tree_map(lambda x: Tensor._wrap(np.zeros(out.shape + np.shape(x), like=backend.like(out._data))),
                             args[n])
        basis = np.eye(out.size, dtype=out.dtype, like=backend.like(out._data)).reshape((out.size,) + out.shape)
        try:
            rows = vmap(lambda seed: back(seed)[0], fallback="warn")(basis)
        except BatchedValueError as exc:  # a rule read its adjoint with NumPy: one basis vector at a time
            _warn_loop("jacrev", exc)
            rows = _stacked([back(seed)[0] for seed in basis])
        return _tree_map(lambda r: reshape(r, out.shape + r.shape[1:]), rows)

    return jac


def jacfwd(f, argnums=0):
    """Jacobian by forward mode: every input basis vector pushed forward at once.

    The basis vectors travel as one batch of tangents through a single
    `vmap`-ed JVP (see `jacrev` for ops without a batching rule).

    Example:
        >>> import chainrule as cr
        >>> cr.jacfwd(lambda x: x ** 2)(cr.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    def jac(*args):
        n = _single_input(args, argnums, "jacfwd")
        x = _float_tensor(args[n])

        def column(tangent):
            return _as_output(jvp(lambda xi: f(*args[:n], xi, *args[n + 1:]), (x,), (tangent,))[1], "jacfwd")

        if x.size == 0:
            out = _as_output(f(*args), "jacfwd")
            return Tensor._wrap(np.zeros(out.shape + x.shape, like=backend.like(x._data)))
        basis = np.eye(x.size, dtype=x.dtype, like=backend.like(x._data)).reshape((x.size,) + x.shape)
        try:
            columns = vmap(column, fallback="warn")(basis)  # the input's flat axis first, then the output's axes
        except BatchedValueError as exc:  # a rule read its tangent with NumPy: one basis vector at a time
            _warn_loop("jacfwd", exc)
            columns = stack([column(t) for t in basis])
        out_shape = columns.shape[1:]
        moved = transpose(columns, tuple(range(1, len(out_shape) + 1)) + (0,))
        return reshape(moved, out_shape + x.shape)

    return jac


def _warn_loop(name, exc):
    warnings.warn(f"{name}: {exc}; computing the Jacobian one basis vector at a time (slow)",
                  BatchingFallbackWarning, stacklevel=3)


def _stacked(trees):
    """Trees of one structure, stacked leaf by leaf along a new first axis."""
    structure = flatten(trees[0])[1]
    columns = zip(*[flatten(t)[0] for t in trees])
    return unflatten(structure, [stack(list(leaves)) for leaves in columns])


def _tree_map(fn, tree):
    leaves, structure = flatten(tree)
    return unflatten(structure, [fn(leaf) for leaf in leaves])


jacobian = jacrev


def _as_output(out, name):
    if isinstance(out, (tuple, list, dict)):
        raise ChainruleError(f"{name} needs a function returning one array, got a {type(out).__name__}")
    return out if isinstance(out, Tensor) else Tensor._wrap(backend.as_array(out))


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
        tangents = tuple(t if j == i else np.zeros(np.shape(x), like=backend.like(array_of(x)))
                         for j, x in enumerate(xs))
        return jvp_rule(tangents, ans, *xs, **params)

    return defop(_unique_op_name(name or getattr(fun, "__name__", "custom")), fun, vjp=one_adjoint,
                 jvp=one_tangent if jvp_rule is not None else None, variadic=True,
                 derivative="user rule")


def _unique_op_name(name):
    """`name`, or `name#2`, `name#3`, ... when the table has it: two lambdas never replace each other."""
    if name not in OPS:
        return name
    k = 2
    while f"{name}#{k}" in OPS:
        k += 1
    return f"{name}#{k}"
