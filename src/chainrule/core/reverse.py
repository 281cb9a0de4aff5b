"""Reverse mode: the backward pass (backpropagation) of the notes.

Visit the graph from the output back to the inputs, each tensor after every
tensor that used it. At each one, its adjoint v̄ (the derivative of the
output with respect to it) is complete, so pass it on to the inputs of the
op that made it with the op's VJP rule, v̄_i += v̄_j · ∂v_j/∂v_i, summing where
a value fans out. Broadcasting is undone here, once, for every op.

The sweep is planned once (which tensors matter, whether rules get arrays or
Tensors, whether their arithmetic is recorded), then each node is opened once
(checked, its saved values taken and freed) and its edges walked.
"""

from __future__ import annotations

import threading
from heapq import heappop, heappush

import numpy as np

from . import backend, collector, forward
from .engine_ops import cast, conj, real, sum_to
from .errors import ChainruleError, GraphFreedError, InplaceModificationError, OpError
from .graph import leading_to, topological_order
from .modes import anomaly_enabled, enable_grad, no_grad, rules_on_tensors, switches, unusual
from .node import clock, last_change
from .tensor import Tensor, array_of

ndarray = np.ndarray


def backward(root: Tensor, grad=None, retain_graph=None, create_graph=False) -> None:
    """Backpropagate from this tensor into the `.grad` of every leaf.

    `grad` is the seed (the adjoint of this tensor); it may be left out only
    for a single-element tensor, whose seed is 1. Leaves accumulate across
    calls, as in PyTorch. The graph is freed afterwards unless
    `retain_graph=True`; `create_graph=True` records the backward pass so that
    `.grad` can itself be differentiated.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(3.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.grad
        tensor(6.)
    """
    if not root._rg:
        raise ChainruleError(
            "backward() on a tensor that does not require grad: no input of the "
            "computation had requires_grad=True (or it ran under cr.no_grad())")
    if root._data.dtype.kind == "c":
        raise ChainruleError(f"backward() on a complex tensor (dtype {root.dtype}): a gradient needs a real "
                             "output; take .real, abs() or a real-valued loss of it first")
    if grad is None:
        if root._data.size != 1:
            raise ChainruleError(
                f"backward() without a seed needs a single-element output, got shape {root.shape}; "
                "reduce it first (e.g. .sum()) or pass grad= of the same shape")
        data = root._data  # a 0-d loss is the usual root: np.array skips np.ones' Python wrapper
        if type(data) is ndarray:
            seed = np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
        else:  # on the root's device
            seed = np.ones(data.shape, data.dtype, like=backend.like(data))
    else:
        if isinstance(grad, Tensor) and grad._rg:
            seed = grad  # a seed that is itself differentiated keeps its graph
        else:  # a copy: the user's array may change later, and .grad must not
            seed = grad._data if isinstance(grad, Tensor) else grad
            seed = np.array(seed, dtype=root.dtype, like=backend.like(seed))
        if seed.shape != root.shape:
            raise ChainruleError(f"backward(grad=...): seed has shape {seed.shape}, output has {root.shape}")
    retain = create_graph if retain_graph is None else retain_graph
    backward_pass([root], [seed], create_graph=create_graph, retain_graph=retain)


_NO_TARGETS = frozenset()


class _Plan:
    """What a sweep decides once, before it starts."""

    __slots__ = ("target_ids", "needed", "as_tensors", "record", "anomaly", "partial_on_batch")

    def __init__(self, roots, seeds, targets, create_graph):
        quiet = not unusual.count  # no switch set, no level open, no transform: the defaults hold
        self.anomaly = not quiet and anomaly_enabled()
        self.target_ids = frozenset(id(t) for t in targets) if targets is not None else _NO_TARGETS
        self.needed = None  # ids of the tensors from which a target can be reached (None: all)
        self.partial_on_batch = None
        differentiable_seed = False
        for s in seeds:
            if type(s) is not ndarray and isinstance(s, Tensor) and (s._rg or s._tangents):
                differentiable_seed = True
        if (targets is None and create_graph is not None and not differentiable_seed
                and (quiet or not forward.any_open())):
            self.record = bool(create_graph)  # the plain backward(): no walk needed
            self.as_tensors = self.record or (not quiet and rules_on_tensors())
            return
        order = topological_order(roots, stop=self.target_ids)
        _check_all_versions(order)
        if targets is not None:
            self.needed = leading_to(order, self.target_ids)
        if create_graph is None:  # decide: record only if something outside this sweep could differentiate it
            create_graph = differentiable_seed or any(
                t._node is None and t._rg and id(t) not in self.target_ids for t in order)
        self.record = bool(create_graph)
        # Rules get Tensors when their arithmetic must itself be recorded (higher
        # order) or carry tangents (forward-over-reverse); otherwise raw arrays.
        # Under an interceptor (vmap) rules must run on Tensors, so that their ops are intercepted too.
        plain = not (self.record or differentiable_seed or any(t._tangents for t in order))
        self.as_tensors = not plain or rules_on_tensors()
        if plain and self.as_tensors:
            # Tensors only for an interceptor's sake (vmap): it may work partial rows' products out on whole
            # batches, each one NumPy product instead of a batched op per step of the partial
            self.partial_on_batch = getattr(switches.intercept, "partial_on_batch", None)


def backward_pass(roots, seeds, targets=None, create_graph=False, retain_graph=False, observer=None):
    """The reverse sweep from `roots` with adjoints `seeds`.

    Tensors are visited newest first: a tensor is always created after its
    inputs, so when the newest unvisited one is taken, every tensor that used
    it has passed its contribution on and its adjoint is complete. A heap
    keyed by creation number finds that tensor while the sweep discovers the
    graph, so the walk and the sort are one pass.

    With `targets` (tensors), return their adjoints and touch no `.grad`;
    the walk stops at the targets and skips branches that cannot reach them.
    Without, accumulate into the `.grad` of leaves (and retained non-leaves).
    `create_graph`: record the rules' arithmetic (True), don't (False), or
    decide (None: record when something outside the sweep could differentiate
    it). `observer(output, argnum, input, contribution, total)` is told of
    every accumulation step, in sweep order (the adjoint trace tables use it).
    """
    plan = _Plan(roots, seeds, targets, create_graph)
    adjoint, heap, leaves = _seed_adjoints(roots, seeds, plan)
    deposited, accumulate = set(), targets is None
    if plan.as_tensors:  # rules on Tensors: record their arithmetic exactly when asked to
        with (enable_grad() if plan.record else no_grad()):
            _sweep(adjoint, heap, leaves, plan, accumulate, retain_graph, observer, deposited)
    else:  # rules on arrays record nothing whatever the mode
        _sweep(adjoint, heap, leaves, plan, accumulate, retain_graph, observer, deposited)
    collector.state.last_sweep = next(clock)  # the graph is swept: see core/collector.py
    if collector.state.raised is not None:
        collector.restore()
    if targets is not None:
        return SweptAdjoints(plan.record, [adjoint.get(t) for t in targets])
    with _deposit_lock:  # every contribution to a leaf is in: store it (one lock taken for all of them)
        for leaf in leaves:
            _deposit(leaf, adjoint[leaf], deposited)
    return None


class SweptAdjoints(list):
    """The targets' adjoints (a list), and whether the sweep recorded its own arithmetic (`recorded`).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> adjoints = backward_pass([x * x], [np.array(1.0)], targets=[x], create_graph=None)
        >>> [float(g) for g in adjoints], adjoints.recorded
        ([4.0], False)
    """

    __slots__ = ("recorded",)

    def __init__(self, recorded, adjoints):
        super().__init__(adjoints)
        self.recorded = recorded


def _seed_adjoints(roots, seeds, plan):
    """(adjoints, heap, leaves) at the start: each root's seed, in the kind and dtype the sweep works in."""
    adjoint, heap, leaves = {}, [], []
    for root, seed in zip(roots, seeds):
        seed = _as_kind(seed, plan.as_tensors)
        if seed.dtype != root._data.dtype:  # every adjoint has its tensor's dtype
            seed = cast(seed, dtype=root.dtype)
        if root in adjoint:
            adjoint[root] = adjoint[root] + seed
        else:
            adjoint[root] = seed
            _schedule(root, heap, leaves, plan.target_ids)
    return adjoint, heap, leaves


def _sweep(adjoint, heap, leaves, plan, accumulate, retain_graph, observer, deposited):
    """The loop of the notes: take the newest tensor, pass its adjoint to its inputs, v̄_i += v̄_j ∂v_j/∂v_i."""
    needed, as_tensors, target_ids, by_batch = plan.needed, plan.as_tensors, plan.target_ids, plan.partial_on_batch
    observer = _checking_finite(observer) if plan.anomaly else observer
    node = i = None
    reading = last_change.reading  # rules change nothing in place: fixed for the sweep
    try:
        while heap:
            t = heappop(heap)[1]
            g = adjoint.pop(t)
            if accumulate and t._retains_grad:
                with _deposit_lock:
                    _deposit(t, g, deposited)
            # Open t's node, once: refuse a freed graph or changed inputs, take what the rules need, free it.
            node = t._node
            inputs, op, params = node.inputs, node.op, node.params
            if inputs is None or node.index < reading:
                _refuse_stale(node)
            ans, values, (rules, by_partial) = ((t, inputs, op.rules_on_tensors) if as_tensors
                                                else (t._data, node.arrays, op.rules_on_arrays))
            if op.saving_forward is not None:
                params = _take_residual(node, params, as_tensors, retain_graph)
            if not retain_graph:  # each node is visited once: free what it holds now
                node.inputs = node.arrays = None
            for i in node.edges:  # the inputs that required grad when the op ran
                rule, x = rules[i], inputs[i]
                if rule is None or (needed is not None and id(x) not in needed):  # no rule, or x reaches no target
                    continue
                # v̄_x += v̄_t · ∂t/∂x: the adjoint times the op's partial, or the op's VJP rule
                if by_partial:  # (under vmap, the interceptor may take the product on whole batches)
                    gi = (g * (rule(ans, *values, **params) if params else rule(ans, *values)) if by_batch is None
                          else by_batch(rule, g, ans, values, params))
                else:
                    gi = rule(g, ans, *values, **params) if params else rule(g, ans, *values)
                value = values[i]
                if (as_tensors or type(gi) is not ndarray or gi.shape != value.shape or gi.dtype is not value.dtype
                        or gi is value or gi is ans):
                    gi = _adjoint_for(gi, x, node, i, as_tensors, value, ans)  # undo broadcasting: here, once
                prev = adjoint.get(x)
                if prev is None:  # x's first contribution: give it its turn (leaves and targets only collect)
                    adjoint[x] = total = gi
                    x_node = x._node
                    if x_node is None or (target_ids and id(x) in target_ids):
                        leaves.append(x)
                    else:
                        heappush(heap, (-x_node.index, x))  # creation numbers are unique: tensors never compared
                else:
                    adjoint[x] = total = prev + gi
                if observer is not None:
                    observer(t, i, x, gi, total)
    except ChainruleError:
        raise
    except Exception as exc:  # a rule that breaks: say which one
        raise OpError(f"the VJP rule of {_name_of(node)} for input {i} failed: "
                      f"{type(exc).__name__}: {exc}") from exc


def _take_residual(node, params, as_tensors, retain_graph):
    """A saving op's parameters for its rules: its array rules also receive the residual; then it is freed."""
    if not as_tensors:
        params = {**params, "saved": node.saved}
    if not retain_graph:
        node.saved = None
    return params


def _checking_finite(observer):
    """`observer`, preceded by detect_anomaly's check that each contribution is finite."""
    from .anomaly import check_backward  # only under detect_anomaly

    def observe(t, i, x, gi, total):
        check_backward(t._node, i, gi)
        if observer is not None:
            observer(t, i, x, gi, total)

    return observe


def _name_of(node):
    return node.op.name if node is not None else "an op"


def _refuse_stale(node):
    """Raise if `node` can no longer be swept: its graph was freed, or an input changed in place since."""
    if node.inputs is None:
        raise GraphFreedError(
            f"backward through {node.op.name} a second time: its graph was freed by the "
            "first backward; call backward(retain_graph=True) the first time to keep it")
    _check_versions(node)


def _schedule(t, heap, leaves, target_ids):
    """Give t its turn in the sweep (leaves and targets only collect adjoints)."""
    node = t._node
    if node is None or (target_ids and id(t) in target_ids):
        leaves.append(t)
    else:
        heappush(heap, (-node.index, t))


def _adjoint_for(gi, x, node, i, as_tensors, value=None, ans=None):
    """A rule's result as x's adjoint: x's shape (broadcasting undone, here, once), x's dtype, and never
    an array the graph owns (x's `value` or the output `ans`), which a .grad must not share."""
    if as_tensors:
        if isinstance(gi, Tensor) and gi._data.shape == x._data.shape and gi._data.dtype is x._data.dtype:
            return gi  # already x's adjoint (under vmap, nearly every one): nothing to convert, sum or cast
    elif gi is value or gi is ans:
        return gi.copy()
    if type(gi) is ndarray and type(value) is ndarray and not as_tensors and gi.dtype is value.dtype:
        # a bias broadcast over the rows of a batch (`h @ W + b`, every layer a user writes): _summed_to's
        # one reduction, reached without its calls and Tensor property reads
        shape = value.shape
        if gi.ndim == len(shape) + 1 and gi.shape[1:] == shape:
            return np.add.reduce(gi, 0)
    gi = _as_kind(gi, as_tensors)
    shape = x.shape
    if gi.shape != shape:
        gi = _summed_to(gi, shape, node, i, as_tensors)
    if gi.dtype != x.dtype:
        if gi.dtype.kind == "c" and x.dtype.kind != "c":  # a real input's adjoint is the real part
            gi = real(gi)
        if gi.dtype != x.dtype:
            gi = cast(gi, dtype=x.dtype)
    return gi


def _summed_to(gi, shape, node, i, as_tensors):
    """gi summed over the axes along which an input of `shape` was broadcast (undoing broadcasting)."""
    lead = gi.ndim - len(shape)
    if lead > 0 and not as_tensors and gi.shape[lead:] == shape:
        # Broadcast along leading axes only (a bias added to a batch): one reduction, not sum_to's general path
        return np.add.reduce(gi, axis=0) if lead == 1 else gi.sum(axis=tuple(range(lead)))
    if not _broadcasts_to(shape, gi.shape):
        raise OpError(f"the VJP rule of {node.op.name} returned shape {gi.shape} for input {i}, "
                      f"which has shape {shape}; a rule must return the input's shape (or a "
                      "broadcast of it)")
    return sum_to(gi, shape=shape)


def _broadcasts_to(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _as_kind(a, as_tensors):
    if as_tensors:
        return a if isinstance(a, Tensor) else Tensor._wrap(backend.as_array(a))
    return array_of(a)


def _deposit(t, g, deposited):
    """Accumulate into t.grad, never sharing an array with another .grad.

    The caller holds `_deposit_lock`, which makes the read-add-write one step:
    two threads' backward passes may share a leaf (as in PyTorch, contributions
    are summed in some order).
    """
    if t._data.dtype.kind == "c":
        g = conj(g)  # PyTorch's convention for complex leaves: .grad = ∂L/∂re + i ∂L/∂im
    if isinstance(g, Tensor):  # create_graph: keep its graph
        t.grad = g if t.grad is None else t.grad + g
        return
    if type(g) is not ndarray:  # adding two 0-d adjoints gives a NumPy scalar (a CuPy array stays one)
        g = backend.as_array(g)
    # Rules may pass one array to several inputs (add's g), return a view
    # (broadcasting) or an array the graph holds (an input's own values):
    # copy those, keep fresh arrays as they are.
    if (g.base is not None or id(g) in deposited or g is t._data
            or (not g.flags.writeable if type(g) is ndarray else False)):
        g = g.copy()
    deposited.add(id(g))
    t.grad = Tensor._wrap(g if t.grad is None else backend.as_array(t.grad._data + g))


_deposit_lock = threading.Lock()


def _check_all_versions(order):
    """Refuse a graph any of whose nodes saw an input that has changed in place since.

    The planned sweep may skip nodes that cannot reach its targets, so it checks
    them all first: an in-place update can make a skipped branch the one that
    matters (the updated tensor now stands for a later value).
    """
    reading = last_change.reading
    if not reading:
        return
    for t in order:
        node = t._node
        if node is not None and node.inputs is not None and node.index < reading:
            _check_versions(node)


def _check_versions(node):
    for i, x in enumerate(node.inputs):
        if isinstance(x, Tensor) and x._owner()._version > node.index:
            raise InplaceModificationError(
                f"input {i} of {node.op.name} (shape {x.shape}) was modified in place after "
                "the op used it, so its gradient would be wrong. Change values before the "
                "forward pass or after backward(), or use .detach() copies")


def install():
    """Attach `backward` to Tensor (the tensor module stays below this one)."""
    Tensor.backward = backward

