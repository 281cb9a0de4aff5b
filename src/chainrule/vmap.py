"""vmap: a function of one example, applied to a whole batch at once (JAX's `vmap`).

`vmap(f)(X)` is `stack([f(x) for x in X])` without the loop. f runs once, on
stand-ins for one example (`BatchedTensor`s: the shape of one example, the
values of the whole batch); every op applied to a stand-in is intercepted
(core.modes.intercepting) and applied to the whole batch by the op's batching
rule (chainrule.batching), so f sees one example and NumPy sees the batch.

It composes with the other transforms in any order, as in JAX, because each
vmap call is a level of its own:

- An op applied to stand-ins runs its batched form on the full values, which
  records (and carries tangents) as any op does: that is what an enclosing
  `grad` or `jvp` differentiates (`grad(vmap(f))`).
- The same op is also recorded at the per-example level, with the stand-ins as
  its inputs, when one of them requires grad there, and carries the tangents
  of `jvp`s opened inside the vmap: a `grad` or `jvp` inside f sweeps that
  per-example graph, whose rules are ops on stand-ins and so are batched too
  (`vmap(grad(f))`: per-example gradients).
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

from .batching import (
    CHECK_STAND_INS,
    BatchedTensor,
    BatchedValueError,
    BatchingError,
    BatchingFallbackWarning,
    batch_rule,
    make_batched,
)
from .batching.rules import loop
from .core import backend, forward
from .core.errors import ChainruleError
from .core.modes import installed, switches
from .core.node import EDGES, Node
from .core.registry import OPS
from .core.tensor import Tensor
from .tree import flatten, unflatten

_FALLBACKS = (None, "loop", "warn")
_RANDOMNESS = ("error", "different", "same")  # torch.func's names
_new = object.__new__
_NO_LEVELS = frozenset()


class _Active(threading.local):
    def __init__(self):
        self.levels = []  # this thread's open vmap levels, innermost last


_active = _Active()


class _Level:
    """One vmap call: its batch size, its interceptor, the jvp levels open when it began."""

    __slots__ = ("size", "fallback", "randomness", "handle", "entry", "open")

    def __init__(self, size, fallback, randomness="error"):
        self.size, self.fallback, self.randomness, self.open = size, fallback, randomness, True
        self.handle, self.entry = None, frozenset()


def vmap(f, in_axes=0, out_axes=0, fallback=None, randomness="error"):
    """Vectorise f over a batch axis of its arguments (JAX's `vmap`).

    - `in_axes`: the batch axis of each positional argument: an int (every
      argument), None (not batched), or a tuple with one entry per argument,
      each an int, None, or a tuple / list / dict matching that argument.
    - `out_axes`: where the batch axis goes in the result (an int, None for
      an unbatched output, or a structure matching f's output).
    - `fallback`: None raises an error naming an op that has no batching rule;
      "loop" runs such an op once per example (correct and slow), "warn" does
      so with a `BatchingFallbackWarning`.
    - `randomness` (torch.func's): what random draws inside f (dropout while
      training) give the examples: "error" refuses them, "different" draws
      for each example, "same" draws once for all.

    Compose it with the other transforms in any order:
    `vmap(grad(loss), in_axes=(None, 0, 0))(params, X, y)` gives one gradient
    per example.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.vmap(lambda x: (x ** 2).sum())(np.array([[1.0, 2.0], [3.0, 4.0]]))
        tensor([ 5., 25.], dtype=float64)
        >>> cr.vmap(cr.grad(lambda w, x: (w * x).sum() ** 2), in_axes=(None, 0))(
        ...     np.array([1.0, 1.0]), np.array([[1.0, 0.0], [1.0, 1.0]]))
        tensor([[2., 0.],
                [4., 4.]], dtype=float64)
    """
    if fallback not in _FALLBACKS:
        raise ChainruleError(f"vmap(fallback={fallback!r}): choose None, 'loop' or 'warn'")
    if randomness not in _RANDOMNESS:
        raise ChainruleError(f"vmap(randomness={randomness!r}): choose 'error', 'different' or 'same'")

    def batched(*args, **kwargs):
        specs = _axes_per_argument(in_axes, args)
        new_args, size, pending = [], None, []
        for arg, spec in zip(args, specs):
            leaves, structure = flatten(arg)
            if spec is None:  # unbatched throughout (the parameters of per-example gradients): rebuilt as it is,
                new_args.append([structure, leaves])  # in containers of its own, as JAX's vmap passes it
                continue
            axes = _prefix_axes(spec, arg, "in_axes", len(leaves))
            new_leaves = []
            for leaf, axis in zip(leaves, axes):
                if axis is None:
                    new_leaves.append(leaf)
                    continue
                value = leaf if isinstance(leaf, Tensor) else Tensor._wrap(backend.as_array(leaf))
                axis = _check_axis(axis, value.ndim, "in_axes")
                n = value.shape[axis]
                if size is not None and n != size:
                    raise ChainruleError(f"vmap: batched arguments have different batch sizes ({size} and {n}) "
                                         "along their in_axes")
                size = n
                pending.append((len(new_args), len(new_leaves), value, axis))
                new_leaves.append(None)
            new_args.append([structure, new_leaves])
        if size is None:
            raise ChainruleError("vmap: no argument is batched (every in_axes entry is None); "
                                 "batch at least one argument")
        level = _Level(size, fallback, randomness)
        for i, j, value, axis in pending:
            new_args[i][1][j] = make_batched(value, axis, level)
        call_args = [unflatten(structure, leaves) for structure, leaves in new_args]
        level.handle = _Handle(level, switches.intercept)  # the interceptor is the handler itself
        level.entry = frozenset(forward.levels.open) if forward.levels.open else _NO_LEVELS
        _active.levels.append(level)
        try:
            with installed(level.handle):
                out = f(*call_args, **kwargs)
        finally:
            _active.levels.pop()
            level.open, level.handle = False, None  # the handle refers to the level: no cycle left
        return _unbatch_output(out, out_axes, level)

    batched.__name__ = f"vmap({getattr(f, '__name__', 'f')})"
    batched.__doc__ = getattr(f, "__doc__", None)
    return batched


# ---- in_axes and out_axes ----------------------------------------------------------------
def _axes_per_argument(in_axes, args):
    if in_axes is None or isinstance(in_axes, (int, np.integer)):
        return [in_axes] * len(args)
    if isinstance(in_axes, (tuple, list)):
        if len(in_axes) != len(args):
            raise ChainruleError(f"vmap: in_axes has {len(in_axes)} entries but the function got "
                                 f"{len(args)} positional arguments")
        return list(in_axes)
    raise ChainruleError(f"vmap: in_axes must be an int, None or a tuple with one entry per argument, "
                         f"got {type(in_axes).__name__}")


def _prefix_axes(spec, tree, name, count=None):
    """One axis per leaf of `tree` (`count` of them, when known): `spec` is an int or None for a whole
    subtree, else matches it."""
    if spec is None or isinstance(spec, (int, np.integer)):
        return [spec] * (len(flatten(tree)[0]) if count is None else count)
    if isinstance(spec, dict):
        if not isinstance(tree, dict) or set(spec) != set(tree):
            raise ChainruleError(f"vmap: {name} entry {spec!r} does not match the structure of its argument")
        return [a for k in sorted(spec) for a in _prefix_axes(spec[k], tree[k], name)]
    if isinstance(spec, (tuple, list)):
        if not isinstance(tree, (tuple, list)) or len(spec) != len(tree):
            raise ChainruleError(f"vmap: {name} entry {spec!r} does not match the structure of its argument")
        return [a for s, t in zip(spec, tree) for a in _prefix_axes(s, t, name)]
    raise ChainruleError(f"vmap: {name} entries are ints, None, or tuples / lists / dicts of them, got {spec!r}")


def _check_axis(axis, ndim, name):
    if not -ndim <= axis < ndim:
        raise ChainruleError(f"vmap: {name}={axis} is out of range for an argument with {ndim} axes")
    return int(axis) % ndim


def _unbatch_output(out, out_axes, level):
    leaves, structure = flatten(out)
    axes = _prefix_axes(out_axes, out, "out_axes", len(leaves))
    results = []
    for leaf, axis in zip(leaves, axes):
        if isinstance(leaf, BatchedTensor) and leaf._level is level:
            if axis is None:
                raise ChainruleError("vmap: out_axes=None for an output that depends on the batched inputs")
            value, dim = leaf._value, leaf._bdim
            if axis != dim:  # (the usual out_axes=0 on the rules' front batch: nothing to check or move)
                axis = _check_axis(axis, value.ndim, "out_axes")
            if axis != dim:
                order = [a for a in range(value.ndim) if a != dim]
                order.insert(axis, dim)
                value = OPS["transpose"](value, axes=tuple(order))
            results.append(value)
        elif axis is None:
            results.append(leaf)
        else:  # the same for every example: broadcast along a new batch axis
            _refuse_leaked(leaf)
            value = leaf if isinstance(leaf, Tensor) else Tensor._wrap(backend.as_array(leaf))
            axis = _check_axis(axis, value.ndim + 1, "out_axes")
            shape = value.shape[:axis] + (1,) + value.shape[axis:]
            value = OPS["reshape"](value, shape=shape)
            results.append(OPS["broadcast_to"](value, shape=shape[:axis] + (level.size,) + shape[axis + 1:]))
    return unflatten(structure, results)


def _refuse_leaked(x):
    if isinstance(x, BatchedTensor) and not x._level.open:
        raise ChainruleError("a batched value escaped the vmap that made it (kept in a variable outside f); "
                             "return it from f instead")


# ---- the interceptor -----------------------------------------------------------------------
class _Handle:
    """A level's interceptor: every op applied to a Tensor while the level is innermost comes here.

    It keeps core.modes.intercepting's contract: the previous interceptor is restored while it runs, so
    the batching rules' ops reach the enclosing transform (or run as usual), and backward passes run
    their rules on Tensors (`rules_on_tensors`), so that a grad inside f has its rules batched too.
    """

    __slots__ = ("level", "outer", "unwatched")
    rules_on_tensors = True

    def __init__(self, level, outer):
        self.level, self.outer = level, outer
        # whether only vmaps enclose this one: any other interceptor (cr.jit's tracer) must see every op,
        # so NumPy arithmetic done here on whole-batch arrays (partial_on_batch) would escape it
        while outer is not None and type(outer) is _Handle:
            outer = outer.outer
        self.unwatched = outer is None

    def __call__(self, op, args, params):
        switches.intercept = self.outer
        level = self.level
        try:
            # the hot cases unrolled: one argument, this level's stand-in; two, with a stand-in of this level
            # and none of another's (_handle sorts out the rest)
            n = len(args)
            if n == 1:
                a = args[0]
                if type(a) is BatchedTensor and a._level is level:
                    return _apply_batched(op, args, [a._value], [a._bdim], params, level, (a._data,),
                                          EDGES[1] if a._rg else ())
            elif n == 2:
                a, b = args
                a_mine, b_mine = type(a) is BatchedTensor, type(b) is BatchedTensor
                if ((a_mine or b_mine) and (not a_mine or a._level is level) and (not b_mine or b._level is level)
                        and (a_mine or not isinstance(a, BatchedTensor))
                        and (b_mine or not isinstance(b, BatchedTensor))):
                    a_is, b_is = a_mine or isinstance(a, Tensor), b_mine or isinstance(b, Tensor)
                    return _apply_batched(op, args, [a._value if a_mine else a, b._value if b_mine else b],
                                          [a._bdim if a_mine else None, b._bdim if b_mine else None], params, level,
                                          (a._data if a_is else a, b._data if b_is else b),
                                          EDGES[(a_is and a._rg) | (b_is and b._rg) << 1])
            return _handle(op, args, params, level)
        finally:
            switches.intercept = self

    def partial_on_batch(self, partial, g, ans, values, params):
        """g times an elementwise op's partial, for a sweep inside f that records nothing and carries no
        tangents: worked out on the whole batch's arrays, where NumPy's broadcasting is the per-example one
        (every stand-in of this level with its batch in front and one example's rank), instead of one
        batched op per step of the partial. Where that does not hold, by the batched ops as any rule.

        The NumPy calls are those the batched ops would make, on the same arrays: the same bits. Under another
        interceptor (cr.jit's tracer), which must see each op, it is always the batched ops.
        """
        product = self._partial_on_arrays(partial, g, ans, values, params)
        if product is None:
            return g * (partial(ans, *values, **params) if params else partial(ans, *values))
        return product

    def _partial_on_arrays(self, partial, g, ans, values, params):
        # An elementwise op's output has the per-example rank of all its operands' broadcast: every stand-in
        # taking part (the adjoint, the output, the inputs: a per-example sweep's or, under jacrev, only the
        # seeds) must have it, its batch in front, so that NumPy's broadcasting of whole-batch arrays is the
        # per-example one; other values may have fewer axes. Tangents of a jvp around this vmap travel with
        # the whole batch's values, which arrays would drop; a stand-in of an enclosing vmap holds one of its
        # examples only.
        if not self.unwatched:
            return None
        level, rank, arrays, batched = self.level, ans._data.ndim, [], False
        for v in (g, ans, *values):
            if type(v) is BatchedTensor:
                full = v._value
                if (v._level is not level or v._bdim or v._data.ndim != rank or isinstance(full, BatchedTensor)
                        or full._tangents):
                    return None
                arrays.append(full._data)
                batched = True
            elif isinstance(v, Tensor):  # unbatched (a parameter): as it is, unless an enclosing vmap's stand-in
                if isinstance(v, BatchedTensor) or v._data.ndim > rank or v._tangents:
                    return None
                arrays.append(v._data)
            elif np.ndim(v) > rank:
                return None
            else:
                arrays.append(v)
        if not batched:
            return None
        full_g, full_ans, *rest = arrays
        d = partial(full_ans, *rest, **params) if params else partial(full_ans, *rest)
        product = backend.as_array(full_g * (d._data if isinstance(d, Tensor) else d))
        if product.ndim <= rank:  # alike for every example (g and the partial read no stand-in)
            return Tensor._wrap(product)
        return make_batched(Tensor._wrap(product), 0, level)


def _handle(op, args, params, level):
    """Any call the level's interceptor did not take by its unrolled cases (three or more arguments, stand-ins
    of other levels)."""
    # one pass over the arguments: this level's full values and batch axes, each argument's array and
    # the positions that require grad (the edges of the per-example node)
    values, dims, arrays, edges, mine, other = [], [], [], [], False, False
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            arrays.append(a._data)
            if a._rg:
                edges.append(i)
            if isinstance(a, BatchedTensor):
                if a._level is level:
                    mine = True
                    values.append(a._value)
                    dims.append(a._bdim)
                    continue
                _refuse_leaked(a)
                other = True
        else:
            arrays.append(a)
        values.append(a)
        dims.append(None)
    if not mine:
        # nothing of this level: an outer vmap's stand-ins are the outer interceptor's (active inside this
        # handler). So is any op under an interceptor other than vmaps (cr.jit's tracer must see the ops on
        # unbatched values too, or their results would be baked into its replay). Otherwise the op runs as
        # usual, where the tangents of jvps opened inside this vmap are pushed under it
        return op(*args, **params) if other or not level.handle.unwatched else NotImplemented
    return _apply_batched(op, args, values, dims, params, level, tuple(arrays), tuple(edges))


def _apply_batched(op, args, values, dims, params, level, arrays, edges):
    rule = op.batch or batch_rule(op)
    if rule is None:
        if level.fallback is None:
            raise BatchingError(f"vmap: op {op.name!r} has no batching rule; declare one with "
                                f"chainrule.batching.defbatch({op.name!r}, rule), or pass vmap(..., "
                                "fallback='loop') to run it once per example")
        if level.fallback == "warn":
            warnings.warn(f"op {op.name!r} has no batching rule: running it once per batch element (slow); "
                          "declare one with chainrule.batching.defbatch", BatchingFallbackWarning, stacklevel=4)
        rule = loop
    result, dim = rule(op, values, dims, params)
    if dim == 0 and type(result) is Tensor and result._data.shape[0] and not CHECK_STAND_INS:
        # make_batched inlined for the rules' usual answer (a Tensor with a front batch): once per op
        out = _new(BatchedTensor)
        out._data, out._node, out._rg = result._data[0], None, result._rg
        out._value, out._bdim, out._level = result, 0, level
    else:
        out = make_batched(result, dim, level)
    if op.nondiff:
        return out
    # (inside a vmap a switch is always set, so grad_enabled() and forward.any_open() read these two directly)
    # The per-example level: record the op with its stand-ins, for a grad inside f ...
    if edges and switches.grad_enabled:
        out._node = Node(op, args, arrays, params, edges)
        out._rg = True
    # ... and carry the tangents of jvps opened inside f (outer ones travel with the full values)
    if forward.levels.open:
        _push_inner_tangents(op, out, args, params, level)
    return out


def _push_inner_tangents(op, out, args, params, level):
    levels = forward.levels
    new = sorted({lv for a in args if isinstance(a, Tensor) and a._tangents for lv in a._tangents
                  if lv not in level.entry and lv < levels.ceiling and lv in levels.open})
    if not new:
        return
    saved = switches.intercept
    switches.intercept = _active.levels[-1].handle  # the rules' ops start at the innermost vmap, as f's do
    try:
        for lv in new:  # ascending, as the engine does: a rule for level L sees tangents below L
            with forward.tangent_ceiling(lv):
                tangent = forward._tangent_at(op, out, args, params, lv)
            if tangent is not None:
                forward.set_tangent(out, lv, tangent)
    finally:
        switches.intercept = saved


__all__ = ["vmap", "BatchedTensor", "BatchedValueError", "BatchingError", "BatchingFallbackWarning"]
